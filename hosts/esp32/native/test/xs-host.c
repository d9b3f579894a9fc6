// SPDX-License-Identifier: MIT
// Test host only: gives xsnap-worker a global native(name) returning the doorbell host functions,
// which on the device xsc binds at compile time. Snapshots of this worker are not supported.
#include "xsmc.h"

#include <string.h>

extern void modInstallBase64(xsMachine *the);
void doorbell_install_test_globals(xsMachine *the);

extern void xs_doorbell_x25519(xsMachine *the);
extern void xs_doorbell_hmac_sha256(xsMachine *the);
extern void xs_doorbell_chacha20poly1305_seal(xsMachine *the);
extern void xs_doorbell_chacha20poly1305_open(xsMachine *the);
extern void xs_doorbell_random_bytes(xsMachine *the);
extern void xs_doorbell_ecdsa_p256_verify(xsMachine *the);
extern void xs_doorbell_thumbnail_decode(xsMachine *the);
extern void xs_doorbell_thumbnail_detail(xsMachine *the);
extern void xs_doorbell_redact(xsMachine *the);
extern void xs_doorbell_redact_detail(xsMachine *the);

static const struct {
	const char *name;
	xsCallback callback;
	xsIntegerValue length;
} NATIVES[] = {
	{ "xs_doorbell_x25519", xs_doorbell_x25519, 2 },
	{ "xs_doorbell_hmac_sha256", xs_doorbell_hmac_sha256, 2 },
	{ "xs_doorbell_chacha20poly1305_seal", xs_doorbell_chacha20poly1305_seal, 4 },
	{ "xs_doorbell_chacha20poly1305_open", xs_doorbell_chacha20poly1305_open, 4 },
	{ "xs_doorbell_random_bytes", xs_doorbell_random_bytes, 1 },
	{ "xs_doorbell_ecdsa_p256_verify", xs_doorbell_ecdsa_p256_verify, 3 },
	{ "xs_doorbell_thumbnail_decode", xs_doorbell_thumbnail_decode, 3 },
	{ "xs_doorbell_thumbnail_detail", xs_doorbell_thumbnail_detail, 0 },
	{ "xs_doorbell_redact", xs_doorbell_redact, 8 },
	{ "xs_doorbell_redact_detail", xs_doorbell_redact_detail, 0 },
};

/* native(name): the host function of that name, as xsc resolves native("…") on the device. */
static void xs_native(xsMachine *the)
{
	char name[64];
	size_t i;

	if (xsmcArgc < 1 || xsmcTypeOf(xsArg(0)) != xsStringType)
		xsTypeError("native: expected the name of a host function");
	xsmcToStringBuffer(xsArg(0), name, sizeof(name));
	for (i = 0; i < sizeof(NATIVES) / sizeof(NATIVES[0]); i++) {
		if (!strcmp(name, NATIVES[i].name)) {
			xsResult = xsNewHostFunction(NATIVES[i].callback, NATIVES[i].length);
			return;
		}
	}
	xsUnknownError("native: this test host has no host function %s", name);
}

/* xsnap-worker.c is compiled with -DmodInstallBase64=doorbell_install_test_globals, so the worker
 * calls this while it builds its globals (inside xsBeginHost, with one xsVar). */
void doorbell_install_test_globals(xsMachine *the)
{
	modInstallBase64(the);
	xsResult = xsNewHostFunction(xs_native, 1);
	xsmcDefine(xsGlobal, xsID("native"), xsResult, xsDontEnum);
}
