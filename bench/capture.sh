#!/usr/bin/env bash
# What traffic capture (capture: in sidecar.yaml) costs in CPU per call at a fixed rate, measured on the real
# CallCapture by bench/CaptureCost.java (per-thread CPU, so a shared machine inflates it less than wall time).
#
#   bench/capture.sh                 # 1,000 calls/s for 30 s after 10 s of warm-up
#   RATE=2000 SECONDS_=60 bench/capture.sh
#
# Target (issue 15): capture adds <= 0.05 ms (50 us) CPU per call at 1,000 calls/s. The RESULT line gives the
# calling thread's share (callerUs), the writer thread's (writerUs), their sum (captureUs) and the process's CPU
# over a run without capture (processOverBaselineUs: adds GC and JIT, noisier).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/java-home.sh
RATE=${RATE:-1000}
SECONDS_=${SECONDS_:-30}
WARMUP=${WARMUP:-10}
mkdir -p bench/results/capture
if [ ! -d target/classes/io/oldguard/capture ] || [ -n "$(find src/main pom.xml -newer target/classes/io/oldguard/capture/CallCapture.class -print -quit)" ]; then
  mvn -B -q -ntp compile >&2
fi
cp=bench/results/capture/classpath.txt
[ -s "$cp" ] && [ "$cp" -nt pom.xml ] || mvn -B -q -ntp dependency:build-classpath -Dmdep.outputFile="$cp" >&2
exec "$JAVA_HOME/bin/java" $OLDGUARD_DEFAULT_JAVA_OPTS -cp "target/classes:$(cat "$cp")" bench/CaptureCost.java \
  "$RATE" "$SECONDS_" "$WARMUP" bench/results/capture/calls.jsonl
