#!/usr/bin/env bash
# oldguard latency benchmark: the legacy SOAP simulator called directly ("soap") versus through the sidecar
# ("oldguard"), open-loop at a fixed rate, in interleaved rounds. One command does everything:
#
#   bench/run.sh
#
# It builds if needed (bin/oldguard's own check), resets a dedicated PostgreSQL database, starts the simulator
# (32 workers, no added latency) and the sidecar in the background (logs in bench/results/), waits until both
# are ready, warms them up with a ramp, runs ROUNDS x MODES, prints every round and a summary, and
# stops everything it started on exit. Loopback only; every step is bounded in time.
#
# Knobs (environment):
#   RATE=1000            calls/s offered in every measured round
#   DURATION=20          seconds measured per round
#   WARMUP=10            seconds of unrecorded load at the start of every round (every round starts a new load
#                        generator with new connections; with 5, a fifth to a half of every arm's slowest 1 % of
#                        calls came in the window's first two seconds, direct calls too: BENCHMARKS.md, "Young pauses")
#   ROUNDS=3             rounds; each round is one run of every mode in MODES
#   MODES="soap relay oldguard passthrough"  soap: straight to the simulator; oldguard: JSON through the sidecar;
#                        passthrough: the same SOAP envelope through the sidecar's SOAP passthrough; relay: the same
#                        envelope through bench/Relay.java, a Netty HTTP relay that checks nothing (the floor under
#                        any proxy hop on this host, measured beside the sidecar)
#   INITIAL_WARMUP=60    seconds of ramped load before the first round: oldguard at 25%, 50%, 100% of RATE for a
#                        third each (both JVMs are cold: JIT), passthrough and relay at RATE for a third each
#                        (those in MODES), then soap at RATE for a sixth, none recorded
#   QUIET_BUSY=30        before each run, wait while the host is busier than this many percent ...
#   QUIET_MAX=60         ... but at most this many seconds (the machine is shared; see BENCHMARKS.md)
#   NOISY_CORES=0.25     a run counts as disturbed when processes outside the benchmark used more than this many
#                        cores during it (otherCores = host busy cores - ours; approximate, +-0.2)
#   RETRIES=2            disturbed runs repeated at most this many times in all (kept, marked 'repeated')
#   BENCH_DB=oldguard_bench  database created for the run on the PostgreSQL at 127.0.0.1:5432 (as user postgres,
#                        dropped first if it exists) and dropped again on exit
#   KEEP_DB=1            keep that database after the run (to look at it)
#   SIM_PORT=18088 AGENT_PORT=18080 ADMIN_PORT=19901  the simulator's port, and the sidecar's agent and admin
#                        ports (bench/sidecar-bench.yaml's; other values run a copy of it with those ports)
#   RELAY_PORT=18087     the relay's port (when MODES has relay)
#   PROFILE=1            record the sidecar with JFR into bench/results/sidecar.jfr (figures then include
#                        the profiler's overhead: use for finding hot spots, not for the numbers)
#   SIDECAR_JAVA_OPTS    extra JVM options for the sidecar (passed as JAVA_TOOL_OPTIONS)
#   LOADGEN_JAVA_OPTS    JVM options of the load generator (default: -XX:+UseSerialGC -Xms1g -Xmx1g -Xmn768m: a young
#                        generation large enough that a 25 s run at 1,000/s never stops for a collection, which with
#                        -Xmx512m paused it once a run for 12 to 20 ms, in the middle of the measured window)
#   DUMP=1               write every measured call's intended start and latency to bench/results/calls-<mode>-<round>.txt
#                        (LoadGen --dump); bench/slowcalls.py then tells when each round's slowest calls came and how
#                        many overlapped a GC pause (give the JVMs -Xlog:gc:file=...:utctime, e.g. in SIDECAR_JAVA_OPTS)
#   MONITOR=1            log every process using >= 10% of a core, each second, to bench/results/top.log
#                        (what else ran during a bad round; top itself costs ~1% of a core); 0 turns it off
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

RATE=${RATE:-1000}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-10}
ROUNDS=${ROUNDS:-3}
INITIAL_WARMUP=${INITIAL_WARMUP:-60}
QUIET_BUSY=${QUIET_BUSY:-30}
QUIET_MAX=${QUIET_MAX:-60}
RETRIES=${RETRIES:-2}
BENCH_DB=${BENCH_DB:-oldguard_bench}
PROFILE=${PROFILE:-0}
SIDECAR_JAVA_OPTS=${SIDECAR_JAVA_OPTS:-}
LOADGEN_JAVA_OPTS=${LOADGEN_JAVA_OPTS:--XX:+UseSerialGC -Xms1g -Xmx1g -Xmn768m}
MONITOR=${MONITOR:-1}
DUMP=${DUMP:-0}
MODES=${MODES:-soap relay oldguard passthrough}

SIM_PORT=${SIM_PORT:-18088}
AGENT_PORT=${AGENT_PORT:-18080}
ADMIN_PORT=${ADMIN_PORT:-19901}
RELAY_PORT=${RELAY_PORT:-18087}
RELAY_URL="http://127.0.0.1:$RELAY_PORT/inventory"
SOAP_URL="http://127.0.0.1:$SIM_PORT/inventory"
TOOL_URL="http://127.0.0.1:$AGENT_PORT/v1/tools/GetStock"
PASS_URL="http://127.0.0.1:$AGENT_PORT/inventory"
CONFIG=bench/sidecar-bench.yaml
results=bench/results
mkdir -p "$results"
rounds_file="$results/rounds.txt"
summary_file="$results/summary.txt"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
LOG_PREFIX=""
. "$(dirname "$0")/common.sh"

for n in RATE DURATION WARMUP ROUNDS INITIAL_WARMUP QUIET_BUSY QUIET_MAX RETRIES; do
  [[ ${!n} =~ ^[0-9]+$ ]] && [ "${!n}" -ge 0 ] || die "$n must be a whole number (got \"${!n}\")"
done
[ "$RATE" -ge 1 ] && [ "$DURATION" -ge 1 ] && [ "$ROUNDS" -ge 1 ] || die "RATE, DURATION and ROUNDS must be at least 1"

# --- everything started here is stopped on exit, by its own pid ------------------------------------------------
SIM_PID=
SIDECAR_PID=
RELAY_PID=
LG_PID=
MON_PID=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$LG_PID" "load generator"
  stop_pid "$MON_PID" "top monitor"
  if [ -f "$results/top.raw.tmp" ]; then
    # Keep only the busy processes, one line each: time pid user %cpu command.
    awk '/^top -/{t=$3} $1 ~ /^[0-9]+$/ && $9+0 >= 10 {
           cmd=""; for (i=12;i<=NF;i++) cmd=cmd " " $i
           print t, $1, $2, $9, substr(cmd, 2, 110) }' "$results/top.raw.tmp" >"$results/top.log" || true
    rm -f "$results/top.raw.tmp"
  fi
  stop_pid "$SIDECAR_PID" "sidecar"
  stop_pid "$RELAY_PID" "relay"
  stop_pid "$SIM_PID" "simulator"
  cleanup_files_and_database
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- host CPU busy percentage over ~1 s, from /proc/stat --------------------------------------------------------



# --- load generator ------------------------------------------------------------------------------------------
# loadgen MODE RATE DURATION WARMUP LABEL: one bounded run (MODE relay: the SOAP envelope through the relay, whose
# CPU is then in the cpu.sidecar column), in the background so that the exit trap can stop
# it; its RESULT line is left in $RESULT (not printed: no subshell, so LG_PID stays visible to the trap).
RESULT=
loadgen() {
  local mode=$1 rate=$2 duration=$3 warmup=$4 label=$5 dump=${6:-} out rc url proxy=$SIDECAR_PID
  RESULT=
  case "$mode" in
    soap) url=$SOAP_URL ;;
    passthrough) url=$PASS_URL ;;
    relay) url=$RELAY_URL; mode=soap; proxy=$RELAY_PID ;;
    *) url=$TOOL_URL ;;
  esac
  out=$(mktemp "$results/loadgen.$$.XXXXXX.tmp")   # $$: the exit trap removes only this run's
  # shellcheck disable=SC2086
  timeout --kill-after=5 $((duration + warmup + 40)) \
    "$JAVA_HOME/bin/java" $LOADGEN_JAVA_OPTS bench/LoadGen.java --mode "$mode" \
      --url "$url" \
      --rate "$rate" --duration "$duration" --warmup "$warmup" --label "$label" \
      --cpu "sidecar=$proxy,sim=$SIM_PID,pg=user:postgres" ${dump:+--dump "$dump"} >"$out" 2>>"$results/loadgen.log" &
  LG_PID=$!
  rc=0; wait "$LG_PID" || rc=$?
  LG_PID=
  if ! grep -q '^RESULT ' "$out"; then
    rm -f "$out"
    die "load generator ($label) failed with exit code $rc; see $results/loadgen.log"
  fi
  RESULT=$(grep '^RESULT ' "$out" | head -n 1)
  rm -f "$out"
}


# ============================================================================================================
. scripts/java-home.sh
log "building if needed (bin/oldguard)"
bin/oldguard --help >/dev/null

check_ports
config_on_ports

log "PostgreSQL: making sure it runs on 127.0.0.1:5432"
scripts/services.sh
create_bench_database

: >"$results/loadgen.log"
log "starting the legacy simulator on port $SIM_PORT (32 workers, no added latency)"
bin/oldguard simulator --port "$SIM_PORT" --workers 32 \
  --jdbc-url "jdbc:postgresql://127.0.0.1:5432/$BENCH_DB" --db-user postgres >"$results/simulator.log" 2>&1 &
SIM_PID=$!
wait_http "$SOAP_URL?wsdl" 120 "$SIM_PID" simulator

export OLDGUARD_TOKEN_BENCH_BOT="${OLDGUARD_TOKEN_BENCH_BOT:-bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}"
sidecar_opts="$SIDECAR_JAVA_OPTS"
if [ "$PROFILE" = 1 ]; then
  rm -f "$results/sidecar.jfr"
  sidecar_opts="$sidecar_opts -XX:StartFlightRecording=filename=$results/sidecar.jfr,settings=profile,dumponexit=true"
fi
log "starting the sidecar (agent port $AGENT_PORT, admin port $ADMIN_PORT)${sidecar_opts:+ with JAVA_TOOL_OPTIONS=$sidecar_opts}"
start_sidecar "$sidecar_opts" "$results/sidecar.log"

smoke_call

if [[ " $MODES " == *" relay "* ]]; then
  log "starting the relay (bench/Relay.java, the floor under any proxy) on port $RELAY_PORT"
  port_free "$RELAY_PORT" || die "port $RELAY_PORT (the relay's) is in use; set RELAY_PORT"
  "$JAVA_HOME/bin/java" ${OLDGUARD_JAVA_OPTS:-$OLDGUARD_DEFAULT_JAVA_OPTS} -cp target/oldguard.jar bench/Relay.java \
    --port "$RELAY_PORT" --backend "127.0.0.1:$SIM_PORT" --mode http >"$results/relay.log" 2>&1 &
  RELAY_PID=$!
  wait_http "$RELAY_URL?wsdl" 60 "$RELAY_PID" relay
fi

{
  echo "# oldguard benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# host: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo); $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1); $(psql -h 127.0.0.1 -U postgres -tAc 'SHOW server_version' 2>/dev/null | sed 's/^/PostgreSQL /')"
  echo "# commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "# RATE=$RATE DURATION=$DURATION WARMUP=$WARMUP ROUNDS=$ROUNDS INITIAL_WARMUP=$INITIAL_WARMUP PROFILE=$PROFILE"
} | tee "$rounds_file" >&2

if [ "$MONITOR" = 1 ] && command -v top >/dev/null 2>&1; then
  # Bounded like everything else: at most an hour of samples.
  top -b -c -d 1 -n 3600 -w 400 >"$results/top.raw.tmp" 2>/dev/null &
  MON_PID=$!
fi

# --- initial warm-up: a ramp. Cold, the sidecar and the simulator spend 3-4 ms of CPU per call compiling (JIT);
# at full rate on 2 cores that falls seconds behind, so the rate climbs while the compilers finish. -----------
if [ "$INITIAL_WARMUP" -gt 0 ]; then
  step=$(( (INITIAL_WARMUP + 2) / 3 ))
  log "warm-up: ramp of oldguard at 25%, 50%, 100% of $RATE/s (${step}s each), then soap, not recorded"
  for pct in 25 50 100; do
    r=$(( RATE * pct / 100 )); [ "$r" -ge 1 ] || r=1
    loadgen oldguard "$r" "$step" 0 "warmup-oldguard-$r"
    log "${RESULT/#RESULT/warm-up:}"
  done
  for mode in passthrough relay; do
    [[ " $MODES " == *" $mode "* ]] || continue
    loadgen "$mode" "$RATE" "$step" 0 "warmup-$mode"
    log "${RESULT/#RESULT/warm-up:}"
  done
  loadgen soap "$RATE" "$(( (step + 1) / 2 ))" 0 "warmup-soap"
  log "${RESULT/#RESULT/warm-up:}"
fi

# --- measured rounds -----------------------------------------------------------------------------------------
NOISY_CORES=${NOISY_CORES:-0.25}
retries_left=$RETRIES
for round in $(seq 1 "$ROUNDS"); do
  for mode in $MODES; do
    while true; do
      busy_before=$(wait_quiet)
      log "round $round/$ROUNDS: $mode at $RATE/s, ${WARMUP}s warm-up + ${DURATION}s measured (host ${busy_before}% busy before)"
      started_at=$(date +%H:%M:%S)
      loadgen "$mode" "$RATE" "$DURATION" "$WARMUP" "$mode" "$([ "$DUMP" = 1 ] && echo "$results/calls-$mode-$round.txt")"
      line=$RESULT
      # CPU of processes outside the benchmark during the window: host busy cores minus ours (approximate).
      other=$(echo "$line" | awk -v n="$(nproc)" -v rate="$RATE" '{
          hb=0; ours=0
          for (i=1;i<=NF;i++) { split($i,kv,"="); if (kv[1]=="hostBusy") { sub("%","",kv[2]); hb=kv[2] }
                                if (kv[1] ~ /^cpu\./) ours += kv[2] }
          printf "%.2f", hb/100*n - ours*rate/1000 }')
      if awk -v o="$other" -v lim="$NOISY_CORES" 'BEGIN{exit !(o > lim)}' && [ "$retries_left" -gt 0 ]; then
        retries_left=$((retries_left - 1))
        echo "repeated round=$round at=$started_at busyBefore=${busy_before}% otherCores=$other $line" | tee -a "$rounds_file"
        log "that run was disturbed (other work used ~$other cores); repeating it ($retries_left repeat(s) left)"
        continue
      fi
      echo "round=$round at=$started_at busyBefore=${busy_before}% otherCores=$other $line" | tee -a "$rounds_file"
      break
    done
  done
done

# --- summary -------------------------------------------------------------------------------------------------
undisturbed() { awk -v lim="$NOISY_CORES" '{ for(i=1;i<=NF;i++) if ($i ~ /^otherCores=/) { split($i,kv,"="); if (kv[2]+0 <= lim) print } }'; }
table() {   # title, then the round lines on stdin
  local title=$1 rows mode sel s50 o50 s99 o99 n errs
  rows=$(cat)
  echo "$title"
  printf '  %-9s %6s %8s %8s %8s %8s %8s %9s %6s | %7s %7s %7s %7s\n' \
    path runs p50 p90 p99 p99.9 max tput errors sidecar sim pg loadgen
  for mode in $MODES; do
    sel=$(echo "$rows" | grep " label=$mode " || true)
    n=$(echo "$sel" | grep -c . || true)
    errs=$(echo "$sel" | field errors | awk '{s+=$1} END{print s+0}')
    printf '  %-9s %6s %8s %8s %8s %8s %8s %9s %6s | %7s %7s %7s %7s\n' "$mode" "$n" \
      "$(echo "$sel" | field p50 | median)" "$(echo "$sel" | field p90 | median)" \
      "$(echo "$sel" | field p99 | median)" "$(echo "$sel" | field 'p99\.9' | median)" \
      "$(echo "$sel" | field max | median)" "$(echo "$sel" | field tput | median)/s" "$errs" \
      "$(echo "$sel" | field 'cpu\.sidecar' | median)" "$(echo "$sel" | field 'cpu\.sim' | median)" \
      "$(echo "$sel" | field 'cpu\.pg' | median)" "$(echo "$sel" | field 'cpu\.loadgen' | median)"
  done
  s50=$( (echo "$rows" | grep " label=soap " || true) | field p50 | median)
  s99=$( (echo "$rows" | grep " label=soap " || true) | field p99 | median)
  for mode in $MODES; do
    [ "$mode" = soap ] && continue
    o50=$( (echo "$rows" | grep " label=$mode " || true) | field p50 | median)
    o99=$( (echo "$rows" | grep " label=$mode " || true) | field p99 | median)
    awk -v m="$mode" -v s50="$s50" -v o50="$o50" -v s99="$s99" -v o99="$o99" 'BEGIN{
      if (s50 == "nan" || o50 == "nan") { printf "  added by oldguard (%s): n/a (no run of one of the paths)\n", m; exit }
      a50=o50-s50; a99=o99-s99
      if (m == "relay") { printf "  added by the bare relay (%s, the floor under any proxy hop): p50 %+.3f ms, p99 %+.3f ms\n", m, a50, a99; exit }
      printf "  added by oldguard (%s): p50 %+.3f ms (target <= 0.3 ms: %s), p99 %+.3f ms (target <= 1 ms: %s)\n",
        m, a50, (a50<=0.3 ? "met" : "MISSED"), a99, (a99<=1 ? "met" : "MISSED") }'
  done
}
{
  echo
  grep '^round=' "$rounds_file" | table "summary: all $ROUNDS rounds at $RATE calls/s (median over runs; latency in ms, CPU in ms per call):"
  noisy=$(grep '^round=' "$rounds_file" | undisturbed | grep -c . || true)
  runs=$((ROUNDS * $(echo $MODES | wc -w)))
  noisy=$((runs - noisy))
  echo "  runs disturbed by other work on the host (otherCores > $NOISY_CORES): $noisy of $runs"
  if [ "$noisy" -gt 0 ]; then
    echo
    (grep '^round=' "$rounds_file" || true) | undisturbed | table "undisturbed runs only (otherCores <= $NOISY_CORES):"
  fi
  if grep -q '^repeated ' "$rounds_file"; then
    echo "  ($(grep -c '^repeated ' "$rounds_file") disturbed run(s) were repeated; they are in $rounds_file as 'repeated' lines, not in these tables)"
  fi
  echo
  # From the metrics, not the audit log: the shipped audit.allowed writes a line for only a sample of allowed calls.
  echo "sidecar calls by outcome (oldguard_calls_total, whole run, warm-ups included):"
  curl -sf --max-time 5 "http://127.0.0.1:$ADMIN_PORT/metrics" | grep '^oldguard_calls_total{' \
    | sed -E 's/.*outcome="([^"]*)".* ([0-9.E+]+)$/\2 \1/' | awk '{printf "   %8d %s\n", $1, $2}' || echo "    (none)"
} | tee "$summary_file"
log "rounds in $rounds_file, summary in $summary_file, logs in $results/*.log"
