#!/usr/bin/env bash
# The floor under fleet mode's cost per call on this machine: each Redis operation a call waits for, measured on
# its own with the sidecar's own store code (bench/RedisFloor.java), paced like a call stream. Read it beside
# bench/cluster.sh, which measures the whole sidecar in both modes.
#
#   bench/redis-floor.sh                         # 500 operations/s, 10 s each, the machine's Redis
#   RATE=1000 SECONDS_=20 REDIS_URL=redis://127.0.0.1:6380 bench/redis-floor.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/java-home.sh
RATE=${RATE:-500}
SECONDS_=${SECONDS_:-10}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
mkdir -p bench/results
if [ ! -d target/classes/io/oldguard/store ] || [ -n "$(find src/main pom.xml -newer target/classes/io/oldguard/store/RedisState.class -print -quit)" ]; then
  mvn -B -q -ntp compile >&2
fi
cp=bench/results/classpath.txt
[ -s "$cp" ] && [ "$cp" -nt pom.xml ] || mvn -B -q -ntp dependency:build-classpath -Dmdep.outputFile="$cp" >&2
cat > bench/results/redis-floor-logback.xml <<'XML'
<configuration><root level="ERROR"/></configuration>
XML
exec "$JAVA_HOME/bin/java" -Xmx256m -Dlogback.configurationFile=bench/results/redis-floor-logback.xml \
  -cp "target/classes:$(cat "$cp")" bench/RedisFloor.java "$RATE" "$SECONDS_" "$REDIS_URL"
