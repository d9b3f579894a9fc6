// SPDX-License-Identifier: MIT
// The crypto primitives the sealing layer needs, in plain C over mbedtls' PSA Crypto API.
// No XS here: crypto-xs.c binds these to JavaScript. Not thread-safe beyond what PSA itself is.
#ifndef DOORBELL_CRYPTO_H
#define DOORBELL_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DOORBELL_X25519_BYTES 32      /* RFC 7748 §5: scalars and u-coordinates */
#define DOORBELL_HMAC_SHA256_BYTES 32 /* RFC 2104 with SHA-256 */
#define DOORBELL_AEAD_KEY_BYTES 32    /* RFC 8439 §2.8 */
#define DOORBELL_AEAD_NONCE_BYTES 12  /* RFC 8439 §2.8 */
#define DOORBELL_AEAD_TAG_BYTES 16    /* RFC 8439 §2.8 */
#define DOORBELL_P256_POINT_BYTES 65  /* SEC 1 §2.3.3: an uncompressed point, 04 || x || y */
#define DOORBELL_P256_SIGNATURE_BYTES 64 /* IEEE P1363: r || s, 32 bytes each, big-endian */

/** Result codes. Messages from doorbell_crypto_strerror() never contain key material. */
enum {
	DOORBELL_OK = 0,
	DOORBELL_ERR_ARGUMENT = -1,  /* a NULL pointer or a length out of range */
	DOORBELL_ERR_LOW_ORDER = -2, /* RFC 7748 §6.1: the peer key gave an all-zero shared secret */
	DOORBELL_ERR_AUTH = -3,      /* RFC 8439 §2.8: the tag did not verify */
	DOORBELL_ERR_RANDOM = -4,    /* the random source failed */
	DOORBELL_ERR_BACKEND = -5,   /* mbedtls/PSA failed (out of key slots or memory, or not built in) */
	DOORBELL_ERR_BAD_KEY = -6    /* the public key is not a point on the curve */
};

/**
 * RFC 7748 §5 X25519(scalar, u): writes the 32-byte shared secret to `out`.
 * The scalar is clamped and the top bit of `u` masked as §5 prescribes. Returns
 * DOORBELL_ERR_LOW_ORDER, with `out` zeroed, when the result would be all zero (§6.1).
 */
int doorbell_x25519(uint8_t out[DOORBELL_X25519_BYTES], const uint8_t scalar[DOORBELL_X25519_BYTES],
	const uint8_t u[DOORBELL_X25519_BYTES]);

/** RFC 7748 §6.1: the public key X25519(scalar, 9). */
int doorbell_x25519_public(uint8_t out[DOORBELL_X25519_BYTES], const uint8_t scalar[DOORBELL_X25519_BYTES]);

/** RFC 2104 HMAC-SHA256 of `data` under `key`. Any key length, including 0, is accepted. */
int doorbell_hmac_sha256(uint8_t out[DOORBELL_HMAC_SHA256_BYTES], const uint8_t *key, size_t key_len,
	const uint8_t *data, size_t data_len);

/**
 * RFC 8439 §2.8 AEAD_CHACHA20_POLY1305 seal. `out` receives the ciphertext followed by the
 * 16-byte tag, so it must hold plaintext_len + 16 bytes. Never reuse a (key, nonce) pair.
 */
int doorbell_aead_seal(uint8_t *out, const uint8_t key[DOORBELL_AEAD_KEY_BYTES],
	const uint8_t nonce[DOORBELL_AEAD_NONCE_BYTES], const uint8_t *aad, size_t aad_len,
	const uint8_t *plaintext, size_t plaintext_len);

/**
 * RFC 8439 §2.8 open of `sealed` (ciphertext || tag). `out` must hold sealed_len - 16 bytes.
 * The tag is compared in constant time by mbedtls; on DOORBELL_ERR_AUTH `out` is zeroed.
 */
int doorbell_aead_open(uint8_t *out, const uint8_t key[DOORBELL_AEAD_KEY_BYTES],
	const uint8_t nonce[DOORBELL_AEAD_NONCE_BYTES], const uint8_t *aad, size_t aad_len,
	const uint8_t *sealed, size_t sealed_len);

/**
 * FIPS 186-5 ECDSA verification on P-256 with SHA-256: the message is hashed here. `public_key` is an
 * uncompressed SEC 1 point; `signature` is r || s (IEEE P1363). Returns DOORBELL_OK when it verifies;
 * DOORBELL_ERR_AUTH when it does not, including a signature that is not 64 bytes or whose r or s is
 * 0 or at least the group order n; DOORBELL_ERR_BAD_KEY when the point is not on the curve.
 */
int doorbell_ecdsa_p256_verify(const uint8_t public_key[DOORBELL_P256_POINT_BYTES], const uint8_t *message,
	size_t message_len, const uint8_t *signature, size_t signature_len);

/** Fills `out` from the platform CSPRNG: esp_fill_random on the ESP32, getrandom(2) elsewhere. */
int doorbell_random(uint8_t *out, size_t len);

/** A short, fixed English description of a result code, for error messages. */
const char *doorbell_crypto_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif
