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
# A sidecar shares its pod: a bounded heap. ZGC without its proactive collections, which under steady load
# collected the whole heap every 5 s (7 to 10 ms of CPU a second at 500 calls/s, bench/threads.sh); young
# collections whenever the heap reaches the 128 MiB soft limit cost under 1 ms a second and keep the resident
# memory lower too. The heap may still grow to 512 MiB when more is live.
OLDGUARD_DEFAULT_JAVA_OPTS="-XX:+UseZGC -XX:-ZProactive -XX:SoftMaxHeapSize=128m -Xmx512m"
