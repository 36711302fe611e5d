#!/usr/bin/env bash
# The test command: unit tests and integration tests (real Netty, CXF and PostgreSQL) on JDK 25.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
bash scripts/services.sh
exec mvn -B -ntp verify "$@"
