# Sourced by build-kernel.sh and install-packages.sh: the Debian packages the real-kernel
# harness needs, and which of them are missing (dpkg's view; nothing is installed here).
DEVMAP_PACKAGES="qemu-system-x86 linux-source-6.12 build-essential patch bc bison flex libelf-dev libssl-dev cpio busybox-static xz-utils xfsprogs e2fsprogs libjansson-dev"

# Sets the array MISSING to the packages of DEVMAP_PACKAGES that are not installed.
missing_packages() {
	MISSING=()
	local p st
	for p in $DEVMAP_PACKAGES; do
		st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$st" = installed ] || MISSING+=("$p")
	done
}
