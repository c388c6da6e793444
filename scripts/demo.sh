#!/usr/bin/env bash
# Quick start, part 1: set up and run `ykien demo` on the embedded defaults (SQLite, built-in mail sink).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/ykien demo --serve "$@"
