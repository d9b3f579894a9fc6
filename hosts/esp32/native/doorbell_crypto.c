// SPDX-License-Identifier: MIT
// X25519, HMAC-SHA256, ChaCha20-Poly1305, ECDSA P-256 verification and random bytes over mbedtls PSA Crypto (see mbedtls_compat.h).
// Each key lives in a volatile PSA slot for one call and is destroyed (PSA wipes it) before returning.
#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* glibc: getrandom(2) and O_CLOEXEC even under -std=c11 */
#endif
#include "doorbell_crypto.h"
#include "mbedtls_compat.h"

#include <string.h>

#if DOORBELL_ON_ESP32
#include "esp_random.h"
#else
#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/types.h>
#include <unistd.h>
#endif

#define SHA256_BLOCK_BYTES 64
/* RFC 8439 §2.8: the plaintext may be at most 2^38 - 64 bytes (the 32-bit block counter). */
#define AEAD_MAX_PLAINTEXT_BYTES ((uint64_t)274877906880ULL)

/* PSA wants non-NULL pointers even for empty inputs. */
static const uint8_t EMPTY[1] = { 0 };
#define NONNULL(p) ((p) ? (const uint8_t *)(p) : EMPTY)

static int ensure_psa(void)
{
	/* Idempotent: ESP-IDF 6 calls it at startup; 2.28 and 3.x need it before any PSA call. */
	return psa_crypto_init() == PSA_SUCCESS ? DOORBELL_OK : DOORBELL_ERR_BACKEND;
}

static int import_key(doorbell_key_id *id, psa_key_type_t type, size_t bits, psa_key_usage_t usage,
	psa_algorithm_t alg, const uint8_t *data, size_t len)
{
	psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
	psa_status_t status;

	psa_set_key_type(&attributes, type);
	psa_set_key_bits(&attributes, bits);
	psa_set_key_usage_flags(&attributes, usage);
	psa_set_key_algorithm(&attributes, alg);
	status = psa_import_key(&attributes, data, len, id);
	psa_reset_key_attributes(&attributes);
	return status == PSA_SUCCESS ? DOORBELL_OK : DOORBELL_ERR_BACKEND;
}

/* RFC 7748 §5 decodeScalar25519: clamp a copy, import it, wipe the copy. */
static int import_x25519_scalar(doorbell_key_id *id, const uint8_t scalar[DOORBELL_X25519_BYTES])
{
	uint8_t k[DOORBELL_X25519_BYTES];
	int result;

	memcpy(k, scalar, sizeof(k));
	k[0] &= 248;
	k[31] &= 127;
	k[31] |= 64;
	result = import_key(id, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_MONTGOMERY), DOORBELL_X25519_KEY_BITS,
		PSA_KEY_USAGE_DERIVE, PSA_ALG_ECDH, k, sizeof(k));
	mbedtls_platform_zeroize(k, sizeof(k));
	return result;
}

/* Constant time: no early exit on the first non-zero byte. */
static int is_all_zero(const uint8_t *bytes, size_t len)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < len; i++)
		acc |= bytes[i];
	return acc == 0;
}

int doorbell_x25519(uint8_t out[DOORBELL_X25519_BYTES], const uint8_t scalar[DOORBELL_X25519_BYTES],
	const uint8_t u[DOORBELL_X25519_BYTES])
{
	doorbell_key_id key = DOORBELL_KEY_ID_INIT;
	uint8_t peer[DOORBELL_X25519_BYTES];
	size_t len = 0;
	psa_status_t status;
	int result;

	if (!out || !scalar || !u)
		return DOORBELL_ERR_ARGUMENT;
	if ((result = ensure_psa()) != DOORBELL_OK)
		return result;

	/* RFC 7748 §5: implementations MUST mask the most significant bit of the u-coordinate. */
	memcpy(peer, u, sizeof(peer));
	peer[31] &= 127;

	result = import_x25519_scalar(&key, scalar);
	if (result == DOORBELL_OK) {
		status = psa_raw_key_agreement(PSA_ALG_ECDH, key, peer, sizeof(peer), out, DOORBELL_X25519_BYTES, &len);
		if (status == PSA_SUCCESS && len == DOORBELL_X25519_BYTES)
			/* RFC 7748 §6.1: check for the all-zero value and abort if so. */
			result = is_all_zero(out, DOORBELL_X25519_BYTES) ? DOORBELL_ERR_LOW_ORDER : DOORBELL_OK;
		else if (status == PSA_ERROR_INVALID_ARGUMENT)
			/* Any 32 bytes are a valid u (§5), so mbedtls refuses only the low-order points it
			 * lists (0, 1, p - 1 and the two of order 8), whose result would be all zero. */
			result = DOORBELL_ERR_LOW_ORDER;
		else
			result = DOORBELL_ERR_BACKEND;
	}
	psa_destroy_key(key);
	if (result != DOORBELL_OK)
		mbedtls_platform_zeroize(out, DOORBELL_X25519_BYTES);
	return result;
}

int doorbell_x25519_public(uint8_t out[DOORBELL_X25519_BYTES], const uint8_t scalar[DOORBELL_X25519_BYTES])
{
	doorbell_key_id key = DOORBELL_KEY_ID_INIT;
	size_t len = 0;
	int result;

	if (!out || !scalar)
		return DOORBELL_ERR_ARGUMENT;
	if ((result = ensure_psa()) != DOORBELL_OK)
		return result;

	/* RFC 7748 §6.1: the public key is X25519(scalar, 9); PSA exports exactly that u. */
	result = import_x25519_scalar(&key, scalar);
	if (result == DOORBELL_OK) {
		if (psa_export_public_key(key, out, DOORBELL_X25519_BYTES, &len) != PSA_SUCCESS
			|| len != DOORBELL_X25519_BYTES)
			result = DOORBELL_ERR_BACKEND;
	}
	psa_destroy_key(key);
	if (result != DOORBELL_OK)
		mbedtls_platform_zeroize(out, DOORBELL_X25519_BYTES);
	return result;
}

int doorbell_hmac_sha256(uint8_t out[DOORBELL_HMAC_SHA256_BYTES], const uint8_t *key, size_t key_len,
	const uint8_t *data, size_t data_len)
{
	const psa_algorithm_t alg = PSA_ALG_HMAC(PSA_ALG_SHA_256);
	doorbell_key_id id = DOORBELL_KEY_ID_INIT;
	uint8_t short_key[DOORBELL_HMAC_SHA256_BYTES];
	const uint8_t *k = key;
	size_t k_len = key_len;
	size_t len = 0;
	int result;

	if (!out || (!key && key_len) || (!data && data_len))
		return DOORBELL_ERR_ARGUMENT;
	if ((result = ensure_psa()) != DOORBELL_OK)
		return result;

	memset(short_key, 0, sizeof(short_key));
	if (key_len > SHA256_BLOCK_BYTES) {
		/* RFC 2104 §2: a key longer than the block is first hashed. Done here so that PSA's
		 * maximum key size never limits the caller. */
		if (psa_hash_compute(PSA_ALG_SHA_256, key, key_len, short_key, sizeof(short_key), &len) != PSA_SUCCESS)
			result = DOORBELL_ERR_BACKEND;
		k = short_key;
		k_len = sizeof(short_key);
	}
	else if (key_len == 0) {
		/* RFC 2104 §2: the key is padded with zeros to the block, so an empty key equals
		 * HashLen zero bytes (RFC 5869 §2.2's default salt). PSA refuses empty keys. */
		k = short_key;
		k_len = sizeof(short_key);
	}
	if (result == DOORBELL_OK)
		result = import_key(&id, PSA_KEY_TYPE_HMAC, 0, DOORBELL_USAGE_MAC, alg, k, k_len);
	if (result == DOORBELL_OK) {
		if (psa_mac_compute(id, alg, NONNULL(data), data_len, out, DOORBELL_HMAC_SHA256_BYTES, &len) != PSA_SUCCESS
			|| len != DOORBELL_HMAC_SHA256_BYTES)
			result = DOORBELL_ERR_BACKEND;
	}
	psa_destroy_key(id);
	mbedtls_platform_zeroize(short_key, sizeof(short_key));
	if (result != DOORBELL_OK)
		mbedtls_platform_zeroize(out, DOORBELL_HMAC_SHA256_BYTES);
	return result;
}

static int import_aead_key(doorbell_key_id *id, const uint8_t key[DOORBELL_AEAD_KEY_BYTES], psa_key_usage_t usage)
{
	return import_key(id, PSA_KEY_TYPE_CHACHA20, DOORBELL_AEAD_KEY_BYTES * 8, usage, PSA_ALG_CHACHA20_POLY1305,
		key, DOORBELL_AEAD_KEY_BYTES);
}

int doorbell_aead_seal(uint8_t *out, const uint8_t key[DOORBELL_AEAD_KEY_BYTES],
	const uint8_t nonce[DOORBELL_AEAD_NONCE_BYTES], const uint8_t *aad, size_t aad_len,
	const uint8_t *plaintext, size_t plaintext_len)
{
	doorbell_key_id id = DOORBELL_KEY_ID_INIT;
	size_t len = 0;
	int result;

	if (!out || !key || !nonce || (!aad && aad_len) || (!plaintext && plaintext_len))
		return DOORBELL_ERR_ARGUMENT;
	if ((uint64_t)plaintext_len > AEAD_MAX_PLAINTEXT_BYTES)
		return DOORBELL_ERR_ARGUMENT;
	if ((result = ensure_psa()) != DOORBELL_OK)
		return result;

	/* RFC 8439 §2.8: the output is the ciphertext followed by the 16-byte tag. PSA wipes its
	 * ChaCha20-Poly1305 operation context itself when the call ends. */
	result = import_aead_key(&id, key, PSA_KEY_USAGE_ENCRYPT);
	if (result == DOORBELL_OK) {
		if (psa_aead_encrypt(id, PSA_ALG_CHACHA20_POLY1305, nonce, DOORBELL_AEAD_NONCE_BYTES, NONNULL(aad), aad_len,
				NONNULL(plaintext), plaintext_len, out, plaintext_len + DOORBELL_AEAD_TAG_BYTES, &len) != PSA_SUCCESS
			|| len != plaintext_len + DOORBELL_AEAD_TAG_BYTES)
			result = DOORBELL_ERR_BACKEND;
	}
	psa_destroy_key(id);
	if (result != DOORBELL_OK)
		mbedtls_platform_zeroize(out, plaintext_len + DOORBELL_AEAD_TAG_BYTES);
	return result;
}

int doorbell_aead_open(uint8_t *out, const uint8_t key[DOORBELL_AEAD_KEY_BYTES],
	const uint8_t nonce[DOORBELL_AEAD_NONCE_BYTES], const uint8_t *aad, size_t aad_len,
	const uint8_t *sealed, size_t sealed_len)
{
	doorbell_key_id id = DOORBELL_KEY_ID_INIT;
	uint8_t no_output[1];
	size_t plaintext_len;
	size_t len = 0;
	psa_status_t status;
	int result;

	if (!key || !nonce || (!aad && aad_len) || !sealed)
		return DOORBELL_ERR_ARGUMENT;
	/* Too short to hold a tag: it cannot verify. */
	if (sealed_len < DOORBELL_AEAD_TAG_BYTES)
		return DOORBELL_ERR_AUTH;
	plaintext_len = sealed_len - DOORBELL_AEAD_TAG_BYTES;
	if (!out && plaintext_len)
		return DOORBELL_ERR_ARGUMENT;
	if ((result = ensure_psa()) != DOORBELL_OK)
		return result;

	result = import_aead_key(&id, key, PSA_KEY_USAGE_DECRYPT);
	if (result == DOORBELL_OK) {
		/* RFC 8439 §2.8: mbedtls compares the tag in constant time and releases no plaintext
		 * unless it matches. */
		status = psa_aead_decrypt(id, PSA_ALG_CHACHA20_POLY1305, nonce, DOORBELL_AEAD_NONCE_BYTES, NONNULL(aad), aad_len,
			sealed, sealed_len, out ? out : no_output, plaintext_len, &len);
		if (status == PSA_ERROR_INVALID_SIGNATURE)
			result = DOORBELL_ERR_AUTH;
		else if (status != PSA_SUCCESS || len != plaintext_len)
			result = DOORBELL_ERR_BACKEND;
	}
	psa_destroy_key(id);
	if (result != DOORBELL_OK && out)
		mbedtls_platform_zeroize(out, plaintext_len);
	return result;
}

#if !DOORBELL_ON_ESP32
static int read_urandom(uint8_t *out, size_t len)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return DOORBELL_ERR_RANDOM;
	while (len > 0) {
		n = read(fd, out, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return DOORBELL_ERR_RANDOM;
		}
		out += n;
		len -= (size_t)n;
	}
	close(fd);
	return DOORBELL_OK;
}
#endif

int doorbell_random(uint8_t *out, size_t len)
{
	if (!out && len)
		return DOORBELL_ERR_ARGUMENT;
#if DOORBELL_ON_ESP32
	/* The ESP32 hardware RNG: truly random only while Wi-Fi or Bluetooth runs (or after
	 * bootloader_random_enable()); the doorbell keeps Wi-Fi up. */
	esp_fill_random(out, len);
	return DOORBELL_OK;
#else
	while (len > 0) {
		ssize_t n = getrandom(out, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOSYS)
				return read_urandom(out, len);
			return DOORBELL_ERR_RANDOM;
		}
		out += n;
		len -= (size_t)n;
	}
	return DOORBELL_OK;
#endif
}

int doorbell_ecdsa_p256_verify(const uint8_t public_key[DOORBELL_P256_POINT_BYTES], const uint8_t *message,
	size_t message_len, const uint8_t *signature, size_t signature_len)
{
	const psa_algorithm_t alg = PSA_ALG_ECDSA(PSA_ALG_SHA_256);
	doorbell_key_id id = DOORBELL_KEY_ID_INIT;
	uint8_t hash[32];
	size_t hash_len = 0;
	psa_status_t status;
	int result;

	if (!public_key || (!message && message_len) || (!signature && signature_len))
		return DOORBELL_ERR_ARGUMENT;
	if (signature_len != DOORBELL_P256_SIGNATURE_BYTES)
		return DOORBELL_ERR_AUTH;
	if ((result = ensure_psa()) != DOORBELL_OK)
		return result;
	/* Importing checks SEC 1 §3.2.2.1: the 04 prefix, coordinates below p, and the curve equation. */
	if (import_key(&id, PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1), DOORBELL_P256_KEY_BITS,
			PSA_KEY_USAGE_VERIFY_HASH, alg, public_key, DOORBELL_P256_POINT_BYTES)
		!= DOORBELL_OK)
		return DOORBELL_ERR_BAD_KEY;
	if (psa_hash_compute(PSA_ALG_SHA_256, NONNULL(message), message_len, hash, sizeof(hash), &hash_len) != PSA_SUCCESS
		|| hash_len != sizeof(hash))
		result = DOORBELL_ERR_BACKEND;
	if (result == DOORBELL_OK) {
		/* FIPS 186-5 §6.4.2 step 1 (r and s in [1, n - 1]) is checked by mbedtls' ECDSA verify. */
		status = psa_verify_hash(id, alg, hash, sizeof(hash), signature, signature_len);
		if (status == PSA_ERROR_INVALID_SIGNATURE || status == PSA_ERROR_INVALID_ARGUMENT)
			result = DOORBELL_ERR_AUTH;
		else if (status != PSA_SUCCESS)
			result = DOORBELL_ERR_BACKEND;
	}
	psa_destroy_key(id);
	return result;
}

const char *doorbell_crypto_strerror(int status)
{
	switch (status) {
	case DOORBELL_OK:
		return "success";
	case DOORBELL_ERR_ARGUMENT:
		return "invalid argument";
	case DOORBELL_ERR_LOW_ORDER:
		return "public key has low order: the shared secret would be all zero (RFC 7748 section 6.1)";
	case DOORBELL_ERR_AUTH:
		return "authentication tag does not verify (RFC 8439 section 2.8)";
	case DOORBELL_ERR_RANDOM:
		return "the random source failed";
	case DOORBELL_ERR_BACKEND:
		return "mbedtls PSA call failed (out of memory or key slots, or the algorithm is not built in)";
	case DOORBELL_ERR_BAD_KEY:
		return "public key is not an uncompressed point on the curve (SEC 1 section 2.3.3)";
	default:
		return "unknown error";
	}
}
