"""The warm LibreOffice of `ykien serve` (notifications.pdf.PdfServer) as the web app's routes reach it."""
from __future__ import annotations

from fastapi import Request


def warm_pdf_address(request: Request) -> str | None:
    """Where serve's warm LibreOffice answers, starting it on the first call (a render before it answers, about 7 s,
    starts a LibreOffice of its own); None when the app has none (no LibreOffice, or an app not run by serve)."""
    server = getattr(request.app.state, "pdf_server", None)
    return server.address_starting() if server is not None else None
