#!/bin/busybox sh
# /init of the devmap initramfs: mount the pseudo filesystems, find the NVMe function
# and its namespace, find the virtio-serial ports wired to the host, run the agent.
# Kernel command line: devmap.mode=agent|selftest|shell  devmap.args="..." (extra agent args)
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
exec </dev/console >/dev/console 2>&1

say() { echo "devmap-init: $*"; }
mode=agent
extra=
for w in $(cat /proc/cmdline); do
	case "$w" in
	devmap.mode=*) mode=${w#devmap.mode=} ;;
	devmap.barpages=*) extra="$extra --bar-pages ${w#devmap.barpages=}" ;;
	esac
done

# the NVMe function: PCI class 0x010802
bdf=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/class" 2>/dev/null)" = 0x010802 ] && { bdf=${d##*/}; break; }
done
ns=
i=0
while [ -n "$bdf" ] && [ $i -lt 100 ]; do
	for b in /sys/block/nvme*n*; do
		[ -e "$b" ] || continue
		case "$(readlink -f "$b")" in */$bdf/*) ns=/dev/${b##*/} ;; esac
	done
	[ -n "$ns" ] && [ -b "$ns" ] && break
	i=$((i + 1)); sleep 0.05
done
say "nvme function ${bdf:-none}, namespace ${ns:-none}"

port_named() {
	for p in /sys/class/virtio-ports/*; do
		[ "$(cat "$p/name" 2>/dev/null)" = "$1" ] && { echo "/dev/${p##*/}"; return; }
	done
}
io=; log=
i=0
while [ $i -lt 100 ]; do
	io=$(port_named devmap.agent); log=$(port_named devmap.log)
	[ -n "$io" ] && [ -c "$io" ] && break
	i=$((i + 1)); sleep 0.05
done
[ -n "$log" ] && [ -c "$log" ] || log=/dev/console
say "agent channel ${io:-none}, agent log $log, mode $mode"

args="--allow-unplug"
[ -n "$bdf" ] && args="$args --pci $bdf"
[ -n "$ns" ] && args="$args --nvme $ns"
args="$args $extra"

# a virtio port can be open only once: one read-write descriptor serves stdin and stdout
if [ -n "$io" ]; then exec 3<>"$io"; else exec 3<>/dev/console; fi
case "$mode" in
selftest) /bin/devmap-agent --selftest $args <&3 >&3 2>"$log" ;;
shell) setsid sh -c 'exec sh </dev/ttyS0 >/dev/ttyS0 2>&1' ;;
*) /bin/devmap-agent $args <&3 >&3 2>"$log" ;;
esac
say "agent exited with status $?"
sync
poweroff -f
