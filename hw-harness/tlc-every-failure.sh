#!/usr/bin/env bash
# TLC on every failure's TLA+ trace module: each quirk of `dmap quirks` against the run of the quirk
# table (`dmap conform --device sim:Q --seed 3 --random 5`), with --tlc-max high enough that every
# failure with a module is checked (one warm TLC JVM per run). Prints per quirk: failures, modules TLC
# rejects, modules TLC accepts (those failures are labelled harness-only with the check that found
# them), failures with no module (harness-only checks: BAR addresses, dma_buf handles), modules TLC
# could not check; then the totals. Exit 1 when a module TLC accepts is not labelled harness-only in
# report.txt, else 0.
#
# usage: hw-harness/tlc-every-failure.sh [QUIRKS]   (a comma-separated subset; default all)
# environment: DMAP, the command to run (default ./dmap)
set -euo pipefail
cd "$(dirname "$0")/.."
dmap="${DMAP:-./dmap}"
quirks=$("$dmap" quirks | awk '{print $1}')
if [ -n "${1:-}" ]; then quirks=$(printf '%s\n' $quirks | grep -xF -f <(tr , '\n' <<<"$1") || true); fi
[ -n "$quirks" ] || { echo "tlc-every-failure.sh: error: no such quirk in '$1'" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bad=0
T_f=0 T_rej=0 T_acc=0 T_none=0 T_err=0
printf '%-26s %8s %9s %9s %6s %7s\n' quirk failures rejected accepted none unrun
for q in $quirks; do
  "$dmap" conform --device "sim:$q" --seed 3 --random 5 --tlc-max 100000 --report-dir "$out/$q" >"$out/$q.ktap" 2>/dev/null || true
  rep="$out/$q/latest/report.txt"
  f=$(grep -cE '^[0-9]+\. [A-Z]' "$rep" || true)
  rej=$(grep -c '^   TLC: not a behaviour of DeviceMap' "$rep" || true)
  acc=$(grep -c '^   harness-only check (the .*TLC accepts the trace module' "$rep" || true)
  none=$(grep -c '^   harness-only check (.*no TLA+ trace module is written' "$rep" || true)
  err=$(grep -c '^   TLC could not' "$rep" || true)
  # every accepted module's failure carries the label in its heading
  labelled=$(grep -B30 '^   harness-only check (the .*TLC accepts the trace module' "$rep" | grep -c '\[harness-only check\] in scenario' || true)
  [ "$acc" -eq 0 ] || [ "$labelled" -ge "$acc" ] || bad=1
  printf '%-26s %8d %9d %9d %6d %7d\n' "$q" "$f" "$rej" "$acc" "$none" "$err"
  T_f=$((T_f + f)); T_rej=$((T_rej + rej)); T_acc=$((T_acc + acc)); T_none=$((T_none + none)); T_err=$((T_err + err))
done
printf '%-26s %8d %9d %9d %6d %7d\n' total "$T_f" "$T_rej" "$T_acc" "$T_none" "$T_err"
exit "$bad"
