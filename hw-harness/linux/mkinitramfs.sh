#!/bin/bash
# Build the devmap initramfs: static busybox + the static agent + init.sh as /init.
# usage: mkinitramfs.sh [OUTPUT]   (default: ${DEVMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/devmap}/initramfs.cpio.gz)
# Prints the output path on stdout.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE="${DEVMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/devmap}"
OUT="${1:-$CACHE/initramfs.cpio.gz}"
BUSYBOX="${BUSYBOX:-/bin/busybox}"

for t in cpio gzip; do
	command -v "$t" >/dev/null || { echo "mkinitramfs: $t missing (apt-get install cpio gzip)" >&2; exit 2; }
done
if [ ! -x "$BUSYBOX" ] || ! file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked'; then
	if [ -x "$BUSYBOX" ] && ldd "$BUSYBOX" 2>&1 | grep -q 'not a dynamic'; then :; else
		echo "mkinitramfs: need a static busybox at $BUSYBOX (apt-get install busybox-static)" >&2
		exit 2
	fi
fi
make -s -C "$HERE/agent" >&2
mkdir -p "$(dirname "$OUT")"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,tmp}
cp "$BUSYBOX" "$stage/bin/busybox"
cp "$HERE/agent/devmap-agent" "$stage/bin/devmap-agent"
cp "$HERE/init.sh" "$stage/init"
chmod 755 "$stage/init" "$stage/bin/busybox" "$stage/bin/devmap-agent"
(cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner 0:0 --quiet) | gzip -9 > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "# mkinitramfs: $OUT ($(stat -c %s "$OUT") bytes)" >&2
echo "$OUT"
