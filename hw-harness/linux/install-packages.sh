#!/bin/bash
# Installs the Debian packages the linux-qemu device needs (dmap conform --device linux-qemu
# only checks for them and names the missing ones). Idempotent: installs nothing when all are
# there. Needs root, or sudo.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/packages.sh"
missing_packages
if [ ${#MISSING[@]} -eq 0 ]; then
	echo "install-packages: all present ($DEVMAP_PACKAGES)"
	exit 0
fi
sudo=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "install-packages: need root (or sudo) to install: ${MISSING[*]}" >&2; exit 2; }
	sudo=sudo
fi
echo "install-packages: installing ${MISSING[*]}"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${MISSING[@]}"
