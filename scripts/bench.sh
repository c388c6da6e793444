#!/usr/bin/env bash
# Benchmarks: figures and ratios against baselines measured in the same run (never asserts a time).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
exec .venv/bin/python tests/benchmarks/run.py "$@"
