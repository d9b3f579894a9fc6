// SPDX-License-Identifier: MIT
// RFC 9180 §5.1.1-§5.1.4 SetupBase/PSK/Auth/AuthPSK, S and R: the KEM and the key schedule joined.
// The mode follows from the inputs: a sender key pair means auth, a PSK means psk, both auth_psk.
import type { CryptoPort } from "../ports.js";
import type { Aead } from "./aead.js";
import { createContext, type RecipientContext, type SenderContext } from "./context.js";
import { decap, encap, type KeyPair } from "./dhkem-x25519.js";
import { keySchedule, type Mode, type PreSharedKey } from "./key-schedule.js";

export interface SetupSenderOptions {
  crypto: CryptoPort;
  aead: Aead;
  recipientPublicKey: Uint8Array;
  /** Application info, bound into the key schedule. */
  info: Uint8Array;
  /** The sender's static key pair: gives mode_auth (or mode_auth_psk with `psk`). */
  sender?: KeyPair;
  psk?: PreSharedKey;
}

export interface SetupRecipientOptions {
  crypto: CryptoPort;
  aead: Aead;
  /** The sender's encapsulated key, 32 bytes. */
  enc: Uint8Array;
  recipient: KeyPair;
  info: Uint8Array;
  /** The expected sender's public key: required for the auth modes, absent otherwise. */
  senderPublicKey?: Uint8Array;
  psk?: PreSharedKey;
}

/** The RFC 9180 §5 mode for the given inputs. */
export function modeOf(authenticated: boolean, psk: PreSharedKey | undefined): Mode {
  return ((authenticated ? 2 : 0) | (psk ? 1 : 0)) as Mode;
}

/**
 * RFC 9180 §5.1 Setup<MODE>S: a fresh ephemeral (from `crypto.randomBytes`) per call, so each
 * context has its own key; `enc` must travel with the ciphertext.
 */
export function setupSender(options: SetupSenderOptions): { enc: Uint8Array; context: SenderContext } {
  const { crypto, aead, recipientPublicKey, info, sender, psk } = options;
  const mode = modeOf(sender !== undefined, psk);
  const { sharedSecret, enc } = encap(crypto, recipientPublicKey, sender);
  return { enc, context: createContext(crypto, aead, keySchedule(crypto, aead, mode, sharedSecret, info, psk)) };
}

/** RFC 9180 §5.1 Setup<MODE>R. Throws when `enc` or the sender key is malformed or low-order. */
export function setupRecipient(options: SetupRecipientOptions): RecipientContext {
  const { crypto, aead, enc, recipient, info, senderPublicKey, psk } = options;
  const mode = modeOf(senderPublicKey !== undefined, psk);
  const sharedSecret = decap(crypto, enc, recipient, senderPublicKey);
  return createContext(crypto, aead, keySchedule(crypto, aead, mode, sharedSecret, info, psk));
}
