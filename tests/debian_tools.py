"""The Debian programs some tests drive (LibreOffice, poppler, softhsm2): a test that needs one is skipped on a
developer machine without it and fails under CI (CI=true), where scripts/system-packages.sh installs them."""
from __future__ import annotations

import os
import shutil

import pytest


def require_tools(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if not missing:
        return
    message = f"missing {', '.join(missing)}: bash scripts/system-packages.sh"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
