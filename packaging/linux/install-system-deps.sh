#!/bin/sh
# The Debian/Ubuntu packages the app and its tests need: installed when running as root and
# missing, else the command is printed.
#
#   install-system-deps.sh               the libraries Qt needs for offscreen widgets and
#                                        QtMultimedia (PLATFORM_NOTES.md); exits 1 when they
#                                        are missing and cannot be installed
#   install-system-deps.sh --test-tools  only the tools tests/packaging runs
#                                        (desktop-file-validate, appstreamcli); optional:
#                                        exits 0 after printing the command when not root
set -eu
PKGS="libglib2.0-0 libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libxkbcommon0 libpulse0 libxrandr2"
# With a display, the xcb platform plugin needs these too.
if [ -n "${DISPLAY:-}" ]; then
  PKGS="$PKGS libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxcb-util1 libxcb-xkb1 libxkbcommon-x11-0"
fi
# tests/packaging: desktop-file-validate (desktop-file-utils), appstreamcli (appstream).
TEST_PKGS="desktop-file-utils appstream"

WHAT="Qt needs system libraries"
OPTIONAL=0
case "${1:-}" in
  --test-tools) PKGS=$TEST_PKGS; WHAT="The packaging tests need tools"; OPTIONAL=1 ;;
  "") ;;
  *) echo "usage: $0 [--test-tools]" >&2; exit 2 ;;
esac

command -v dpkg-query >/dev/null 2>&1 || { echo "Not a Debian-like system: install $PKGS (or your system's equivalents) with your package manager."; exit 0; }
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ]; then
  echo "Installing:$missing ($WHAT)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "$WHAT that are missing. Run:"
  echo "  sudo apt-get install --no-install-recommends$missing"
  [ "$OPTIONAL" = 1 ] && exit 0
  exit 1
fi
