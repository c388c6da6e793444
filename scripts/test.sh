#!/usr/bin/env bash
# Quick start, part 2: set up and run the whole test suite (unit, integration on SQLite and a throwaway
# PostgreSQL cluster, end-to-end). Fails if pytest collects nothing (its exit code 5).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
scripts/system-packages.sh
mkdir -p artifacts
set +e
# Three worker processes (pytest-xdist; a module stays on one, with its fixtures): much of the suite waits on
# subprocesses, browsers and databases, so on two cores a third process fills the waits (6 December 2026, fresh
# clones on a 2-core machine: 19:20 with two, 16:57 with three, 15:25-15:42 once the CLI built its commands once a
# process, 14:16 once the tests hashed passwords at argon2's lowest cost; in the working tree that evening, with 4,285
# tests: 15:45 with three, 16:43 with four). `-n 0` runs it in one process.
# PYTHONDONTWRITEBYTECODE (set on some machines) is lifted for the run: pytest then keeps each test module as it
# rewrote its asserts (tests/**/__pycache__) instead of parsing and rewriting all of them again in every worker.
env -u PYTHONDONTWRITEBYTECODE .venv/bin/python -m pytest -n 3 --dist loadscope --durations=25 "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: failing the run" >&2
    exit 1
fi
exit "$status"
