#!/usr/bin/env bash
# reliability-rerun.sh: the reliability issue's rerun in one command (run from anywhere; it works in
# the project root, as the fault agent needs).
#
#   hw-harness/reliability-rerun.sh [--reps N] [--no-reps] [--no-cases] [--only REGEX] [--jobs N] [--rep-jobs N]
#                                    [--list] [--keep]
#
# 1. Same seed, same run: the two commands of the issue, each N times (default 12), exactly as the
#    issue gives them (default report directory, so from the project root); the KTAP on stdout with
#    timings and the "# report:" line (it names the run directory) stripped, and results.jsonl byte
#    for byte, are compared. One line per command: how many distinct outputs (1 = reproduced).
#    --rep-jobs N: N repetitions at a time (they then also share the default report directory).
#    --jobs N: N cases at a time (each has its own directories and marker).
# 2. Every mode of the fault-injecting agent (FAULT_AGENT, default ../shared/tools/fault-agent.py
#    relative to the project root; without it those cases are skipped and said so) and every bad
#    input the issue lists (its items 1-11), one line per case:
#      case  exit  expected  hang  leaked  trace  files  check  seconds  PASS|FAIL
#    exit: the command's exit status (143/137: the harness was killed by the case, on purpose);
#    hang: the case's time limit passed (the command is then killed); leaked: processes started by
#    the case (marked by an environment variable every child inherits) still alive 5 s after it
#    ended, or TLC work directories left in the case's temporary directory (java.io.tmpdir); trace:
#    a Java stack trace or "Exception"/"Error:" class name on stdout or stderr, or an exit-2 case
#    whose stderr has not exactly one "dmap: error:" line; files: user files placed in the report
#    directory before the run (a failure-7/ directory, report.txt, results.jsonl) changed or gone,
#    or files created in the project tree; check: the case's own check (the run went on to the
#    end, the fault is in all four reports, the trace modules are there, ...).
# Exit 0 when every repetition reproduced and every case passed, 1 otherwise, 2 bad arguments.
set -uo pipefail

REPS=12
DO_REPS=1
DO_CASES=1
ONLY=""
LIST=0
KEEP=0
JOBS=1
REP_JOBS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS="$2"; shift 2 ;;
    --no-reps) DO_REPS=0; shift ;;
    --no-cases) DO_CASES=0; shift ;;
    --only) ONLY="$2"; shift 2 ;;
    --list) LIST=1; shift ;;
    --keep) KEEP=1; shift ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --rep-jobs) REP_JOBS="$2"; shift 2 ;;
    -h|--help) sed -n "2,/^set -uo/p" "$0" | sed "\$d" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "reliability-rerun.sh: error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

ROOT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 2
FAULT="${FAULT_AGENT:-../shared/tools/fault-agent.py}"
[ -f "$FAULT" ] && FAULT="$(cd "$(dirname "$FAULT")" && pwd)/$(basename "$FAULT")"
W="$(mktemp -d "${TMPDIR:-/tmp}/dmap-rerun.XXXXXX")"
export ROOT W
if [ "$KEEP" = 0 ]; then trap 'rm -rf -- "$W"' EXIT; else echo "# work directory: $W"; fi
T0=$(date +%s)

# ./dmap builds itself on first use: do it once here, so no case pays for (or times out in) a build
[ "$LIST" = 1 ] || ./dmap quirks >/dev/null || { echo "reliability-rerun.sh: error: ./dmap does not start" >&2; exit 2; }

echo "# reliability rerun at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"

fails=0

# ---------------------------------------------------------------------------------------------
# 1. twelve repetitions
# ---------------------------------------------------------------------------------------------
# KTAP without timings and without the line that names the run directory
normal_ktap() {
  grep -v '^# report: ' "$1" | sed -E 's/[0-9]+(\.[0-9]+)? ?(ms|s)\b/T/g'
}

one_rep() {  # one_rep DIR K ARGS...: the run's KTAP (normalised) and results.jsonl into DIR
  local d="$1" k="$2" rundir; shift 2
  ./dmap "$@" >"$d/$k.ktap" 2>"$d/$k.err"
  echo $? >"$d/$k.rc"
  rundir="$(sed -n 's/^# report: \(.*\)\/report.txt, JUnit XML: .*/\1/p' "$d/$k.ktap" | head -n 1)"
  normal_ktap "$d/$k.ktap" >"$d/$k.ktap.n"
  if [ -n "$rundir" ] && [ -f "$rundir/results.jsonl" ]; then
    cp "$rundir/results.jsonl" "$d/$k.jsonl"
    rm -rf -- "$rundir"   # the run directory this run made (in the default report dir)
  else
    echo "no results.jsonl" >"$d/$k.jsonl"
  fi
}

reps() {
  local name="$1"; shift
  local d="$W/reps/$name" k kt js t1
  mkdir -p "$d"
  t1=$(date +%s)
  for k in $(seq 1 "$REPS"); do
    if [ "$REP_JOBS" -le 1 ]; then one_rep "$d" "$k" "$@"; continue; fi
    while [ "$(jobs -rp | wc -l)" -ge "$REP_JOBS" ]; do wait -n; done
    one_rep "$d" "$k" "$@" &
  done
  wait
  kt=$(sha256sum "$d"/*.ktap.n | cut -d' ' -f1 | sort -u | wc -l)
  js=$(sha256sum "$d"/*.jsonl | cut -d' ' -f1 | sort -u | wc -l)
  local codes verdict=PASS
  codes=$(cat "$d"/*.rc | sort | uniq -c | awk '{printf "%s%sx exit %s", (NR>1?", ":""), $1, $2}')
  if [ "$kt" != 1 ] || [ "$js" != 1 ]; then verdict=FAIL; fails=$((fails + 1)); fi
  printf '%-13s %s runs (%s): %s distinct KTAP (timings stripped), %s distinct results.jsonl (bytes), %s lines, %ss  %s\n' \
    "$name" "$REPS" "$codes" "$kt" "$js" "$(wc -l <"$d/1.jsonl")" "$(( $(date +%s) - t1 ))" "$verdict"
  echo "              ./dmap $*"
  local f
  if [ "$kt" != 1 ]; then
    for f in "$d"/*.ktap.n; do cmp -s "$d/1.ktap.n" "$f" || { diff "$d/1.ktap.n" "$f" | head -n 6 | sed 's/^/              /'; break; }; done
  fi
  if [ "$js" != 1 ]; then
    for f in "$d"/*.jsonl; do cmp -s "$d/1.jsonl" "$f" || { diff "$d/1.jsonl" "$f" | cut -c1-200 | head -n 4 | sed 's/^/              /'; break; }; done
  fi
}

if [ "$DO_REPS" = 1 ] && [ "$LIST" = 0 ]; then
  echo "## same seed, same run: $REPS repetitions of each command"
  reps random-732 conform --seed 42 --random 1000 --only random-732
  reps dma-misdirect conform --device sim:dma-misdirect --seed 7 --random 300 --no-tlc
fi

# ---------------------------------------------------------------------------------------------
# 2. faults and bad inputs
# ---------------------------------------------------------------------------------------------
# processes (pid) whose environment carries this case's tag; with a pattern: whose command line matches it
tagged() {
  local tag="$1" pat="${2:-}" f pid
  for f in $(grep -l -s -z -x -F "DMAP_RERUN_TAG=$tag" /proc/[0-9]*/environ 2>/dev/null); do
    pid="${f#/proc/}"; pid="${pid%/environ}"
    [ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
    if [ -z "$pat" ] || tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q -- "$pat"; then echo "$pid"; fi
  done
}
# for the kill cases: wait (at most 120 s) until a process of this case matches a pattern
await() {
  local i
  for i in $(seq 1 240); do
    [ -n "$(tagged "$DMAP_RERUN_TAG" "$1")" ] && return 0
    sleep 0.5
  done
  return 1
}
export -f tagged await

# a copy of the spec directory with the first occurrence of $2 in file $1 replaced by $3 ('' and
# text: appended); prints the copy's path
spec_copy() {
  local d="$CT/spec"
  mkdir -p "$d"
  cp "$ROOT/spec/DeviceMap.tla" "$ROOT/spec/models.json" "$d/"
  python3 - "$d/$1" "$2" "$3" <<'PY'
import sys
p, a, b = sys.argv[1:4]
s = open(p).read()
if a == "":
    s = s + b
else:
    if a not in s:
        sys.exit("spec_copy: '%s' not in %s" % (a, p))
    s = s.replace(a, b, 1)
open(p, "w").write(s)
PY
  echo "$d"
}
export -f spec_copy

# the run directories a conform case made in $RD (not the user's files placed there)
rundirs() { find "$RD" -mindepth 1 -maxdepth 1 -type d -name '*-seed*' 2>/dev/null | sort; }
# check: the run went on to the end (every planned scenario in results.jsonl) and, when $1 = fault,
# the agent's fault is in all four reports (KTAP, report.txt, junit.xml, results.jsonl)
ran_to_end() {
  local d n
  d="$(rundirs | tail -n 1)"
  [ -n "$d" ] || { echo "no run directory"; return; }
  n=$(grep -c . "$d/results.jsonl" 2>/dev/null || echo 0)
  [ "$n" = "$PLAN" ] || { echo "results.jsonl has $n of $PLAN scenarios"; return; }
  if [ "${1:-}" = fault ]; then
    grep -q '# ERROR' "$CT/out" || { echo "no ERROR in KTAP"; return; }
    grep -q 'AGENT Agent *FAIL' "$d/report.txt" || { echo "report.txt: Agent not FAIL"; return; }
    grep -q '<error type="Agent"' "$d/junit.xml" || { echo "junit.xml: no Agent error"; return; }
    grep -q '"status":"error"' "$d/results.jsonl" || { echo "results.jsonl: no error"; return; }
    grep -q '"status":"fail"' "$d/results.jsonl" && { echo "a fault blamed on a requirement: $(grep -o '"requirement":"[^"]*"' "$d/results.jsonl" | sort -u | tr '\n' ' ')"; return; }
  fi
  echo "ok"
}
# check: every failure numbered in results.jsonl has its trace module and cfg, as found
modules_kept() {
  local d n k miss=0
  d="$(rundirs | tail -n 1)"
  [ -n "$d" ] || { echo "no run directory"; return; }
  n=$(grep -c . "$d/results.jsonl" 2>/dev/null || echo 0)
  [ "$n" -gt 0 ] || { echo "results.jsonl empty"; return; }
  for k in $(grep -o '"failure":[0-9]*' "$d/results.jsonl" | cut -d: -f2); do
    [ -f "$d/failure-$k/DmapTrace_$k.tla" ] && [ -f "$d/failure-$k/DmapTrace_$k.cfg" ] || miss=$((miss + 1))
  done
  local f; f=$(grep -c '"failure":' "$d/results.jsonl")
  [ "$f" -gt 0 ] || { echo "no failure in $n scenarios"; return; }
  [ "$miss" = 0 ] && echo "ok ($n scenarios, $f failures, all modules)" || echo "$miss of $f trace modules missing"
}
# check: the first trace module's cfg has the BAR size the device reported
cfg_bar() {
  local d c
  d="$(rundirs | tail -n 1)"
  c="$(ls "$d"/failure-*/DmapTrace_*.cfg 2>/dev/null | head -n 1)"
  [ -n "$c" ] || { echo "no trace module"; return; }
  grep -q "BarSize = $1\$" "$c" && echo "ok (BarSize = $1)" || echo "$(basename "$c"): $(grep BarSize "$c")"
}
# check: two runs in one report dir kept apart
apart() {
  local ds n ok=ok d
  ds="$(rundirs)"
  n=$(echo "$ds" | grep -c .)
  [ "$n" = 2 ] || { echo "$n run directories"; return; }
  for d in $ds; do
    [ "$(grep -c . "$d/results.jsonl")" = "$PLAN" ] || ok="$(basename "$d"): $(grep -c . "$d/results.jsonl") lines"
  done
  echo "$ok"
}
# check: a message on stderr or stdout
says() { grep -q -- "$1" "$CT/err" "$CT/out" && echo ok || echo "output lacks '$1'"; }
# check: nothing outside the scratch directory
no_escape() { [ -e "$CT/escape.img" ] || [ -n "$(find "$CT" -name '*escape*' -not -path "$CT/scratch/*" -not -name out -not -name err)" ] && echo "a file outside the scratch dir" || echo ok; }
# check: took at most N s
within() { [ "$ELAPSED" -le "$1" ] && echo "ok (<= $1 s)" || echo "took ${ELAPSED} s (> $1 s)"; }

# the fault agent relays to ./dmap agent-sim; a short suite (6 scenarios) keeps each case short
SUB="map-refused-hole,map-refused-cached,direct-write-then-read,truncate-waits-for-ack,two-importers-invalidated,random-1"
SUBN=6
export SUB

ncase=0; nskip=0
mkdir -p "$W/res"

# case ID EXPECTED LIMIT_S COMMAND [CHECK...]: PLAN (scenarios planned) and X1 (an environment
# assignment for the command) from the environment; with --jobs N, N cases at a time
case_() {
  local id="$1" expect="$2" cmd="$4"
  if [ -n "$ONLY" ] && ! [[ "$id" =~ $ONLY ]]; then return; fi
  if [ "$LIST" = 1 ]; then printf '%-34s expect %-3s  %s\n' "$id" "$expect" "$cmd"; return; fi
  if [[ "$cmd" == *'$FA'* ]] && [ ! -f "$FAULT" ]; then
    printf '%-34s skipped: no fault agent at %s (set FAULT_AGENT)\n' "$id" "$FAULT"; nskip=$((nskip + 1)); return
  fi
  ncase=$((ncase + 1))
  if [ "$JOBS" -le 1 ]; then run_case "$ncase" "$@"; return; fi
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
  run_case "$ncase" "$@" &
}

run_case() {
  local seq="$1" id="$2" expect="$3" limit="$4" cmd="$5"; shift 5
  local CT="$W/case/$id" tag="rerun-$$-$seq"
  local RD="$CT/report"
  mkdir -p "$RD/failure-7" "$CT/tmp" "$CT/state" "$CT/scratch"
  echo "the user's own trace" >"$RD/failure-7/mine.tla"
  echo "the user's own report" >"$RD/report.txt"
  echo '{"user":"line"}' >"$RD/results.jsonl"
  local sums; sums="$(cd "$RD" && sha256sum failure-7/mine.tla report.txt results.jsonl)"
  touch "$CT/marker"
  local t1 rc; t1=$(date +%s%N)
  ( cd "$ROOT" && exec env DMAP_RERUN_TAG="$tag" CT="$CT" RD="$RD" FA="python3 $FAULT" PLAN="${PLAN:-$SUBN}" \
      FAULT_STATE_DIR="$CT/state" TMPDIR="$CT/tmp" "${X1:-DMAP_RERUN_X1=}" \
      DMAP_JAVA_OPTS="-XX:+UseParallelGC -Djava.io.tmpdir=$CT/tmp" \
      timeout -k 5 "$limit" bash -c "$cmd" >"$CT/out" 2>"$CT/err" )
  rc=$?
  local ms=$(( ($(date +%s%N) - t1) / 1000000 ))
  export ELAPSED=$(( ms / 1000 ))
  local hang=no
  if [ "$rc" = 124 ] || [ "$ms" -ge $(( limit * 1000 )) ]; then hang=yes; fi
  # leaked: processes of this case alive 5 s after it ended (then killed, by pid), TLC dirs left
  local pids="" i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    pids="$(tagged "$tag")"
    [ -z "$pids" ] && break
    sleep 0.5
  done
  local leak=no
  if [ -n "$pids" ]; then
    leak="$(for p in $pids; do tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | awk '{print $1}' | xargs -r basename; done | sort | uniq -c | awk '{printf "%s%sx%s", (NR>1?",":""), $1, $2}')"
    kill -KILL $pids 2>/dev/null
  fi
  local left; left="$(find "$CT/tmp" -mindepth 1 -maxdepth 1 -name 'dmap-*' 2>/dev/null | wc -l)"
  [ "$left" != 0 ] && leak="${leak#no}${leak:+ }$left tmp dir(s)" && leak="${leak# }"
  # stack traces; an exit 2 has one error line
  local trace=no
  if grep -Eq '^[[:space:]]+at [[:alnum:]_$.]+\(|Exception in thread|(Exception|Error)[:]|^Caused by:' "$CT/out" "$CT/err"; then
    trace=yes
  elif [ "$rc" = 2 ] && [ "$(grep -c '^dmap: error: ' "$CT/err")" != 1 ]; then
    trace="$(grep -c '^dmap: error: ' "$CT/err") err lines"
  fi
  # files: the user's files intact, nothing new in the project tree
  local files=ok
  if [ "$(cd "$RD" 2>/dev/null && sha256sum failure-7/mine.tla report.txt results.jsonl 2>/dev/null)" != "$sums" ]; then files="user files changed"; fi
  local new; new="$(cd "$ROOT" && find . \( -name .git -o -name target -o -name .dmap \) -prune -o -newer "$CT/marker" -print | grep -v '^\.$' | head -n 3 | tr '\n' ' ')"
  [ -n "$new" ] && files="${files/ok/}${files:+ }new: $new"
  # the case's own checks
  local check="" c r checkok=1
  for c in "$@"; do
    r="$(cd "$ROOT" && CT="$CT" RD="$RD" PLAN="${PLAN:-$SUBN}" eval "$c")"
    [[ "$r" == ok* ]] || checkok=0
    check="$check$r; "
  done
  check="${check%; }"; check="${check:--}"
  local v=PASS bad=""
  [ "$rc" != "$expect" ] && bad="$bad code"
  [ "$hang" != no ] && bad="$bad hang"
  [ "$leak" != no ] && bad="$bad leak"
  [ "$trace" != no ] && bad="$bad trace"
  [ "$files" != ok ] && bad="$bad files"
  [ "$checkok" = 0 ] && bad="$bad check"
  [ -n "$bad" ] && v=FAIL
  local line
  line="$(printf '%-34s exit %-3s expect %-3s hang %-3s leaked %-4s trace %-3s files %-3s check %s  %ss  %s' \
    "$id" "$rc" "$expect" "$hang" "$leak" "$trace" "$files" "$check" "$(awk -v m="$ms" 'BEGIN{printf "%.1f", m/1000}')" "$v")"
  echo "$line"
  printf '%s\t%s\t%s\n' "$v" "${bad# }" "$line" >"$W/res/$(printf %03d "$seq")"
}

# a conform run of the short suite against the fault agent in MODE (the remaining words: N, ARG)
AG='./dmap conform --no-tlc --random 1 --only "$SUB" --report-dir "$RD" --timeout 3000'
fault() { # fault ID EXPECTED LIMIT "MODE N [ARG]" [CHECK...]
  local id="$1" e="$2" l="$3" m="$4"; shift 4
  case_ "$id" "$e" "$l" "$AG --device \"agent:\$FA $m\"" "$@"
}

if [ "$DO_CASES" = 1 ]; then
echo "## faults of the agent (fault-agent.py modes) and bad inputs; expected exit codes as documented (ExitCodes)"

# --- the agent misbehaves mid-run: reported (all four reports), the agent restarted, the run goes on: exit 1
# (once: only on the agent's first start; without: again after every restart)
for m in "hang 50 once" "hang 50" "exit 50 once" "exit-code 50 7" "segv 50 once" "abort 50 once" "nonjson 50 once" \
         "partial 50 once" "close-stdout 50 once" "bigline 50 50" "bigjunk 50 50" "flood 50 once" "flood-invalid 50 once" \
         "wrongid 50 once" "twice 50 once" "blank 50 once"; do
  fault "fault-${m// /-}" 1 240 "$m" 'ran_to_end fault'
done
for k in id-str ok-str result-num result-unknown bar-str bar-neg bar-huge value-str notified-str events-obj event-bad \
         array null addrs-str float-id deep bignum nonutf8 nul; do
  fault "fault-wrongtype-$k" 1 240 "wrongtype 50 $k" 'ran_to_end fault'
done
X1='EV={"event":"warp","imp":"gpu"}' fault fault-event-unknown 1 240 "event-unknown 50" 'ran_to_end fault'
# an ack of an importer the configuration does not have: a step that cannot have happened, named as such
X1='EV={"event":"ack","imp":"nobody","file":"f1"}' fault fault-event-unknown-importer 1 240 "event-unknown 50" 'ran_to_end' \
  'grep -qs "the device reported ack nobody f1, which no allowed state permits" "$(rundirs | tail -n 1)/results.jsonl" && echo ok || echo "not reported"'
# item 7: what an agent claims and sends is bounded
X1='LIE=blocks=2147483647' fault claim-blocks-huge 1 240 "config-lie 0" 'ran_to_end fault'
X1='LIE=pages=2147483647' fault claim-pages-huge 1 240 "config-lie 0" 'ran_to_end fault'
X1='LIE=bar_pages=2147483647' fault claim-bar-pages-huge 1 240 "config-lie 0" 'ran_to_end fault'
X1='LIE=files=["f1","f1"]' fault claim-files-duplicate 1 240 "config-lie 0" 'ran_to_end fault'
X1='LIE=importers=[{"name":"gpu","route":true,"atomic":true,"write":true},{"name":"gpu","route":true,"atomic":true,"write":true}]' \
  fault claim-importers-duplicate 1 240 "config-lie 0" 'ran_to_end fault'
# a 15 MB message in every answer: the hello is one (the handshake fails: exit 2), then every answer after it
fault message-15MB-every-answer 2 120 "bigline 0 15" 'says "a line longer than 1048576 bytes during the handshake"'
fault message-15MB-every-answer-after-hello 1 300 "bigline 1 15" 'ran_to_end fault'
# the agent exits while its child holds stdout: reported as exited, the child killed
fault fault-child-holds-stdout 1 240 "child-holds-stdout 50 3333" 'ran_to_end fault'
# not faults of the protocol: the run is conformant
fault stderr-flood-200MB 0 300 "stderr-flood 50 200" 'ran_to_end'
fault stderr-2GB-without-newline 0 300 "stderr-noline 50" 'ran_to_end'
fault sigterm-and-bye-ignored 0 240 "sigterm-ignore 50" 'ran_to_end'
fault delay-under-timeout 0 240 "delay 50 0.3" 'ran_to_end'
fault delay-over-timeout 1 300 "delay 50 4" 'ran_to_end fault'
# item 9: a restart that misses its hello costs one handshake timeout, not one per remaining scenario
case_ handshake-restart-hangs 1 240 "$AG --handshake-timeout 4000 --device \"agent:\$FA exit-then-hang-hs 50\"" \
  'ran_to_end' 'says "within 4000 ms"' 'within 90'
# the handshake fails on the first start: bad input, exit 2
case_ handshake-hang 2 120 "$AG --handshake-timeout 4000 --device \"agent:\$FA hang-handshake 0\"" 'says "4000 ms"' 'within 60'
for m in version2 version-str no-version exit-at-handshake empty-hello version2-full; do
  fault "handshake-$m" 2 120 "$m 0"
done
# item 8: trace modules carry the configuration the device reported (a 2-page BAR)
X1='REAL=bar_pages=2' case_ real-bar-2-pages-config 1 240 "QUIRK=bar-overcommit $AG --device \"agent:\$FA real-config 0\"" 'cfg_bar 2'

# --- item 1: another process holds the agent's stdout
case_ wrapper-without-exec 1 240 "./dmap conform --device \"agent:bash -c './dmap agent-sim --hang-after 50; true'\" --timeout 2000 --random 1 --only \"\$SUB\" --no-tlc --report-dir \"\$RD\"" 'ran_to_end fault'
case_ agent-child-sleep-777 1 240 "./dmap conform --device \"agent:bash -c 'sleep 777 & exec ./dmap agent-sim --crash-after 50'\" --timeout 2000 --random 1 --only \"\$SUB\" --no-tlc --report-dir \"\$RD\"" 'ran_to_end fault'
# --- item 2: the harness killed (143: SIGTERM, 137: SIGKILL, on purpose)
case_ kill-conform-hanging-agent 143 120 './dmap conform --device "agent:./dmap agent-sim --hang-after 50" --timeout 60000 --random 0 --no-tlc --report-dir "$RD" & p=$!; await "agent-sim"; sleep 8; kill $p; wait $p'
case_ kill-9-conform-hanging-agent 137 120 './dmap conform --device "agent:bash -c '"'"'sleep 777 & exec ./dmap agent-sim --hang-after 50'"'"'" --timeout 60000 --random 0 --no-tlc --report-dir "$RD" & p=$!; await "agent-sim"; sleep 8; kill -9 $p; wait $p'
case_ kill-check-during-tlc 143 240 './dmap check & p=$!; await tlc2.TLC; sleep 3; kill $p; wait $p'
case_ kill-9-check-during-tlc 137 240 './dmap check & p=$!; await tlc2.TLC; sleep 3; kill -9 $p; wait $p'
# item 8: kill -9 at 10 s loses no finished scenario and no trace module
# (killed 5 s after the first failure is in results.jsonl: under load the JVM may take longer than 10 s to get there)
PLAN=0 case_ kill-9-keeps-trace-modules 137 240 './dmap conform --device sim:no-ack-wait --random 5000 --no-tlc --report-dir "$RD" & p=$!; for i in $(seq 1 400); do grep -qs "\"failure\"" "$RD"/*-seed*/results.jsonl && break; sleep 0.5; done; sleep 5; kill -9 $p; wait $p' 'modules_kept'
# --- items 4, 5: report directories
PLAN=100 case_ two-runs-share-default-dir 0 300 'cd "$CT" && mkdir -p .dmap && mv "$RD" .dmap/conform && ln -s .dmap/conform "$RD"; "$ROOT"/dmap conform --seed 1 --no-tlc >/dev/null & p=$!; "$ROOT"/dmap conform --seed 2 --no-tlc; a=$?; wait $p; b=$?; exit $((a > b ? a : b))' 'apart'
PLAN=100 case_ foreign-failure-dirs-kept 1 300 './dmap conform --device sim:no-ack-wait --seed 3 --no-tlc --report-dir "$RD"' 'ran_to_end'
case_ report-dir-empty 2 60 './dmap conform --report-dir "" --no-tlc' 'says "--report-dir must name a directory"'
# --- item 6: manifests and specs
man() { # man ID FROM TO EXPECTED-TEXT
  case_ "manifest-$1" 2 120 "./dmap check --spec-dir \"\$(spec_copy models.json $(printf %q "$2") $(printf %q "$3"))\"" \
    "says $(printf %q "$4")"
}
man misspelt-invariants '"invariants"' '"invariant"' 'unknown key "invariant"'
man misspelt-properties '"properties"' '"propertys"' 'unknown key "propertys"'
man unknown-constant '"NOff": 2,' '"NOff": 2, "Extra": 1,' "unknown constant 'Extra'"
man missing-constant '"NOff": 2,' '' "constant 'NOff' is not set"
man unknown-variant '"Variant": "none"' '"Variant": "nonee"' 'neither "none" nor a variant'
man trailing-garbage '' ' garbage' 'malformed JSON'
man negative-constant '"NOff": 2' '"NOff": -2' 'must be an integer from 1 to 8'
man string-constant '"NOff": 2' '"NOff": "2"' 'must be an integer'
man wrong-type-boolean '"PinSupport": true' '"PinSupport": 1' 'must be true or false'
man unknown-importer '"Route": ["gpu"]' '"Route": ["tpu"]' "'tpu' is not one of the Importers"
man huge-depth '"depth": 19' '"depth": 99999999999' '"depth" must be at most'
man unknown-outcome '"outcome": "ok"' '"outcome": "fine"' '"outcome" must be one of'
man missing-module '"spec": "DeviceMap"' '"spec": "DeviceMapp"' 'no module DeviceMapp.tla'
case_ mirror-spec-syntax-error 2 180 './dmap mirror --no-variants --spec-dir "$(spec_copy DeviceMap.tla VARIABLES "VARIABLES ) (")"' 'says "TLC cannot parse spec"'
case_ check-emit-to-a-file 2 60 'echo x >"$CT/a-file"; ./dmap check --emit "$CT/a-file"' 'says "--emit needs a directory"' '[ "$(cat "$CT/a-file")" = x ] && echo ok || echo "a-file changed"'
# --- item 7: huge --random / --length, and arguments out of range
case_ random-2000000000 2 60 './dmap conform --random 2000000000 --no-tlc --report-dir "$RD"' 'says "at most 100000"'
case_ length-2000000000 2 60 './dmap conform --length 2000000000 --no-tlc --report-dir "$RD"' 'says "at most 10000"'
case_ random-100001 2 60 './dmap conform --random 100001 --no-tlc --report-dir "$RD"' 'says "at most 100000"'
case_ random-negative 2 60 './dmap conform --random -1 --no-tlc --report-dir "$RD"' 'says "--random must be >= 0"'
case_ length-zero 2 60 './dmap conform --length 0 --no-tlc --report-dir "$RD"' 'says ">= 1"'
case_ timeout-not-a-number 2 60 './dmap conform --timeout soon --no-tlc --report-dir "$RD"' 'says "--timeout"'
# --- item 10: agent-sim keeps file names in its scratch directory
case_ agent-sim-dotdot-file-name 0 60 'printf "%s\n" "{\"devmap\":1,\"op\":\"hello\",\"harness\":\"x\",\"scratch\":\"$CT/scratch\"}" "{\"id\":1,\"op\":\"reset\",\"config\":{\"files\":[\"/../../escape\"],\"pages\":2,\"blocks\":2,\"importers\":[{\"name\":\"gpu\",\"route\":true,\"atomic\":false,\"write\":true}],\"bar_pages\":2,\"bar_base\":4026531840,\"pin\":true,\"reverse_map\":true}}" "{\"id\":2,\"op\":\"bye\"}" | ./dmap agent-sim' 'no_escape' 'grep -q "\"ok\":false" "$CT/out" && echo ok || echo "reset with /.. accepted"'
X1='REAL=files=["../../escape"]' case_ conform-dotdot-file-name-in-scratch 1 240 "$AG --scratch \"\$CT/scratch\" --device \"agent:\$FA real-config 0\"" 'no_escape'
# --- item 11: the report is appended, not rewritten: 5,029 scenarios
PLAN=5029 case_ linear-report-5029-scenarios 0 600 './dmap conform --random 4949 --no-tlc --seed 5 --report-dir "$RD"' 'ran_to_end' 'within 180'

wait
if [ "$LIST" = 0 ]; then
  echo "## summary"
  cat "$W"/res/* 2>/dev/null | awk -F'\t' -v n="$ncase" -v skip="$nskip" '
    { c++; if ($1 == "PASS") p++; split($2, b, " "); for (i in b) k[b[i]]++ }
    END { printf "cases: %d (%d with results), pass: %d, fail: %d (wrong exit code %d, hang %d, leaked %d, stack trace or not one error line %d, files lost or created %d, own check %d)%s\n",
            n, c, p, c - p, k["code"], k["hang"], k["leak"], k["trace"], k["files"], k["check"], (skip > 0 ? ", skipped " skip : "") }'
  if grep -q '^FAIL' "$W"/res/* 2>/dev/null; then echo "failed:"; grep -h '^FAIL' "$W"/res/* | cut -f3-; fi
  [ "$(grep -l '^PASS' "$W"/res/* 2>/dev/null | wc -l)" = "$ncase" ] || fails=$((fails + 1))
fi
fi
echo "time: $(( $(date +%s) - T0 )) s"
[ "$fails" = 0 ]
