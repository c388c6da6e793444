"""Static checks: ruff and mypy, configured in pyproject.toml, report nothing over the repository.

Marked `static`, so `pytest -m "not static"` skips them; they run by default."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.static


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_reports_nothing() -> None:
    completed = _run("ruff", "check", "--no-cache", "--output-format", "concise", ".")
    assert completed.returncode == 0, f"ruff check found problems:\n{completed.stdout}{completed.stderr}"


def test_mypy_reports_nothing() -> None:
    # The files, plugins and per-module strictness come from [tool.mypy] in pyproject.toml.
    completed = _run("mypy", "--config-file", str(REPO / "pyproject.toml"))
    assert completed.returncode == 0, f"mypy found problems:\n{completed.stdout}{completed.stderr}"
