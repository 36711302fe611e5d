#!/usr/bin/env bash
# Assembles the file tree of oldguard's container image: the Dockerfile copies exactly this tree and nothing
# else, so the tree can be built, measured and run (ImageTreeIT) on a machine that cannot build images.
#
#   scripts/image-root.sh [--no-build] [OUT]        OUT defaults to target/image-root
#
#   opt/oldguard/runtime/       a jlink'd Java 25 runtime holding only the modules the sidecar uses
#   opt/oldguard/oldguard.jar   the sidecar (no demo, no simulator)
#   opt/oldguard/lib/           its libraries (no embedded PostgreSQL, no Jetty)
#   opt/oldguard/jvm.options    the JVM options the image's entrypoint passes (java @jvm.options)
#   etc/oldguard/config/        sidecar.yaml of the Kubernetes example (deploy/kubernetes/sidecar.yaml)
#   etc/oldguard/wsdl/          the legacy contracts
#   etc/oldguard/policies/      the policies
#   var/lib/oldguard/           the halts volume, the one place the sidecar writes
#
# Without --no-build it runs `mvn package` first; with it, target/oldguard.jar and target/lib/ must exist.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh

build=yes
if [ "${1:-}" = "--no-build" ]; then
  build=no
  shift
fi
out="${1:-target/image-root}"

# What `jdeps --print-module-deps --ignore-missing-deps --multi-release 25 --class-path 'target/lib/*'
# target/oldguard.jar` prints (java.desktop is java.beans, which the validator and Jackson use), plus
# jdk.crypto.ec for TLS to a database or service that asks for elliptic curves. Run it again when
# dependencies change: jdeps takes half a minute, too long for every build.
modules=java.base,java.compiler,java.desktop,java.naming,java.net.http,java.rmi,java.scripting,java.security.jgss,java.sql,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.net,jdk.unsupported

if [ "$build" = yes ]; then
  mvn -B -q -ntp -DskipTests package
fi
[ -f target/oldguard.jar ] && [ -d target/lib ] || { echo "image-root: target/oldguard.jar and target/lib/ are missing (run without --no-build)" >&2; exit 1; }

# jlink takes half a minute on a busy machine; the runtime is kept while the JDK and the module list stay the same.
runtime_cache=target/image-runtime
stamp="$("$JAVA_HOME/bin/java" -version 2>&1 | head -n 2 | tr '\n' ' ') $modules"
if [ ! -f "$runtime_cache/.stamp" ] || [ "$(cat "$runtime_cache/.stamp")" != "$stamp" ]; then
  rm -rf "$runtime_cache"
  "$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --compress zip-6 --output "$runtime_cache"
  echo "$stamp" > "$runtime_cache/.stamp"
fi

rm -rf "$out"
mkdir -p "$out/opt/oldguard" "$out/etc/oldguard/config" "$out/etc/oldguard/wsdl" "$out/etc/oldguard/policies" \
  "$out/var/lib/oldguard"
cp -a "$runtime_cache" "$out/opt/oldguard/runtime"
rm -f "$out/opt/oldguard/runtime/.stamp"
cp target/oldguard.jar "$out/opt/oldguard/"
cp -r target/lib "$out/opt/oldguard/lib"
cat > "$out/opt/oldguard/jvm.options" <<'EOF'
-XX:+UseSerialGC
-XX:MaxTenuringThreshold=2
-XX:MaxRAMPercentage=60
-XX:+ExitOnOutOfMemoryError
-XX:-UsePerfData
EOF
cp deploy/kubernetes/sidecar.yaml "$out/etc/oldguard/config/"
cp wsdl/*.wsdl "$out/etc/oldguard/wsdl/"
cp policies/*.yaml "$out/etc/oldguard/policies/"
# Readable by any user (the image runs as 65532, the test as nobody); the image makes only the halts volume writable.
chmod -R a+rX,go-w "$out"

echo "image-root: $out ($(du -sm "$out" | cut -f1) MB: runtime $(du -sm "$out/opt/oldguard/runtime" | cut -f1) MB, libraries $(du -sm "$out/opt/oldguard/lib" | cut -f1) MB)" >&2
