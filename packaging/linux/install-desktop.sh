#!/bin/sh
# Install wan-desktop's desktop entry, AppStream metainfo and icons for the current user
# (`make install-desktop`). Exec points at, in order:
#   $WAN_DESKTOP_EXEC, the bundle dist/wan-desktop/wan-desktop (`make package`),
#   the virtual environment's .venv/bin/wan-desktop (`make venv`), wan-desktop on PATH.
# Honours XDG_DATA_HOME (default ~/.local/share). Uninstall: the same with --uninstall.
set -eu
ID=io.github.wan_desktop.WanDesktop
ICON=wan-desktop
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
APPS=$DATA/applications
META=$DATA/metainfo
ICONS=$DATA/icons/hicolor

refresh() {
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$APPS" || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1; then
    # -t: the user's hicolor folder has no index.theme of its own
    gtk-update-icon-cache -q -t -f "$ICONS" || true
  fi
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$APPS/$ID.desktop" "$META/$ID.metainfo.xml" "$ICONS/scalable/apps/$ICON.svg"
  for png in "$ROOT"/resources/icons/hicolor/*/apps/$ICON.png; do
    size=$(basename "$(dirname "$(dirname "$png")")")
    rm -f "$ICONS/$size/apps/$ICON.png"
  done
  refresh
  echo "Removed wan-desktop's desktop entry, metainfo and icons from $DATA"
  exit 0
fi

if [ -n "${WAN_DESKTOP_EXEC:-}" ]; then
  EXEC=$WAN_DESKTOP_EXEC
elif [ -x "$ROOT/dist/wan-desktop/wan-desktop" ]; then
  EXEC=$ROOT/dist/wan-desktop/wan-desktop
elif [ -x "$ROOT/.venv/bin/wan-desktop" ]; then
  EXEC=$ROOT/.venv/bin/wan-desktop
elif command -v wan-desktop >/dev/null 2>&1; then
  EXEC=$(command -v wan-desktop)
else
  echo "No wan-desktop to point at: run 'make venv' or 'make package' first." >&2
  exit 1
fi
case "$EXEC" in
  /*) ;;
  *) EXEC=$(cd "$(dirname "$EXEC")" && pwd)/$(basename "$EXEC") ;;
esac

# Desktop-entry quoting: a path with a space (or a quote, backslash, dollar, backtick) is
# written inside double quotes with those characters escaped.
case "$EXEC" in
  *[[:space:]\"\\\$\`]*)
    QUOTED=\"$(printf '%s' "$EXEC" | sed 's/[\\"$`]/\\\\&/g')\" ;;
  *) QUOTED=$EXEC ;;
esac

mkdir -p "$APPS" "$META" "$ICONS/scalable/apps"
tmp=$APPS/.$ID.desktop.tmp
# sed's replacement needs & \ | escaped; the literal path goes in unchanged otherwise.
sed_exec=$(printf '%s' "$QUOTED" | sed 's/[&|\\]/\\&/g')
sed -e "s|^Exec=wan-desktop |Exec=$sed_exec |" -e "s|^TryExec=wan-desktop\$|TryExec=$(printf '%s' "$EXEC" | sed 's/[&|\\]/\\&/g')|" \
  "$ROOT/resources/linux/$ID.desktop" >"$tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$APPS/$ID.desktop"
install -m 644 "$ROOT/resources/linux/$ID.metainfo.xml" "$META/$ID.metainfo.xml"
install -m 644 "$ROOT/resources/icons/$ICON.svg" "$ICONS/scalable/apps/$ICON.svg"
for png in "$ROOT"/resources/icons/hicolor/*/apps/$ICON.png; do
  size=$(basename "$(dirname "$(dirname "$png")")")
  mkdir -p "$ICONS/$size/apps"
  install -m 644 "$png" "$ICONS/$size/apps/$ICON.png"
done
refresh
echo "Installed $ID for $(id -un) in $DATA (Exec=$QUOTED)"
