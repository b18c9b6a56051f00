#!/usr/bin/env bash
# Start a local PostgreSQL (Debian's package) for the backend's PostgreSQL test.
# Prints the URL to use as ENT_TEST_POSTGRES_URL; loopback only.
set -euo pipefail
bash "$(dirname "$0")/apt-ensure.sh" pg_ctlcluster:postgresql
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >&2
fi
pg_ctlcluster "$version" main start >&2 || true
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
su postgres -c "psql -qtc \"SELECT 1 FROM pg_roles WHERE rolname='ent_test'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE ent_test LOGIN PASSWORD 'ent_test'\"" >&2
su postgres -c "psql -qtc \"SELECT 1 FROM pg_database WHERE datname='ent_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O ent_test ent_test" >&2
echo "postgresql://ent_test:ent_test@127.0.0.1:5432/ent_test"
