#!/usr/bin/env bash
# Starts the servers the tests need if they are not running:
#   PostgreSQL on 127.0.0.1:5432 (the machine's own cluster),
#   SeaweedFS (S3 API on 127.0.0.1:8433; every port bound to 127.0.0.1) from the venv's weed.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "启动 PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432

S3_PORT="${LIUHEN_TEST_S3_PORT:-8433}"
if ! curl -s -o /dev/null "http://127.0.0.1:${S3_PORT}/" 2>/dev/null; then
  echo "启动 SeaweedFS（S3 端口 ${S3_PORT}）"
  dir="${TMPDIR:-/tmp}/liuhen-seaweedfs"
  mkdir -p "$dir"
  # small volumes: each bucket is a collection that grows several volumes at once
  nohup .venv/bin/weed server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$dir" \
    -master.port=9633 -master.volumeSizeLimitMB=64 -volume.port=8633 -volume.max=300 \
    -filer -filer.port=8988 \
    -s3 -s3.port="${S3_PORT}" -metricsPort=9634 >"$dir/weed.log" 2>&1 &
  for _ in $(seq 1 60); do
    curl -s -o /dev/null "http://127.0.0.1:${S3_PORT}/" && break
    sleep 1
  done
fi
curl -s -o /dev/null -w "SeaweedFS S3 127.0.0.1:${S3_PORT} %{http_code}\n" "http://127.0.0.1:${S3_PORT}/"
