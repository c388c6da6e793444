"""Read a multipart form whose file may be larger than the upload limit, keeping every text field.

Starlette's parser spools a whole file to disk before the route can look at it, and refusing the request on its
Content-Length alone loses what the unit typed. This parser keeps the text fields and at most `file_cap` bytes of
each file (the rest is read from the network and dropped), and counts each file's real size, so a reply PDF over
the limit comes back as one named mistake on a form still holding every comment.
"""
from __future__ import annotations

from collections.abc import AsyncGenerator

from starlette.datastructures import FormData, Headers
from starlette.formparsers import MultiPartParser
from starlette.requests import Request


class CappedMultiPartParser(MultiPartParser):
    """Starlette's parser, but a file part keeps its first `file_cap` bytes only; `file_sizes` holds, per field
    name, how many bytes the browser sent for it."""

    def __init__(self, headers: Headers, stream: AsyncGenerator[bytes, None], *, file_cap: int,
                 max_files: int, max_fields: int) -> None:
        super().__init__(headers, stream, max_files=max_files, max_fields=max_fields)
        self.file_cap = file_cap
        self.file_sizes: dict[str, int] = {}

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._current_part
        if part.file is None:
            super().on_part_data(data, start, end)
            return
        seen = self.file_sizes.get(part.field_name, 0)
        self.file_sizes[part.field_name] = seen + (end - start)
        room = self.file_cap - seen
        if room > 0:
            super().on_part_data(data, start, min(end, start + room))


async def read_capped_form(request: Request, *, file_cap: int, max_files: int,
                           max_fields: int) -> tuple[FormData, dict[str, int]]:
    """The request's form and the real size of each file field; a body that is not multipart (no file) is read
    as Starlette reads it."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        return await request.form(max_files=max_files, max_fields=max_fields), {}
    parser = CappedMultiPartParser(request.headers, request.stream(), file_cap=file_cap, max_files=max_files,
                                   max_fields=max_fields)
    return await parser.parse(), parser.file_sizes


__all__ = ["CappedMultiPartParser", "read_capped_form"]
