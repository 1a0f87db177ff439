#!/usr/bin/env bash
# Install (apt) and start PostgreSQL and Redis, and install Chromium (and its headless shell) for the
# browser tests.
# Used by .ci/run; developers may run it too (as root) to test against real services locally.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
need=()
command -v pg_ctlcluster >/dev/null || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)
[ -x /usr/bin/chromium ] || need+=(chromium chromium-driver fonts-noto-core)
# What the browser tests run (tests/conftest.py): the same engine as chromium, headless only, lighter.
[ -x /usr/bin/chromium-headless-shell ] || need+=(chromium-headless-shell)
command -v msgfmt >/dev/null || need+=(gettext)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

pg_version=$(ls /etc/postgresql | sort -n | tail -1)
pg_ctlcluster "$pg_version" main start 2>/dev/null || pg_ctlcluster "$pg_version" main status >/dev/null
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_roles WHERE rolname='hellopet'\" | grep -q 1 || psql -q -c \"CREATE ROLE hellopet LOGIN CREATEDB PASSWORD 'hellopet'\""
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_database WHERE datname='hellopet'\" | grep -q 1 || createdb -O hellopet hellopet"

if ! redis-cli -p 6379 ping >/dev/null 2>&1; then
  redis-server --port 6379 --bind 127.0.0.1 --daemonize yes --save '' --appendonly no
fi
for _ in $(seq 1 30); do redis-cli -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
echo "services: PostgreSQL $pg_version on 127.0.0.1:5432 (hellopet/hellopet), Redis on 127.0.0.1:6379"
