"""The smallest file the answer forms take for a workbook: a ZIP with the two parts an XLSX is recognised by (its
content types and its workbook), for tests that attach a budget table."""
from __future__ import annotations

import io
import zipfile


def minimal_xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()
