#!/usr/bin/env bash
# oldguard saturation benchmark: how many GetStock calls/s get through, and how much CPU the sidecar spends per
# call, when the backend is not the bottleneck. Closed loop (wrk, one thread, CONNS connections each sending its
# next call as soon as the last one is answered) against an in-memory answerer (bench/StockAnswerer.java), three
# arms measured in interleaved rounds:
#
#   direct       wrk -> answerer (SOAP envelope)
#   passthrough  wrk -> sidecar's SOAP passthrough (/inventory) -> answerer
#   json         wrk -> sidecar's JSON tool API (/v1/tools/GetStock) -> answerer
#
# (direct first in every round, the others in an order rotated from round to round),
# then the same three arms paced at PACED_RATE calls/s (bench/LoadGen.java, open loop), for the CPU per call at a
# rate well below saturation. CPU per call is read from /proc/<pid>/stat of the sidecar and of the answerer.
#
#   bench/saturation.sh
#
# One sidecar is started per audit option in AUDITS (sidecar.yaml's audit.allowed), each on its own ports, all
# measured side by side in the same rounds; each arm through the sidecar is labelled with its audit option
# (json:none, passthrough:all, ...). The audit log's growth during each measured run gives the log volume per call.
# The summary gives medians over the rounds, then each arm's ratios taken round by round (a round's arms run within
# a minute of each other, so these move less than the host does between rounds): calls/s against direct and, when
# the relay runs, calls/s and paced CPU per call against relay:http, the floor under any proxy hop.
#
# Knobs (environment):
#   DURATION=15        seconds per closed-loop run           CONNS=16       wrk connections (one wrk thread)
#   ROUNDS=3           rounds of every arm                   WARMUP=60      seconds of closed-loop warm-up per arm (the
#                      sidecar's JIT keeps improving it for about a minute under load; BENCHMARKS.md, 2026-12-05)
#   PACED_RATE=500     calls/s of the paced runs (0: none)   PACED_DURATION=15   PACED_ROUNDS=$ROUNDS
#   AUDITS="none"      audit.allowed options, one sidecar each (all | sample | none; sample uses SAMPLE_RATE;
#                      default: no audit section in the configuration)
#   SAMPLE_RATE=0.01   audit.sampleRate of the "sample" sidecar
#   BACKEND_PORT=18188 AGENT_PORT=18180 ADMIN_PORT=19911   the n-th sidecar uses AGENT_PORT+n and ADMIN_PORT+n
#   SIDECAR_JAVA_OPTS  extra JVM options of the sidecars (JAVA_TOOL_OPTIONS), e.g. a JFR recording (%a in it is
#                      replaced by the sidecar's label)
#   BACKEND=netty      the backend: netty (bench/StockAnswerer.java, bare Netty: ~0.015 ms of CPU per call) or cxf
#                      (bench/CxfStockAnswerer.java, a CXF service on Jetty answering from memory: a heavier SOAP stack)
#   RELAY="http"      also measure the floor under any proxy: bench/Relay.java, a Netty relay that checks nothing,
#                      in front of the same answerer (arms relay:http, and relay:raw for a bare TCP pipe); "" for none
#   RELAY_PORT=18170   the n-th relay listens on RELAY_PORT+n
#   BASELINE_JAR=path  also run the oldguard.jar of another build (e.g. the commit before a change) as one more
#                      sidecar, labelled "base", on its own ports and with no audit section: before and after
#                      measured side by side in the same rounds
#   BASELINE_JAVA_OPTS the base sidecar's JVM options (default: OLDGUARD_DEFAULT_JAVA_OPTS, as bin/oldguard's), e.g.
#                      to compare collectors with BASELINE_JAR=target/oldguard.jar and OLDGUARD_JAVA_OPTS for the other
#   VARIANTS="label|jar|JVM options;..."  more sidecars like "base", one per ;-separated entry, each labelled as
#                      given, e.g. VARIANTS="pooled|target/oldguard.jar|-XX:+UseSerialGC -Dio.netty.allocator.type=pooled"
#                      (an empty option field means OLDGUARD_DEFAULT_JAVA_OPTS); BASELINE_JAR is the variant "base"
# Results in bench/results/saturation-*.txt and the sidecars' logs in bench/results/saturation-sidecar-*.log.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

DURATION=${DURATION:-15}
CONNS=${CONNS:-16}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-60}
PACED_RATE=${PACED_RATE:-500}
PACED_DURATION=${PACED_DURATION:-15}
PACED_ROUNDS=${PACED_ROUNDS:-$ROUNDS}
AUDITS=${AUDITS:-none}
SAMPLE_RATE=${SAMPLE_RATE:-0.01}
BACKEND_PORT=${BACKEND_PORT:-18188}
AGENT_PORT=${AGENT_PORT:-18180}
ADMIN_PORT=${ADMIN_PORT:-19911}
SIDECAR_JAVA_OPTS=${SIDECAR_JAVA_OPTS:-}
BASELINE_JAR=${BASELINE_JAR:-}
BASELINE_JAVA_OPTS=${BASELINE_JAVA_OPTS:-}
VARIANTS=${VARIANTS:-}
BACKEND=${BACKEND:-netty}
RELAY=${RELAY-http}
RELAY_PORT=${RELAY_PORT:-18170}
QUIET_BUSY=${QUIET_BUSY:-30}
QUIET_MAX=${QUIET_MAX:-30}

results=bench/results
mkdir -p "$results"
rounds_file="$results/saturation-rounds.txt"
summary_file="$results/saturation-summary.txt"
log() { printf '[saturation %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
LOG_PREFIX="saturation-"
. "$(dirname "$0")/common.sh"

for n in DURATION CONNS ROUNDS WARMUP PACED_RATE PACED_DURATION PACED_ROUNDS; do
  [[ ${!n} =~ ^[0-9]+$ ]] || die "$n must be a whole number (got \"${!n}\")"
done
command -v wrk >/dev/null || die "wrk is not installed (apt-get install -y wrk)"

BACKEND_PID=
declare -A SIDECAR_PIDS=()
declare -A SIDECAR_AGENT_PORTS=()
declare -A RELAY_PIDS=()
declare -A RELAY_PORTS=()
CONFIGS=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for a in "${!SIDECAR_PIDS[@]}"; do stop_pid "${SIDECAR_PIDS[$a]}" "sidecar ($a)"; done
  for a in "${!RELAY_PIDS[@]}"; do stop_pid "${RELAY_PIDS[$a]}" "relay ($a)"; done
  stop_pid "$BACKEND_PID" "answerer"
  for c in "${CONFIGS[@]}"; do rm -f "$c"; done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ticks() { local f; f=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }; f=${f##*) }; set -- $f; echo $(( ${12} + ${13} )); }
host_ticks() { awk '/^cpu /{t=0; for(i=2;i<=9;i++) t+=$i; print t-$5-$6, t; exit}' /proc/stat; }
file_size() { stat -c %s "$1" 2>/dev/null || echo 0; }

. scripts/java-home.sh
log "building if needed (bin/oldguard)"
bin/oldguard --help >/dev/null
export OLDGUARD_TOKEN_BENCH_BOT="${OLDGUARD_TOKEN_BENCH_BOT:-bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}"

port_free "$BACKEND_PORT" || die "port $BACKEND_PORT (the answerer's) is in use; set BACKEND_PORT"
log "starting the in-memory answerer ($BACKEND) on port $BACKEND_PORT"
case "$BACKEND" in
  netty) "$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xms128m -Xmx128m -cp target/oldguard.jar bench/StockAnswerer.java \
           --port "$BACKEND_PORT" >"$results/saturation-answerer.log" 2>&1 & ;;
  cxf) "$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xms256m -Xmx256m -cp "target/oldguard-demo.jar:target/oldguard.jar:target/demo-lib/*" \
         bench/CxfStockAnswerer.java --port "$BACKEND_PORT" >"$results/saturation-answerer.log" 2>&1 & ;;
  *) die "BACKEND must be netty or cxf (got $BACKEND)" ;;
esac
BACKEND_PID=$!
wait_http "http://127.0.0.1:$BACKEND_PORT/inventory?wsdl" 60 "$BACKEND_PID" answerer

i=0
for mode in $RELAY; do
  case "$mode" in http|raw) ;; *) die "RELAY: each must be http or raw (got $mode)";; esac
  rp=$((RELAY_PORT + i)); i=$((i + 1))
  port_free "$rp" || die "port $rp is in use; set RELAY_PORT"
  log "starting the $mode relay (bench/Relay.java, the floor under any proxy) on port $rp"
  # The sidecar's own JVM options (bin/oldguard's), so that the floor is measured the same way.
  "$JAVA_HOME/bin/java" ${OLDGUARD_JAVA_OPTS:-$OLDGUARD_DEFAULT_JAVA_OPTS} -cp target/oldguard.jar bench/Relay.java --port "$rp" \
    --backend "127.0.0.1:$BACKEND_PORT" --mode "$mode" >"$results/saturation-relay-$mode.log" 2>&1 &
  RELAY_PIDS[$mode]=$!
  RELAY_PORTS[$mode]=$rp
  wait_http "http://127.0.0.1:$rp/inventory?wsdl" 60 "${RELAY_PIDS[$mode]}" "relay-$mode"
done

# Sidecars of another build or other JVM options (the variants), measured beside the AUDITS ones; none has an
# audit section, so each runs the built-in default.
declare -A VARIANT_JAR=() VARIANT_OPTS=()
VARIANT_LABELS=()
add_variant() {
  local label=$1 jar=$2 opts=$3
  [[ $label =~ ^[a-z0-9-]+$ ]] || die "VARIANTS: a label is lower-case letters, digits and dashes (got \"$label\")"
  case "$label" in all|sample|none|default) die "VARIANTS: $label is an audit option, not a label";; esac
  [ -z "${VARIANT_JAR[$label]:-}" ] || die "VARIANTS: label $label given twice"
  [ -f "$jar" ] || die "VARIANTS ($label): no file $jar"
  VARIANT_JAR[$label]=$jar
  VARIANT_OPTS[$label]=${opts:-$OLDGUARD_DEFAULT_JAVA_OPTS}
  VARIANT_LABELS+=("$label")
}
[ -n "$BASELINE_JAR" ] && add_variant base "$BASELINE_JAR" "$BASELINE_JAVA_OPTS"
IFS=';' read -r -a variant_specs <<<"$VARIANTS"
for spec in "${variant_specs[@]}"; do
  [ -z "${spec// }" ] && continue
  IFS='|' read -r v_label v_jar v_opts <<<"$spec"
  add_variant "$(echo "$v_label" | xargs)" "$(echo "$v_jar" | xargs)" "$v_opts"
done
SIDECARS="${VARIANT_LABELS[*]} $AUDITS"
i=0
for audit in $SIDECARS; do
  if [ -z "${VARIANT_JAR[$audit]:-}" ]; then
    case "$audit" in all|sample|none|default) ;; *) die "AUDITS: each must be all, sample, none or default (got $audit)";; esac
  fi
  ap=$((AGENT_PORT + i)); mp=$((ADMIN_PORT + i)); i=$((i + 1))
  port_free "$ap" || die "port $ap is in use; set AGENT_PORT"
  port_free "$mp" || die "port $mp is in use; set ADMIN_PORT"
  cfg="bench/sidecar-saturation.$audit.tmp.yaml"
  CONFIGS+=("$cfg")
  sed -e "s/port: 18180/port: $ap/" -e "s/port: 19911/port: $mp/" -e "s#127.0.0.1:18188/#127.0.0.1:$BACKEND_PORT/#" \
    bench/sidecar-saturation.yaml >"$cfg"
  if [ "$audit" != default ] && [ -z "${VARIANT_JAR[$audit]:-}" ]; then   # default: no audit section, the built-in default
    printf '\naudit:\n  allowed: %s\n  sampleRate: %s\n' "$audit" "$SAMPLE_RATE" >>"$cfg"
  fi
  if [ -n "${VARIANT_JAR[$audit]:-}" ]; then
    log "starting the sidecar of variant $audit (agent port $ap, admin port $mp)"
  else
    log "starting a sidecar with audit.allowed=$audit (agent port $ap, admin port $mp)"
  fi
  slog="$results/saturation-sidecar-$audit.log"
  launch=(bin/oldguard run --config "$cfg")
  # A variant's jar the way bin/oldguard starts a sidecar (same heap and collector), unless told otherwise.
  [ -n "${VARIANT_JAR[$audit]:-}" ] && launch=("$JAVA_HOME/bin/java" ${VARIANT_OPTS[$audit]} -jar "${VARIANT_JAR[$audit]}" run --config "$cfg")
  if [ -n "${SIDECAR_JAVA_OPTS// }" ]; then
    JAVA_TOOL_OPTIONS="${SIDECAR_JAVA_OPTS//%a/$audit}" "${launch[@]}" >"$slog" 2>&1 &
  else
    "${launch[@]}" >"$slog" 2>&1 &
  fi
  SIDECAR_PIDS[$audit]=$!
  SIDECAR_AGENT_PORTS[$audit]=$ap
  wait_http "http://127.0.0.1:$mp/readyz" 60 "${SIDECAR_PIDS[$audit]}" "sidecar-$audit"
done

# url_of ARM: where wrk sends an arm's calls; script_of ARM: which wrk script.
url_of() {
  case "$1" in
    direct) echo "http://127.0.0.1:$BACKEND_PORT/inventory" ;;
    relay:*) echo "http://127.0.0.1:${RELAY_PORTS[${1#*:}]}/inventory" ;;
    passthrough:*) echo "http://127.0.0.1:${SIDECAR_AGENT_PORTS[${1#*:}]}/inventory" ;;
    json:*) echo "http://127.0.0.1:${SIDECAR_AGENT_PORTS[${1#*:}]}/v1/tools/GetStock" ;;
  esac
}

# pid_of ARM: the proxy process an arm goes through (none for direct).
pid_of() {
  case "$1" in
    direct) ;;
    relay:*) echo "${RELAY_PIDS[${1#*:}]}" ;;
    *) echo "${SIDECAR_PIDS[${1#*:}]}" ;;
  esac
}

ARMS=(direct)
for mode in $RELAY; do ARMS+=("relay:$mode"); done
for audit in $SIDECARS; do ARMS+=("passthrough:$audit" "json:$audit"); done

# closed ARM SECONDS LABEL: one wrk run; prints one result line.
closed() {
  local arm=$1 secs=$2 label=$3 url script token=0 pid="" s0 s1 b0 b1 h0 h1 l0=0 l1=0 slog="" out
  url=$(url_of "$arm")
  case "$arm" in json:*) script=bench/wrk/json.lua ;; passthrough:*) script=bench/wrk/soap.lua; token=1 ;; *) script=bench/wrk/soap.lua ;; esac
  pid=$(pid_of "$arm")
  case "$arm" in passthrough:*|json:*) slog="$results/saturation-sidecar-${arm#*:}.log" ;; esac
  s0=$([ -n "$pid" ] && ticks "$pid" || echo 0); b0=$(ticks "$BACKEND_PID"); h0=$(host_ticks)
  [ -n "$slog" ] && l0=$(file_size "$slog")
  out=$(WRK_TOKEN=$token timeout $((secs + 30)) wrk -t1 -c"$CONNS" -d"${secs}s" --latency -s "$script" "$url" | grep '^WRK ')
  s1=$([ -n "$pid" ] && ticks "$pid" || echo 0); b1=$(ticks "$BACKEND_PID"); h1=$(host_ticks)
  sleep 0.3; [ -n "$slog" ] && l1=$(file_size "$slog")
  awk -v out="$out" -v label="$label" -v arm="$arm" -v s="$((s1 - s0))" -v b="$((b1 - b0))" -v h0="$h0" -v h1="$h1" \
      -v lb="$((l1 - l0))" -v n="$(nproc)" 'BEGIN{
    split(out, f, " "); for (i in f) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
    calls = v["calls"]; secs = v["seconds"]; split(h0, a, " "); split(h1, c, " ")
    busy = (c[2] > a[2]) ? (c[1] - a[1]) / (c[2] - a[2]) * n : 0
    printf "%s arm=%s calls=%d tput=%.0f/s errors=%d p50=%s p99=%s cpu.sidecar=%.4f cpu.answerer=%.4f hostCores=%.2f logBytesPerCall=%.1f\n",
      label, arm, calls, calls / secs, v["non2xx"] + v["sockerr"], v["p50"], v["p99"],
      calls ? s * 10 / calls : 0, calls ? b * 10 / calls : 0, busy, calls ? lb / calls : 0 }'
}

# paced ARM LABEL: one LoadGen run at PACED_RATE; prints one result line in the same shape.
paced() {
  local arm=$1 label=$2 mode url pid out cpu="answerer=$BACKEND_PID" slog="" l0=0 l1=0
  case "$arm" in direct|relay:*) mode=soap ;; passthrough:*) mode=passthrough ;; json:*) mode=oldguard ;; esac
  url=$(url_of "$arm")
  pid=$(pid_of "$arm")
  [ -n "$pid" ] && cpu="sidecar=$pid,$cpu"
  case "$arm" in passthrough:*|json:*) slog="$results/saturation-sidecar-${arm#*:}.log"; l0=$(file_size "$slog") ;; esac
  out=$(timeout $((PACED_DURATION + 60)) "$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xms256m -Xmx256m bench/LoadGen.java \
    --mode "$mode" --url "$url" --rate "$PACED_RATE" --duration "$PACED_DURATION" --warmup 3 --label "$arm" \
    --cpu "$cpu" 2>>"$results/saturation-loadgen.log" | grep '^RESULT ' || true)
  sleep 0.3; [ -n "$slog" ] && l1=$(file_size "$slog")
  echo "$out" | awk -v label="$label" -v arm="$arm" -v lb="$((l1 - l0))" '{
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "%s arm=%s calls=%d tput=%s errors=%d p50=%s p99=%s cpu.sidecar=%.4f cpu.answerer=%.4f hostBusy=%s logBytesPerCall=%.1f\n",
      label, arm, v["ok"], v["tput"], v["errors"], v["p50"], v["p99"], v["cpu.sidecar"], v["cpu.answerer"], v["hostBusy"],
      v["ok"] ? lb / (v["ok"] + 3 * v["rate"]) : 0 }'
}

{
  echo "# oldguard saturation benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src 2>/dev/null || echo '+changes')"
  echo "# host: $(nproc) cores; $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# BACKEND=$BACKEND CONNS=$CONNS DURATION=$DURATION ROUNDS=$ROUNDS WARMUP=$WARMUP PACED_RATE=$PACED_RATE AUDITS=\"$AUDITS\" SAMPLE_RATE=$SAMPLE_RATE${BASELINE_JAR:+ BASELINE_JAR=$BASELINE_JAR}"
  echo "# JVM options: sidecars \"${OLDGUARD_JAVA_OPTS:-$OLDGUARD_DEFAULT_JAVA_OPTS}\""
  for v in "${VARIANT_LABELS[@]}"; do echo "# variant $v: ${VARIANT_JAR[$v]}, JVM options \"${VARIANT_OPTS[$v]}\""; done
  echo "# cpu.* in ms of CPU per call (from /proc/<pid>/stat); hostCores: cores busy on the whole host during the run"
} | tee "$rounds_file" >&2

log "warm-up: ${WARMUP}s closed loop on every sidecar arm (JIT), not recorded"
for arm in "${ARMS[@]}"; do
  [ "$arm" = direct ] && secs=5 || secs=$WARMUP
  log "warm-up $(closed "$arm" "$secs" warmup)"
done
if [ "$PACED_RATE" -gt 0 ]; then
  for arm in "${ARMS[@]}"; do log "warm-up $(paced "$arm" warmup-paced)"; done
fi

# arms_of_round N: direct first (every ratio is to it), then the other arms rotated by N-1 places, so that no arm
# always runs last in a round: with a fixed order the last arms measured dearer, whatever build they were
# (BENCHMARKS.md, 2026-12-05 and 2026-12-06).
arms_of_round() {
  local others=("${ARMS[@]:1}") k
  [ ${#others[@]} -eq 0 ] && { echo direct; return; }
  k=$(( ($1 - 1) % ${#others[@]} ))
  echo direct "${others[@]:k}" "${others[@]:0:k}"
}
for round in $(seq 1 "$ROUNDS"); do
  for arm in $(arms_of_round "$round"); do
    wait_quiet >/dev/null
    closed "$arm" "$DURATION" "closed round=$round" | tee -a "$rounds_file" >&2
  done
done
if [ "$PACED_RATE" -gt 0 ]; then
  for round in $(seq 1 "$PACED_ROUNDS"); do
    for arm in $(arms_of_round "$round"); do
      wait_quiet >/dev/null
      paced "$arm" "paced round=$round" | tee -a "$rounds_file" >&2
    done
  done
fi

# --- summary: medians over rounds ----------------------------------------------------------------------------
# round_ratios KIND ARM REF KEY: ARM's KEY over REF's KEY in each round both ran, one line per round.
round_ratios() {
  awk -v kind="$1" -v arm="$2" -v ref="$3" -v key="$4" '$1 == kind {
      delete v; for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      if (v["arm"] == arm) a[v["round"]] = v[key] + 0; if (v["arm"] == ref) r[v["round"]] = v[key] + 0 }
    END { for (n in a) if ((n in r) && r[n] > 0) printf "%.4f\n", a[n] / r[n] }' "$rounds_file"
}
ratio_median() { round_ratios "$@" | median | awk '{ if ($1 == "nan") print "-"; else printf "%.2f", $1 }'; }
{
  echo
  echo "summary (median over $ROUNDS rounds; CPU in ms per call; closed loop with $CONNS connections, paced at $PACED_RATE/s):"
  printf '  %-8s %-18s %10s %9s %8s %8s %12s %12s %10s %7s\n' kind arm calls/s ratio p50 p99 sidecarCPU answererCPU log/1000 errors
  direct=$(grep '^closed .* arm=direct ' "$rounds_file" | field tput | median)
  for kind in closed paced; do
    for arm in "${ARMS[@]}"; do
      sel=$(grep "^$kind .* arm=$arm " "$rounds_file" || true)
      [ -z "$sel" ] && continue
      t=$(echo "$sel" | field tput | median)
      printf '  %-8s %-18s %10s %9s %8s %8s %12s %12s %10s %7s\n' "$kind" "$arm" "$t" \
        "$([ "$kind" = closed ] && awk -v t="$t" -v d="$direct" 'BEGIN{printf "%.2fx", t/d}' || echo -)" \
        "$(echo "$sel" | field p50 | median)" "$(echo "$sel" | field p99 | median)" \
        "$(echo "$sel" | field 'cpu\.sidecar' | median)" "$(echo "$sel" | field 'cpu\.answerer' | median)" \
        "$(echo "$sel" | field logBytesPerCall | median | awk '{printf "%.0f KB", $1}')" \
        "$(echo "$sel" | field errors | awk '{s+=$1} END{print s+0}')"
    done
  done
  echo "  (ratio: the arm's median calls/s over direct's; log/1000: bytes the sidecar's log grew by per 1,000 calls, in KB)"
  # Round by round: a round's arms run within a minute of each other, so their ratios move less than the host does
  # from round to round. Against direct, and against the relay that checks nothing (the floor under any proxy hop).
  relay=""
  for arm in "${ARMS[@]}"; do case "$arm" in relay:http) relay=$arm ;; esac; done
  echo "  median of the rounds' ratios:"
  for arm in "${ARMS[@]}"; do
    [ "$arm" = direct ] && continue
    line=$(printf '    %-18s calls/s %s x direct' "$arm" "$(ratio_median closed "$arm" direct tput)")
    if [ -n "$relay" ] && [ "$arm" != "$relay" ] && [ "$arm" = "${arm#relay:}" ]; then
      line="$line, $(ratio_median closed "$arm" "$relay" tput) x $relay"
      [ "$PACED_RATE" != 0 ] && line="$line; sidecar CPU per call paced $(ratio_median paced "$arm" "$relay" 'cpu.sidecar') x $relay"
    fi
    echo "$line"
  done
} | tee "$summary_file"
log "rounds in $rounds_file, summary in $summary_file"
