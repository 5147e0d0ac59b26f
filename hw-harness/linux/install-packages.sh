#!/bin/bash
# Installs the Debian packages the linux-qemu device needs (dmap conform --device linux-qemu
# only checks for them and names the missing ones). Idempotent: installs nothing when all are
# there. Needs root, or sudo.
set -euo pipefail
PKGS="qemu-system-x86 linux-source-6.12 build-essential bc bison flex libelf-dev libssl-dev cpio busybox-static xz-utils"
missing=()
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-packages: all present ($PKGS)"
	exit 0
fi
sudo=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "install-packages: need root (or sudo) to install: ${missing[*]}" >&2; exit 2; }
	sudo=sudo
fi
echo "install-packages: installing ${missing[*]}"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
