#!/usr/bin/env bash
# Makes sure the services the integration tests need are up on loopback: PostgreSQL at 127.0.0.1:5432 with
# trust auth for the postgres user, and Redis at 127.0.0.1:6379. Starts each if it is stopped; installs it (Debian
# package) if it is missing.
set -euo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! command -v pg_isready >/dev/null 2>&1 && [ ! -d /usr/lib/postgresql ]; then
  echo "services: installing PostgreSQL" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  installed=yes
fi

if ! pg_up; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -n 1)
  if [ -z "$version" ]; then
    echo "services: PostgreSQL is installed but has no cluster under /etc/postgresql" >&2
    exit 1
  fi
  if [ "${installed:-no}" = yes ]; then
    # A fresh Debian cluster asks for passwords on TCP; the tests connect as postgres without one, as on
    # this project's machines. Loopback only.
    hba="/etc/postgresql/$version/main/pg_hba.conf"
    sed -i -E 's/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)\S+/\1trust/; s/^(host\s+all\s+all\s+::1\/128\s+)\S+/\1trust/' "$hba"
  fi
  echo "services: starting PostgreSQL $version" >&2
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
pg_up || { echo "services: PostgreSQL did not come up on 127.0.0.1:5432" >&2; exit 1; }
echo "services: PostgreSQL is up on 127.0.0.1:5432" >&2

# Redis on 127.0.0.1:6379 for the fleet-mode tests (and redis-server itself: fault tests start their own on free
# ports). Started without persistence, as on this project's machines; installed (Debian package) if missing.
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
if ! command -v redis-server >/dev/null 2>&1; then
  echo "services: installing Redis" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
if ! redis_up; then
  echo "services: starting Redis on 127.0.0.1:6379" >&2
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no --dir /tmp >/dev/null
  for _ in $(seq 1 30); do redis_up && break; sleep 0.5; done
fi
redis_up || { echo "services: Redis did not come up on 127.0.0.1:6379" >&2; exit 1; }
echo "services: Redis is up on 127.0.0.1:6379" >&2
