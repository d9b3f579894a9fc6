// SPDX-License-Identifier: MIT
// Runs inside the XS test host (doorbell-xsnap-worker, see README.md): the device's crypto port,
// crypto.ts over crypto-xs.c over doorbell_crypto.c, against RFC vectors. Not a Node test.
import { createNativeCrypto, MAX_RANDOM_BYTES } from "../crypto.js";

declare function print(...text: unknown[]): void;
// biome-ignore lint/suspicious/noExplicitAny: XS's native() returns an untyped host function; each use is typed at its call
declare function native(name: string): (...args: any[]) => any;

const crypto = createNativeCrypto();
let passed = 0;
let failed = 0;

function check(name: string, ok: boolean, detail = ""): void {
  if (ok) passed++;
  else failed++;
  print(`${ok ? "PASS" : "FAIL"} XS ${name}${ok || !detail ? "" : `: ${detail}`}`);
}

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += (b < 16 ? "0" : "") + b.toString(16);
  return s;
}

function unhex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function expectHex(name: string, got: Uint8Array | undefined, want: string): void {
  const text = got === undefined ? "undefined" : hex(got);
  check(name, text === want, `got ${text}`);
}

/** Runs `f` and reports whether it threw an instance of `type` whose message contains `part`. */
function expectThrow(name: string, f: () => unknown, type: ErrorConstructor, part: string): void {
  try {
    f();
    check(name, false, "did not throw");
  } catch (e) {
    const ok = e instanceof type && (e as Error).message.includes(part);
    check(name, ok, `threw ${(e as Error).name}: ${(e as Error).message}`);
  }
}

/** A copy of `bytes` seen through a view that starts 3 bytes into a larger buffer. */
function offsetView(bytes: Uint8Array): Uint8Array {
  const backing = new Uint8Array(bytes.length + 7).fill(0xee);
  backing.set(bytes, 3);
  return backing.subarray(3, 3 + bytes.length);
}

// RFC 7748 §6.1
const alice = unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
const bob = unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
const alicePub = crypto.x25519(alice);
const bobPub = crypto.x25519(bob);
expectHex(
  "RFC 7748 §6.1 Alice public key",
  alicePub,
  "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
);
expectHex("RFC 7748 §6.1 Bob public key", bobPub, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
const shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
expectHex("RFC 7748 §6.1 shared secret (Alice's side)", crypto.x25519(alice, bobPub), shared);
expectHex("RFC 7748 §6.1 shared secret (Bob's side)", crypto.x25519(bob, alicePub), shared);
expectHex(
  "RFC 7748 §6.1 shared secret from offset byte views",
  crypto.x25519(offsetView(bob), offsetView(alicePub)),
  shared,
);
check(
  "x25519 leaves its inputs unchanged",
  hex(alice) === "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
);
expectHex(
  "RFC 7748 §5.2 X25519 vector 1",
  crypto.x25519(
    unhex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
    unhex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"),
  ),
  "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
);
expectThrow(
  "RFC 7748 §6.1 all-zero shared secret throws Error",
  () => crypto.x25519(alice, new Uint8Array(32)),
  Error,
  "6.1",
);
expectThrow(
  "x25519 rejects a 31-byte secret with RangeError",
  () => crypto.x25519(new Uint8Array(31)),
  RangeError,
  "secret must be 32 bytes",
);
expectThrow(
  "x25519 rejects a 33-byte public key with RangeError",
  () => crypto.x25519(alice, new Uint8Array(33)),
  RangeError,
  "public key must be 32 bytes",
);

// RFC 4231 §4.3 (test case 2) and RFC 5869 A.1, HKDF written here over the port's HMAC.
expectHex(
  "RFC 4231 §4.3 HMAC-SHA256 test case 2",
  crypto.hmacSha256(ascii("Jefe"), ascii("what do ya want for nothing?")),
  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
);
const prk = crypto.hmacSha256(unhex("000102030405060708090a0b0c"), new Uint8Array(22).fill(0x0b));
expectHex("RFC 5869 A.1 HKDF-Extract PRK", prk, "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
const info = unhex("f0f1f2f3f4f5f6f7f8f9");
const okm = new Uint8Array(42);
let t: Uint8Array = new Uint8Array(0);
for (let i = 1, done = 0; done < okm.length; i++) {
  const block = new Uint8Array(t.length + info.length + 1);
  block.set(t);
  block.set(info, t.length);
  block[block.length - 1] = i;
  t = crypto.hmacSha256(prk, block);
  okm.set(t.subarray(0, Math.min(32, okm.length - done)), done);
  done += 32;
}
expectHex(
  "RFC 5869 A.1 HKDF-Expand OKM",
  okm,
  "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
);
expectHex(
  "RFC 5869 A.3 HKDF-Extract with an empty salt",
  crypto.hmacSha256(new Uint8Array(0), new Uint8Array(22).fill(0x0b)),
  "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
);

// RFC 8439 §2.8.2
const key = unhex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
const nonce = unhex("070000004041424344454647");
const aad = unhex("50515253c0c1c2c3c4c5c6c7");
const plaintext = ascii(
  "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
);
const sealedHex =
  "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b" +
  "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc" +
  "3ff4def08e4b7a9de576d26586cec64b6116" +
  "1ae10b594f09e26a7e902ecbd0600691";
const sealed = crypto.chacha20Poly1305Seal(key, nonce, aad, plaintext);
expectHex("RFC 8439 §2.8.2 AEAD seal", sealed, sealedHex);
check(
  "RFC 8439 §2.8.2 seal returns a Uint8Array that owns its buffer",
  sealed instanceof Uint8Array && sealed.byteOffset === 0 && sealed.buffer.byteLength === sealed.length,
);
expectHex(
  "RFC 8439 §2.8.2 AEAD seal from offset byte views",
  crypto.chacha20Poly1305Seal(offsetView(key), offsetView(nonce), offsetView(aad), offsetView(plaintext)),
  sealedHex,
);
expectHex("RFC 8439 §2.8.2 AEAD open", crypto.chacha20Poly1305Open(key, nonce, aad, unhex(sealedHex)), hex(plaintext));
const tampered = unhex(sealedHex);
tampered[10] ^= 1;
check(
  "RFC 8439 §2.8 open of a tampered ciphertext is undefined",
  crypto.chacha20Poly1305Open(key, nonce, aad, tampered) === undefined,
);
check(
  "RFC 8439 §2.8 open with other associated data is undefined",
  crypto.chacha20Poly1305Open(key, nonce, new Uint8Array(12), unhex(sealedHex)) === undefined,
);
check(
  "RFC 8439 §2.8 open of fewer than 16 bytes is undefined",
  crypto.chacha20Poly1305Open(key, nonce, aad, new Uint8Array(15)) === undefined,
);
const emptySealed = crypto.chacha20Poly1305Seal(key, nonce, aad, new Uint8Array(0));
const emptyOpened = crypto.chacha20Poly1305Open(key, nonce, aad, emptySealed);
check(
  "RFC 8439 §2.8 empty plaintext round-trips",
  emptySealed.length === 16 && emptyOpened !== undefined && emptyOpened.length === 0,
);
const snapshot = new Uint8Array(100_000);
for (let i = 0; i < snapshot.length; i++) snapshot[i] = (i * 31 + 7) & 0xff;
const opened = crypto.chacha20Poly1305Open(key, nonce, aad, crypto.chacha20Poly1305Seal(key, nonce, aad, snapshot));
check(
  "RFC 8439 §2.8 a 100 kB message round-trips",
  opened !== undefined &&
    opened.length === snapshot.length &&
    hex(opened.subarray(99_990)) === hex(snapshot.subarray(99_990)),
);
expectThrow(
  "seal rejects a 31-byte key with RangeError",
  () => crypto.chacha20Poly1305Seal(new Uint8Array(31), nonce, aad, plaintext),
  RangeError,
  "key must be 32 bytes",
);
expectThrow(
  "open rejects an 8-byte nonce with RangeError",
  () => crypto.chacha20Poly1305Open(key, new Uint8Array(8), aad, sealed),
  RangeError,
  "nonce must be 12 bytes",
);

// Random bytes
const r1 = crypto.randomBytes(32);
const r2 = crypto.randomBytes(32);
check(
  "randomBytes(32) gives two different 32-byte values",
  r1.length === 32 && r2.length === 32 && hex(r1) !== hex(r2),
);
check("randomBytes(0) gives an empty array", crypto.randomBytes(0).length === 0);
check("randomBytes(MAX_RANDOM_BYTES) is allowed", crypto.randomBytes(MAX_RANDOM_BYTES).length === MAX_RANDOM_BYTES);
expectThrow(
  "randomBytes above the maximum throws RangeError",
  () => crypto.randomBytes(MAX_RANDOM_BYTES + 1),
  RangeError,
  "length must be",
);
expectThrow("randomBytes(1.5) throws RangeError", () => crypto.randomBytes(1.5), RangeError, "length must be");

// RFC 6979 §A.2.5, P-256 with SHA-256: the published signatures, as verification vectors.
const p256Public = unhex(
  "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6" +
    "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
);
const sigSample = unhex(
  "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716" +
    "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
);
check(
  'RFC 6979 A.2.5 P-256 "sample" verifies',
  crypto.ecdsaP256Verify(p256Public, ascii("sample"), sigSample) === true,
);
check(
  'RFC 6979 A.2.5 P-256 "sample" through offset views verifies',
  crypto.ecdsaP256Verify(offsetView(p256Public), offsetView(ascii("sample")), offsetView(sigSample)) === true,
);
check("ECDSA: another message is false", crypto.ecdsaP256Verify(p256Public, ascii("test"), sigSample) === false);
const flippedSig = sigSample.slice();
flippedSig[63] ^= 1;
check(
  "ECDSA: a flipped signature bit is false",
  crypto.ecdsaP256Verify(p256Public, ascii("sample"), flippedSig) === false,
);
check(
  "ECDSA: a 63-byte signature is false",
  crypto.ecdsaP256Verify(p256Public, ascii("sample"), sigSample.subarray(0, 63)) === false,
);
const offCurve = p256Public.slice();
offCurve[64] ^= 1;
check("ECDSA: a key off the curve is false", crypto.ecdsaP256Verify(offCurve, ascii("sample"), sigSample) === false);
expectThrow(
  "ECDSA: a 64-byte public key throws RangeError",
  () => crypto.ecdsaP256Verify(p256Public.subarray(1), ascii("sample"), sigSample),
  RangeError,
  "public key must be 65 bytes",
);

// The C glue checks its arguments itself, whatever the TypeScript wrapper does.
const randomNative = native("xs_doorbell_random_bytes");
const sealNative = native("xs_doorbell_chacha20poly1305_seal");
expectThrow(
  "glue: random_bytes(65537) throws RangeError",
  () => randomNative(MAX_RANDOM_BYTES + 1),
  RangeError,
  "length must be",
);
expectThrow("glue: random_bytes(NaN) throws RangeError", () => randomNative(Number.NaN), RangeError, "length must be");
expectThrow(
  "glue: seal with three arguments throws TypeError",
  () => sealNative(key, nonce, aad),
  TypeError,
  "expected (key, nonce, aad, plaintext)",
);
expectThrow("glue: a string is not a buffer", () => sealNative(key, nonce, aad, "plaintext"), TypeError, "");
expectThrow(
  "glue: Uint16Array is not a byte buffer",
  () => sealNative(key, nonce, aad, new Uint16Array(4)),
  TypeError,
  "",
);

print(`# XS: ${passed} passed, ${failed} failed`);
if (failed > 0) throw new Error(`${failed} native crypto checks failed inside XS`);
