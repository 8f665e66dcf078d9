#!/usr/bin/env bash
# Installs the Debian packages Reelforge needs, only those missing.
#   install-system-deps.sh run   -> what `make run` needs (ffmpeg, espeak-ng, fonts)
#   install-system-deps.sh test  -> plus PostgreSQL for the test suite
set -euo pipefail
purpose="${1:-run}"

missing=()
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
command -v ffprobe >/dev/null || missing+=(ffmpeg)
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
fc-list 2>/dev/null | grep -q "NotoSans-Regular" || missing+=(fonts-noto-core)
fc-list 2>/dev/null | grep -q "NotoSansCJK" || missing+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -q "NotoColorEmoji" || missing+=(fonts-noto-color-emoji)
if [ "$purpose" = "test" ]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
echo "Installing system packages: $packages"
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null; then
  sudo="sudo"
else
  echo "Missing system packages: $packages. Install them (apt-get install $packages) and run again." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $packages >/dev/null
