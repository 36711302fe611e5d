# Helpers shared by bench/run.sh and bench/overload.sh; sourced after each defines log(), die(), $results and
# LOG_PREFIX (the prefix of its process logs in $results), QUIET_BUSY and QUIET_MAX.

stop_pid() {
  local pid=$1 name=$2
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  log "$name (pid $pid) did not stop within 10 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

cpu_snapshot() { awk '/^cpu /{t=0; for(i=2;i<=9;i++) t+=$i; print t-$5-$6, t; exit}' /proc/stat; }

host_busy() {
  local a b
  a=$(cpu_snapshot); sleep 1; b=$(cpu_snapshot)
  awk -v a="$a" -v b="$b" 'BEGIN{split(a,x," "); split(b,y," "); d=y[2]-x[2]; print (d>0 ? int(100*(y[1]-x[1])/d) : 0)}'
}

wait_quiet() {
  local waited=0 busy
  busy=$(host_busy)
  while [ "$busy" -gt "$QUIET_BUSY" ] && [ "$waited" -lt "$QUIET_MAX" ]; do
    [ "$waited" -eq 0 ] && log "host is ${busy}% busy with other work; waiting up to ${QUIET_MAX}s for it to settle"
    sleep 2; waited=$((waited + 3))
    busy=$(host_busy)
  done
  [ "$busy" -gt "$QUIET_BUSY" ] && log "host still ${busy}% busy before this run; running anyway (see otherCores)"
  echo "$busy"
}

wait_http() {   # url seconds pid name
  local url=$1 secs=$2 pid=$3 name=$4 deadline=$((SECONDS + $2))
  while [ "$SECONDS" -lt "$deadline" ]; do
    kill -0 "$pid" 2>/dev/null || die "$name exited during start-up; see $results/${LOG_PREFIX}$name.log"
    curl -sf -o /dev/null --max-time 2 "$url" && return 0
    sleep 0.5
  done
  die "$name not ready at $url within ${secs}s; see $results/${LOG_PREFIX}$name.log"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

field() { sed -nE "s/.* $1=([-0-9.]+).*/\1/p"; }   # value of key=NUMBER in a RESULT line

median() { sort -g | awk '{a[NR]=$1} END{if(NR==0){print "nan"} else if(NR%2){print a[(NR+1)/2]} else {printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}}'; }

# Starts the sidecar in the background with $CONFIG (JVM options, if any, through JAVA_TOOL_OPTIONS), sets
# SIDECAR_PID and waits until it is ready.
start_sidecar() {   # jvm-options log-file
  if [ -n "${1// }" ]; then
    JAVA_TOOL_OPTIONS="$1" bin/oldguard run --config "$CONFIG" >"$2" 2>&1 &
  else
    bin/oldguard run --config "$CONFIG" >"$2" 2>&1 &
  fi
  SIDECAR_PID=$!
  wait_http "http://127.0.0.1:$ADMIN_PORT/readyz" 60 "$SIDECAR_PID" sidecar
}

# One GetStock through the sidecar, before anything is measured.
smoke_call() {
  local smoke
  smoke=$(curl -s --max-time 5 -H "Authorization: Bearer $OLDGUARD_TOKEN_BENCH_BOT" -H 'Content-Type: application/json' \
    -d '{"ItemID": 42}' -w ' HTTP%{http_code}' "$TOOL_URL" || true)
  case "$smoke" in
    *'"result"'*HTTP200) log "smoke call through the sidecar: OK" ;;
    *) die "smoke call through the sidecar failed: $smoke" ;;
  esac
}

# Every port the benchmark listens on must be free; a clash names the port and the knob that moves it.
check_ports() {
  port_free "$SIM_PORT" || die "port $SIM_PORT on 127.0.0.1 (the simulator's) is in use; stop whatever listens there or set SIM_PORT"
  port_free "$AGENT_PORT" || die "port $AGENT_PORT on 127.0.0.1 (the sidecar's agent port) is in use; stop whatever listens there or set AGENT_PORT"
  port_free "$ADMIN_PORT" || die "port $ADMIN_PORT on 127.0.0.1 (the sidecar's admin port) is in use; stop whatever listens there or set ADMIN_PORT"
}

# Points CONFIG at the sidecar configuration on the chosen ports: the file itself when they are its own, else a
# copy beside it (its relative paths stay valid), removed on exit.
PORTS_CONFIG=
config_on_ports() {
  if [ "$SIM_PORT" = 18088 ] && [ "$AGENT_PORT" = 18080 ] && [ "$ADMIN_PORT" = 19901 ]; then
    return
  fi
  PORTS_CONFIG="${CONFIG%.yaml}.ports.tmp.yaml"
  sed -e "s/port: 18080/port: $AGENT_PORT/" -e "s/port: 19901/port: $ADMIN_PORT/" \
      -e "s#127.0.0.1:18088/#127.0.0.1:$SIM_PORT/#" "$CONFIG" >"$PORTS_CONFIG"
  CONFIG=$PORTS_CONFIG
}

# The benchmark's own database on the shared PostgreSQL: made fresh for the run, dropped on exit (KEEP_DB=1 keeps it).
DB_CREATED=
create_bench_database() {
  log "PostgreSQL: creating database $BENCH_DB for this run ($([ "${KEEP_DB:-0}" = 1 ] && echo "kept: KEEP_DB=1" || echo "dropped on exit"))"
  dropdb -h 127.0.0.1 -U postgres --if-exists --force "$BENCH_DB"
  createdb -h 127.0.0.1 -U postgres "$BENCH_DB"
  DB_CREATED=1
}

# Called by the exit trap, after every process is stopped: no temporary file or database is left behind.
cleanup_files_and_database() {
  rm -f "$results"/loadgen.$$.*.tmp   # only this run's: another run may be using the same folder
  [ -n "$PORTS_CONFIG" ] && rm -f "$PORTS_CONFIG"
  if [ -n "$DB_CREATED" ] && [ "${KEEP_DB:-0}" != 1 ]; then
    dropdb -h 127.0.0.1 -U postgres --if-exists --force "$BENCH_DB" 2>/dev/null || log "could not drop database $BENCH_DB"
  fi
  return 0
}
