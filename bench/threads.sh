#!/usr/bin/env bash
# Where the sidecar's CPU goes, thread by thread, at a paced rate: the in-memory answerer (bench/StockAnswerer.java),
# one sidecar (bench/sidecar-saturation.yaml, audit.allowed: sample) and bench/LoadGen.java at RATE calls/s; after
# WARMUP seconds it reads every sidecar thread's CPU from /proc/<pid>/task/*/stat twice, WINDOW seconds apart, and
# prints each thread group's share in ms per second and ms per call, with the sidecar's resident memory.
#
#   bench/threads.sh                                            # JSON tool API, bin/oldguard's JVM options
#   MODE=passthrough OLDGUARD_JAVA_OPTS="-XX:+UseG1GC -Xmx512m" bench/threads.sh   # other JVM options, to compare
#
# Knobs: MODE=json|passthrough  RATE=500  WARMUP=45  WINDOW=30  BACKEND_PORT=18188 AGENT_PORT=18180 ADMIN_PORT=19911
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
MODE=${MODE:-json}
RATE=${RATE:-500}
WARMUP=${WARMUP:-45}
WINDOW=${WINDOW:-30}
BACKEND_PORT=${BACKEND_PORT:-18188}
AGENT_PORT=${AGENT_PORT:-18180}
ADMIN_PORT=${ADMIN_PORT:-19911}
results=bench/results
mkdir -p "$results"
log() { printf '[threads %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
LOG_PREFIX="threads-"
export LC_ALL=C
. "$(dirname "$0")/common.sh"
for n in RATE WARMUP WINDOW; do [[ ${!n} =~ ^[1-9][0-9]*$ ]] || die "$n must be a whole number above 0 (got \"${!n}\")"; done
case "$MODE" in json) lg_mode=oldguard; path=/v1/tools/GetStock ;; passthrough) lg_mode=passthrough; path=/inventory ;;
  *) die "MODE must be json or passthrough (got $MODE)" ;; esac

ANSWERER_PID= SIDECAR_PID= LG_PID=
cfg=bench/sidecar-threads.tmp.yaml
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$LG_PID" "load generator"; stop_pid "$SIDECAR_PID" sidecar; stop_pid "$ANSWERER_PID" answerer
  rm -f "$cfg"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. scripts/java-home.sh
bin/oldguard --help >/dev/null
for p in "$BACKEND_PORT" "$AGENT_PORT" "$ADMIN_PORT"; do port_free "$p" || die "port $p is in use"; done
export OLDGUARD_TOKEN_BENCH_BOT="${OLDGUARD_TOKEN_BENCH_BOT:-bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}"

"$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xms128m -Xmx128m -cp target/oldguard.jar bench/StockAnswerer.java \
  --port "$BACKEND_PORT" >"$results/threads-answerer.log" 2>&1 &
ANSWERER_PID=$!
wait_http "http://127.0.0.1:$BACKEND_PORT/inventory?wsdl" 60 "$ANSWERER_PID" answerer
sed -e "s/port: 18180/port: $AGENT_PORT/" -e "s/port: 19911/port: $ADMIN_PORT/" -e "s#127.0.0.1:18188/#127.0.0.1:$BACKEND_PORT/#" \
  bench/sidecar-saturation.yaml >"$cfg"
printf '\naudit:\n  allowed: sample\n  sampleRate: 0.01\n' >>"$cfg"
# exec: the sidecar's JVM is this pid, so its threads are under /proc/$SIDECAR_PID/task.
(exec "$JAVA_HOME/bin/java" ${OLDGUARD_JAVA_OPTS:-$OLDGUARD_DEFAULT_JAVA_OPTS} -jar target/oldguard.jar run --config "$cfg") \
  >"$results/threads-sidecar.log" 2>&1 &
SIDECAR_PID=$!
wait_http "http://127.0.0.1:$ADMIN_PORT/readyz" 60 "$SIDECAR_PID" sidecar
log "sidecar JVM options: ${OLDGUARD_JAVA_OPTS:-$OLDGUARD_DEFAULT_JAVA_OPTS}; $MODE at $RATE/s, ${WARMUP}s warm-up, ${WINDOW}s window"

"$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xms256m -Xmx256m bench/LoadGen.java --mode "$lg_mode" \
  --url "http://127.0.0.1:$AGENT_PORT$path" --rate "$RATE" --duration $((WARMUP + WINDOW + 5)) --warmup 0 \
  --label "$MODE" --cpu "sidecar=$SIDECAR_PID" >"$results/threads-loadgen.out" 2>>"$results/threads-loadgen.log" &
LG_PID=$!

# Thread names without their numbers (JVMs name pools "C2 CompilerThread0", "ZWorkerOld#1", ...), CPU ticks summed.
snapshot() {
  for t in /proc/"$SIDECAR_PID"/task/*; do
    f=$(cat "$t/stat" 2>/dev/null) || continue
    f=${f##*) }; set -- $f
    printf '%s|%d\n' "$(sed -E 's/[#-]?[0-9]+$//' "$t/comm")" $(( ${12} + ${13} ))
  done | awk -F'|' '{a[$1]+=$2} END{for (k in a) print k "|" a[k]}' | sort
}
sleep "$WARMUP"
snapshot >"$results/threads-0.tmp"
sleep "$WINDOW"
snapshot >"$results/threads-1.tmp"
rss=$(awk '/VmRSS/{printf "%.0f MB", $2/1024}' /proc/"$SIDECAR_PID"/status)
wait "$LG_PID" || true
LG_PID=
hz=$(getconf CLK_TCK)
{
  echo "# sidecar CPU by thread, $MODE at $RATE calls/s, ${WINDOW}s after ${WARMUP}s; JVM options: ${OLDGUARD_JAVA_OPTS:-$OLDGUARD_DEFAULT_JAVA_OPTS}"
  join -t'|' -a2 -e0 -o 0,1.2,2.2 "$results/threads-0.tmp" "$results/threads-1.tmp" \
    | awk -F'|' -v w="$WINDOW" -v r="$RATE" -v hz="$hz" '{ d = ($3 - $2) * 1000 / hz / w; t += d
        if (d > 0) printf "%015.3f  %-26s %7.1f ms/s %8.4f ms/call\n", d, $1, d, d / r }
        END { printf "%015.3f  %-26s %7.1f ms/s %8.4f ms/call\n", 1e9, "all threads", t, t / r }' \
    | sort -r | cut -c16-
  echo "  resident memory at the end of the window: $rss"
  grep '^RESULT ' "$results/threads-loadgen.out" | sed 's/^/  /'
} | tee "$results/threads-summary.txt"
rm -f "$results"/threads-[01].tmp
