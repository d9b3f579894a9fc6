# SPDX-License-Identifier: MIT
# Builds the XS test host: @agoric/xsnap's xsnap-worker, from the package's own XS sources, linked
# with the doorbell native modules (crypto, thumbnail, redactor) and a global native(). Called by run.sh; outputs only under OUT.

XSNAP ?= node_modules/@agoric/xsnap
NATIVE ?= hosts/esp32/native
OUT ?= build/native/xs-host
CC ?= cc
MBEDTLS_CFLAGS ?=
MBEDTLS_LIBS ?= -lmbedcrypto

MODDABLE = $(XSNAP)/moddable
XS_SRC = $(MODDABLE)/xs/sources
XSNAP_SRC = $(XSNAP)/xsnap-native/xsnap/sources
XSNAP_VERSION := $(shell sed -n 's/^XSNAP_VERSION=//p' $(XSNAP)/build.env)

# The options xsnap-worker.mk uses for a release build, so the engine is the one the tests meter.
XS_OPTIONS = -fno-common -DINCLUDE_XSPLATFORM -DXSPLATFORM=\"xsnapPlatform.h\" \
	-DXSNAP_VERSION=\"$(XSNAP_VERSION)\" -DXSNAP_TEST_RECORD=0 -DmxLockdown=1 -DmxMetering=1 \
	-DmxDebug=1 -UmxInstrument -DmxNoConsole=1 -DmxBoundsCheck=1 -DmxParse=1 -DmxRun=1 -DmxSloppy=1 \
	-DmxSnapshot=1 -DmxRegExpUnicodePropertyEscapes=1 -DmxStringNormalize=1 -DmxMinusZero=1 \
	-I$(MODDABLE)/xs/includes -I$(MODDABLE)/xs/platforms -I$(XS_SRC) -I$(XSNAP_SRC) -O2 -w
# Our own files get the strict warnings run.sh uses everywhere else.
OUR_OPTIONS = $(filter-out -w,$(XS_OPTIONS)) -I$(NATIVE) $(MBEDTLS_CFLAGS) -Wall -Wextra -Werror

XS_NAMES = xsAll xsAPI xsArguments xsArray xsAtomics xsBigInt xsBoolean xsCode xsCommon xsDataView xsDate \
	xsDebug xsDefaults xsError xsFunction xsGenerator xsGlobal xsJSON xsLexical xsLockdown xsMapSet \
	xsMarshall xsMath xsMemory xsModule xsNumber xsObject xsPlatforms xsProfile xsPromise xsProperty \
	xsProxy xsRegExp xsRun xsScope xsScript xsSnapshot xsSourceMap xsString xsSymbol xsSyntaxical \
	xsTree xsType xsdtoa xsre xsmc
XS_OBJECTS = $(XS_NAMES:%=$(OUT)/%.o) $(OUT)/textdecoder.o $(OUT)/textencoder.o $(OUT)/modBase64.o \
	$(OUT)/xsnapPlatform.o $(OUT)/xsnap-worker.o
OUR_OBJECTS = $(OUT)/doorbell_crypto.o $(OUT)/crypto-xs.o $(OUT)/doorbell_thumb.o $(OUT)/thumb-xs.o \
	$(OUT)/doorbell_redact.o $(OUT)/doorbell_redact_scan.o $(OUT)/doorbell_redact_fast.o $(OUT)/redact-xs.o $(OUT)/xs-host.o

$(OUT)/doorbell-xsnap-worker: $(XS_OBJECTS) $(OUR_OBJECTS)
	$(CC) -rdynamic $^ $(MBEDTLS_LIBS) -ldl -lm -lpthread -o $@

$(OUT)/%.o: $(XS_SRC)/%.c | $(OUT)
	$(CC) $(XS_OPTIONS) -c $< -o $@
$(OUT)/textdecoder.o: $(MODDABLE)/modules/data/text/decoder/textdecoder.c | $(OUT)
	$(CC) $(XS_OPTIONS) -c $< -o $@
$(OUT)/textencoder.o: $(MODDABLE)/modules/data/text/encoder/textencoder.c | $(OUT)
	$(CC) $(XS_OPTIONS) -c $< -o $@
$(OUT)/modBase64.o: $(MODDABLE)/modules/data/base64/modBase64.c | $(OUT)
	$(CC) $(XS_OPTIONS) -c $< -o $@
$(OUT)/xsnapPlatform.o: $(XSNAP_SRC)/xsnapPlatform.c | $(OUT)
	$(CC) $(XS_OPTIONS) -c $< -o $@
# The worker installs Base64 last while building its globals; renaming that one call lets
# xs-host.c add native() after it without patching the package's source.
$(OUT)/xsnap-worker.o: $(XSNAP_SRC)/xsnap-worker.c | $(OUT)
	$(CC) $(XS_OPTIONS) -DmodInstallBase64=doorbell_install_test_globals -c $< -o $@

$(OUT)/doorbell_crypto.o: $(NATIVE)/doorbell_crypto.c $(NATIVE)/doorbell_crypto.h $(NATIVE)/mbedtls_compat.h | $(OUT)
	$(CC) $(OUR_OPTIONS) -c $< -o $@
$(OUT)/crypto-xs.o: $(NATIVE)/crypto-xs.c $(NATIVE)/doorbell_crypto.h | $(OUT)
	$(CC) $(OUR_OPTIONS) -c $< -o $@
$(OUT)/doorbell_thumb.o: $(NATIVE)/doorbell_thumb.c $(NATIVE)/doorbell_thumb.h $(NATIVE)/doorbell_jpeg_tables.h | $(OUT)
	$(CC) $(OUR_OPTIONS) -c $< -o $@
$(OUT)/thumb-xs.o: $(NATIVE)/thumb-xs.c $(NATIVE)/doorbell_thumb.h | $(OUT)
	$(CC) $(OUR_OPTIONS) -c $< -o $@
$(OUT)/doorbell_redact.o: $(NATIVE)/doorbell_redact.c $(NATIVE)/doorbell_jpeg_tables.h $(NATIVE)/doorbell_redact.h \
    $(NATIVE)/doorbell_redact_scan.h | $(OUT)
	$(CC) $(OUR_OPTIONS) -c $< -o $@
$(OUT)/doorbell_redact_scan.o: $(NATIVE)/doorbell_redact_scan.c $(NATIVE)/doorbell_redact.h $(NATIVE)/doorbell_redact_scan.h | $(OUT)
	$(CC) $(OUR_OPTIONS) -c $< -o $@
$(OUT)/doorbell_redact_fast.o: $(NATIVE)/doorbell_redact_fast.c $(NATIVE)/doorbell_redact.h $(NATIVE)/doorbell_redact_scan.h | $(OUT)
	$(CC) $(OUR_OPTIONS) -c $< -o $@
$(OUT)/redact-xs.o: $(NATIVE)/redact-xs.c $(NATIVE)/doorbell_redact.h | $(OUT)
	$(CC) $(OUR_OPTIONS) -c $< -o $@
$(OUT)/xs-host.o: $(NATIVE)/test/xs-host.c | $(OUT)
	$(CC) $(OUR_OPTIONS) -c $< -o $@

$(OUT):
	mkdir -p $@

.PHONY: clean
clean:
	rm -rf $(OUT)
