"""The smallest file the answer forms take for a workbook: openpyxl's empty workbook (5 KB), which Excel opens, for
tests that attach a budget table (a ZIP with only the parts an XLSX is recognised by is refused: Excel cannot open
it)."""
from __future__ import annotations

import io

from openpyxl import Workbook


def minimal_xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()
