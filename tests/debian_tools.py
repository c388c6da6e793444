"""The Debian programs some tests drive (LibreOffice, poppler, softhsm2): a test that needs one is skipped on a
developer machine without it and fails under CI (CI=true), where scripts/system-packages.sh installs them."""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterable

import pytest

INSTALL = "bash scripts/system-packages.sh"


def require_present(missing: Iterable[str], hint: str = INSTALL) -> None:
    """Skip (or, under CI, fail) naming what is missing and how to install it; nothing when all is there."""
    absent = list(missing)
    if not absent:
        return
    message = f"missing {', '.join(absent)}: {hint}"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def require_tools(*tools: str, hint: str = INSTALL) -> None:
    """The programs `tools` must be on PATH."""
    require_present((tool for tool in tools if shutil.which(tool) is None), hint)
