// SPDX-License-Identifier: MIT
// XS host functions over doorbell_crypto.c, reached from crypto.ts with native("xs_doorbell_…").
// Arguments are ArrayBuffers or byte views (Uint8Array); results are fresh ArrayBuffers. No message quotes key bytes.
#include "xsmc.h"

#include "doorbell_crypto.h"

/** The most randomBytes() hands out per call: enough for keys and nonces, small for the heap. */
#define RANDOM_MAX_BYTES 65536
/** XS buffer lengths are signed 32-bit. */
#define BUFFER_MAX_BYTES 0x7FFFFFFF

static void require_arguments(xsMachine *the, xsIntegerValue count, const char *usage)
{
	if (xsmcArgc < count)
		xsTypeError("%s", usage);
}

/* The bytes of argument `index`. The pointer may move at the next XS allocation, so every host
 * function below allocates its result first and only then takes the pointers it computes on. */
static uint8_t *bytes_of(xsMachine *the, xsIntegerValue index, xsUnsignedValue *length)
{
	void *data = NULL;

	xsmcGetBufferReadable(xsArg(index), &data, length);
	return (uint8_t *)data;
}

static uint8_t *result_bytes(xsMachine *the, xsUnsignedValue length)
{
	void *data = NULL;
	xsUnsignedValue actual = 0;

	xsmcSetArrayBuffer(xsResult, NULL, length);
	xsmcGetBufferWritable(xsResult, &data, &actual);
	return (uint8_t *)data;
}

static void require_length(xsMachine *the, const char *what, xsUnsignedValue length, xsUnsignedValue expected)
{
	if (length != expected)
		xsRangeError("%s must be %d bytes, got %d", what, (int)expected, (int)length);
}

/** x25519(secret, publicKey?): RFC 7748 X25519, or the public key of `secret` when publicKey is undefined. */
void xs_doorbell_x25519(xsMachine *the)
{
	xsUnsignedValue secret_len, peer_len = 0;
	uint8_t *secret, *peer = NULL, *out;
	int with_peer, status;

	require_arguments(the, 1, "x25519: expected (secret, publicKey?)");
	with_peer = xsmcArgc > 1 && xsmcTypeOf(xsArg(1)) != xsUndefinedType;
	bytes_of(the, 0, &secret_len);
	require_length(the, "x25519: secret", secret_len, DOORBELL_X25519_BYTES);
	if (with_peer) {
		bytes_of(the, 1, &peer_len);
		require_length(the, "x25519: public key", peer_len, DOORBELL_X25519_BYTES);
	}

	out = result_bytes(the, DOORBELL_X25519_BYTES);
	secret = bytes_of(the, 0, &secret_len);
	if (with_peer)
		peer = bytes_of(the, 1, &peer_len);
	status = with_peer ? doorbell_x25519(out, secret, peer) : doorbell_x25519_public(out, secret);
	if (status != DOORBELL_OK)
		xsUnknownError("x25519: %s", doorbell_crypto_strerror(status));
}

/** hmacSha256(key, data): RFC 2104 HMAC-SHA256, 32 bytes. */
void xs_doorbell_hmac_sha256(xsMachine *the)
{
	xsUnsignedValue key_len, data_len;
	uint8_t *key, *data, *out;
	int status;

	require_arguments(the, 2, "hmacSha256: expected (key, data)");
	bytes_of(the, 0, &key_len);
	bytes_of(the, 1, &data_len);

	out = result_bytes(the, DOORBELL_HMAC_SHA256_BYTES);
	key = bytes_of(the, 0, &key_len);
	data = bytes_of(the, 1, &data_len);
	status = doorbell_hmac_sha256(out, key, key_len, data, data_len);
	if (status != DOORBELL_OK)
		xsUnknownError("hmacSha256: %s", doorbell_crypto_strerror(status));
}

static void check_key_and_nonce(xsMachine *the, const char *name)
{
	xsUnsignedValue key_len, nonce_len;

	bytes_of(the, 0, &key_len);
	if (key_len != DOORBELL_AEAD_KEY_BYTES)
		xsRangeError("%s: key must be %d bytes, got %d", name, DOORBELL_AEAD_KEY_BYTES, (int)key_len);
	bytes_of(the, 1, &nonce_len);
	if (nonce_len != DOORBELL_AEAD_NONCE_BYTES)
		xsRangeError("%s: nonce must be %d bytes, got %d", name, DOORBELL_AEAD_NONCE_BYTES, (int)nonce_len);
}

/** chacha20Poly1305Seal(key, nonce, aad, plaintext): RFC 8439 §2.8, ciphertext || 16-byte tag. */
void xs_doorbell_chacha20poly1305_seal(xsMachine *the)
{
	xsUnsignedValue key_len, nonce_len, aad_len, plaintext_len;
	uint8_t *key, *nonce, *aad, *plaintext, *out;
	int status;

	require_arguments(the, 4, "chacha20Poly1305Seal: expected (key, nonce, aad, plaintext)");
	check_key_and_nonce(the, "chacha20Poly1305Seal");
	bytes_of(the, 2, &aad_len);
	bytes_of(the, 3, &plaintext_len);
	if (plaintext_len > BUFFER_MAX_BYTES - DOORBELL_AEAD_TAG_BYTES)
		xsRangeError("chacha20Poly1305Seal: plaintext of %u bytes is too long", (unsigned)plaintext_len);

	out = result_bytes(the, plaintext_len + DOORBELL_AEAD_TAG_BYTES);
	key = bytes_of(the, 0, &key_len);
	nonce = bytes_of(the, 1, &nonce_len);
	aad = bytes_of(the, 2, &aad_len);
	plaintext = bytes_of(the, 3, &plaintext_len);
	status = doorbell_aead_seal(out, key, nonce, aad, aad_len, plaintext, plaintext_len);
	if (status != DOORBELL_OK)
		xsUnknownError("chacha20Poly1305Seal: %s", doorbell_crypto_strerror(status));
}

/** chacha20Poly1305Open(key, nonce, aad, sealed): RFC 8439 §2.8; undefined when the tag does not verify. */
void xs_doorbell_chacha20poly1305_open(xsMachine *the)
{
	xsUnsignedValue key_len, nonce_len, aad_len, sealed_len;
	uint8_t *key, *nonce, *aad, *sealed, *out;
	int status;

	require_arguments(the, 4, "chacha20Poly1305Open: expected (key, nonce, aad, sealed)");
	check_key_and_nonce(the, "chacha20Poly1305Open");
	bytes_of(the, 2, &aad_len);
	bytes_of(the, 3, &sealed_len);
	if (sealed_len < DOORBELL_AEAD_TAG_BYTES) {
		/* Too short to carry a tag, so it cannot verify. */
		xsmcSetUndefined(xsResult);
		return;
	}

	out = result_bytes(the, sealed_len - DOORBELL_AEAD_TAG_BYTES);
	key = bytes_of(the, 0, &key_len);
	nonce = bytes_of(the, 1, &nonce_len);
	aad = bytes_of(the, 2, &aad_len);
	sealed = bytes_of(the, 3, &sealed_len);
	status = doorbell_aead_open(out, key, nonce, aad, aad_len, sealed, sealed_len);
	if (status == DOORBELL_ERR_AUTH)
		xsmcSetUndefined(xsResult);
	else if (status != DOORBELL_OK)
		xsUnknownError("chacha20Poly1305Open: %s", doorbell_crypto_strerror(status));
}

/**
 * ecdsaP256Verify(publicKey, message, signature): FIPS 186-5 ECDSA P-256 with SHA-256. true when it
 * verifies; false when it does not or when publicKey is not a point on the curve. A publicKey that is
 * not 65 bytes throws RangeError (a wrong-length signature is just false: it came off the wire).
 */
void xs_doorbell_ecdsa_p256_verify(xsMachine *the)
{
	xsUnsignedValue key_len, message_len, signature_len;
	uint8_t *key, *message, *signature;
	int status;

	require_arguments(the, 3, "ecdsaP256Verify: expected (publicKey, message, signature)");
	key = bytes_of(the, 0, &key_len);
	require_length(the, "ecdsaP256Verify: public key", key_len, DOORBELL_P256_POINT_BYTES);
	/* No XS allocation from here on, so the pointers stay valid. */
	key = bytes_of(the, 0, &key_len);
	message = bytes_of(the, 1, &message_len);
	signature = bytes_of(the, 2, &signature_len);
	status = doorbell_ecdsa_p256_verify(key, message, message_len, signature, signature_len);
	if (status == DOORBELL_OK)
		xsmcSetTrue(xsResult);
	else if (status == DOORBELL_ERR_AUTH || status == DOORBELL_ERR_BAD_KEY)
		xsmcSetFalse(xsResult);
	else
		xsUnknownError("ecdsaP256Verify: %s", doorbell_crypto_strerror(status));
}

/** randomBytes(length): `length` bytes, 0 to 65536, from the platform CSPRNG. */
void xs_doorbell_random_bytes(xsMachine *the)
{
	xsNumberValue requested;
	xsUnsignedValue length;
	uint8_t *out;
	int status;

	require_arguments(the, 1, "randomBytes: expected (length)");
	requested = xsmcToNumber(xsArg(0));
	if (!(requested >= 0 && requested <= RANDOM_MAX_BYTES) || requested != (xsNumberValue)(xsIntegerValue)requested)
		xsRangeError("randomBytes: length must be an integer from 0 to %d", RANDOM_MAX_BYTES);
	length = (xsUnsignedValue)requested;

	out = result_bytes(the, length);
	status = doorbell_random(out, length);
	if (status != DOORBELL_OK)
		xsUnknownError("randomBytes: %s", doorbell_crypto_strerror(status));
}
