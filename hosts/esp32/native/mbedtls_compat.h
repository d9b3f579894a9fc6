// SPDX-License-Identifier: MIT
// The one place that knows which mbedtls it is built against: Debian's 2.28 (host tests),
// 3.x (ESP-IDF 5) or 4.x with TF-PSA-Crypto 1.x (ESP-IDF 6, which Moddable expects).
#ifndef DOORBELL_MBEDTLS_COMPAT_H
#define DOORBELL_MBEDTLS_COMPAT_H

/*
 * Why PSA: mbedtls 4 (TF-PSA-Crypto 1.0) removed the public ecp.h, ecdh.h and chachapoly.h
 * that 2.28 and 3.x offer, so the only API common to all three is PSA Crypto. Its calls used
 * here (psa_import_key, psa_raw_key_agreement, psa_export_public_key, psa_mac_compute,
 * psa_hash_compute, psa_verify_hash, psa_aead_encrypt/decrypt, psa_destroy_key) have the same signatures in
 * 2.28, 3.x and 4.x. What differs is gathered below.
 */

/*
 * Where we run. ESP-IDF's CMake defines ESP_PLATFORM for its components; Moddable compiles module C with
 * its own make fragment, which defines ESP32 (tools/mcconfig/make.esp32.mk C_DEFINES) and ESP_PLATFORM
 * (its C_COMMON_FLAGS), which the root manifest's C_FLAGS keeps.
 */
#if defined(ESP_PLATFORM) || defined(ESP32)
#define DOORBELL_ON_ESP32 1
#else
#define DOORBELL_ON_ESP32 0
#endif

/*
 * The headers must see the configuration ESP-IDF built mbedtls with, or PSA structures such as
 * psa_key_attributes_t may not match the library. ESP-IDF passes -DMBEDTLS_CONFIG_FILE=
 * "mbedtls/esp_config.h" and its mbedtls include paths to its own components only; for module C the
 * root manifest.json passes them in platforms.esp32.build.C_FLAGS (README.md, "Building for the device").
 */
#if DOORBELL_ON_ESP32 && !defined(MBEDTLS_CONFIG_FILE) && !defined(TF_PSA_CRYPTO_CONFIG_FILE) \
	&& !defined(TF_PSA_CRYPTO_USER_CONFIG_FILE)
#error "doorbell crypto: no mbedtls config file is defined; manifest.json's platforms.esp32.build.C_FLAGS " \
	"must pass ESP-IDF's mbedtls flags (hosts/esp32/native/README.md)"
#endif

/* In every version psa/crypto.h pulls in the build configuration the checks below read. */
#include <psa/crypto.h>
/* mbedtls_platform_zeroize: in mbedtls/platform_util.h in 2.28, 3.x and TF-PSA-Crypto 1.x. */
#include <mbedtls/platform_util.h>

/* 2.28 and 3.x build PSA only with MBEDTLS_PSA_CRYPTO_C; 4.x always defines it. */
#if !defined(MBEDTLS_PSA_CRYPTO_C)
#error "doorbell crypto needs the PSA Crypto core (mbedtls 2.28 and 3.x: MBEDTLS_PSA_CRYPTO_C)"
#endif

/*
 * PSA_WANT_* describe what the PSA core can do. 2.28 and 3.x derive them from the legacy
 * MBEDTLS_*_C options (mbedtls/config_psa.h) unless MBEDTLS_PSA_CRYPTO_CONFIG is set; 4.x sets
 * them directly (ESP-IDF 6 maps its Kconfig to them in port/include/mbedtls/esp_config.h).
 * ESP-IDF disables ChaCha20-Poly1305 by default: set CONFIG_MBEDTLS_CHACHA20_C=y and
 * CONFIG_MBEDTLS_CHACHAPOLY_C=y in sdkconfig (ESP-IDF 5 also needs CONFIG_MBEDTLS_POLY1305_C=y).
 */
#if !defined(PSA_WANT_ALG_CHACHA20_POLY1305) || !defined(PSA_WANT_KEY_TYPE_CHACHA20)
#error "doorbell crypto needs ChaCha20-Poly1305 in mbedtls (sdkconfig: CONFIG_MBEDTLS_CHACHA20_C=y, " \
	"CONFIG_MBEDTLS_CHACHAPOLY_C=y; ESP-IDF 5 also CONFIG_MBEDTLS_POLY1305_C=y)"
#endif
#if !defined(PSA_WANT_ALG_ECDH) || !defined(PSA_WANT_ECC_MONTGOMERY_255)
#error "doorbell crypto needs X25519 in mbedtls (ESP-IDF: CONFIG_MBEDTLS_ECDH_C, CONFIG_MBEDTLS_ECP_DP_CURVE25519_ENABLED)"
#endif
#if !defined(PSA_WANT_ALG_HMAC) || !defined(PSA_WANT_ALG_SHA_256)
#error "doorbell crypto needs HMAC and SHA-256 in mbedtls"
#endif
/* Owner commands are signed with ECDSA P-256 (docs/protocol.md); both are on in ESP-IDF's defaults. */
#if !defined(PSA_WANT_ALG_ECDSA) || !defined(PSA_WANT_ECC_SECP_R1_256)
#error "doorbell crypto needs ECDSA on P-256 in mbedtls (ESP-IDF: CONFIG_MBEDTLS_ECDSA_C, CONFIG_MBEDTLS_ECP_DP_SECP256R1_ENABLED)"
#endif

/*
 * Key identifiers: a plain psa_key_id_t, or a struct when MBEDTLS_PSA_CRYPTO_KEY_ID_ENCODES_OWNER
 * is set. MBEDTLS_SVC_KEY_ID_INIT and mbedtls_svc_key_id_t cover both, in every version.
 */
typedef mbedtls_svc_key_id_t doorbell_key_id;
#define DOORBELL_KEY_ID_INIT MBEDTLS_SVC_KEY_ID_INIT

/* psa_mac_compute needs SIGN_MESSAGE; 2.28 already defines it (it also accepted SIGN_HASH). */
#define DOORBELL_USAGE_MAC PSA_KEY_USAGE_SIGN_MESSAGE

/* A name for logs and test output: TF-PSA-Crypto names itself in build_info.h (pulled in by
 * psa/crypto.h); 2.28 and 3.x in mbedtls/version.h. */
#if defined(TF_PSA_CRYPTO_VERSION_STRING_FULL)
#define DOORBELL_MBEDTLS_VERSION TF_PSA_CRYPTO_VERSION_STRING_FULL
#else
#include <mbedtls/version.h>
#define DOORBELL_MBEDTLS_VERSION MBEDTLS_VERSION_STRING_FULL
#endif

/* P-256 keys are 256 bits in PSA (PSA_ECC_FAMILY_SECP_R1), in every version. */
#define DOORBELL_P256_KEY_BITS 256

/* RFC 7748 curve25519 keys are 255 bits in PSA (PSA_ECC_FAMILY_MONTGOMERY), in every version. */
#define DOORBELL_X25519_KEY_BITS 255

#endif
