#!/usr/bin/env bash
# Installs what is missing, builds kyso and runs kyso-server on embedded defaults:
# 127.0.0.1:8080, state in ./var (SQLite database, a development PKI created on first start).
# Extra arguments go to kyso-server (e.g. --port 9000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev --target kyso-server kyso
exec build/bin/kyso-server "$@"
