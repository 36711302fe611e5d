#!/usr/bin/env bash
# What fleet mode costs per call: two sidecars side by side in one run, identical but for `cluster:` (one keeps its
# buckets in memory, the other in the machine's Redis on 127.0.0.1:6379), each called at RATE in interleaved
# rounds through the JSON API. One command:
#
#   bench/cluster.sh
#
# Both sidecars have every limit on (agent, agent x tool, the backend's shaper) far above the load, so every call
# pays for each bucket, and the fleet one also for its in-flight lease; nothing is refused. Reports latency, the
# sidecar's and Redis's CPU per call (from /proc), and Redis commands per call (INFO commandstats before/after).
#
# Knobs: SIM_PORT=18088, RATE=500, DURATION=20, WARMUP=5, ROUNDS=3, INITIAL_WARMUP=30, BENCH_DB=oldguard_bench (dropped and
# recreated; dropped again at the end), QUIET_BUSY/QUIET_MAX as in bench/run.sh. Ports: simulator 18088, local
# sidecar 18082/19903, fleet sidecar 18081/19902. Keys in Redis under og-bench:*, deleted at the end.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

RATE=${RATE:-500}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
ROUNDS=${ROUNDS:-3}
INITIAL_WARMUP=${INITIAL_WARMUP:-30}
QUIET_BUSY=${QUIET_BUSY:-30}
QUIET_MAX=${QUIET_MAX:-60}
BENCH_DB=${BENCH_DB:-oldguard_bench}
LOADGEN_JAVA_OPTS=${LOADGEN_JAVA_OPTS:--XX:+UseSerialGC -Xms1g -Xmx1g -Xmn768m}

SIM_PORT=${SIM_PORT:-18088}
SOAP_URL="http://127.0.0.1:$SIM_PORT/inventory"
results=bench/results
mkdir -p "$results"
rounds_file="$results/cluster-rounds.txt"
LOG_PREFIX="cluster-"

log() { printf '[cluster-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
. "$(dirname "$0")/common.sh"

SIM_PID= LOCAL_PID= FLEET_PID= LG_PID=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$LG_PID" "load generator"
  stop_pid "$LOCAL_PID" "local sidecar"
  stop_pid "$FLEET_PID" "fleet sidecar"
  stop_pid "$SIM_PID" "simulator"
  redis-cli -h 127.0.0.1 -p 6379 --scan --pattern 'og-bench:*' 2>/dev/null | xargs -r redis-cli -h 127.0.0.1 -p 6379 del >/dev/null 2>&1 || true
  dropdb -h 127.0.0.1 -U postgres --if-exists --force "$BENCH_DB" 2>/dev/null || true
  rm -f "$results"/loadgen.$$.*.tmp "$results/local-sidecar.yaml" "$results/fleet-sidecar.yaml"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

redis_calls() { redis-cli -h 127.0.0.1 -p 6379 info commandstats | awk -F'[=,:]' '/^cmdstat_/{s+=$3} END{print s+0}'; }

RESULT=
loadgen() {   # url rate duration warmup label cpu-spec
  local out rc
  out=$(mktemp "$results/loadgen.$$.XXXXXX.tmp")   # $$: the exit trap removes only this run's
  # shellcheck disable=SC2086
  timeout --kill-after=5 $(($3 + $4 + 40)) "$JAVA_HOME/bin/java" $LOADGEN_JAVA_OPTS bench/LoadGen.java --mode oldguard \
    --url "$1" --rate "$2" --duration "$3" --warmup "$4" --label "$5" --cpu "$6" >"$out" 2>>"$results/cluster-loadgen.log" &
  LG_PID=$!
  rc=0; wait "$LG_PID" || rc=$?
  LG_PID=
  grep -q '^RESULT ' "$out" || { rm -f "$out"; die "load generator ($5) failed ($rc); see $results/cluster-loadgen.log"; }
  RESULT=$(grep '^RESULT ' "$out" | head -n 1)
  rm -f "$out"
}

. scripts/java-home.sh
bin/oldguard --help >/dev/null
bash scripts/services.sh
for p in $SIM_PORT 18081 18082 19902 19903; do port_free "$p" || die "port $p on 127.0.0.1 is in use"; done
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || die "no Redis on 127.0.0.1:6379 (start it: see DEPENDENCIES in the README)"
REDIS_PID=$(pgrep -f 'redis-server.*6379' | head -n 1)

dropdb -h 127.0.0.1 -U postgres --if-exists --force "$BENCH_DB"
createdb -h 127.0.0.1 -U postgres "$BENCH_DB"
: >"$results/cluster-loadgen.log"
bin/oldguard simulator --port "$SIM_PORT" --workers 32 \
  --jdbc-url "jdbc:postgresql://127.0.0.1:5432/$BENCH_DB" --db-user postgres >"$results/cluster-simulator.log" 2>&1 &
SIM_PID=$!
wait_http "$SOAP_URL?wsdl" 120 "$SIM_PID" simulator

export OLDGUARD_TOKEN_BENCH_BOT="${OLDGUARD_TOKEN_BENCH_BOT:-bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}"
# Both run from copies in $results pointed at this run's simulator; the local twin is the same file without
# `cluster:`, on its own ports and halts file.
sed -e "s#127.0.0.1:18088/#127.0.0.1:$SIM_PORT/#" -e 's#\.\./wsdl/#../../wsdl/#; s#^policies: policies-cluster#policies: ../policies-cluster#' \
  -e 's#results/cluster-halts.json#cluster-halts.json#' bench/sidecar-bench-cluster.yaml >"$results/fleet-sidecar.yaml"
sed -e '/^cluster:/,$d' -e 's/18081/18082/; s/19902/19903/; s#cluster-halts.json#local-halts.json#' \
  "$results/fleet-sidecar.yaml" >"$results/local-sidecar.yaml"
bin/oldguard run --config "$results/local-sidecar.yaml" >"$results/cluster-local.log" 2>&1 &
LOCAL_PID=$!
bin/oldguard run --config "$results/fleet-sidecar.yaml" >"$results/cluster-fleet.log" 2>&1 &
FLEET_PID=$!
wait_http "http://127.0.0.1:19903/readyz" 60 "$LOCAL_PID" local
wait_http "http://127.0.0.1:19902/readyz" 60 "$FLEET_PID" fleet

{
  echo "# fleet-mode cost benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "# host: $(nproc) cores; $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1); $(redis-server --version | cut -d' ' -f1-3)"
  echo "# RATE=$RATE DURATION=$DURATION WARMUP=$WARMUP ROUNDS=$ROUNDS"
} | tee "$rounds_file" >&2

if [ "$INITIAL_WARMUP" -gt 0 ]; then
  log "warm-up: both sidecars at $RATE/s for ${INITIAL_WARMUP}s each, not recorded"
  loadgen "http://127.0.0.1:18082/v1/tools/GetStock" "$RATE" "$INITIAL_WARMUP" 0 warmup-local "sidecar=$LOCAL_PID"
  loadgen "http://127.0.0.1:18081/v1/tools/GetStock" "$RATE" "$INITIAL_WARMUP" 0 warmup-fleet "sidecar=$FLEET_PID"
fi

for round in $(seq 1 "$ROUNDS"); do
  for mode in local fleet; do
    wait_quiet >/dev/null
    if [ "$mode" = local ]; then port=18082 pid=$LOCAL_PID; else port=18081 pid=$FLEET_PID; fi
    before=$(redis_calls)
    loadgen "http://127.0.0.1:$port/v1/tools/GetStock" "$RATE" "$DURATION" "$WARMUP" "$mode" "sidecar=$pid,redis=${REDIS_PID:-0}"
    after=$(redis_calls)
    sent=$(echo "$RESULT" | field sent)
    perCall=$(awk -v a="$before" -v b="$after" -v n="$sent" 'BEGIN{ printf "%.2f", (n>0 ? (b-a)/n : 0) }')
    echo "round=$round redisCommandsPerCall=$perCall $RESULT" | tee -a "$rounds_file"
  done
done

{
  echo
  echo "summary at $RATE calls/s (median over $ROUNDS rounds; latency in ms, CPU in ms per call):"
  printf '  %-6s %8s %8s %8s %10s %9s %14s\n' mode p50 p99 errors sidecarCPU redisCPU redisCmds/call
  for mode in local fleet; do
    sel=$(grep "^round=.* label=$mode " "$rounds_file" || true)
    printf '  %-6s %8s %8s %8s %10s %9s %14s\n' "$mode" "$(echo "$sel" | field p50 | median)" \
      "$(echo "$sel" | field p99 | median)" "$(echo "$sel" | field errors | awk '{s+=$1} END{print s+0}')" \
      "$(echo "$sel" | field 'cpu\.sidecar' | median)" "$(echo "$sel" | field 'cpu\.redis' | median)" \
      "$(echo "$sel" | field redisCommandsPerCall | median)"
  done
  l50=$(grep "^round=.* label=local " "$rounds_file" | field p50 | median)
  f50=$(grep "^round=.* label=fleet " "$rounds_file" | field p50 | median)
  awk -v l="$l50" -v f="$f50" 'BEGIN{ a=f-l; printf "  added by fleet mode: p50 %+.3f ms (target <= 0.3 ms: %s)\n", a, (a<=0.3 ? "met" : "MISSED") }'
} | tee -a "$rounds_file"
log "rounds and summary in $rounds_file"
