// SPDX-License-Identifier: MIT
// Bench driver for bench/seal-cost.ts: `count` rounds of one primitive of hosts/esp32/native/doorbell_crypto.c,
// one call per listed input size, all inside measured_call(), so that `valgrind --tool=callgrind
// --toggle-collect=measured_call` counts only those calls. Fixed inputs; host-only, not for the device.
#include "doorbell_crypto.h"

#include <psa/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BYTES (64 * 1024)
#define MAX_SIZES 64

static uint8_t scalar[DOORBELL_X25519_BYTES];
static uint8_t peer[DOORBELL_X25519_BYTES];
static uint8_t key[DOORBELL_AEAD_KEY_BYTES];
static uint8_t nonce[DOORBELL_AEAD_NONCE_BYTES];
static uint8_t aad[64];
static uint8_t input[MAX_BYTES + DOORBELL_AEAD_TAG_BYTES];
static uint8_t output[MAX_BYTES + DOORBELL_AEAD_TAG_BYTES];

enum op { OP_X25519, OP_X25519_PUBLIC, OP_HMAC, OP_SEAL, OP_OPEN };

static int run(enum op op, size_t bytes)
{
	switch (op) {
	case OP_X25519:
		return doorbell_x25519(output, scalar, peer);
	case OP_X25519_PUBLIC:
		return doorbell_x25519_public(output, scalar);
	case OP_HMAC:
		return doorbell_hmac_sha256(output, key, sizeof(key), input, bytes);
	case OP_SEAL:
		return doorbell_aead_seal(output, key, nonce, aad, sizeof(aad), input, bytes);
	case OP_OPEN:
		return doorbell_aead_open(output, key, nonce, aad, sizeof(aad), input, bytes + DOORBELL_AEAD_TAG_BYTES);
	}
	return DOORBELL_ERR_ARGUMENT;
}

/* One round: the only function callgrind collects in; noinline keeps it a distinct symbol at -O2. */
__attribute__((noinline)) int measured_call(enum op op, const size_t *sizes, size_t n)
{
	int status = DOORBELL_OK;
	size_t i;

	for (i = 0; status == DOORBELL_OK && i < n; i++)
		status = run(op, sizes[i]);
	return status;
}

/* "12,40,7": at most MAX_SIZES sizes of at most MAX_BYTES; returns how many, or 0 when malformed. */
static size_t parse_sizes(const char *text, size_t sizes[MAX_SIZES])
{
	size_t n = 0;
	char *end;

	for (;;) {
		if (n == MAX_SIZES)
			return 0;
		sizes[n] = (size_t)strtoul(text, &end, 10);
		if (end == text || sizes[n] > MAX_BYTES)
			return 0;
		n++;
		if (*end == '\0')
			return n;
		if (*end != ',')
			return 0;
		text = end + 1;
	}
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "x25519", "x25519-public", "hmac", "seal", "open" };
	enum op op = OP_X25519;
	size_t sizes[MAX_SIZES], n, i;
	long count;
	int found = 0, status;

	if (argc != 4) {
		fprintf(stderr, "usage: %s x25519|x25519-public|hmac|seal|open <count> <bytes>[,<bytes>...]\n", argv[0]);
		return 2;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(argv[1], names[i]) == 0) {
			op = (enum op)i;
			found = 1;
		}
	count = strtol(argv[2], NULL, 10);
	n = parse_sizes(argv[3], sizes);
	if (!found || count < 1 || n == 0) {
		fprintf(stderr, "primitive-cost: unknown op, count < 1, or sizes not a list of at most %d numbers up to %d\n", MAX_SIZES, MAX_BYTES);
		return 2;
	}
	if (psa_crypto_init() != PSA_SUCCESS) {
		fprintf(stderr, "primitive-cost: psa_crypto_init failed\n");
		return 1;
	}
	for (i = 0; i < sizeof(scalar); i++) {
		scalar[i] = (uint8_t)(i * 7 + 1);
		key[i] = (uint8_t)(i * 13 + 5);
	}
	memset(aad, 0xa5, sizeof(aad));
	for (i = 0; i < MAX_BYTES; i++)
		input[i] = (uint8_t)(i * 31);
	/* A valid peer (a public key) and, for open, a valid sealed input; both outside the measured calls. */
	status = doorbell_x25519_public(peer, scalar);
	scalar[0] ^= 0x55;
	if (status == DOORBELL_OK && op == OP_OPEN) {
		if (n != 1) {
			fprintf(stderr, "primitive-cost: open takes one size\n");
			return 2;
		}
		status = doorbell_aead_seal(output, key, nonce, aad, sizeof(aad), input, sizes[0]);
		memcpy(input, output, sizes[0] + DOORBELL_AEAD_TAG_BYTES);
	}
	/* One unmeasured round first, so that one-time costs (first key slot, lazy tables) are not counted. */
	for (i = 0; status == DOORBELL_OK && i < n; i++)
		status = run(op, sizes[i]);
	for (i = 0; status == DOORBELL_OK && i < (size_t)count; i++)
		status = measured_call(op, sizes, n);
	if (status != DOORBELL_OK) {
		fprintf(stderr, "primitive-cost: %s failed: %s\n", argv[1], doorbell_crypto_strerror(status));
		return 1;
	}
	return 0;
}
