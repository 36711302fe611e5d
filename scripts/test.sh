#!/usr/bin/env bash
# The test command: unit tests and integration tests (real Netty, CXF and PostgreSQL, the container image's
# file tree, promtool on the alert rules) on JDK 25.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
bash scripts/services.sh
if ! command -v promtool >/dev/null 2>&1; then
  # AlertRulesIT checks and unit-tests the alert rules with promtool; only the tool is used, not the server.
  echo "test: installing promtool (Debian package prometheus)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
exec mvn -B -ntp verify "$@"
