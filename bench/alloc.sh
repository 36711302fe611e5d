#!/usr/bin/env bash
# Allocation per call with JFR: the sidecar under the saturation benchmark's closed loop (wrk, 16 connections,
# bench/StockAnswerer.java as the backend), JSON API and SOAP passthrough, 20 s of warm-up then 12 s recorded.
# Bytes allocated come from jdk.ThreadAllocationStatistics (every thread's allocation counter; virtual threads
# allocate on their carriers), summed over the recording and divided by the calls wrk completed in it.
#
#   bench/alloc.sh                                   # this checkout's build
#   BASELINE_JAR=/tmp/base/target/oldguard.jar bench/alloc.sh   # and another build's, side by side
#
# Ports 28188 (backend), 28181/29911 (this build), 28182/29912 (baseline). Recordings in bench/results/alloc-*.jfr.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/java-home.sh
bin/oldguard --help >/dev/null
export OLDGUARD_TOKEN_BENCH_BOT="${OLDGUARD_TOKEN_BENCH_BOT:-bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}"
out=bench/results; mkdir -p "$out"
"$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xms128m -Xmx128m -cp target/oldguard.jar bench/StockAnswerer.java --port 28188 \
  >"$out/alloc-answerer.log" 2>&1 &
PIDS=$!
trap 'kill $PIDS 2>/dev/null || true; rm -f bench/alloc-*.tmp.yaml' EXIT
builds="new"; [ -n "${BASELINE_JAR:-}" ] && builds="base new"
declare -A SP
for v in $builds; do
  n=$([ "$v" = new ] && echo 1 || echo 2)
  sed -e "s/port: 18180/port: 2818$n/" -e "s/port: 19911/port: 2991$n/" -e 's#127.0.0.1:18188/#127.0.0.1:28188/#' \
    bench/sidecar-saturation.yaml >"bench/alloc-$v.tmp.yaml"
  jar=$([ "$v" = base ] && echo "$BASELINE_JAR" || echo target/oldguard.jar)
  "$JAVA_HOME/bin/java" $OLDGUARD_DEFAULT_JAVA_OPTS -jar "$jar" run --config "bench/alloc-$v.tmp.yaml" >"$out/alloc-sidecar-$v.log" 2>&1 &
  SP[$v]=$!; PIDS="$PIDS $!"
done
for v in $builds; do
  n=$([ "$v" = new ] && echo 1 || echo 2)
  until curl -sf "http://127.0.0.1:2991$n/readyz" >/dev/null; do sleep 0.5; done
done
until curl -sf http://127.0.0.1:28188/x >/dev/null; do sleep 0.5; done
for v in $builds; do
  n=$([ "$v" = new ] && echo 1 || echo 2)
  for arm in json passthrough; do
    if [ "$arm" = json ]; then url=http://127.0.0.1:2818$n/v1/tools/GetStock; script=bench/wrk/json.lua; token=0
    else url=http://127.0.0.1:2818$n/inventory; script=bench/wrk/soap.lua; token=1; fi
    WRK_TOKEN=$token wrk -t1 -c16 -d20s -s "$script" "$url" >/dev/null
    jcmd "${SP[$v]}" JFR.start name=alloc settings=profile filename="$PWD/$out/alloc-$v-$arm.jfr" >/dev/null
    result=$(WRK_TOKEN=$token wrk -t1 -c16 -d12s -s "$script" "$url" | grep '^WRK ')
    jcmd "${SP[$v]}" JFR.stop name=alloc >/dev/null
    calls=$(echo "$result" | sed -E 's/.*calls=([0-9]+).*/\1/')
    bytes=$("$JAVA_HOME/bin/jfr" print --events jdk.ThreadAllocationStatistics "$out/alloc-$v-$arm.jfr" | awk '
      /allocated = /{ v=$3; u=$4; a=v*((u ~ /GB/)?1073741824:(u ~ /MB/)?1048576:(u ~ /kB/)?1024:1) }
      /thread = /{ t=$0 }
      /^}/{ if (t != "") { if (!(t in first)) first[t]=a; last[t]=a } }
      END{ s=0; for (t in last) s+=last[t]-first[t]; printf "%.0f", s }')
    echo "$v $arm calls=$calls allocated=$((bytes / 1048576))MB perCall=$((bytes / 1024 / calls))KB"
  done
done
