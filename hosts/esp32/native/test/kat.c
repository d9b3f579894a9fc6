// SPDX-License-Identifier: MIT
// Known-answer tests for doorbell_crypto.c on the host: RFC 7748, RFC 5869 (HKDF built here on
// our HMAC, as the device does in TypeScript), RFC 4231 and RFC 8439. Vectors are public; no secret is printed.
#include "doorbell_crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls_compat.h"

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

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t len = strlen(hex) / 2, i;
	unsigned int byte;

	if (len > cap) {
		fprintf(stderr, "test vector too long\n");
		exit(2);
	}
	for (i = 0; i < len; i++) {
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1) {
			fprintf(stderr, "bad hex in a test vector\n");
			exit(2);
		}
		out[i] = (uint8_t)byte;
	}
	return len;
}

/* Compares with a public expected value; on mismatch prints what came out (test data only). */
static void expect_hex(const char *name, const uint8_t *got, size_t len, const char *hex)
{
	uint8_t want[256];
	size_t want_len = unhex(hex, want, sizeof(want));
	int ok = want_len == len && memcmp(got, want, len) == 0;
	size_t i;

	report(ok, name);
	if (!ok) {
		printf("  expected %s\n  got      ", hex);
		for (i = 0; i < len; i++)
			printf("%02x", got[i]);
		printf("\n");
	}
}

static void expect_status(const char *name, int got, int want)
{
	report(got == want, name);
	if (got != want)
		printf("  expected status %d (%s), got %d (%s)\n", want, doorbell_crypto_strerror(want), got,
			doorbell_crypto_strerror(got));
}

static int all_zero(const uint8_t *bytes, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (bytes[i])
			return 0;
	return 1;
}

/* ---- RFC 7748 ---------------------------------------------------------------------------- */

static void x25519_vector(const char *name, const char *scalar_hex, const char *u_hex, const char *out_hex)
{
	uint8_t k[32], u[32], out[32];

	unhex(scalar_hex, k, sizeof(k));
	unhex(u_hex, u, sizeof(u));
	if (doorbell_x25519(out, k, u) != DOORBELL_OK) {
		report(0, name);
		return;
	}
	expect_hex(name, out, sizeof(out), out_hex);
}

static void test_rfc7748_section_5_2(void)
{
	uint8_t k[32], u[32], out[32];
	int i, status = DOORBELL_OK;

	x25519_vector("RFC 7748 §5.2 X25519 vector 1",
		"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
		"e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
		"c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
	x25519_vector("RFC 7748 §5.2 X25519 vector 2 (u with its top bit set, masked per §5)",
		"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
		"e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
		"95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");

	/* §5.2 iterated: k = X25519(k, u), u = old k, starting from k = u = 9. */
	memset(k, 0, sizeof(k));
	memset(u, 0, sizeof(u));
	k[0] = u[0] = 9;
	for (i = 1; i <= 1000 && status == DOORBELL_OK; i++) {
		status = doorbell_x25519(out, k, u);
		memcpy(u, k, sizeof(u));
		memcpy(k, out, sizeof(k));
		if (i == 1)
			expect_hex("RFC 7748 §5.2 X25519 after 1 iteration", k, sizeof(k),
				"422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
	}
	if (status != DOORBELL_OK)
		report(0, "RFC 7748 §5.2 X25519 after 1,000 iterations");
	else
		expect_hex("RFC 7748 §5.2 X25519 after 1,000 iterations", k, sizeof(k),
			"684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
}

static void test_rfc7748_section_6_1(void)
{
	uint8_t alice[32], bob[32], alice_pub[32], bob_pub[32], shared_a[32], shared_b[32];

	unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", alice, sizeof(alice));
	unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", bob, sizeof(bob));

	expect_status("RFC 7748 §6.1 Alice public key computes", doorbell_x25519_public(alice_pub, alice), DOORBELL_OK);
	expect_hex("RFC 7748 §6.1 Alice public key", alice_pub, 32,
		"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	expect_status("RFC 7748 §6.1 Bob public key computes", doorbell_x25519_public(bob_pub, bob), DOORBELL_OK);
	expect_hex("RFC 7748 §6.1 Bob public key", bob_pub, 32,
		"de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");

	expect_status("RFC 7748 §6.1 Alice computes K", doorbell_x25519(shared_a, alice, bob_pub), DOORBELL_OK);
	expect_hex("RFC 7748 §6.1 shared secret K (Alice's side)", shared_a, 32,
		"4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	expect_status("RFC 7748 §6.1 Bob computes K", doorbell_x25519(shared_b, bob, alice_pub), DOORBELL_OK);
	expect_hex("RFC 7748 §6.1 shared secret K (Bob's side)", shared_b, 32,
		"4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
}

/* §6.1: "check for the all-zero value and abort if so". Low-order u values, including
 * non-canonical encodings (>= p) of 0 and 1 that no library's list needs to catch. */
static void test_rfc7748_all_zero_rejected(void)
{
	static const struct {
		const char *name;
		const char *u;
	} low_order[] = {
		{ "RFC 7748 §6.1 all-zero output rejected: u = 0",
			"0000000000000000000000000000000000000000000000000000000000000000" },
		{ "RFC 7748 §6.1 all-zero output rejected: u = 1",
			"0100000000000000000000000000000000000000000000000000000000000000" },
		{ "RFC 7748 §6.1 all-zero output rejected: u = p - 1",
			"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f" },
		{ "RFC 7748 §6.1 all-zero output rejected: u = p (non-canonical 0)",
			"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f" },
		{ "RFC 7748 §6.1 all-zero output rejected: u = p + 1 (non-canonical 1)",
			"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f" },
		{ "RFC 7748 §6.1 all-zero output rejected: u of order 8 (a)",
			"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800" },
		{ "RFC 7748 §6.1 all-zero output rejected: u of order 8 (b)",
			"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157" },
		{ "RFC 7748 §6.1 all-zero output rejected: u = 0 with the top bit set (masked per §5)",
			"0000000000000000000000000000000000000000000000000000000000000080" },
	};
	uint8_t k[32], u[32], out[32];
	size_t i;
	int status;

	unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", k, sizeof(k));
	for (i = 0; i < sizeof(low_order) / sizeof(low_order[0]); i++) {
		unhex(low_order[i].u, u, sizeof(u));
		memset(out, 0xa5, sizeof(out));
		status = doorbell_x25519(out, k, u);
		report(status == DOORBELL_ERR_LOW_ORDER && all_zero(out, sizeof(out)), low_order[i].name);
		if (status != DOORBELL_ERR_LOW_ORDER)
			printf("  status %d (%s)\n", status, doorbell_crypto_strerror(status));
	}
}

static void test_rfc7748_decoding(void)
{
	uint8_t k[32], k_unclamped[32], u[32], u_big[32], a[32], b[32];

	unhex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4", k, sizeof(k));
	memset(u, 0, sizeof(u));
	u[0] = 9;
	/* §5: u is taken modulo p, so p + 9 must give the same result as 9. */
	unhex("f6ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", u_big, sizeof(u_big));
	report(doorbell_x25519(a, k, u) == DOORBELL_OK && doorbell_x25519(b, k, u_big) == DOORBELL_OK
			&& memcmp(a, b, 32) == 0,
		"RFC 7748 §5 non-canonical u (p + 9) is reduced modulo p");

	/* §5 decodeScalar25519: the bits that clamping sets or clears do not matter. */
	memcpy(k_unclamped, k, sizeof(k));
	k_unclamped[0] |= 7;
	k_unclamped[31] = (uint8_t)((k_unclamped[31] | 0x80) & ~0x40);
	report(doorbell_x25519(b, k_unclamped, u) == DOORBELL_OK && memcmp(a, b, 32) == 0,
		"RFC 7748 §5 scalar is clamped (decodeScalar25519)");

	/* §6.1: the public key is X25519(k, 9). */
	report(doorbell_x25519_public(b, k) == DOORBELL_OK && memcmp(a, b, 32) == 0,
		"RFC 7748 §6.1 public key equals X25519(k, 9)");
}

/* ---- RFC 2104 / RFC 4231 / RFC 5869 -------------------------------------------------------- */

static void test_rfc4231(void)
{
	uint8_t key[131], mac[32];
	const char *data = "Test Using Larger Than Block-Size Key - Hash Key First";

	report(doorbell_hmac_sha256(mac, (const uint8_t *)"Jefe", 4, (const uint8_t *)"what do ya want for nothing?", 28)
			== DOORBELL_OK,
		"RFC 4231 §4.3 HMAC-SHA256 test case 2 computes");
	expect_hex("RFC 4231 §4.3 HMAC-SHA256 test case 2", mac, 32,
		"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(key, 0xaa, sizeof(key));
	report(doorbell_hmac_sha256(mac, key, sizeof(key), (const uint8_t *)data, strlen(data)) == DOORBELL_OK,
		"RFC 4231 §4.7 HMAC-SHA256 test case 6 computes");
	expect_hex("RFC 4231 §4.7 HMAC-SHA256 test case 6 (131-byte key, hashed per RFC 2104 §2)", mac, 32,
		"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

/* RFC 5869 §2.2 HKDF-Extract over doorbell_hmac_sha256. */
static int hkdf_extract(uint8_t prk[32], const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len)
{
	return doorbell_hmac_sha256(prk, salt, salt_len, ikm, ikm_len);
}

/* RFC 5869 §2.3 HKDF-Expand: T(i) = HMAC(PRK, T(i-1) | info | i). */
static int hkdf_expand(uint8_t *okm, size_t length, const uint8_t prk[32], const uint8_t *info, size_t info_len)
{
	uint8_t block[32 + 256 + 1], t[32];
	size_t done = 0, t_len = 0, n;
	uint8_t counter = 1;

	if (length > 255 * 32 || info_len > 256)
		return DOORBELL_ERR_ARGUMENT;
	while (done < length) {
		memcpy(block, t, t_len);
		memcpy(block + t_len, info, info_len);
		block[t_len + info_len] = counter++;
		if (doorbell_hmac_sha256(t, prk, 32, block, t_len + info_len + 1) != DOORBELL_OK)
			return DOORBELL_ERR_BACKEND;
		t_len = 32;
		n = length - done < 32 ? length - done : 32;
		memcpy(okm + done, t, n);
		done += n;
	}
	return DOORBELL_OK;
}

static void hkdf_case(const char *name, const char *ikm_hex, const char *salt_hex, const char *info_hex, size_t length,
	const char *prk_hex, const char *okm_hex)
{
	uint8_t ikm[80], salt[80], info[80], prk[32], okm[82];
	size_t ikm_len = unhex(ikm_hex, ikm, sizeof(ikm));
	size_t salt_len = unhex(salt_hex, salt, sizeof(salt));
	size_t info_len = unhex(info_hex, info, sizeof(info));
	char label[160];

	snprintf(label, sizeof(label), "%s PRK", name);
	if (hkdf_extract(prk, salt_len ? salt : NULL, salt_len, ikm, ikm_len) != DOORBELL_OK) {
		report(0, label);
		return;
	}
	expect_hex(label, prk, 32, prk_hex);
	snprintf(label, sizeof(label), "%s OKM", name);
	if (hkdf_expand(okm, length, prk, info, info_len) != DOORBELL_OK) {
		report(0, label);
		return;
	}
	expect_hex(label, okm, length, okm_hex);
}

static void test_rfc5869(void)
{
	hkdf_case("RFC 5869 A.1 HKDF-SHA256 basic", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		"000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9", 42,
		"077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
		"3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
	hkdf_case("RFC 5869 A.2 HKDF-SHA256 longer inputs",
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
		"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
		"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
		"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
		"b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
		"d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
		82, "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
		"b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
		"59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");
	hkdf_case("RFC 5869 A.3 HKDF-SHA256 empty salt and info", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		"", "", 42, "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
		"8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

/* ---- RFC 8439 ---------------------------------------------------------------------------- */

static const char *SUNSCREEN = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for "
			       "the future, sunscreen would be it.";
static const char *SEALED_HEX = "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
				"3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
				"92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
				"3ff4def08e4b7a9de576d26586cec64b6116"
				"1ae10b594f09e26a7e902ecbd0600691";

static void test_rfc8439_section_2_8_2(void)
{
	uint8_t key[32], nonce[12], aad[12], sealed[256], opened[256], tampered[256], nonce2[12], aad2[12];
	size_t pt_len = strlen(SUNSCREEN), sealed_len, i;
	int status;

	unhex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", key, sizeof(key));
	unhex("070000004041424344454647", nonce, sizeof(nonce));
	unhex("50515253c0c1c2c3c4c5c6c7", aad, sizeof(aad));

	status = doorbell_aead_seal(sealed, key, nonce, aad, sizeof(aad), (const uint8_t *)SUNSCREEN, pt_len);
	expect_status("RFC 8439 §2.8.2 AEAD seal computes", status, DOORBELL_OK);
	expect_hex("RFC 8439 §2.8.2 AEAD seal: ciphertext and tag", sealed, pt_len + 16, SEALED_HEX);

	sealed_len = unhex(SEALED_HEX, sealed, sizeof(sealed));
	status = doorbell_aead_open(opened, key, nonce, aad, sizeof(aad), sealed, sealed_len);
	report(status == DOORBELL_OK && sealed_len == pt_len + 16 && memcmp(opened, SUNSCREEN, pt_len) == 0,
		"RFC 8439 §2.8.2 AEAD open of the vector gives the plaintext");

	for (i = 0; i < 4; i++) {
		static const char *names[] = {
			"RFC 8439 §2.8 open rejects a flipped ciphertext bit",
			"RFC 8439 §2.8 open rejects a flipped tag bit",
			"RFC 8439 §2.8 open rejects changed associated data",
			"RFC 8439 §2.8 open rejects a different nonce",
		};
		memcpy(tampered, sealed, sealed_len);
		memcpy(nonce2, nonce, sizeof(nonce));
		memcpy(aad2, aad, sizeof(aad));
		if (i == 0)
			tampered[7] ^= 0x01;
		else if (i == 1)
			tampered[sealed_len - 1] ^= 0x80;
		else if (i == 2)
			aad2[0] ^= 0x01;
		else
			nonce2[11] ^= 0x01;
		memset(opened, 0xa5, pt_len);
		status = doorbell_aead_open(opened, key, nonce2, aad2, sizeof(aad2), tampered, sealed_len);
		report(status == DOORBELL_ERR_AUTH && all_zero(opened, pt_len), names[i]);
	}

	expect_status("RFC 8439 §2.8 open rejects input shorter than the tag",
		doorbell_aead_open(opened, key, nonce, aad, sizeof(aad), sealed, 15), DOORBELL_ERR_AUTH);

	/* Empty plaintext: the output is the tag alone, and it must still authenticate the AAD. */
	status = doorbell_aead_seal(sealed, key, nonce, aad, sizeof(aad), NULL, 0);
	report(status == DOORBELL_OK && doorbell_aead_open(NULL, key, nonce, aad, sizeof(aad), sealed, 16) == DOORBELL_OK,
		"RFC 8439 §2.8 empty plaintext seals to a tag that opens");
	sealed[0] ^= 1;
	expect_status("RFC 8439 §2.8 empty plaintext: tampered tag is rejected",
		doorbell_aead_open(NULL, key, nonce, aad, sizeof(aad), sealed, 16), DOORBELL_ERR_AUTH);
}

/* ---- RFC 6979 §A.2.5: ECDSA P-256 with SHA-256, used here as verification vectors ------------ */

static const char *P256_PUBLIC_HEX = "04"
	"60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
	"7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";
static const char *SIG_SAMPLE_HEX = "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
	"f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8";
static const char *SIG_TEST_HEX = "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367"
	"019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083";
/* The base point G (FIPS 186-5 / SEC 2): on the curve, but another key than the vectors'. */
static const char *P256_G_HEX = "04"
	"6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
	"4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
/* The group order n and the field prime p. */
static const char *P256_N_HEX = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
static const char *P256_P_HEX = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";

static int verify(const uint8_t *key, const char *message, const uint8_t *sig, size_t sig_len)
{
	return doorbell_ecdsa_p256_verify(key, (const uint8_t *)message, strlen(message), sig, sig_len);
}

static void test_rfc6979_a_2_5(void)
{
	uint8_t key[65], g[65], bad_key[65], sample[64], test[64], sig[65], n[32];

	unhex(P256_PUBLIC_HEX, key, sizeof(key));
	unhex(P256_G_HEX, g, sizeof(g));
	unhex(SIG_SAMPLE_HEX, sample, sizeof(sample));
	unhex(SIG_TEST_HEX, test, sizeof(test));
	unhex(P256_N_HEX, n, sizeof(n));

	expect_status("RFC 6979 A.2.5 P-256/SHA-256 \"sample\" verifies", verify(key, "sample", sample, 64), DOORBELL_OK);
	expect_status("RFC 6979 A.2.5 P-256/SHA-256 \"test\" verifies", verify(key, "test", test, 64), DOORBELL_OK);
	expect_status("ECDSA: a signature over another message is refused", verify(key, "test", sample, 64),
		DOORBELL_ERR_AUTH);
	expect_status("ECDSA: a one-letter change of the message is refused", verify(key, "samplf", sample, 64),
		DOORBELL_ERR_AUTH);
	memcpy(sig, sample, 64);
	sig[40] ^= 0x01;
	expect_status("ECDSA: a flipped bit of s is refused", verify(key, "sample", sig, 64), DOORBELL_ERR_AUTH);
	memcpy(sig, sample, 64);
	sig[0] ^= 0x80;
	expect_status("ECDSA: a flipped bit of r is refused", verify(key, "sample", sig, 64), DOORBELL_ERR_AUTH);
	expect_status("ECDSA: another key (the base point G) is refused", verify(g, "sample", sample, 64),
		DOORBELL_ERR_AUTH);
	expect_status("ECDSA: a 63-byte signature is refused", verify(key, "sample", sample, 63), DOORBELL_ERR_AUTH);
	memcpy(sig, sample, 64);
	sig[64] = 0;
	expect_status("ECDSA: a 65-byte signature is refused", verify(key, "sample", sig, 65), DOORBELL_ERR_AUTH);
	expect_status("ECDSA: an empty signature is refused", verify(key, "sample", NULL, 0), DOORBELL_ERR_AUTH);

	/* FIPS 186-5 §6.4.2 step 1: r and s must be in [1, n - 1]. */
	memcpy(sig, sample, 64);
	memset(sig, 0, 32);
	expect_status("FIPS 186-5 6.4.2: r = 0 is refused", verify(key, "sample", sig, 64), DOORBELL_ERR_AUTH);
	memcpy(sig, sample, 64);
	memset(sig + 32, 0, 32);
	expect_status("FIPS 186-5 6.4.2: s = 0 is refused", verify(key, "sample", sig, 64), DOORBELL_ERR_AUTH);
	memcpy(sig, sample, 64);
	memcpy(sig, n, 32);
	expect_status("FIPS 186-5 6.4.2: r = n is refused", verify(key, "sample", sig, 64), DOORBELL_ERR_AUTH);
	memcpy(sig, sample, 64);
	memcpy(sig + 32, n, 32);
	expect_status("FIPS 186-5 6.4.2: s = n is refused", verify(key, "sample", sig, 64), DOORBELL_ERR_AUTH);
	memcpy(sig, sample, 64);
	memset(sig + 32, 0xff, 32);
	expect_status("FIPS 186-5 6.4.2: s = 2^256 - 1 (above n) is refused", verify(key, "sample", sig, 64),
		DOORBELL_ERR_AUTH);

	/* SEC 1 §3.2.2.1: the key must be an uncompressed point on the curve. */
	memcpy(bad_key, key, 65);
	bad_key[64] ^= 0x01;
	expect_status("SEC 1: a point off the curve (y changed) is refused", verify(bad_key, "sample", sample, 64),
		DOORBELL_ERR_BAD_KEY);
	memset(bad_key, 0, 65);
	bad_key[0] = 0x04;
	expect_status("SEC 1: (0, 0) is refused", verify(bad_key, "sample", sample, 64), DOORBELL_ERR_BAD_KEY);
	memcpy(bad_key, key, 65);
	bad_key[0] = 0x05;
	expect_status("SEC 1: a prefix other than 04 is refused", verify(bad_key, "sample", sample, 64),
		DOORBELL_ERR_BAD_KEY);
	memcpy(bad_key, key, 65);
	unhex(P256_P_HEX, bad_key + 1, 32);
	expect_status("SEC 1: x = p (not a field element) is refused", verify(bad_key, "sample", sample, 64),
		DOORBELL_ERR_BAD_KEY);
	expect_status("ECDSA: a NULL key is refused", verify(NULL, "sample", sample, 64), DOORBELL_ERR_ARGUMENT);
}

/* ---- Random and argument checks ------------------------------------------------------------ */

static void test_random_and_arguments(void)
{
	uint8_t a[64], b[64], out[32];

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	report(doorbell_random(a, sizeof(a)) == DOORBELL_OK && doorbell_random(b, sizeof(b)) == DOORBELL_OK
			&& memcmp(a, b, sizeof(a)) != 0 && !all_zero(a, sizeof(a)),
		"random: two 64-byte draws differ and are not zero");
	expect_status("random: zero bytes is allowed", doorbell_random(NULL, 0), DOORBELL_OK);
	expect_status("x25519: NULL scalar is refused", doorbell_x25519(out, NULL, a), DOORBELL_ERR_ARGUMENT);
	expect_status("hmac: NULL key with a length is refused", doorbell_hmac_sha256(out, NULL, 3, a, 1),
		DOORBELL_ERR_ARGUMENT);
	expect_status("aead: NULL nonce is refused", doorbell_aead_seal(b, a, NULL, NULL, 0, NULL, 0),
		DOORBELL_ERR_ARGUMENT);
}

int main(void)
{
	printf("# doorbell_crypto known-answer tests against %s\n", DOORBELL_MBEDTLS_VERSION);
	test_rfc7748_section_5_2();
	test_rfc7748_section_6_1();
	test_rfc7748_all_zero_rejected();
	test_rfc7748_decoding();
	test_rfc4231();
	test_rfc5869();
	test_rfc8439_section_2_8_2();
	test_rfc6979_a_2_5();
	test_random_and_arguments();
	printf("# %d passed, %d failed\n", passes, failures);
	return failures ? 1 : 0;
}
