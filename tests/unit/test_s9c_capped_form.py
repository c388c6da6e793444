"""The capped multipart reader of the unit's page, on bodies built by hand: a second file for one input is counted
and dropped, a body past its cap stops being read and names the part it was cut in (none between parts), a part
cut short never reaches the form, and the mistakes of the files as a whole are named at their own input."""
from __future__ import annotations

import asyncio

from starlette.requests import Request

from workflows.web.forms.capped_upload import CappedForm, read_capped_form
from workflows.web.forms.posted_files import cut_short, several_files, unread_notice

BOUNDARY = "s9cboundary"
MB = 1024 * 1024
PLACES = {"reply_pdf": "Văn bản trả lời", "p_budget_file": "Bảng kê kinh phí"}


def text_part(name: str, value: str) -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").encode()


def file_part(name: str, filename: str, content: bytes) -> bytes:
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode()
    return head + content + b"\r\n"


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def read(data: bytes, body_cap: int | None = None, file_cap: int = MB + 1) -> CappedForm:
    chunks = [data[i:i + 65536] for i in range(0, len(data), 65536)]

    async def receive() -> dict[str, object]:
        chunk = chunks.pop(0) if chunks else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def run() -> CappedForm:
        request = Request({"type": "http", "method": "POST", "path": "/", "query_string": b"", "headers": [
            (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
            (b"content-length", str(len(data)).encode())]}, receive)
        found = await read_capped_form(request, file_cap=file_cap, max_files=3, max_fields=50, body_cap=body_cap)
        return found

    return asyncio.run(run())


def test_a_second_file_for_one_input_is_counted_and_keeps_no_bytes() -> None:
    found = read(body(text_part("comment", "Ý kiến"), file_part("reply_pdf", "mot.pdf", b"%PDF-1" * 10),
                      file_part("reply_pdf", "hai.pdf", b"%PDF-2" * 1000)))
    assert found.counts == {"reply_pdf": 2} and found.sizes == {"reply_pdf": 60} and found.cut_at is None
    assert [p.message for p in several_files(found, PLACES)] == [
        "Văn bản trả lời: chỉ nhận một tệp, nhưng đã gửi 2 tệp. Hãy chọn lại một tệp."]


def test_an_empty_file_input_counts_as_no_file() -> None:
    found = read(body(file_part("reply_pdf", "", b""), text_part("comment", "Ý kiến")))
    assert found.counts == {} and several_files(found, PLACES) == []


def test_a_body_past_its_cap_names_the_file_it_was_cut_in_and_keeps_the_text_before_it() -> None:
    found = read(body(text_part("p_leadership_text", "Đã ban hành kế hoạch"),
                      file_part("p_budget_file", "bang-ke.pdf", b"0" * (3 * MB)), text_part("p_after", "sau")),
                 body_cap=2 * MB)
    assert found.cut_at == "p_budget_file"
    assert found.form.get("p_leadership_text") == "Đã ban hành kế hoạch"
    assert found.form.get("p_budget_file") is None and found.form.get("p_after") is None
    assert [p.field for p in cut_short(found, PLACES, 1, 2 * MB)] == ["p_budget_file"]
    assert cut_short(found, PLACES, 1, 2 * MB)[0].message.startswith(
        "Bảng kê kinh phí: tệp lớn hơn 2,0 MB, vượt xa giới hạn 1 MB")
    assert unread_notice(found, PLACES, last_input="reply_pdf") is not None
    assert unread_notice(found, PLACES, last_input="p_budget_file") is None


def test_a_body_cut_inside_a_text_part_keeps_that_text_out_and_names_no_file() -> None:
    found = read(body(text_part("comment", "x" * (MB // 2)), text_part("proposed", "y" * (MB // 2))),
                 body_cap=MB // 2 + 1000)
    assert found.cut_at == "proposed" and found.form.get("proposed") is None
    assert cut_short(found, PLACES, 1, MB) == [] and unread_notice(found, PLACES, "reply_pdf") is None


def test_a_body_read_whole_is_not_cut() -> None:
    found = read(body(text_part("comment", "Ý kiến"), file_part("reply_pdf", "tra-loi.pdf", b"%PDF-1.4")),
                 body_cap=10 * MB)
    assert found.cut_at is None and cut_short(found, PLACES, 1, 10 * MB) == []
    assert found.sizes == {"reply_pdf": 8}
