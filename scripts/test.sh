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
exec .venv/bin/pytest -p no:cacheprovider "$@"
