// SPDX-License-Identifier: MIT
// RFC 9180 §5.1.1-§5.1.4 SetupBase/PSK/Auth/AuthPSK, S and R: the KEM and the key schedule joined.
// The mode follows from the inputs: a sender key pair means auth, a PSK means psk, both auth_psk.
import type { CryptoPort } from "../ports.js";
import type { Aead } from "./aead.js";
import { createContext, type RecipientContext, type SenderContext } from "./context.js";
import { decap, type Encapsulation, encap, type KeyPair, wipe } from "./dhkem-x25519.js";
import { keySchedule, type Mode, type PreSharedKey, verifyPskInputs } from "./key-schedule.js";

export interface SetupSenderOptions {
  crypto: CryptoPort;
  aead: Aead;
  recipientPublicKey: Uint8Array;
  /** Application info, bound into the key schedule. */
  info: Uint8Array;
  /** The sender's static key pair: gives mode_auth (or mode_auth_psk with `psk`). */
  sender?: KeyPair;
  psk?: PreSharedKey;
  /**
   * Replaces the KEM step: returns an Encap/AuthEncap result made ahead of time (`encap`) for exactly this
   * `recipientPublicKey` and `sender`, never handed out before. Called once; from then on setupSender owns
   * it and zero-fills its shared secret once the key schedule has it, even when the schedule throws.
   */
  encapsulate?: () => Encapsulation;
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
  /** DH(skR, pkS) kept from an earlier message of the same sender (`staticDh`); saves one X25519. Secret. */
  staticDh?: Uint8Array;
  /** `keyScheduleContext` for this mode, info and PSK id, kept from earlier (public); saves two HMACs. */
  keyScheduleContext?: Uint8Array;
}

/** The RFC 9180 §5 mode for the given inputs. */
export function modeOf(authenticated: boolean, psk: PreSharedKey | undefined): Mode {
  return ((authenticated ? 2 : 0) | (psk ? 1 : 0)) as Mode;
}

/**
 * RFC 9180 §5.1 Setup<MODE>S: a fresh ephemeral (from `crypto.randomBytes`, or the one `encapsulate`
 * made ahead) per call, so each context has its own key; `enc` must travel with the ciphertext.
 * The KEM's shared secret is zero-filled before this returns.
 */
export function setupSender(options: SetupSenderOptions): { enc: Uint8Array; context: SenderContext } {
  const { crypto, aead, recipientPublicKey, info, sender, psk } = options;
  const mode = modeOf(sender !== undefined, psk);
  verifyPskInputs(mode, psk); // before a precomputed encapsulation is taken, so a bad PSK wastes none
  const { sharedSecret, enc } = options.encapsulate ? options.encapsulate() : encap(crypto, recipientPublicKey, sender);
  try {
    return { enc, context: createContext(crypto, aead, keySchedule(crypto, aead, mode, sharedSecret, info, psk)) };
  } finally {
    wipe(sharedSecret);
  }
}

/** RFC 9180 §5.1 Setup<MODE>R. Throws when `enc` or the sender key is malformed or low-order. */
export function setupRecipient(options: SetupRecipientOptions): RecipientContext {
  const { crypto, aead, enc, recipient, info, senderPublicKey, psk } = options;
  const mode = modeOf(senderPublicKey !== undefined, psk);
  const sharedSecret = decap(crypto, enc, recipient, senderPublicKey, options.staticDh);
  try {
    const schedule = keySchedule(crypto, aead, mode, sharedSecret, info, psk, options.keyScheduleContext);
    return createContext(crypto, aead, schedule);
  } finally {
    wipe(sharedSecret);
  }
}
