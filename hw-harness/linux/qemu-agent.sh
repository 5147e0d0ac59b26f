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
# usage: qemu-agent.sh [--selftest | --shell] [--bar-pages N]
# env:   DEVMAP_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/devmap), DEVMAP_QEMU_MEM (1G)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE="${DEVMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/devmap}"
mode=agent
append_extra=
while [ $# -gt 0 ]; do
	case "$1" in
	--selftest) mode=selftest ;;
	--shell) mode=shell ;;
	--bar-pages) append_extra="$append_extra devmap.barpages=$2"; shift ;;
	-h|--help) sed -n '2,14p' "$0" >&2; exit 0 ;;
	*) echo "qemu-agent: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
command -v qemu-system-x86_64 >/dev/null || {
	echo "qemu-agent: qemu-system-x86_64 missing (apt-get install qemu-system-x86)" >&2; exit 2; }

# ---- build what is missing (all output to stderr) ----
KERNEL=$(DEVMAP_KERNEL_CACHE="${DEVMAP_KERNEL_CACHE:-$CACHE/kernel}" "$HERE/build-kernel.sh")
INITRD="$CACHE/initramfs.cpio.gz"
if [ ! -s "$INITRD" ] || [ "$HERE/agent/devmap-agent.c" -nt "$INITRD" ] || [ "$HERE/init.sh" -nt "$INITRD" ] \
	|| [ ! -x "$HERE/agent/devmap-agent" ]; then
	"$HERE/mkinitramfs.sh" "$INITRD" >/dev/null
fi

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
args=(
	-M q35 -accel tcg -cpu max -m "${DEVMAP_QEMU_MEM:-1G}" -smp 2
	-nographic -monitor none $serial
	-kernel "$KERNEL" -initrd "$INITRD"
	-append "console=ttyS0 panic=-1 devmap.mode=$mode$append_extra"
	-no-reboot -nic none
	-drive file="$RUN/nvme.img",if=none,id=nv0,format=raw
	-device nvme,serial=devmap0,drive=nv0,cmb_size_mb=64
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
