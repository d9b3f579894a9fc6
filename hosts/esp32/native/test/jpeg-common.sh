# SPDX-License-Identifier: MIT
# Sourced by thumb.sh and redact.sh (run from the repository root, with SCRIPT set to the caller's name): the
# compiler settings, where the CDnet highway frames are, and the step and fail helpers both test scripts use.
NATIVE=hosts/esp32/native
CC=${CC:-gcc}
# CDnet highway frames: all 1,700 from DOORBELL_CDNET_HIGHWAY (the sequence folder) or ../shared/data beside the
# repository when present, else the 50 committed ones (test/fixtures/cdnet-highway/README.md).
if [ -n "${DOORBELL_CDNET_HIGHWAY:-}" ]; then
  HIGHWAY=$DOORBELL_CDNET_HIGHWAY/input
elif [ -d ../shared/data/cdnet-highway/input ]; then
  HIGHWAY=../shared/data/cdnet-highway/input
else
  HIGHWAY=test/fixtures/cdnet-highway/input
  echo "$SCRIPT: the full CDnet highway sequence is absent (set DOORBELL_CDNET_HIGHWAY); using the 50 committed frames"
fi
XSNAP=node_modules/@agoric/xsnap
ESBUILD=node_modules/.bin/esbuild
STRICT="-std=c11 -O2 -g -Wall -Wextra -Werror -I$NATIVE"
SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
failed=0

step() { printf '\n== %s\n' "$*"; }
fail() {
  echo "FAIL $*"
  failed=$((failed + 1))
}
