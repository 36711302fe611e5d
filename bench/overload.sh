#!/usr/bin/env bash
# oldguard overload benchmark: one agent offers 1.5x the backend's shaping limit through the sidecar and we measure
# how fast the refusals come back and how much good work still reaches the legacy service. One command:
#
#   bench/overload.sh
#
# Acceptance under test (traffic-control issue): "overload at 1.5x the backend limit: refusals answered in
# <= 5 ms at p99 and backend goodput >= 95% of its limit". The config is bench/sidecar-overload.yaml: backend
# `inventory` shaped to 200/s burst 20 (maxWait 1s, maxQueue 256, maxQueuePerAgent 256, maxConnections 32);
# the agent has no rate limit of its own, so every refusal comes from the backend's shaper/queue/bulkhead.
#
# Same machinery as bench/run.sh: builds if needed, resets a dedicated PostgreSQL database, starts the simulator
# (32 workers, no added latency) and the sidecar in the background (logs in bench/results/overload-*), warms up
# with a ramp up to the limit, then runs ROUNDS open-loop runs of oldguard at RATE, each with WARMUP s unrecorded
# and DURATION s measured. Per round it prints the offered rate, the goodput (HTTP 200 answers per second at the
# load generator), goodput as % of LIMIT, the refusals (429/503) and their latency, and the OK calls' latency
# (these wait in the shaper's queue, up to maxWait, by design). At the end it reads the sidecar's /metrics.
#
# Fair shaping (issue 21): a second, quiet agent (quiet-bot) makes QUIET_AGENT_RATE calls/s through the same
# backend: once alone for DURATION s before the rounds, and beside the storm in every round (same warm-up and
# measured window). The summary puts its latency alone and during the storm side by side; target: p50 during the
# storm within 2x of its p50 alone.
# Loopback only; every step is bounded in time; everything started here is stopped on exit, by its own pid.
#
# Knobs (environment):
#   LIMIT=200            the backend's shaping rate in bench/sidecar-overload.yaml (only used for % and the rate)
#   RATE=LIMIT*3/2       calls/s offered in every measured round (300/s)
#   DURATION=30          seconds measured per round
#   WARMUP=10            seconds of unrecorded load at RATE at the start of every round (queue reaches steady state)
#   ROUNDS=3
#   INITIAL_WARMUP=45    seconds of ramp before the first round: oldguard at LIMIT/2 for a third, then at LIMIT
#                        (both JVMs start cold: JIT), not recorded
#   REFUSAL_P99_TARGET=5 ms; GOODPUT_TARGET=95 (% of LIMIT)
#   QUIET_AGENT_RATE=5   calls/s of the quiet agent (quiet-bot), alone and beside the storm
#   QUIET_BUSY, QUIET_MAX, NOISY_CORES, RETRIES, BENCH_DB, KEEP_DB, SIM_PORT, AGENT_PORT, ADMIN_PORT,
#   SIDECAR_JAVA_OPTS, LOADGEN_JAVA_OPTS: as in bench/run.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

LIMIT=${LIMIT:-200}
RATE=${RATE:-$(( LIMIT * 3 / 2 ))}
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-10}
ROUNDS=${ROUNDS:-3}
INITIAL_WARMUP=${INITIAL_WARMUP:-45}
REFUSAL_P99_TARGET=${REFUSAL_P99_TARGET:-5}
GOODPUT_TARGET=${GOODPUT_TARGET:-95}
QUIET_AGENT_RATE=${QUIET_AGENT_RATE:-5}
QUIET_BUSY=${QUIET_BUSY:-30}
QUIET_MAX=${QUIET_MAX:-60}
NOISY_CORES=${NOISY_CORES:-0.25}
RETRIES=${RETRIES:-2}
BENCH_DB=${BENCH_DB:-oldguard_bench}
SIDECAR_JAVA_OPTS=${SIDECAR_JAVA_OPTS:-}
LOADGEN_JAVA_OPTS=${LOADGEN_JAVA_OPTS:--XX:+UseSerialGC -Xms1g -Xmx1g -Xmn768m}

SIM_PORT=${SIM_PORT:-18088}
AGENT_PORT=${AGENT_PORT:-18080}
ADMIN_PORT=${ADMIN_PORT:-19901}
SOAP_URL="http://127.0.0.1:$SIM_PORT/inventory"
TOOL_URL="http://127.0.0.1:$AGENT_PORT/v1/tools/GetStock"
METRICS_URL="http://127.0.0.1:$ADMIN_PORT/metrics"
CONFIG=bench/sidecar-overload.yaml
results=bench/results
mkdir -p "$results"
rounds_file="$results/overload-rounds.txt"
summary_file="$results/overload-summary.txt"

log() { printf '[overload %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
LOG_PREFIX=overload-
. "$(dirname "$0")/common.sh"

for n in LIMIT RATE DURATION WARMUP ROUNDS INITIAL_WARMUP QUIET_BUSY QUIET_MAX RETRIES QUIET_AGENT_RATE; do
  [[ ${!n} =~ ^[0-9]+$ ]] || die "$n must be a whole number (got \"${!n}\")"
done
[ "$LIMIT" -ge 1 ] && [ "$RATE" -ge 1 ] && [ "$DURATION" -ge 1 ] && [ "$ROUNDS" -ge 1 ] && [ "$QUIET_AGENT_RATE" -ge 1 ] \
  || die "LIMIT, RATE, DURATION, ROUNDS and QUIET_AGENT_RATE must be at least 1"
grep -q "rate: \"$LIMIT/s" "$CONFIG" || log "warning: LIMIT=$LIMIT does not match the rate in $CONFIG"

# --- everything started here is stopped on exit, by its own pid ------------------------------------------------
SIM_PID=
SIDECAR_PID=
LG_PID=
QUIET_PID=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$QUIET_PID" "quiet agent's load generator"
  stop_pid "$LG_PID" "load generator"
  stop_pid "$SIDECAR_PID" "sidecar"
  stop_pid "$SIM_PID" "simulator"
  cleanup_files_and_database
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


RESULT=
loadgen() {   # rate duration warmup label -> $RESULT
  local rate=$1 duration=$2 warmup=$3 label=$4 out rc
  RESULT=
  out=$(mktemp "$results/loadgen.$$.XXXXXX.tmp")   # $$: the exit trap removes only this run's
  # shellcheck disable=SC2086
  timeout --kill-after=5 $((duration + warmup + 40)) \
    "$JAVA_HOME/bin/java" $LOADGEN_JAVA_OPTS bench/LoadGen.java --mode oldguard --url "$TOOL_URL" \
      --rate "$rate" --duration "$duration" --warmup "$warmup" --label "$label" \
      --cpu "sidecar=$SIDECAR_PID,sim=$SIM_PID,pg=user:postgres" >"$out" 2>>"$results/overload-loadgen.log" &
  LG_PID=$!
  rc=0; wait "$LG_PID" || rc=$?
  LG_PID=
  if ! grep -q '^RESULT ' "$out"; then
    rm -f "$out"
    die "load generator ($label) failed with exit code $rc; see $results/overload-loadgen.log"
  fi
  RESULT=$(grep '^RESULT ' "$out" | head -n 1)
  rm -f "$out"
}
QUIET_OUT=
quiet_start() {   # duration warmup label: the quiet agent's load generator, in the background
  QUIET_OUT=$(mktemp "$results/quiet.XXXXXX.tmp")
  # shellcheck disable=SC2086
  timeout --kill-after=5 $(($1 + $2 + 40)) \
    "$JAVA_HOME/bin/java" $LOADGEN_JAVA_OPTS bench/LoadGen.java --mode oldguard --url "$TOOL_URL" \
      --token "$OLDGUARD_TOKEN_QUIET_BOT" --rate "$QUIET_AGENT_RATE" --duration "$1" --warmup "$2" --label "$3" \
      >"$QUIET_OUT" 2>>"$results/overload-loadgen.log" &
  QUIET_PID=$!
}
quiet_wait() {   # -> $RESULT, the quiet agent's RESULT line
  local rc=0
  wait "$QUIET_PID" || rc=$?
  QUIET_PID=
  RESULT=$(grep '^RESULT ' "$QUIET_OUT" | head -n 1)
  rm -f "$QUIET_OUT"
  [ -n "$RESULT" ] || die "the quiet agent's load generator failed with exit code $rc; see $results/overload-loadgen.log"
}
metrics() {   # the whole /metrics text; the summary picks the traffic-control metrics out of it
  curl -s --max-time 5 "$METRICS_URL" || true
}
pick() { grep -E '^oldguard_(limit_rejections_total|backend_queue_wait_seconds_(count|sum|max)|calls_total)' "$1" || true; }
metric() {   # file, metric name with labels as a grep -F string: its value, 0 if absent
  awk -v m="$2" 'index($0, m) == 1 { v += $NF } END { print v + 0 }' "$1"
}

# ============================================================================================================
. scripts/java-home.sh
log "building if needed (bin/oldguard)"
bin/oldguard --help >/dev/null
check_ports
config_on_ports
bin/oldguard check --config "$CONFIG" >&2 || die "$CONFIG does not check"

log "PostgreSQL: making sure it runs on 127.0.0.1:5432"
scripts/services.sh
create_bench_database

: >"$results/overload-loadgen.log"
log "starting the legacy simulator on port $SIM_PORT (32 workers, no added latency)"
bin/oldguard simulator --port "$SIM_PORT" --workers 32 \
  --jdbc-url "jdbc:postgresql://127.0.0.1:5432/$BENCH_DB" --db-user postgres >"$results/overload-simulator.log" 2>&1 &
SIM_PID=$!
wait_http "$SOAP_URL?wsdl" 120 "$SIM_PID" simulator

export OLDGUARD_TOKEN_BENCH_BOT="${OLDGUARD_TOKEN_BENCH_BOT:-bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}"
export OLDGUARD_TOKEN_QUIET_BOT="${OLDGUARD_TOKEN_QUIET_BOT:-quiet-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}"
log "starting the sidecar with $CONFIG (agent port $AGENT_PORT, admin port $ADMIN_PORT)"
start_sidecar "$SIDECAR_JAVA_OPTS" "$results/overload-sidecar.log"

smoke_call

{
  echo "# oldguard overload benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# host: $(nproc) cores; $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)"
  echo "# commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown); config: $CONFIG"
  echo "# LIMIT=$LIMIT/s RATE=$RATE/s DURATION=$DURATION WARMUP=$WARMUP ROUNDS=$ROUNDS INITIAL_WARMUP=$INITIAL_WARMUP QUIET_AGENT_RATE=$QUIET_AGENT_RATE/s"
} | tee "$rounds_file" >&2

# --- initial warm-up: a ramp to the limit (cold JVMs: JIT), not recorded ---------------------------------------
if [ "$INITIAL_WARMUP" -gt 0 ]; then
  first=$(( (INITIAL_WARMUP + 2) / 3 )); second=$(( INITIAL_WARMUP - first )); [ "$second" -ge 1 ] || second=1
  half=$(( LIMIT / 2 )); [ "$half" -ge 1 ] || half=1
  log "warm-up: oldguard at $half/s for ${first}s, then at $LIMIT/s for ${second}s, not recorded"
  loadgen "$half" "$first" 0 "warmup-$half"; log "${RESULT/#RESULT/warm-up:}"
  loadgen "$LIMIT" "$second" 0 "warmup-$LIMIT"; log "${RESULT/#RESULT/warm-up:}"
fi
metrics >"$results/overload-metrics-before.txt"

# --- the quiet agent alone: its latency without the storm, for the side-by-side in the summary -----------------
busy_before=$(wait_quiet)
log "quiet agent alone: quiet-bot at $QUIET_AGENT_RATE/s, 2s warm-up + ${DURATION}s measured (host ${busy_before}% busy before)"
quiet_start "$DURATION" 2 quiet-alone
quiet_wait
echo "quiet alone busyBefore=${busy_before}% $RESULT" | tee -a "$rounds_file"

# --- measured rounds -----------------------------------------------------------------------------------------
retries_left=$RETRIES
for round in $(seq 1 "$ROUNDS"); do
  while true; do
    busy_before=$(wait_quiet)
    log "round $round/$ROUNDS: oldguard at $RATE/s (limit $LIMIT/s), ${WARMUP}s warm-up + ${DURATION}s measured (host ${busy_before}% busy before)"
    started_at=$(date +%H:%M:%S)
    quiet_start "$DURATION" "$WARMUP" quiet-storm
    loadgen "$RATE" "$DURATION" "$WARMUP" overload
    line=$RESULT
    quiet_wait
    quiet_line=$RESULT
    other=$(echo "$line" | awk -v n="$(nproc)" -v rate="$RATE" '{
        hb=0; ours=0
        for (i=1;i<=NF;i++) { split($i,kv,"="); if (kv[1]=="hostBusy") { sub("%","",kv[2]); hb=kv[2] }
                              if (kv[1] ~ /^cpu\./) ours += kv[2] }
        printf "%.2f", hb/100*n - ours*rate/1000 }')
    if awk -v o="$other" -v lim="$NOISY_CORES" 'BEGIN{exit !(o > lim)}' && [ "$retries_left" -gt 0 ]; then
      retries_left=$((retries_left - 1))
      echo "repeated round=$round at=$started_at busyBefore=${busy_before}% otherCores=$other $line" | tee -a "$rounds_file"
      echo "repeated quiet round=$round $quiet_line" | tee -a "$rounds_file"
      log "that run was disturbed (other work used ~$other cores); repeating it ($retries_left repeat(s) left)"
      continue
    fi
    echo "round=$round at=$started_at busyBefore=${busy_before}% otherCores=$other $line" | tee -a "$rounds_file"
    echo "quiet round=$round $quiet_line" | tee -a "$rounds_file"
    break
  done
done
metrics >"$results/overload-metrics-after.txt"

# --- summary -------------------------------------------------------------------------------------------------
{
  echo
  echo "overload: oldguard at $RATE/s against a backend limit of $LIMIT/s (latency in ms; goodput = HTTP 200 answers/s completed in the measured window)"
  printf '  %-5s %9s %9s %8s %8s %9s %9s %9s %8s %8s %8s %11s\n' \
    round offered goodput '%limit' refused ref.p50 ref.p99 ref.max ok.p50 ok.p99 errors otherCores
  grep '^round=' "$rounds_file" | while read -r l; do
    sent=$(echo "$l" | field sent); gp=$(echo "$l" | field goodput)
    printf '  %-5s %8.1f/s %7.1f/s %7.1f%% %8s %9s %9s %9s %8s %8s %8s %11s\n' \
      "$(echo "$l" | sed -nE 's/^round=([0-9]+).*/\1/p')" \
      "$(awk -v s="$sent" -v d="$DURATION" 'BEGIN{print s/d}')" "$gp" \
      "$(awk -v g="$gp" -v l="$LIMIT" 'BEGIN{print 100*g/l}')" \
      "$(echo "$l" | field refused)" "$(echo "$l" | field 'refused\.p50')" "$(echo "$l" | field 'refused\.p99')" \
      "$(echo "$l" | field 'refused\.max')" "$(echo "$l" | field p50)" "$(echo "$l" | field p99)" \
      "$(( $(echo "$l" | field errors) - $(echo "$l" | field refused) ))" \
      "$(echo "$l" | sed -nE 's/.* otherCores=([-0-9.]+).*/\1/p')"
  done
  echo "  statuses per round: $(grep '^round=' "$rounds_file" | grep -oE 'status\.[a-z0-9]+=[0-9]+' | tr '\n' ' ')"
  echo "  (errors = non-200 answers other than 429/503, I/O failures and stragglers)"
  rp99=$(grep '^round=' "$rounds_file" | field 'refused\.p99' | median)
  gp=$(grep '^round=' "$rounds_file" | field goodput | median)
  awk -v r="$rp99" -v g="$gp" -v l="$LIMIT" -v rt="$REFUSAL_P99_TARGET" -v gt="$GOODPUT_TARGET" 'BEGIN{
    printf "  median over rounds: refusal p99 %.3f ms (target <= %s ms: %s); goodput %.1f/s = %.1f%% of %d/s (target >= %s%%: %s)\n",
      r, rt, (r<=rt ? "met" : "MISSED"), g, 100*g/l, l, gt, (100*g/l>=gt ? "met" : "MISSED") }'
  echo
  echo "quiet agent: quiet-bot at $QUIET_AGENT_RATE/s through the same backend, alone and beside the storm (latency in ms)"
  printf '  %-13s %6s %6s %8s %8s %8s\n' run ok errors p50 p99 max
  grep -E '^quiet (alone|round=)' "$rounds_file" | while read -r l; do
    printf '  %-13s %6s %6s %8s %8s %8s\n' "$(echo "$l" | sed -nE 's/^quiet (alone|round=[0-9]+).*/\1/p' | sed 's/round=/storm, round /')" \
      "$(echo "$l" | field ok)" "$(echo "$l" | field errors)" "$(echo "$l" | field p50)" "$(echo "$l" | field p99)" \
      "$(echo "$l" | field max)"
  done
  qa=$(grep '^quiet alone' "$rounds_file" | field p50 | median)
  qs=$(grep '^quiet round=' "$rounds_file" | field p50 | median)
  qok=$(grep '^quiet round=' "$rounds_file" | field ok | awk '{s+=$1} END{print s+0}')
  awk -v a="$qa" -v s="$qs" -v ok="$qok" 'BEGIN{
    if (ok == 0 || a <= 0) { print "  the quiet agent had no successful call alone or during the storm: no ratio (target <= 2x: MISSED)"; exit }
    printf "  p50 alone %.3f ms, during the storm %.3f ms (median over rounds): %.2fx (target <= 2x: %s)\n",
      a, s, s/a, (s <= 2*a ? "met" : "MISSED") }'
  if grep -q '^repeated ' "$rounds_file"; then
    echo "  ($(grep -c '^repeated ' "$rounds_file") disturbed run(s) were repeated; see $rounds_file)"
  fi
  echo
  echo "sidecar /metrics after the warm-up ramp (before the rounds) and after the last round:"
  pick "$results/overload-metrics-before.txt" | sed 's/^/  before: /'
  pick "$results/overload-metrics-after.txt" | sed 's/^/  after:  /'
  b=$results/overload-metrics-before.txt a=$results/overload-metrics-after.txt
  qw='oldguard_backend_queue_wait_seconds'
  awk -v c0="$(metric "$b" "${qw}_count{")" -v c1="$(metric "$a" "${qw}_count{")" \
      -v s0="$(metric "$b" "${qw}_sum{")" -v s1="$(metric "$a" "${qw}_sum{")" \
      -v r0="$(metric "$b" 'oldguard_limit_rejections_total{')" -v r1="$(metric "$a" 'oldguard_limit_rejections_total{')" \
      -v lg="$(grep '^round=' "$rounds_file" | awk '{for(i=1;i<=NF;i++) if ($i ~ /^(refused|warmupErrors)=/) {split($i,kv,"="); s+=kv[2]}} END{print s+0}')" 'BEGIN{
    printf "  during the rounds (warm-ups of the rounds included): %d calls passed the queue, mean wait %.3f s; %d limit rejections (load generator: %d refused, warm-up errors included)\n",
      c1-c0, (c1>c0 ? (s1-s0)/(c1-c0) : 0), r1-r0, lg }'
  echo
  echo "sidecar audit log, calls by outcome (whole run, warm-ups included):"
  grep -o '"outcome":"[a-z_-]*"' "$results/overload-sidecar.log" | sort | uniq -c | sed 's/^/   /' || echo "    (none)"
} | tee "$summary_file"
log "rounds in $rounds_file, summary in $summary_file, logs in $results/overload-*.log"
