"""What Starlette and FastAPI refuse on their own (a form body they cannot read or that is over their limits, a
method a page does not take) reaches people in Vietnamese, on the page or in the API's error body, never in
English; and nothing is saved."""
from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from staff_site import make_home, staff, ykien_app  # noqa: F401

from workflows.service.app import App
from workflows.service.directory_edit import directory_units
from workflows.web.app import create_web_app
from workflows.web.refusal_words import refusal_message

ENGLISH = ("Too many", "exceeded", "multipart", "Method Not Allowed", "parsing the body", "Maximum")
UNIT_ROW = b"code,name,group,email\nZZ1,S\xe1\xbb\x9f m\xe1\xbb\x9bi,so-ban-nganh,zz1@caobang.example.vn\n"


@pytest.fixture(scope="module")
def template_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_home(tmp_path_factory.mktemp("refusal-words"), role="admin", office=None)


def _says_in_vietnamese(text: str) -> None:
    assert not any(words in text for words in ENGLISH), text[:600]
    assert "Chưa có gì được lưu" in text or "không nhận yêu cầu" in text, text[:600]


@pytest.mark.parametrize(("files", "fields"), [
    ([("file", ("a" * 5000 + ".csv", UNIT_ROW, "text/csv"))], {}),  # a name longer than the parser's header limit
    ([(f"file{n}", ("units.csv", UNIT_ROW, "text/csv")) for n in range(6)], {}),  # more files than the form takes
    ([("file", ("units.csv", UNIT_ROW, "text/csv"))], {"note": "x" * (1024 * 1024 + 1)}),  # a field over 1 MB
], ids=["long-filename", "too-many-files", "field-over-1mb"])
def test_an_unreadable_upload_form_is_refused_in_vietnamese_and_imports_nothing(
        ykien_app: App, staff: TestClient, files: list[tuple[str, tuple[str, bytes, str]]],
        fields: dict[str, str]) -> None:
    before = len(directory_units(ykien_app))
    answer = staff.post("/directory/import", files=files, data=fields)
    assert answer.status_code == 400, answer.text[:300]
    _says_in_vietnamese(answer.text)
    assert len(directory_units(ykien_app)) == before


def test_too_many_fields_on_the_login_form_is_refused_in_vietnamese(ykien_app: App) -> None:
    client = TestClient(create_web_app(ykien_app), raise_server_exceptions=False)
    answer = client.post("/login", data={f"k{n}": "v" for n in range(1100)})
    assert answer.status_code == 400
    _says_in_vietnamese(answer.text)


def test_opening_a_form_only_address_says_so_in_vietnamese(staff: TestClient) -> None:
    page = staff.get("/directory/import")  # the address left in the bar after a refused import, opened again
    assert page.status_code == 405
    _says_in_vietnamese(page.text)
    api = staff.patch("/api/rounds")
    assert api.status_code == 405
    assert api.json()["error"]["message"] == "Địa chỉ này không nhận yêu cầu PATCH; hãy mở lại từ trang trước."


def test_the_apps_own_refusals_pass_through_unchanged() -> None:
    own = "Dữ liệu gửi lên vượt quá giới hạn 20 MB; không có gì được lưu."
    assert refusal_message(413, own, "POST") == own
    assert refusal_message(404, None, "GET") == refusal_message(404, "Not Found", "GET") == "Không tìm thấy trang."
    assert refusal_message(599, None, "GET") == "Yêu cầu không hợp lệ."
