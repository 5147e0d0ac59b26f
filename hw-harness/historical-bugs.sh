#!/usr/bin/env bash
# The eight bugs from the kernel's history (issue 11), each a quirk of the simulated device, against
# the default suite of `dmap conform` (guided scenarios + 20 random sequences) with ten seeds each.
# Prints per bug and seed: caught or missed, and the rows the run failed; then per bug the count of
# seeds that caught it with its expected row, and with no row outside the quirk's table.
#
# usage: hw-harness/historical-bugs.sh [SEEDS] [DEVICE-PREFIX]
#   SEEDS          default 10
#   DEVICE-PREFIX  default "sim:" (in process); "agent:./dmap agent-sim --quirk " runs each through the
#                  agent protocol (the same device's answers over the wire; about 4 min a run under load)
set -euo pipefail
cd "$(dirname "$0")/.."
seeds="${1:-10}"
prefix="${2:-sim:}"
# bug (quirk) : the row it must be named by : what it is
bugs=(
  "no-ack-wait:S4:the filesystem frees blocks right after notifying, without waiting for acks"
  "truncate-ignores-pin:S7:truncate and punch free blocks a dma_buf pins (GUP vs DAX truncate, LWN 787636)"
  "unplug-without-invalidate:S8:exporter removal with live peer mappings (no reverse map, no revoke)"
  "ack-without-drain:S1:the importer acknowledges an invalidation while its DMA is still in flight"
  "atomic-without-route:S10:ATOMIC granted on a path that does not route PCIe atomics (a flag combination)"
  "write-to-hole:S10:WRITE granted over a hole, unwritten or shared extent (multi-page ranges)"
  "bar-slot-reuse:S8:the exporter reuses BAR slots of live mappings while its BAR counter stays right"
  "lost-writeback:S5:writeback marks the page clean but the block keeps its old contents (a lost effect)"
)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
printf '%-26s %-5s %s\n' bug seed result
for b in "${bugs[@]}"; do
  q="${b%%:*}"; rest="${b#*:}"; want="${rest%%:*}"
  ok=0; clean=0
  for s in $(seq 1 "$seeds"); do
    set +e
    ./dmap conform --device "$prefix$q" --seed "$s" --no-tlc --report-dir "$tmp" >/dev/null 2>"$tmp/err"
    rc=$?
    set -e
    rows="$(sed -n 's/^dmap conform: failing: //p' "$tmp/err" | tr -d ',')"
    if [ "$rc" = 1 ]; then
      names=""; for r in $rows; do names="$names ${r%%_*}"; done
      printf '%-26s %-5s caught, rows:%s\n' "$q" "$s" "$names"
      case " $names " in *" $want "*) ok=$((ok + 1)) ;; esac
      line="$(./dmap quirks 2>/dev/null | awk -v q="$q" '$1 == q' || true)"
      allowed=" $(echo "$line" | awk '{print $3}' | sed 's/_.*//') $(echo "$line" | sed -n 's/.*(also \(.*\))$/\1/p' | tr -d ',') "
      extra=0; for r in $names; do case "$allowed" in *" $r "*) ;; *) extra=1 ;; esac; done
      [ "$extra" = 0 ] && clean=$((clean + 1))
    else
      printf '%-26s %-5s MISSED (exit %s)\n' "$q" "$s" "$rc"
    fi
  done
  printf '# %-24s caught with %s in %d/%s seeds; no other row outside the quirk table in %d/%s\n' "$q" "$want" "$ok" \
    "$seeds" "$clean" "$seeds"
done
