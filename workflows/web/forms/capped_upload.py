"""Read a multipart form whose file may be larger than the upload limit, keeping every text field.

Starlette's parser spools a whole file to disk before the route can look at it, and refusing the request on its
Content-Length alone loses what the unit typed and cannot say which file was too large. This parser keeps the text
fields and at most `file_cap` bytes of each file (the rest is read from the network and dropped), counts each file
field's real size and how many files were chosen for it, and stops reading a body past `body_cap` bytes: what was
read before (the text typed above the file, the name of the file's field) is still returned, so the page comes back
filled with the mistake beside the right input.
"""
from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass, field

from starlette.datastructures import FormData, Headers, UploadFile
from starlette.formparsers import MultiPartParser
from starlette.requests import Request


@dataclass
class CappedForm:
    """A form as read: its fields, per file field the bytes sent (`sizes`) and the files chosen (`counts`), and
    the field being read when the body passed the cap (`cut_at`; None when the whole body was read)."""

    form: FormData
    sizes: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    cut_at: str | None = None


class CappedMultiPartParser(MultiPartParser):
    """Starlette's parser, but a file part keeps its first `file_cap` bytes only, a second file chosen for the same
    field keeps none, and more files than `max_files` are counted and dropped instead of refusing the whole form.
    `file_sizes` holds, per field name, how many bytes the browser sent for its first file; `file_counts` how many
    files (with a name) it sent for it."""

    def __init__(self, headers: Headers, stream: AsyncGenerator[bytes, None], *, file_cap: int,
                 max_files: int, max_fields: int) -> None:
        # Past four times the files the form has, the post is not a browser's: refused as starlette refuses it.
        super().__init__(headers, stream, max_files=4 * max_files + 8, max_fields=max_fields)
        self.file_cap = file_cap
        self.files_kept = max_files
        self.file_sizes: dict[str, int] = {}
        self.file_counts: dict[str, int] = {}
        self._dropping = False
        self._part_done = False

    def on_part_begin(self) -> None:
        super().on_part_begin()
        self._part_done = False

    def on_part_end(self) -> None:
        super().on_part_end()
        self._part_done = True

    def on_headers_finished(self) -> None:
        super().on_headers_finished()
        part = self._current_part
        self._dropping = False
        if part.file is None or not part.file.filename:
            return
        name = part.field_name
        self.file_counts[name] = self.file_counts.get(name, 0) + 1
        self._dropping = self.file_counts[name] > 1 or sum(self.file_counts.values()) > self.files_kept
        if not self._dropping:
            self.file_sizes[name] = 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._current_part
        if part.file is None:
            super().on_part_data(data, start, end)
            return
        if self._dropping:
            return
        seen = self.file_sizes.get(part.field_name, 0)
        self.file_sizes[part.field_name] = seen + (end - start)
        room = self.file_cap - seen
        if room > 0:
            super().on_part_data(data, start, min(end, start + room))

    @property
    def current_field(self) -> str:
        """The field of the part being read (when the body was cut: the part cut short; "" between parts)."""
        return "" if self._part_done else self._current_part.field_name

    @property
    def unfinished_file(self) -> UploadFile | None:
        """The file of the part being read, which a cut body never hands to the form."""
        return None if self._part_done else self._current_part.file


async def _until(stream: AsyncGenerator[bytes, None], body_cap: int, cut: list[bool]) -> AsyncGenerator[bytes, None]:
    """The body's chunks while at most `body_cap` bytes were read; `cut` holds True once the rest was left unread."""
    read = 0
    async for chunk in stream:
        room = body_cap - read
        if len(chunk) > room:
            if room > 0:
                yield chunk[:room]
            cut.append(True)
            return
        read += len(chunk)
        yield chunk


async def read_capped_form(request: Request, *, file_cap: int, max_files: int, max_fields: int,
                           body_cap: int | None = None) -> CappedForm:
    """The request's form with the real size and number of the files of each file field; past `body_cap` bytes
    the body is left unread and `cut_at` names the field being read there. A body that is not multipart (no file)
    is read as Starlette reads it."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        return CappedForm(await request.form(max_files=max_files, max_fields=max_fields))
    cut: list[bool] = []
    stream = request.stream() if body_cap is None else _until(request.stream(), body_cap, cut)
    parser = CappedMultiPartParser(request.headers, stream, file_cap=file_cap, max_files=max_files,
                                   max_fields=max_fields)
    form = await parser.parse()
    cut_at = None
    if cut:
        cut_at = parser.current_field
        if parser.unfinished_file is not None:
            await parser.unfinished_file.close()
    return CappedForm(form, parser.file_sizes, parser.file_counts, cut_at)


__all__ = ["CappedForm", "CappedMultiPartParser", "read_capped_form"]
