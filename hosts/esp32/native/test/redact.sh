#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Redactor tests, run by run.sh (npm run test:native): doorbell_redact.c byte for byte against modules/jpeg/redact.ts
# (CDnet highway frames and generated JPEGs of each sampling, with and without restart intervals, five masks each, built
# under ASan+UBSan), a seeded mutation fuzz under ASan+UBSan, and redact.ts -> redact-xs.c inside the XS test host.
# Writes only under build/native/redact. REDACT_FUZZ_ROUNDS scales the fuzz.
set -u

cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." || exit 2
OUT=build/native/redact
SCRIPT=redact.sh
# shellcheck source=jpeg-common.sh
source hosts/esp32/native/test/jpeg-common.sh
SOURCES="$NATIVE/doorbell_redact.c $NATIVE/doorbell_redact_scan.c $NATIVE/doorbell_redact_fast.c"

if ! command -v cjpeg >/dev/null 2>&1; then
  echo "redact.sh: cjpeg is missing. Install it with: apt-get install -y libjpeg-turbo-progs"
  exit 2
fi
mkdir -p $OUT/cjpeg

# shellcheck disable=SC2086
{
  step "doorbell_redact.c builds with -Wall -Wextra -Werror, and with ASan+UBSan"
  $CC $STRICT $SOURCES $NATIVE/test/redact-check.c -o $OUT/redact-check || fail "redact-check does not compile"
  $CC $STRICT $SANITIZE $SOURCES $NATIVE/test/redact-check.c -o $OUT/redact-check-sanitized ||
    fail "redact-check does not compile with sanitizers"
  $CC $STRICT $SANITIZE $SOURCES $NATIVE/test/redact-fuzz.c -o $OUT/redact-fuzz || fail "redact-fuzz does not compile"
}
compare() { node --import tsx $NATIVE/test/redact-compare.ts $OUT/redact-check-sanitized $OUT/work "$@"; }

step "CDnet highway frames ($HIGHWAY): C (ASan+UBSan) and TypeScript byte for byte, five masks each"
compare "highway frames" "$HIGHWAY" || fail "highway frames: C and TypeScript differ"

step "generated JPEGs: cjpeg samplings x restart intervals, coefficient-level JPEGs, progressive and arithmetic refusals"
if node --import tsx $NATIVE/test/thumb-cases.ts $OUT/cases >/dev/null; then
  rm -f $OUT/cjpeg/*.jpg
  for ppm in $OUT/cases/ppm/scene-317x239.ppm $OUT/cases/ppm/scene-640x480.ppm $OUT/cases/ppm/scene-9x17.ppm; do
    s=$(basename "$ppm" .ppm)
    for q in 50 95; do
      for v in "420:-sample 2x2,1x1,1x1" "422:-sample 2x1,1x1,1x1" "444:-sample 1x1,1x1,1x1" "440:-sample 1x2,1x1,1x1" \
        "411:-sample 4x1,1x1,1x1" "gray:-grayscale" "opt:-sample 2x2,1x1,1x1 -optimize"; do
        for rst in "none:" "b1:-restart 1B" "b5:-restart 5B" "row:-restart 1"; do
          # shellcheck disable=SC2086
          cjpeg -quality $q ${v#*:} ${rst#*:} -outfile $OUT/cjpeg/$s-q$q-${v%%:*}-rst${rst%%:*}.jpg "$ppm"
        done
      done
    done
  done
  cjpeg -progressive -outfile $OUT/cjpeg/progressive.jpg $OUT/cases/ppm/scene-317x239.ppm
  cjpeg -arithmetic -outfile $OUT/cjpeg/arithmetic.jpg $OUT/cases/ppm/scene-317x239.ppm
  compare "cjpeg JPEGs" $OUT/cjpeg || fail "cjpeg JPEGs: C and TypeScript differ"
  compare "coefficient-level JPEGs" $OUT/cases/synth || fail "coefficient-level JPEGs: C and TypeScript differ"
  size=$(wc -c <"$HIGHWAY/in000810.jpg")
  mkdir -p $OUT/cut && rm -f $OUT/cut/*.jpg
  for cut in 1 300 700 2000 5000 9000 $((size - 40)) $((size - 2)); do head -c $cut "$HIGHWAY/in000810.jpg" >$OUT/cut/cut-$cut.jpg; done
  compare "cut-off frames" $OUT/cut || fail "cut-off frames: C and TypeScript differ"
  compare "mutated JPEGs" --mutants 100 "$HIGHWAY/in000810.jpg" $OUT/cjpeg/scene-317x239-q95-420-rstb5.jpg \
    $OUT/cjpeg/scene-317x239-q50-444-rstnone.jpg $OUT/cjpeg/scene-317x239-q95-gray-rstrow.jpg ||
    fail "mutated JPEGs: C and TypeScript differ"
else
  fail "thumb-cases.ts did not write the generated inputs"
fi

step "seeded mutation fuzz under ASan+UBSan"
$OUT/redact-fuzz 20261126 "${REDACT_FUZZ_ROUNDS:-20000}" "$HIGHWAY/in000790.jpg" "$HIGHWAY/in000810.jpg" \
  $OUT/cjpeg/scene-317x239-q95-420-rstb1.jpg $OUT/cjpeg/scene-317x239-q50-422-rstb5.jpg \
  $OUT/cjpeg/scene-9x17-q95-gray-rstnone.jpg $OUT/cjpeg/scene-317x239-q50-opt-rstrow.jpg \
  $OUT/cases/synth/s*-gray-r5-interleaved-*.jpg || fail "the redactor fuzz found a problem"

step "redact-xs.c against the XS headers; redact.ts inside the XS test host, against the TypeScript redactor"
XS_FLAGS=(-I"$XSNAP/moddable/xs/includes" -I"$XSNAP/moddable/xs/platforms" -I"$XSNAP/moddable/xs/sources"
  -I"$XSNAP/xsnap-native/xsnap/sources" -DINCLUDE_XSPLATFORM '-DXSPLATFORM="xsnapPlatform.h"' -DmxBoundsCheck=1)
worker=build/native/xs-host/doorbell-xsnap-worker
if ! $CC -fsyntax-only -Wall -Wextra -Werror -I$NATIVE "${XS_FLAGS[@]}" $NATIVE/redact-xs.c; then
  fail "redact-xs.c does not compile against the XS headers"
elif [ ! -x $worker ]; then
  fail "the XS test host ($worker) was not built by run.sh"
elif ! "$ESBUILD" $NATIVE/test/native-redact.test.ts --bundle --format=iife --target=es2022 --log-level=warning \
  --outfile=$OUT/native-redact.test.js; then
  fail "native-redact.test.ts does not bundle"
else
  script=$OUT/native-redact.test.js
  { printf '%d:e' $(($(wc -c <"$script") + 1)); cat "$script"; printf ','; } >$OUT/native-redact.netstring
  $worker 3<$OUT/native-redact.netstring 4>$OUT/native-redact.reply >$OUT/native-redact.out 2>&1
  code=$?
  cat $OUT/native-redact.out
  reply=$(head -c 40 $OUT/native-redact.reply | sed 's/^[0-9]*://' | head -c 1)
  if [ $code -ne 0 ] || [ "$reply" != "." ]; then
    fail "the XS redactor script failed (worker exit $code, reply '$(head -c 200 $OUT/native-redact.reply)')"
  elif grep -q '^FAIL' $OUT/native-redact.out || ! grep -q '^PASS' $OUT/native-redact.out; then
    fail "the XS redactor script reported failures"
  fi
fi

echo
if [ $failed -ne 0 ]; then
  echo "redactor: $failed step(s) FAILED"
  exit 1
fi
echo "redactor: all passed"
