#!/usr/bin/env bash
# The whole benchmark in one command: two passes over every size, then the tables.
#
#   bash bench/run.sh            # about 35-40 minutes on 2 cores
#
# Needs: the project's venv (.venv, with the bench extras), wrk (apt-get install -y wrk),
# and a PostgreSQL server; BENCH_ADMIN_URL names it (default: the local one on
# 127.0.0.1:5432, user postgres). A throwaway database srochno_bench is created there,
# migrated, filled and dropped at the end. Results: bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."

ADMIN_URL=${BENCH_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
export BENCH_DATABASE_URL=${ADMIN_URL%/*}/srochno_bench
PY=.venv/bin/python
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
mkdir -p bench/results

psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS srochno_bench" -c "CREATE DATABASE srochno_bench"
trap 'psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS srochno_bench (FORCE)"' EXIT
DATABASE_URL=$BENCH_DATABASE_URL TELEGRAM_BOT_TOKEN=0:unused .venv/bin/srochno migrate

{
  echo "date: $(date -u +%FT%TZ)"
  echo "nproc: $(nproc)"
  echo "memory: $(free -h | awk '/Mem:/ {print $2}')"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"
  echo "kernel: $(uname -r)"
  echo "python: $($PY -V 2>&1)"
  echo "postgresql: $(psql "$BENCH_DATABASE_URL" -Atc 'SHOW server_version')"
  echo "wrk: $(wrk -v 2>&1 | head -1)"
  $PY -m pip list 2>/dev/null | grep -iE '^(fastapi|starlette|sqlalchemy|asyncpg|uvicorn|uvloop|httptools|pydantic|pydantic.core|httpx|greenlet) '
} > bench/results/machine.txt

for pass in pass1 pass2; do
  $PY bench/run.py --pass-name "$pass" "$@"
done
$PY bench/run.py --report pass1 pass2 > bench/results/tables.md
echo "tables: bench/results/tables.md"
