# Sourced by the project's scripts: selects the newest JDK 25+ under /usr/lib/jvm (the build targets Java 21
# bytecode but is built and tested on JDK 25), installs Maven if the machine lacks it, and says how a sidecar's
# JVM runs by default (OLDGUARD_DEFAULT_JAVA_OPTS; bin/oldguard and the benchmarks use it).
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
  JAVA_HOME=$(ls -d /usr/lib/jvm/*25* 2>/dev/null | sort | tail -n 1)
  if [ -z "$JAVA_HOME" ]; then
    echo "oldguard: no JDK 25 under /usr/lib/jvm; install one (e.g. temurin-25-jdk)" >&2
    exit 1
  fi
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
if ! command -v mvn >/dev/null 2>&1; then
  echo "oldguard: installing Maven" >&2
  apt-get update -qq && apt-get install -y -qq maven >/dev/null
fi
# A sidecar shares its pod: a bounded heap, and the serial collector. Its live set is about 15 MB and every call's
# garbage dies young, so a young collection takes about 1 ms and no thread runs between collections; ZGC's
# background threads cost 0.02 ms per call at 500 calls/s (BENCHMARKS.md, "The collector, measured at 500 calls/s").
# What outlives two young collections is kept for good (the configuration, policies, meters, connections): with the
# default of 15, about 3 MB of it was copied between the survivor spaces at every collection for the sidecar's first
# 15, and each of those pauses took 7 to 21 ms instead of 1 (BENCHMARKS.md, "Young pauses and the tail at 1,000/s").
OLDGUARD_DEFAULT_JAVA_OPTS="-XX:+UseSerialGC -XX:MaxTenuringThreshold=2 -Xmx512m"
