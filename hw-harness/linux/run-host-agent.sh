#!/bin/bash
# Run devmap-agent directly on a host with real hardware, for
#     --device "agent:hw-harness/linux/run-host-agent.sh --pci BDF --nvme /dev/nvmeXnY"
# usage: run-host-agent.sh --pci BDF [--nvme /dev/nvmeXnY] [--bar-pages N] [--allow-unplug]
#                          [--hmm /dev/hmm_dmirrorN] [--selftest]
# The agent touches only the named function and namespace, refuses a namespace with a
# mounted filesystem (exit 2), and saves/restores the scratch range it writes (the last
# 256 KiB of the namespace). --allow-unplug REMOVES the PCI function (echo 1 > remove):
# bring it back with `echo 1 > /sys/bus/pci/rescan`. Needs root (sysfs p2pmem, test_hmm).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
case " $* " in
*" --pci "*) ;;
*) echo "run-host-agent: --pci BDF is required (the NVMe function with a CMB)" >&2; exit 2 ;;
esac
make -s -C "$HERE/agent" >&2
exec "$HERE/agent/devmap-agent" "$@"
