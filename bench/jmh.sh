#!/usr/bin/env bash
# JMH benchmark of the validation step (decode + validate one GetStock, JSON and SOAP): bench/jmh/.
#
#   bench/jmh.sh                 # both benchmarks, 5 x 1 s warm-up and measurement, one fork
#   bench/jmh.sh -prof gc        # any JMH options, e.g. allocation per call
#
# JMH 1.37 comes from Maven Central (mvn dependency:get) and is never part of the product build: the benchmark is
# compiled here against target/classes and target/lib, into bench/results/jmh-classes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/java-home.sh
bin/oldguard --help >/dev/null   # builds target/ if needed
repo=$(mvn -B -q -ntp -Dstyle.color=never help:evaluate -Dexpression=settings.localRepository -DforceStdout 2>/dev/null \
  | sed 's/\x1b\[[0-9;]*m//g' || true)
[ -d "$repo" ] || repo="$HOME/.m2/repository"
jmh_jars=""
for a in org.openjdk.jmh:jmh-core:1.37 org.openjdk.jmh:jmh-generator-annprocess:1.37 net.sf.jopt-simple:jopt-simple:5.0.4 org.apache.commons:commons-math3:3.6.1; do
  IFS=: read -r g id v <<<"$a"
  jar="$repo/${g//.//}/$id/$v/$id-$v.jar"
  [ -f "$jar" ] || mvn -B -q -ntp dependency:get -Dartifact="$a" >/dev/null
  jmh_jars="$jmh_jars:$jar"
done
cp="target/classes:target/lib/*${jmh_jars}"
out=bench/results/jmh-classes
rm -rf "$out" && mkdir -p "$out"
"$JAVA_HOME/bin/javac" -proc:full -cp "$cp" -d "$out" $(find bench/jmh -name '*.java')
exec "$JAVA_HOME/bin/java" -cp "$out:$cp" org.openjdk.jmh.Main "$@"
