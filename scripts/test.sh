#!/usr/bin/env bash
# Installs everything, starts the servers the tests need, then runs the whole suite:
# lint (ruff), types (mypy), the import contracts (import-linter), the model/migration drift
# check and every test on SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
scripts/services.sh
.venv/bin/ruff check src tests bench scripts
.venv/bin/ruff format --check src tests bench scripts
.venv/bin/mypy
.venv/bin/lint-imports --no-cache  # the architecture's contracts (pyproject.toml [tool.importlinter])
if [ "$#" -gt 0 ]; then
    exec .venv/bin/pytest -p no:cacheprovider "$@"
fi
# The whole suite runs as two pytest processes side by side: the browser tests spend much of
# their time waiting on Chromium and the servers they drive, which the other tests' CPU work
# fills; those others are shared by two xdist workers (one per core), each with its own
# PostgreSQL database (tests/conftest.py _worker_db). The browser run's report follows the other's.
browser_log="$(mktemp)"
LIUHEN_TEST_PG_DB="${LIUHEN_TEST_PG_DB:-liuhen_test}_browser" \
    .venv/bin/pytest -p no:cacheprovider tests/browser >"$browser_log" 2>&1 &
browser=$!
status=0
.venv/bin/pytest -p no:cacheprovider -n 2 --dist worksteal --ignore=tests/browser || status=$?
wait "$browser" || status=$?
echo "---- tests/browser ----"
cat "$browser_log"
rm -f "$browser_log"
exit "$status"
