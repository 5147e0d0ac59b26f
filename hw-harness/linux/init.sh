#!/bin/busybox sh
# /init of the devmap initramfs: mount the pseudo filesystems, find the NVMe function
# and its namespace, find the virtio-serial ports wired to the host, run the agent.
# Kernel command line: devmap.mode=agent|selftest|shell|prepdax  devmap.fs=dax|xfs
#   devmap.fs=xfs: the second NVMe namespace holds an xfs image (made on the host): mounted at
#     /mnt/fs, the agent's files live there (page cache);
#   devmap.fs=dax: an NVDIMM; its namespace is fsdax (pfn info block on the medium) with an
#     xfs mounted -o dax=always at /mnt/fs; devmap.mode=prepdax converts a raw namespace to
#     fsdax through sysfs and copies the xfs image from NVMe namespace 2 into /dev/pmem0.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
exec </dev/console >/dev/console 2>&1

say() { echo "devmap-init: $*"; }
mode=agent
extra=
fs=
for w in $(cat /proc/cmdline); do
	case "$w" in
	devmap.mode=*) mode=${w#devmap.mode=} ;;
	devmap.barpages=*) extra="$extra --bar-pages ${w#devmap.barpages=}" ;;
	devmap.fs=*) fs=${w#devmap.fs=} ;;
	devmap.plant=*) extra="$extra --plant ${w#devmap.plant=}" ;;
	esac
done

# the NVMe function: PCI class 0x010802
bdf=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/class" 2>/dev/null)" = 0x010802 ] && { bdf=${d##*/}; break; }
done
# a namespace by its NSID, not by its name: the kernel scans namespaces asynchronously, so
# nvme0n1 can be NSID 2 (seen: the agent took the xfs namespace as its scratch and the
# filesystem was not mounted)
ns_of() {
	for b in /sys/block/nvme*n*; do
		[ -e "$b" ] || continue
		case "$(readlink -f "$b")" in */$bdf/*) ;; *) continue ;; esac
		[ "$(cat "$b/nsid" 2>/dev/null)" = "$1" ] && [ -b "/dev/${b##*/}" ] && { echo "/dev/${b##*/}"; return; }
	done
}
ns=
i=0
while [ -n "$bdf" ] && [ $i -lt 100 ]; do
	ns=$(ns_of 1)
	[ -n "$ns" ] && break
	i=$((i + 1)); sleep 0.05
done
say "nvme function ${bdf:-none}, namespace ${ns:-none} (NSID 1)"

# fsdax from a raw label-less NVDIMM namespace (FS-DAX.md): nd_pfn in "ram" mode, 4 KiB align
to_fsdax() {
	nd=/sys/bus/nd
	[ -e $nd/devices/namespace0.0 ] || { say "no NVDIMM namespace0.0"; return 1; }
	echo namespace0.0 > $nd/drivers/nd_pmem/unbind 2>/dev/null
	echo 7d3a3c43-9d3b-4a5e-8e0b-0d5e3a1f6c21 > $nd/devices/pfn0.0/uuid || return 1
	echo 4096 > $nd/devices/pfn0.0/align || return 1
	echo ram > $nd/devices/pfn0.0/mode || return 1
	echo namespace0.0 > $nd/devices/pfn0.0/namespace || return 1
	echo pfn0.0 > $nd/drivers/nd_pmem/bind || return 1
	i=0
	while [ ! -b /dev/pmem0 ] && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.05; done
	[ -b /dev/pmem0 ]
}
if [ "$mode" = prepdax ]; then
	i=0; src=
	while [ -z "$src" ] && [ $i -lt 200 ]; do src=$(ns_of 2); [ -n "$src" ] || { i=$((i + 1)); sleep 0.05; }; done
	t0=$(cut -d' ' -f1 /proc/uptime)
	if to_fsdax && dd if="$src" of=/dev/pmem0 bs=1M 2>/dev/null && sync; then
		say "prepdax: fsdax namespace written from $src ($t0 s -> $(cut -d' ' -f1 /proc/uptime) s of uptime)"
		echo PREPDAX-OK > /dev/console
	else
		say "prepdax: failed"
	fi
	poweroff -f
fi
fsargs=
if [ -n "$fs" ]; then
	mkdir -p /mnt/fs
	case "$fs" in
	dax)
		i=0
		while [ ! -b /dev/pmem0 ] && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.05; done
		if mount -t xfs -o dax=always /dev/pmem0 /mnt/fs; then fsargs="--fs dax --dir /mnt/fs"
		else say "mount -o dax=always /dev/pmem0 failed"; fi ;;
	xfs)
		i=0	# under load the second namespace can appear after the first (seen: mount failed)
		fsdev=
		while [ -z "$fsdev" ] && [ $i -lt 200 ]; do fsdev=$(ns_of 2); [ -n "$fsdev" ] || { i=$((i + 1)); sleep 0.05; }; done
		if [ -n "$fsdev" ] && mount -t xfs "$fsdev" /mnt/fs; then fsargs="--fs pagecache --dir /mnt/fs"
		else say "mount of NSID 2 (${fsdev:-not found}) failed"; fi ;;
	esac
	# asked for a filesystem: the agent gets --fs even when the mount failed, and refuses a
	# --dir that is not on xfs (one error line) instead of serving memfds under the fs's name
	[ -n "$fsargs" ] || case "$fs" in dax) fsargs="--fs dax --dir /mnt/fs" ;; *) fsargs="--fs pagecache --dir /mnt/fs" ;; esac
	say "filesystem: $(grep /mnt/fs /proc/mounts)"
fi

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
args="$args $extra $fsargs"

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
