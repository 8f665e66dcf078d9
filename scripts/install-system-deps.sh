#!/usr/bin/env bash
# Installs the Debian packages Reelforge needs, only those missing.
#   install-system-deps.sh run   -> what `make run` needs (ffmpeg, espeak-ng, fonts for the 20 languages)
#   install-system-deps.sh test  -> plus PostgreSQL, promtool (Debian's prometheus) and chromium (the studio's
#                                   browser test) for the test suite
set -euo pipefail
purpose="${1:-run}"

have_command() { command -v "$1" >/dev/null 2>&1; }
# Fonts are files, not commands: ask dpkg.
have_package() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
{ have_command ffmpeg && have_command ffprobe; } || missing+=(ffmpeg)
have_command espeak-ng || missing+=(espeak-ng)
have_command fc-list || missing+=(fontconfig)
if have_command dpkg-query; then
  for font in fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji fonts-symbola; do
    have_package "$font" || missing+=("$font")
  done
fi
if [ "$purpose" = "test" ]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  have_command promtool || missing+=(prometheus)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

packages="${missing[*]}"
echo "Installing system packages: $packages"
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif have_command sudo; then
  sudo="sudo"
else
  echo "Missing system packages: $packages. Install them (apt-get install $packages) and run again." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $packages >/dev/null
