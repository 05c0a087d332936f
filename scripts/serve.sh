#!/usr/bin/env bash
# Installs everything, then starts liuhen on the embedded default (SQLite file + local data
# folder under LIUHEN_DATA_DIR, default ./data), initialised and seeded with demo data on first start.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
exec .venv/bin/liuhen serve "$@"
