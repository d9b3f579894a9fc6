#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Native module tests (npm run test:native): RFC known-answer tests of doorbell_crypto.c on the host,
# plain and under ASan+UBSan; crypto-xs.c and ota-xs.c against the XS headers; the TypeScript port inside an XS test host;
# then the JPEG thumbnail decoder (test/thumb.sh: djpeg comparisons, fuzz, XS host) and the redactor (test/redact.sh:
# C against TypeScript byte for byte, fuzz, XS host).
# Writes only under build/native/. Another mbedtls: DOORBELL_MBEDTLS_CFLAGS / DOORBELL_MBEDTLS_LIBS.
set -u

cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." || exit 2
NATIVE=hosts/esp32/native
OUT=build/native
CC=${CC:-gcc}
MBEDTLS_CFLAGS=${DOORBELL_MBEDTLS_CFLAGS:-}
MBEDTLS_LIBS=${DOORBELL_MBEDTLS_LIBS:--lmbedcrypto}
XSNAP=node_modules/@agoric/xsnap
ESBUILD=node_modules/.bin/esbuild
STRICT="-std=c11 -O2 -g -Wall -Wextra -Werror -I$NATIVE $MBEDTLS_CFLAGS"
SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
failed=0

step() { printf '\n== %s\n' "$*"; }
fail() {
  echo "FAIL $*"
  failed=$((failed + 1))
}
# Runs a command, showing its output; a non-zero exit is a failure named $1.
run() {
  local name=$1
  shift
  "$@" || fail "$name (exit $?)"
}

# Prerequisites: say how to get them rather than failing obscurely.
if ! command -v "$CC" >/dev/null 2>&1; then
  echo "run.sh: the C compiler '$CC' is missing. Install it with: apt-get install -y gcc libmbedtls-dev"
  exit 2
fi
# shellcheck disable=SC2086
if ! echo '#include <psa/crypto.h>' | "$CC" $MBEDTLS_CFLAGS -E -x c - >/dev/null 2>&1; then
  echo "run.sh: the mbedtls headers (psa/crypto.h) are missing. Install them with: apt-get install -y gcc libmbedtls-dev"
  exit 2
fi
mkdir -p "$OUT"

# shellcheck disable=SC2086
{
  step "RFC 7748 / 5869 / 4231 / 8439 known-answer tests (gcc -Wall -Wextra -Werror)"
  if $CC $STRICT $NATIVE/doorbell_crypto.c $NATIVE/test/kat.c $MBEDTLS_LIBS -o $OUT/kat; then
    run "known-answer tests" $OUT/kat
  else
    fail "known-answer tests do not compile"
  fi

  step "the same under -fsanitize=address,undefined"
  if $CC $STRICT $SANITIZE $NATIVE/doorbell_crypto.c $NATIVE/test/kat.c $MBEDTLS_LIBS -o $OUT/kat-sanitized; then
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 run "known-answer tests under ASan+UBSan" $OUT/kat-sanitized
  else
    fail "known-answer tests do not compile with sanitizers"
  fi

  step "RFC 7748 checks made by doorbell_crypto.c itself (PSA calls shimmed)"
  if $CC $STRICT $SANITIZE -Dpsa_import_key=shim_psa_import_key -Dpsa_raw_key_agreement=shim_psa_raw_key_agreement \
    -c $NATIVE/doorbell_crypto.c -o $OUT/doorbell_crypto-shimmed.o &&
    $CC $STRICT $SANITIZE $NATIVE/test/defense.c $OUT/doorbell_crypto-shimmed.o $MBEDTLS_LIBS -o $OUT/defense; then
    run "shimmed checks" $OUT/defense
  else
    fail "shimmed checks do not compile"
  fi
}

step "crypto-xs.c against the XS headers of @agoric/xsnap"
XS_FLAGS=(-I"$XSNAP/moddable/xs/includes" -I"$XSNAP/moddable/xs/platforms" -I"$XSNAP/moddable/xs/sources"
  -I"$XSNAP/xsnap-native/xsnap/sources" -DINCLUDE_XSPLATFORM '-DXSPLATFORM="xsnapPlatform.h"' -DmxBoundsCheck=1)
if [ ! -f "$XSNAP/moddable/xs/includes/xsmc.h" ]; then
  fail "XS headers not found under $XSNAP (run npm install)"
else
  # shellcheck disable=SC2086
  if $CC -fsyntax-only -Wall -Wextra -Werror -I$NATIVE $MBEDTLS_CFLAGS "${XS_FLAGS[@]}" $NATIVE/crypto-xs.c; then
    echo "PASS crypto-xs.c compiles against xsmc.h with -Wall -Wextra -Werror"
  else
    fail "crypto-xs.c does not compile against the XS headers"
  fi
  # ota-xs.c calls ESP-IDF's app update API, which is not on this machine: test/idf-api declares the documented
  # signatures, so this checks the XS side and the calls' shapes, not ESP-IDF itself.
  if $CC -fsyntax-only -Wall -Wextra -Werror -I$NATIVE/test/idf-api "${XS_FLAGS[@]}" $NATIVE/ota-xs.c; then
    echo "PASS ota-xs.c compiles against xsmc.h and the declared ESP-IDF app update API with -Wall -Wextra -Werror"
  else
    fail "ota-xs.c does not compile against the XS headers"
  fi

  step "XS test host: xsnap-worker + the native module, running crypto.ts inside XS"
  # make does not notice changed flags: start the host afresh when the compiler or mbedtls changes.
  flags="$CC|$MBEDTLS_CFLAGS|$MBEDTLS_LIBS"
  if [ "$(cat $OUT/xs-host/flags 2>/dev/null)" != "$flags" ]; then
    rm -rf $OUT/xs-host
    mkdir -p $OUT/xs-host
    printf '%s' "$flags" >$OUT/xs-host/flags
  fi
  if ! command -v make >/dev/null 2>&1; then
    fail "make is missing (apt-get install -y make)"
  elif ! make -s -j"$(nproc 2>/dev/null || echo 2)" -f $NATIVE/test/xs-host.mk CC="$CC" XSNAP=$XSNAP NATIVE=$NATIVE \
    OUT=$OUT/xs-host MBEDTLS_CFLAGS="$MBEDTLS_CFLAGS" MBEDTLS_LIBS="$MBEDTLS_LIBS"; then
    fail "the XS test host does not build"
  elif [ ! -x "$ESBUILD" ]; then
    fail "esbuild not found at $ESBUILD (run npm install)"
  elif ! "$ESBUILD" $NATIVE/test/native-crypto.test.ts --bundle --format=iife --target=es2022 --log-level=warning \
    --outfile=$OUT/native-crypto.test.js; then
    fail "native-crypto.test.ts does not bundle"
  else
    # One netstring: "e" + script evaluates it (see reference/xs-engine.md); EOF ends the worker.
    script=$OUT/native-crypto.test.js
    { printf '%d:e' $(($(wc -c <"$script") + 1)); cat "$script"; printf ','; } >$OUT/native-crypto.netstring
    $OUT/xs-host/doorbell-xsnap-worker 3<$OUT/native-crypto.netstring 4>$OUT/native-crypto.reply >$OUT/native-crypto.out 2>&1
    code=$?
    cat $OUT/native-crypto.out
    reply=$(head -c 40 $OUT/native-crypto.reply | sed 's/^[0-9]*://' | head -c 1)
    if [ $code -ne 0 ] || [ "$reply" != "." ]; then
      fail "the XS test script failed (worker exit $code, reply '$(head -c 200 $OUT/native-crypto.reply)')"
    elif grep -q '^FAIL' $OUT/native-crypto.out || ! grep -q '^PASS' $OUT/native-crypto.out; then
      fail "the XS test script reported failures"
    fi
  fi
fi

step "JPEG thumbnail decoder (test/thumb.sh)"
run "thumbnail decoder" bash $NATIVE/test/thumb.sh

step "JPEG redactor (test/redact.sh)"
run "redactor" bash $NATIVE/test/redact.sh

echo
if [ $failed -ne 0 ]; then
  echo "native modules: $failed step(s) FAILED"
  exit 1
fi
echo "native modules: all passed"
