#!/usr/bin/env bash
# The Debian packages the tests need, in one list: `npm test` runs this first (as its pretest step) and
# .ci/run runs it too. Missing packages are installed with apt-get when running as root (or with
# password-less sudo); otherwise it names the exact command and stops.
#   gcc g++ make libc6-dev   build the XS engine at npm install and the native C tests
#   libmbedtls-dev           the native crypto module's tests (mbedtls, as in ESP-IDF)
#   mosquitto                the real broker the delivery, security and load tests start on loopback
#   chromium                 the browser the simulator's page test drives
#   libjpeg-turbo-progs      djpeg and cjpeg: the reference the JPEG thumbnail tests compare with
#   libturbojpeg0-dev        libjpeg-turbo in-process, the motion bench's reference
#   ffmpeg                   the simulator's video and webcam camera source, which its camera test plays
set -euo pipefail
PACKAGES=(ca-certificates gcc g++ make libc6-dev libmbedtls-dev mosquitto chromium libjpeg-turbo-progs libturbojpeg0-dev ffmpeg)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then SUDO=""
elif sudo -n true 2>/dev/null; then SUDO="sudo -n"
else
  echo "system-deps: the tests need these Debian packages: ${missing[*]}" >&2
  echo "system-deps: install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
