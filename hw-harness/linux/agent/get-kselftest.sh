#!/bin/bash
# Copies kselftest_harness.h and kselftest.h (tools/testing/selftests/) into kselftest/ from the
# kernel source tree the guest kernel is built from: the tree build-kernel.sh unpacked in the
# kernel cache, else the same files straight from the Debian linux-source tarball (a host
# build with no kernel built yet).  GPL-2.0 headers, used as the kernel's selftests use them.
# Env: DEVMAP_KERNEL_CACHE (as build-kernel.sh), KSFT_DIR (a selftests directory to use instead).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT="$HERE/kselftest"
CACHE="${DEVMAP_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/devmap/kernel}"
SRC_PKG=linux-source-6.12
TARBALL=/usr/src/linux-source-6.12.tar.xz
REL=tools/testing/selftests
FILES=(kselftest_harness.h kselftest.h)
mkdir -p "$OUT"
dir=${KSFT_DIR:-}
if [ -z "$dir" ]; then
	ver=$(dpkg-query -W -f='${Version}' "$SRC_PKG" 2>/dev/null || true)
	tree="$CACHE/src-${ver//[^A-Za-z0-9.+_-]/_}/linux-source-6.12"
	[ -n "$ver" ] && [ -f "$tree/$REL/kselftest_harness.h" ] && dir="$tree/$REL"
fi
if [ -n "$dir" ]; then
	for f in "${FILES[@]}"; do cp "$dir/$f" "$OUT/$f.tmp" && mv "$OUT/$f.tmp" "$OUT/$f"; done
	echo "# get-kselftest: ${FILES[*]} from $dir" >&2
	exit 0
fi
if [ ! -r "$TARBALL" ]; then
	echo "get-kselftest: no kernel tree in $CACHE and no $TARBALL: apt-get install $SRC_PKG" \
		"(or set KSFT_DIR to a tools/testing/selftests directory)" >&2
	exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xJf "$TARBALL" -C "$tmp" "${FILES[@]/#/linux-source-6.12/$REL/}"
for f in "${FILES[@]}"; do mv "$tmp/linux-source-6.12/$REL/$f" "$OUT/$f"; done
echo "# get-kselftest: ${FILES[*]} from $TARBALL ($SRC_PKG $(dpkg-query -W -f='${Version}' "$SRC_PKG"))" >&2
