#!/usr/bin/env bash
# The eight bugs from the kernel's history (issue 11), each a quirk of the simulated device, against
# the default suite of `dmap conform` (guided scenarios + 20 random sequences) with ten seeds each.
# Prints per bug and seed: caught or missed, and the rows the run failed; then one summary line per
# bug: the seeds that caught it, those whose rows include the bug's right row, and those with no row
# outside the quirk's table (`dmap quirks`: its row and its "also" rows).
# TLC is not run (--no-tlc): the point is what the harness catches and names, not the trace modules;
# failures are not shrunk (--no-shrink): shrinking keeps the row it was diagnosed with, and it is most
# of a failing run's time (a run of no-ack-wait fails 36 scenarios).
#
# usage: hw-harness/historical-bugs.sh [SEEDS] [DEVICE-PREFIX] [JOBS] [ONLY]
#   SEEDS          default 10
#   DEVICE-PREFIX  default "sim:" (in process); "agent:./dmap agent-sim --quirk " runs each through the
#                  agent protocol (the same device's answers over the wire; minutes a run under load)
#   JOBS           runs at once, default 2 (each run is one JVM)
#   ONLY           a comma-separated subset of the bugs (default all eight)
# environment: DMAP, the command to run (default ./dmap; e.g. a copy of the build, so that editing
#   the sources while it runs does not rebuild under it)
set -euo pipefail
cd "$(dirname "$0")/.."
seeds="${1:-10}"
prefix="${2:-sim:}"
jobs="${3:-2}"
dmap="${DMAP:-./dmap}"
# bug (quirk) : the row it must be named by : what it is
bugs=(
  "no-ack-wait:S4:the filesystem frees blocks right after notifying, without waiting for acks"
  "truncate-ignores-pin:S7:truncate and punch free blocks a dma_buf pins (GUP vs DAX truncate, LWN 787636)"
  "unplug-without-invalidate:S8:exporter removal with live peer mappings (no reverse map, no revoke)"
  "ack-without-drain:S1:the importer acknowledges an invalidation while its DMA is still in flight"
  "atomic-without-route:S10:ATOMIC granted on a path that does not route PCIe atomics (a flag combination)"
  "write-to-hole:S10:WRITE granted over a hole, unwritten or shared extent (multi-page ranges)"
  "bar-slot-reuse:S9:the exporter reuses BAR slots of live mappings while its BAR counter stays right"
  "lost-writeback:S5:writeback marks the page clean but the block keeps its old contents (a lost effect)"
)
if [ -n "${4:-}" ]; then
  keep=()
  for b in "${bugs[@]}"; do case ",$4," in *",${b%%:*},"*) keep+=("$b") ;; esac; done
  [ "${#keep[@]}" -gt 0 ] || { echo "historical-bugs.sh: error: none of '$4' is one of the eight bugs" >&2; exit 2; }
  bugs=("${keep[@]}")
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# build once before running in parallel (the first use of ./dmap builds)
"$dmap" quirks >"$tmp/quirks"

run() {   # run QUIRK SEED: writes "rc rows..." to $tmp/QUIRK.SEED
  local q="$1" s="$2" rc
  set +e
  $dmap conform --device "$prefix$q" --seed "$s" --no-tlc --no-shrink --report-dir "$tmp/rep" >/dev/null 2>"$tmp/$q.$s.err"
  rc=$?
  set -e
  echo "$rc $(sed -n 's/^dmap conform: failing: //p' "$tmp/$q.$s.err" | tr -d ',')" >"$tmp/$q.$s"
}
export -f run
export prefix tmp dmap
mkdir -p "$tmp/rep"
t0=$(date +%s)
for b in "${bugs[@]}"; do
  for s in $(seq 1 "$seeds"); do echo "${b%%:*} $s"; done
done | xargs -P "$jobs" -n 2 bash -c 'run "$0" "$1"'

printf '%-26s %-5s %s\n' bug seed result
summary=""
for b in "${bugs[@]}"; do
  q="${b%%:*}"; rest="${b#*:}"; want="${rest%%:*}"
  line="$(awk -v q="$q" '$1 == q' "$tmp/quirks")"
  allowed=" $(echo "$line" | awk '{print $3}' | sed 's/_.*//') $(echo "$line" | sed -n 's/.*(also \([^)]*\))$/\1/p' | tr -d ',') "
  caught=0; ok=0; clean=0; seen=""
  for s in $(seq 1 "$seeds"); do
    read -r rc rows <"$tmp/$q.$s" || true
    if [ "$rc" = 1 ]; then
      caught=$((caught + 1))
      names=""; for r in $rows; do names="$names ${r%%_*}"; done
      printf '%-26s %-5s caught, rows:%s\n' "$q" "$s" "$names"
      case " $names " in *" $want "*) ok=$((ok + 1)) ;; esac
      extra=0; for r in $names; do case "$allowed" in *" $r "*) ;; *) extra=1 ;; esac; done
      [ "$extra" = 0 ] && clean=$((clean + 1))
      for r in $names; do case " $seen " in *" $r "*) ;; *) seen="$seen $r" ;; esac; done
    else
      printf '%-26s %-5s MISSED (exit %s)\n' "$q" "$s" "$rc"
    fi
  done
  summary="$summary$(printf '# %-26s caught %2d/%s, with its row %-3s %2d/%s, rows named:%s, none outside the quirk table %2d/%s' \
    "$q" "$caught" "$seeds" "$want" "$ok" "$seeds" "${seen:- none}" "$clean" "$seeds")"$'\n'
done
printf '%s' "$summary"
echo "# $((${#bugs[@]} * seeds)) runs, $jobs at a time, $(( $(date +%s) - t0 )) s"
