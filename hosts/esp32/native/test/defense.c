// SPDX-License-Identifier: MIT
// Tests the RFC 7748 checks doorbell_crypto.c makes itself, which mbedtls 2.28 also happens to make:
// run.sh builds doorbell_crypto.c with psa_import_key/psa_raw_key_agreement renamed to the shims below.
#include "doorbell_crypto.h"

#include <psa/crypto.h>
#include <stdio.h>
#include <string.h>

static int failures;
static int passes;

static void report(int ok, const char *name)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", name);
	if (ok)
		passes++;
	else
		failures++;
}

/* What the shims saw, and whether the agreement shim should pretend the library returned zero. */
static uint8_t seen_scalar[32];
static uint8_t seen_peer[32];
static int force_zero_output;

psa_status_t shim_psa_import_key(const psa_key_attributes_t *attributes, const uint8_t *data, size_t data_length,
	mbedtls_svc_key_id_t *key);
psa_status_t shim_psa_raw_key_agreement(psa_algorithm_t alg, mbedtls_svc_key_id_t private_key,
	const uint8_t *peer_key, size_t peer_key_length, uint8_t *output, size_t output_size, size_t *output_length);

psa_status_t shim_psa_import_key(const psa_key_attributes_t *attributes, const uint8_t *data, size_t data_length,
	mbedtls_svc_key_id_t *key)
{
	if (psa_get_key_type(attributes) == PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_MONTGOMERY) && data_length == 32)
		memcpy(seen_scalar, data, 32);
	return psa_import_key(attributes, data, data_length, key);
}

psa_status_t shim_psa_raw_key_agreement(psa_algorithm_t alg, mbedtls_svc_key_id_t private_key,
	const uint8_t *peer_key, size_t peer_key_length, uint8_t *output, size_t output_size, size_t *output_length)
{
	psa_status_t status;

	if (peer_key_length == 32)
		memcpy(seen_peer, peer_key, 32);
	status = psa_raw_key_agreement(alg, private_key, peer_key, peer_key_length, output, output_size, output_length);
	if (force_zero_output && status == PSA_SUCCESS)
		memset(output, 0, *output_length);
	return status;
}

int main(void)
{
	uint8_t k[32], u[32], out[32];
	size_t i;
	int status, zero = 1;

	printf("# doorbell_crypto checks of its own (library behaviour shimmed)\n");
	for (i = 0; i < 32; i++)
		k[i] = 0xff;
	memset(u, 0, sizeof(u));
	u[0] = 9;
	u[31] = 0x80;

	status = doorbell_x25519(out, k, u);
	report(status == DOORBELL_OK && (seen_scalar[0] & 7) == 0 && (seen_scalar[31] & 0x80) == 0
			&& (seen_scalar[31] & 0x40) != 0,
		"RFC 7748 §5 decodeScalar25519: the scalar is clamped before mbedtls sees it");
	report(status == DOORBELL_OK && (seen_peer[31] & 0x80) == 0,
		"RFC 7748 §5 decodeUCoordinate: the top bit of u is masked before mbedtls sees it");

	force_zero_output = 1;
	memset(out, 0xa5, sizeof(out));
	status = doorbell_x25519(out, k, u);
	for (i = 0; i < 32; i++)
		zero &= out[i] == 0;
	report(status == DOORBELL_ERR_LOW_ORDER && zero,
		"RFC 7748 §6.1 an all-zero result is refused even when the library returns it");
	force_zero_output = 0;

	printf("# %d passed, %d failed\n", passes, failures);
	return failures ? 1 : 0;
}
