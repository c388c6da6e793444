#!/usr/bin/env bash
# Quick start, part 2: set up and run the whole test suite (unit, integration on SQLite and a throwaway
# PostgreSQL cluster, end-to-end). Fails if pytest collects nothing (its exit code 5).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
scripts/system-packages.sh
mkdir -p artifacts
set +e
# Two worker processes (pytest-xdist; a module stays on one, with its fixtures): the suite is mostly waiting on
# subprocesses, browsers and databases, and takes about half as long. `-n 0` runs it in one process.
.venv/bin/python -m pytest -n 2 --dist loadscope --durations=25 "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: failing the run" >&2
    exit 1
fi
exit "$status"
