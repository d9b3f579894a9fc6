#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# JPEG thumbnail decoder tests, run by run.sh (npm run test:native): doorbell_thumb.c byte for byte against
# libjpeg-turbo's djpeg -grayscale -scale 1/8 (CDnet highway frames, cjpeg and coefficient-level JPEGs),
# refusals, a seeded mutation fuzz under ASan+UBSan, and thumb.ts -> thumb-xs.c inside the XS test host,
# compared with the TypeScript decoder. Writes only under build/native/thumb. THUMB_FUZZ_ROUNDS scales the fuzz.
set -u

cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." || exit 2
OUT=build/native/thumb
SCRIPT=thumb.sh
# shellcheck source=jpeg-common.sh
source hosts/esp32/native/test/jpeg-common.sh

for tool in djpeg cjpeg; do
  if ! command -v $tool >/dev/null 2>&1; then
    echo "thumb.sh: $tool is missing. Install it with: apt-get install -y libjpeg-turbo-progs"
    exit 2
  fi
done
if [ ! -d "$HIGHWAY" ]; then
  echo "thumb.sh: the CDnet highway frames are not at $HIGHWAY (DOORBELL_CDNET_HIGHWAY names the sequence folder)"
  exit 2
fi
mkdir -p $OUT/ref $OUT/cjpeg

# shellcheck disable=SC2086
{
  step "doorbell_thumb.c builds with -Wall -Wextra -Werror, and with ASan+UBSan"
  $CC $STRICT $NATIVE/doorbell_thumb.c $NATIVE/test/thumb-check.c -o $OUT/thumb-check || fail "thumb-check does not compile"
  $CC $STRICT $SANITIZE $NATIVE/doorbell_thumb.c $NATIVE/test/thumb-check.c -o $OUT/thumb-check-sanitized || fail "thumb-check does not compile with sanitizers"
  $CC $STRICT $SANITIZE $NATIVE/doorbell_thumb.c $NATIVE/test/thumb-fuzz.c -o $OUT/thumb-fuzz || fail "thumb-fuzz does not compile"
}

step "CDnet highway frames ($HIGHWAY) vs djpeg -grayscale -scale 1/8 (under ASan+UBSan)"
mkdir -p $OUT/ref/highway
count=$(find "$HIGHWAY" -name 'in*.jpg' | wc -l)
if [ "$(find $OUT/ref/highway -name '*.pgm' | wc -l)" != "$count" ]; then
  for f in "$HIGHWAY"/in*.jpg; do
    b=$(basename "$f" .jpg)
    djpeg -grayscale -scale 1/8 -pnm "$f" >$OUT/ref/highway/$b.pgm
  done
fi
find "$HIGHWAY" -name 'in*.jpg' | sort | xargs $OUT/thumb-check-sanitized compare $OUT/ref/highway || fail "highway frames differ from djpeg"

step "generated JPEGs vs djpeg: cjpeg qualities x subsamplings x restart intervals x sizes, and coefficient-level JPEGs"
if node --import tsx $NATIVE/test/thumb-cases.ts $OUT/cases; then
  rm -f $OUT/cjpeg/*.jpg
  for ppm in $OUT/cases/ppm/*.ppm; do
    s=$(basename "$ppm" .ppm)
    for q in 5 50 75 95 100; do
      for v in "420:-sample 2x2,1x1,1x1" "422:-sample 2x1,1x1,1x1" "444:-sample 1x1,1x1,1x1" "440:-sample 1x2,1x1,1x1" "gray:-grayscale" \
        "opt:-sample 2x2,1x1,1x1 -optimize" "rst1:-sample 2x2,1x1,1x1 -restart 1B" "rst5:-sample 2x1,1x1,1x1 -restart 5B" "rstrow:-restart 1"; do
        # shellcheck disable=SC2086
        cjpeg -quality $q ${v#*:} -outfile $OUT/cjpeg/$s-q$q-${v%%:*}.jpg "$ppm"
      done
    done
  done
  for f in $OUT/cjpeg/*.jpg $OUT/cases/synth/*.jpg; do djpeg -grayscale -scale 1/8 -pnm "$f" >$OUT/ref/$(basename "$f" .jpg).pgm; done
  $OUT/thumb-check-sanitized compare $OUT/ref $OUT/cjpeg/*.jpg $OUT/cases/synth/*.jpg || fail "generated JPEGs differ from djpeg"
else
  fail "thumb-cases.ts did not write the generated inputs"
fi

step "refusals: progressive and arithmetic JPEGs are unsupported; cut-off files are truncated"
frame="$HIGHWAY/in000810.jpg"
cjpeg -progressive -outfile $OUT/progressive.jpg $OUT/cases/ppm/scene-317x239.ppm
cjpeg -arithmetic -outfile $OUT/arithmetic.jpg $OUT/cases/ppm/scene-317x239.ppm
$OUT/thumb-check-sanitized refuse unsupported $OUT/progressive.jpg $OUT/arithmetic.jpg || fail "progressive or arithmetic JPEG not refused as unsupported"
size=$(wc -c <"$frame")
for cut in 700 2000 5000 9000 $((size - 40)); do head -c $cut "$frame" >$OUT/cut-$cut.jpg; done
$OUT/thumb-check-sanitized refuse truncated $OUT/cut-*.jpg || fail "cut-off JPEGs not refused as truncated"

step "seeded mutation fuzz under ASan+UBSan"
$OUT/thumb-fuzz 20261126 "${THUMB_FUZZ_ROUNDS:-20000}" "$HIGHWAY/in000790.jpg" "$HIGHWAY/in000810.jpg" $OUT/cjpeg/scene-317x239-q75-rst1.jpg \
  $OUT/cjpeg/scene-9x17-q95-gray.jpg $OUT/cjpeg/scene-317x239-q50-opt.jpg $OUT/cases/synth/s*-gray-r5-*.jpg || fail "the thumbnail fuzz found a problem"

step "thumb-xs.c against the XS headers; thumb.ts inside the XS test host, against the TypeScript decoder"
XS_FLAGS=(-I"$XSNAP/moddable/xs/includes" -I"$XSNAP/moddable/xs/platforms" -I"$XSNAP/moddable/xs/sources"
  -I"$XSNAP/xsnap-native/xsnap/sources" -DINCLUDE_XSPLATFORM '-DXSPLATFORM="xsnapPlatform.h"' -DmxBoundsCheck=1)
worker=build/native/xs-host/doorbell-xsnap-worker
if ! $CC -fsyntax-only -Wall -Wextra -Werror -I$NATIVE "${XS_FLAGS[@]}" $NATIVE/thumb-xs.c; then
  fail "thumb-xs.c does not compile against the XS headers"
elif [ ! -x $worker ]; then
  fail "the XS test host ($worker) was not built by run.sh"
elif ! "$ESBUILD" $NATIVE/test/native-thumbnail.test.ts --bundle --format=iife --target=es2022 --log-level=warning --outfile=$OUT/native-thumbnail.test.js; then
  fail "native-thumbnail.test.ts does not bundle"
else
  script=$OUT/native-thumbnail.test.js
  { printf '%d:e' $(($(wc -c <"$script") + 1)); cat "$script"; printf ','; } >$OUT/native-thumbnail.netstring
  $worker 3<$OUT/native-thumbnail.netstring 4>$OUT/native-thumbnail.reply >$OUT/native-thumbnail.out 2>&1
  code=$?
  cat $OUT/native-thumbnail.out
  reply=$(head -c 40 $OUT/native-thumbnail.reply | sed 's/^[0-9]*://' | head -c 1)
  if [ $code -ne 0 ] || [ "$reply" != "." ]; then
    fail "the XS thumbnail script failed (worker exit $code, reply '$(head -c 200 $OUT/native-thumbnail.reply)')"
  elif grep -q '^FAIL' $OUT/native-thumbnail.out || ! grep -q '^PASS' $OUT/native-thumbnail.out; then
    fail "the XS thumbnail script reported failures"
  fi
fi

echo
if [ $failed -ne 0 ]; then
  echo "thumbnail decoder: $failed step(s) FAILED"
  exit 1
fi
echo "thumbnail decoder: all passed"
