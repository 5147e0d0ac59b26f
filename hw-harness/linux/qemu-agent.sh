#!/bin/bash
# Boot the devmap kernel in QEMU (q35, TCG, emulated NVMe with a 64 MiB CMB) and connect
# this script's stdin/stdout to devmap-agent inside the guest, so that the harness can use
#     --device agent:hw-harness/linux/qemu-agent.sh
# like any other agent.  Builds what is missing first (kernel from cache, agent, initramfs).
#
# Channels: stdin/stdout <-> virtio-serial port "devmap.agent" (the agent's protocol lines);
#           stderr       <-  virtio-serial port "devmap.log"   (the agent's "# ..." log);
#           kernel console (ttyS0) -> a log file whose path is printed to stderr.
# Exits with QEMU, i.e. when the agent exits and the guest powers off.
#
# usage: qemu-agent.sh [--selftest | --shell] [--bar-pages N] [--fs dax|xfs] [--plant BUG]
#   --fs xfs: a second NVMe namespace with an xfs image (page cache); --fs dax: an NVDIMM in
#   fsdax mode with xfs mounted -o dax=always.  Images are made once on the host (mkfs.xfs)
#   and cached beside the kernel (key: xfsprogs version + image recipe); each boot uses them
#   copy-on-write (snapshot=on / a private NVDIMM mapping), so the cache stays pristine.
#   --plant stale-dev-read: the agent answers device reads through a grant with the value the
#   page had when granted (a bug planted on purpose: the harness must still fail the run).
# env:   DEVMAP_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/devmap), DEVMAP_QEMU_MEM (1G)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE="${DEVMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/devmap}"
mode=agent
append_extra=
fs=
while [ $# -gt 0 ]; do
	case "$1" in
	--selftest) mode=selftest ;;
	--shell) mode=shell ;;
	--bar-pages) append_extra="$append_extra devmap.barpages=$2"; shift ;;
	--fs)
		case "${2:-}" in dax|xfs) fs=$2 ;; *) echo "qemu-agent: --fs needs dax or xfs" >&2; exit 2 ;; esac
		append_extra="$append_extra devmap.fs=$2"; shift ;;
	--plant) append_extra="$append_extra devmap.plant=$2"; shift ;;	# a bug planted in the agent
	-h|--help) sed -n '2,19p' "$0" >&2; exit 0 ;;
	*) echo "qemu-agent: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
command -v qemu-system-x86_64 >/dev/null || {
	echo "qemu-agent: qemu-system-x86_64 missing (apt-get install qemu-system-x86)" >&2; exit 2; }

# ---- build what is missing (all output to stderr) ----
KERNEL=$(DEVMAP_KERNEL_CACHE="${DEVMAP_KERNEL_CACHE:-$CACHE/kernel}" "$HERE/build-kernel.sh")
# the initramfs is keyed by the content of what goes into it (the agent's sources, the
# kselftest headers copied from the kernel tree, init.sh): worktrees with different agents
# sharing one cache each boot their own
make -s -C "$HERE/agent" >&2
INITRD="$CACHE/initramfs-$(cat "$HERE"/agent/*.c "$HERE"/agent/*.h "$HERE"/agent/Makefile \
	"$HERE"/agent/kselftest/*.h "$HERE/init.sh" "$HERE/mkinitramfs.sh" 2>/dev/null | sha256sum | cut -c1-16).cpio.gz"
if [ ! -s "$INITRD" ]; then
	"$HERE/mkinitramfs.sh" "$INITRD" >/dev/null
fi

# ---- filesystem images, made on the host and cached (key: xfsprogs version + recipe) ----
IMG_RECIPE=1
XFS_MB=352     # mkfs.xfs wants >= 300 MB; fits the 384 MB NVDIMM's fsdax data area
PMEM_MB=384
fs_image() {   # prints the path of the cached xfs image
	local ver key img
	command -v mkfs.xfs >/dev/null || { echo "qemu-agent: mkfs.xfs missing (apt-get install xfsprogs)" >&2; exit 2; }
	ver=$(dpkg-query -W -f='${Version}' xfsprogs 2>/dev/null || mkfs.xfs -V | tr -dc '0-9.')
	key="${ver//[^A-Za-z0-9.+_-]/_}-r$IMG_RECIPE"
	img="$CACHE/images/xfs-$key.img"
	if [ ! -s "$img" ]; then
		mkdir -p "$CACHE/images"
		rm -f "$img.tmp"
		truncate -s "${XFS_MB}M" "$img.tmp"
		mkfs.xfs -q -f -m reflink=1,crc=1 "$img.tmp" >&2
		mv "$img.tmp" "$img"
		echo "# qemu-agent: made $img (mkfs.xfs -m reflink=1, ${XFS_MB} MB)" >&2
	fi
	echo "$img"
}
pmem_image() {   # prints the path of the cached NVDIMM backing file (fsdax + xfs inside)
	local xfs pm log t0
	xfs=$(fs_image)
	pm="$CACHE/images/pmem-$(basename "$xfs")"
	[ -s "$pm" ] && { echo "$pm"; return; }
	echo "# qemu-agent: preparing $pm (one boot: fsdax through sysfs, the xfs image copied in)" >&2
	rm -f "$pm.tmp"
	truncate -s "${PMEM_MB}M" "$pm.tmp"
	log=$(mktemp -t devmap-prepdax.XXXXXX)
	truncate -s 1M "$log.ns1"
	t0=$SECONDS
	qemu-system-x86_64 -M q35,nvdimm=on -accel tcg -cpu max -m 1G,slots=2,maxmem=2G -smp 2 \
		-nographic -monitor none -serial "file:$log" -no-reboot -nic none \
		-kernel "$KERNEL" -initrd "$INITRD" -append "console=ttyS0 panic=-1 devmap.mode=prepdax" \
		-object memory-backend-file,id=pm0,share=on,mem-path="$pm.tmp",size="${PMEM_MB}M" \
		-device nvdimm,id=nvd0,memdev=pm0 \
		-drive file="$xfs",if=none,id=nv1,format=raw,snapshot=on -drive file="$log.ns1",if=none,id=nv0,format=raw \
		-device nvme,id=nvme0,serial=devmap0 -device nvme-ns,drive=nv0,bus=nvme0,nsid=1 \
		-device nvme-ns,drive=nv1,bus=nvme0,nsid=2 </dev/null >&2 || true
	if grep -q PREPDAX-OK "$log"; then
		mv "$pm.tmp" "$pm"
		echo "# qemu-agent: $pm ready in $((SECONDS - t0)) s" >&2
		rm -f "$log" "$log.ns1"
	else
		echo "qemu-agent: preparing the fsdax NVDIMM failed; boot log $log" >&2
		rm -f "$pm.tmp"
		exit 1
	fi
	echo "$pm"
}

# ---- per-run scratch: NVMe backing image and logs ----
RUN=$(mktemp -d -t devmap-qemu.XXXXXX)
LOG="$RUN/console.log"
truncate -s 64M "$RUN/nvme.img"
echo "# qemu-agent: kernel $KERNEL" >&2
echo "# qemu-agent: boot log $LOG" >&2
cleanup() { rm -f "$RUN/nvme.img" "$RUN/agent-log.fifo" "$RUN/feeder.pid"; }
trap cleanup EXIT

if [ "$mode" = shell ]; then
	serial="-serial mon:stdio"
	agentio="-chardev null,id=agentio"
else
	serial="-serial file:$LOG"
	agentio="-chardev stdio,id=agentio,signal=off"
fi
# QEMU's stdio chardev reports EOF on stdin to the guest as "host disconnected", after
# which the guest's writes to the port block: the agent's last answers would be lost.  So
# QEMU reads a pipe that stays open until QEMU exits; our stdin's EOF is passed on as one
# {"op":"eof"} line, which the agent treats as EOF.
feeder() {
	local line
	echo "$BASHPID" > "$RUN/feeder.pid"
	while IFS= read -r line || [ -n "$line" ]; do printf '%s\n' "$line"; done
	printf '{"op":"eof"}\n'
	exec sleep 86400
}
# the agent's log goes to our stderr through a FIFO and a cat that shares our fd 2
mkfifo "$RUN/agent-log.fifo"
cat "$RUN/agent-log.fifo" >&2 &
log_cat=$!
machine=q35
mem="${DEVMAP_QEMU_MEM:-1G}"
nvme=(-drive file="$RUN/nvme.img",if=none,id=nv0,format=raw
	-device nvme,id=nvme0,serial=devmap0,cmb_size_mb=64 -device nvme-ns,drive=nv0,bus=nvme0,nsid=1)
case "$fs" in
xfs) nvme+=(-drive file="$(fs_image)",if=none,id=nv1,format=raw,snapshot=on -device nvme-ns,drive=nv1,bus=nvme0,nsid=2) ;;
dax)
	PMEM=$(pmem_image)
	machine=q35,nvdimm=on
	mem="$mem,slots=2,maxmem=4G"
	nvme+=(-object memory-backend-file,id=pm0,share=off,mem-path="$PMEM",size="${PMEM_MB}M"
		-device nvdimm,id=nvd0,memdev=pm0) ;;
esac
args=(
	-M "$machine" -accel tcg -cpu max -m "$mem" -smp 2
	-nographic -monitor none $serial
	-kernel "$KERNEL" -initrd "$INITRD"
	-append "console=ttyS0 panic=-1 devmap.mode=$mode$append_extra"
	-no-reboot -nic none
	"${nvme[@]}"
	-device virtio-serial-pci,id=vser0
	$agentio
	-device virtserialport,bus=vser0.0,chardev=agentio,name=devmap.agent
	-chardev file,id=agentlog,path="$RUN/agent-log.fifo"
	-device virtserialport,bus=vser0.0,chardev=agentlog,name=devmap.log
)
set +e
if [ "$mode" = shell ]; then
	qemu-system-x86_64 "${args[@]}"
	rc=$?
else
	exec {feed}< <(feeder)
	qemu-system-x86_64 "${args[@]}" <&"$feed"
	rc=$?
	exec {feed}<&-
	# the feeder is our own child (its pid recorded by itself); it may be blocked in read
	[ -s "$RUN/feeder.pid" ] && kill "$(cat "$RUN/feeder.pid")" 2>/dev/null
fi
wait "$log_cat" 2>/dev/null
set -e
echo "# qemu-agent: qemu exited with status $rc; boot log $LOG" >&2
exit $rc
