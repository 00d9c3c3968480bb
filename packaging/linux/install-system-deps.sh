#!/bin/sh
# The Debian/Ubuntu libraries Qt needs for offscreen widgets and QtMultimedia
# (PLATFORM_NOTES.md): installed when running as root and missing, else the command is printed.
set -eu
PKGS="libglib2.0-0 libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libxkbcommon0 libpulse0 libxrandr2"
# With a display, the xcb platform plugin needs these too.
if [ -n "${DISPLAY:-}" ]; then
  PKGS="$PKGS libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxcb-util1 libxcb-xkb1 libxkbcommon-x11-0"
fi
command -v dpkg-query >/dev/null 2>&1 || { echo "Not a Debian-like system: install the Qt 6 runtime libraries ($PKGS) with your package manager."; exit 0; }
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ]; then
  echo "Installing system libraries Qt needs:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "Qt needs system libraries that are missing. Run:"
  echo "  sudo apt-get install --no-install-recommends$missing"
  exit 1
fi
