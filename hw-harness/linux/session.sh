#!/bin/bash
# Speak the agent protocol by hand: sends each request line of REQUESTS (default: a short
# built-in session) to an agent command, waits for its response (events are printed as
# they come), and prints "> request" / "< response" lines with elapsed milliseconds.
# usage: session.sh [-r REQUESTS] [-- AGENT-COMMAND...]   (default agent: qemu-agent.sh)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REQ=
if [ "${1:-}" = -r ]; then REQ=$2; shift 2; fi
[ "${1:-}" = -- ] && shift
[ $# -gt 0 ] || set -- "$HERE/qemu-agent.sh"

default_session() {
cat <<'J'
{"devmap":1,"op":"hello","harness":"session.sh"}
{"id":1,"op":"reset","config":{"files":["f1"],"pages":2,"blocks":2,"importers":[{"name":"gpu","route":true,"atomic":false,"write":true},{"name":"nic","route":true,"atomic":false,"write":true}],"bar_pages":4,"bar_base":0,"pin":true,"reverse_map":true}}
{"id":2,"op":"mmap","file":"f1"}
{"id":3,"op":"cpu_write","file":"f1","off":1,"value":11}
{"id":4,"op":"cpu_write","file":"f1","off":2,"value":21}
{"id":5,"op":"device_map","imp":"gpu","file":"f1","lo":1,"hi":2,"flags":["WRITE"],"commit":true}
{"id":6,"op":"dev_read","imp":"gpu","file":"f1","off":1}
{"id":7,"op":"dma_start","imp":"gpu","file":"f1","off":2,"dir":"write","value":22}
{"id":8,"op":"dma_end","imp":"gpu"}
{"id":9,"op":"cpu_read","file":"f1","off":2}
{"id":10,"op":"cpu_write","file":"f1","off":1,"value":12}
{"id":11,"op":"dev_read","imp":"gpu","file":"f1","off":1}
{"id":12,"op":"punch","file":"f1","lo":2,"hi":2}
{"id":13,"op":"dev_read","imp":"gpu","file":"f1","off":2}
{"id":14,"op":"device_map","imp":"nic","file":"f1","lo":1,"hi":1,"flags":["ATOMIC"],"commit":true}
{"id":15,"op":"device_map","imp":"nic","file":"f1","lo":1,"hi":1,"flags":["PIN"],"commit":true}
{"id":16,"op":"truncate","file":"f1","pages":0}
{"id":17,"op":"dev_read","imp":"nic","file":"f1","off":1}
{"id":18,"op":"dmabuf_release","imp":"nic","file":"f1","lo":1}
{"id":19,"op":"munmap","file":"f1"}
{"id":20,"op":"device_unmap","imp":"gpu","file":"f1","lo":1}
{"id":21,"op":"mmap","file":"f1"}
{"id":22,"op":"device_map","imp":"gpu","file":"f1","lo":1,"hi":1,"flags":[],"commit":true}
{"id":23,"op":"unplug"}
{"id":24,"op":"device_map","imp":"gpu","file":"f1","lo":1,"hi":1,"flags":[],"commit":true}
{"id":25,"op":"settle"}
{"id":26,"op":"bye"}
J
}

ms() { echo $(( $(date +%s%N) / 1000000 )); }
coproc AGENT { "$@"; }
agent_pid=$AGENT_PID
t0=$(ms)
exec 3<&"${AGENT[0]}" 4>&"${AGENT[1]}"
while IFS= read -r req; do
	[ -n "$req" ] || continue
	printf '%6d > %s\n' $(( $(ms) - t0 )) "$req"
	printf '%s\n' "$req" >&4
	id=$(sed -n 's/.*"id":\([0-9-]*\).*/\1/p' <<<"$req")
	while IFS= read -r -t 60 line <&3; do
		printf '%6d < %s\n' $(( $(ms) - t0 )) "$line"
		case "$line" in
		'{"event":'*) continue ;;	# an event line (answers may carry "events")
		esac
		if [ -z "$id" ] || [[ "$line" == *"\"id\":$id,"* ]]; then break; fi
	done
done < <(if [ -n "$REQ" ]; then cat "$REQ"; else default_session; fi)
exec 4>&-
wait "$agent_pid" 2>/dev/null || true
printf '%6d   agent exited\n' $(( $(ms) - t0 ))
