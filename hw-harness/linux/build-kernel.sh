#!/bin/bash
# Build (or reuse from cache) a small x86_64 kernel for the devmap real-kernel harness.
# tinyconfig + CONFIG_64BIT + kernel-config-fragment (beside this script), from the Debian
# package linux-source-6.12, with the patches in patches/ (fixes of the HMM test driver, which
# stands in for the importer's driver; the kernel's own mechanisms are not patched). Installs
# nothing: missing packages are listed with the apt-get command and the script exits 2.
# Prints the path of the bzImage on stdout; everything else goes to stderr.
# Env: DEVMAP_KERNEL_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/devmap/kernel),
#      DEVMAP_JOBS (default 2), DEVMAP_PROGRESS_EVERY (default 100 compiled files).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
FRAGMENT="$HERE/kernel-config-fragment"
CACHE="${DEVMAP_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/devmap/kernel}"
JOBS="${DEVMAP_JOBS:-2}"
EVERY="${DEVMAP_PROGRESS_EVERY:-100}"
TOTAL=1812   # files a clean build of this recipe compiles and links (measured), for the progress lines
SRC_PKG=linux-source-6.12
TARBALL=/usr/src/linux-source-6.12.tar.xz
RECIPE=1   # bump when the config recipe below changes

log() { echo "# build-kernel: $*" >&2; }

# ---- packages -------------------------------------------------------------------------
. "$HERE/packages.sh"
missing_packages
if [ ${#MISSING[@]} -gt 0 ]; then
	echo "build-kernel: missing Debian packages: ${MISSING[*]}" >&2
	echo "install them with: hw-harness/linux/install-packages.sh (or apt-get update && apt-get install -y ${MISSING[*]})" >&2
	exit 2
fi
[ -r "$TARBALL" ] || { echo "build-kernel: $TARBALL not readable" >&2; exit 2; }

# ---- cache key: (source package version, config recipe and patches hash) ---------------
shopt -s nullglob
PATCHES=("$HERE"/patches/*.patch)
shopt -u nullglob
PKGVER=$(dpkg-query -W -f='${Version}' "$SRC_PKG")
CFGHASH=$( { echo "recipe=$RECIPE"; cat "$FRAGMENT"; for p in "${PATCHES[@]}"; do cat "$p"; done; } | sha256sum | cut -c1-16)
KEY="${PKGVER//[^A-Za-z0-9.+_-]/_}-$CFGHASH"
OUT="$CACHE/bzImage-$KEY"
if [ -s "$OUT" ]; then
	log "cached kernel for $SRC_PKG $PKGVER config $CFGHASH"
	echo "$OUT"
	exit 0
fi

mkdir -p "$CACHE"
SRCDIR="$CACHE/src-${PKGVER//[^A-Za-z0-9.+_-]/_}"
TREE="$SRCDIR/linux-source-6.12"
if [ ! -f "$SRCDIR/.unpacked" ]; then
	log "unpacking $TARBALL into $SRCDIR"
	rm -rf "$SRCDIR"
	mkdir -p "$SRCDIR"
	tar -xJf "$TARBALL" -C "$SRCDIR"
	touch "$SRCDIR/.unpacked"
fi
[ -d "$TREE" ] || { echo "build-kernel: $TREE missing after unpack" >&2; exit 1; }

# ---- patches: the tree is shared by every cache key, so it is brought to exactly this set --------
# Each applied patch is kept in $SRCDIR/applied/<sha>.patch: one the current set lacks is reversed
# (e.g. after building an older checkout), one it adds is applied.
APPLIED="$SRCDIR/applied"
mkdir -p "$APPLIED"
declare -A WANT=()
for p in "${PATCHES[@]}"; do WANT[$(sha256sum < "$p" | cut -c1-16)]=$p; done
for a in "$APPLIED"/*.patch; do
	[ -e "$a" ] || continue
	h=$(basename "$a" .patch)
	[ -n "${WANT[$h]:-}" ] && continue
	patch -d "$TREE" -p1 -R -s < "$a" >&2 || { echo "build-kernel: cannot reverse $a in $TREE" >&2; exit 1; }
	rm -f "$a"
	log "patch reversed (not in this checkout): $h"
done
for h in "${!WANT[@]}"; do
	p=${WANT[$h]}
	[ -e "$APPLIED/$h.patch" ] && continue
	if patch -d "$TREE" -p1 -R -s -f --dry-run < "$p" >/dev/null 2>&1; then
		log "patch found applied, recorded: $(basename "$p")"	# a tree patched before the record
	else
		patch -d "$TREE" -p1 -N -s < "$p" >&2 || { echo "build-kernel: patch does not apply: $p" >&2; exit 1; }
		log "patch applied: $(basename "$p")"
	fi
	cp "$p" "$APPLIED/$h.patch"
done

# ---- configure -------------------------------------------------------------------------
cd "$TREE"
log "configuring: tinyconfig + fragment"
make -s tinyconfig >/dev/null
for round in 1 2 3; do
	scripts/kconfig/merge_config.sh -m .config "$FRAGMENT" >/dev/null
	make -s olddefconfig >/dev/null
done
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		if ! grep -qx "$line" .config; then
			echo "build-kernel: option did not stick: $line (have: $(grep "^${line%%=*}=" .config || echo 'not set'))" >&2
			bad=1
		fi ;;
	esac
done < "$FRAGMENT"
[ "$bad" = 0 ] || exit 1
log "all fragment options set"

# ---- build -----------------------------------------------------------------------------
BLOG="$CACHE/build-$KEY.log"
log "make -j$JOBS bzImage (full log: $BLOG); a progress line every $EVERY files"
start=$(date +%s)
set +e
make -j"$JOBS" bzImage 2>&1 | tee "$BLOG" | awk -v every="$EVERY" -v t0="$start" -v total="$TOTAL" '
	/^  (CC|AS|LD|AR)/ { n++; if (n % every == 0) { printf("# build-kernel: %d of about %d files (%d%%), %ds\n", n, total, 100 * n / total, systime() - t0) > "/dev/stderr"; fflush("/dev/stderr") } }
	/ error: |\*\*\* / { print > "/dev/stderr" }
	END { printf("# build-kernel: %d files compiled/linked\n", n) > "/dev/stderr" }'
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" != 0 ]; then
	echo "build-kernel: make failed (rc=$rc), see $BLOG" >&2
	exit 1
fi
cp arch/x86/boot/bzImage "$OUT.tmp"
cp .config "$OUT.config"
mv "$OUT.tmp" "$OUT"
log "built in $(( $(date +%s) - start ))s: $OUT ($(stat -c %s "$OUT") bytes)"
echo "$OUT"
