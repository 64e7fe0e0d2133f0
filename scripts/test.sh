#!/usr/bin/env bash
# Installs what is missing, builds kyso with its tests and runs every test (ctest).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install-deps.sh
cmake --preset dev
cmake --build --preset dev
ctest --preset dev
