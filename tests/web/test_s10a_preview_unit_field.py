"""The letter's preview chooses its unit as the action forms do: the field takes a code or a name of any unit of the
round (whole or in part, with or without diacritics, NFC or NFD) and the server finds it in SQL; the page carries no
list of the round's units (a <datalist> of 5,000 units made it 395 KiB), the script asks /rounds/<id>/units?role=any;
what names no unit of the round, or several, is said at the field. Real web app on a real SQLite database."""
from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import event
from staff_site import STAFF, staff, template_home, ykien_app  # noqa: F401  (fixtures)

from workflows.service.app import App
from workflows.service.directory import import_units


def _create(staff: TestClient, *addressees: dict) -> int:  # type: ignore[type-arg]
    body = {"title": "Kế hoạch thử nghiệm", "office": "TĐC", "deadline": "2025-12-05",
            "addressees": list(addressees), "contact_name": "Ông Phạm Phi Long",
            "contact_phone": "0912130290", "signer_name": "Nông Thị Thanh Huyền"}
    answer = staff.post("/api/rounds", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]  # type: ignore[no-any-return]


def _small(staff: TestClient) -> int:
    return _create(staff, {"groups": ["so-ban-nganh"]}, {"units": ["LMHTX"], "role": "inform"})


def _addressed_to(page: str) -> str:
    found = re.search(r"<dt>Đến</dt><dd>(.*?)</dd>", page, re.S)
    assert found is not None, page[:3000]
    return " ".join(html.unescape(found.group(1)).split())


def _unit_field(page: str) -> str:
    [field] = re.findall(r'<input name="unit"[^>]*>', page)
    return field


def _unit_error(page: str) -> str | None:
    found = re.search(r'<span class="field-error" id="err-unit" role="alert">(.*?)</span>', page, re.S)
    return html.unescape(found.group(1)) if found else None


def _many_units(app: App, tmp_path: Path, count: int) -> None:
    lines = ["code,name,group,email"] + [f"DV{i:05d},Đơn vị thử nghiệm số {i},xa-phuong,dv{i:05d}@example.vn"
                                         for i in range(1, count + 1)]
    (tmp_path / "many.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_units(app, tmp_path / "many.csv", STAFF)


def test_the_preview_of_a_large_round_carries_no_list_of_its_units(
        staff: TestClient, ykien_app: App, tmp_path: Path) -> None:
    small = _create(staff, {"groups": ["xa-phuong"]})
    _many_units(ykien_app, tmp_path, 2000)
    large = _create(staff, {"groups": ["xa-phuong"]})
    statements: list[str] = []

    def seen(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    pages, sent = {}, {}
    event.listen(ykien_app.engine, "before_cursor_execute", seen)
    try:
        for round_id in (small, large):
            statements.clear()
            pages[round_id] = staff.get(f"/rounds/{round_id}/preview", params={"unit": "bao lac"}).text
            sent[round_id] = len(statements)
    finally:
        event.remove(ykien_app.engine, "before_cursor_execute", seen)
    assert sent[small] == sent[large]  # the unit's row and counts in SQL, never the round's list
    page = pages[large]
    assert "Gửi tới 2003 cơ quan, đơn vị" in " ".join(page.split())
    assert "<datalist" not in page and "<option" not in page
    assert "DV00002" not in page and "Đơn vị thử nghiệm số 2" not in page  # no unit but the one the letter is for
    assert f'data-unit-search="/rounds/{large}/units?role=any"' in _unit_field(page)
    assert abs(len(page.encode()) - len(pages[small].encode())) < 200  # the page does not grow with the units


def test_a_name_without_diacritics_or_in_nfd_previews_that_units_letter(staff: TestClient) -> None:
    round_id = _small(staff)
    first = staff.get(f"/rounds/{round_id}/preview").text
    assert _addressed_to(first).startswith("Sở Công Thương <sct@caobang.example.vn>")
    for typed in ("so y te", "SO Y TE", unicodedata.normalize("NFD", "Sở Y tế"), "syt", "y tế"):
        page = staff.get(f"/rounds/{round_id}/preview", params={"unit": typed})
        assert page.status_code == 200 and _unit_error(page.text) is None, typed
        assert _addressed_to(page.text).startswith("Sở Y tế <syt@caobang.example.vn>"), typed
        assert 'value="SYT"' in _unit_field(page.text), typed  # the field holds the code it found
    nfd = staff.get(f"/rounds/{round_id}/preview", params={"unit": unicodedata.normalize("NFD", "tư pháp")}).text
    assert _addressed_to(nfd).startswith("Sở Tư pháp <stp@caobang.example.vn>")


def test_a_unit_that_only_receives_the_letter_for_information_can_be_previewed(staff: TestClient) -> None:
    round_id = _small(staff)
    page = staff.get(f"/rounds/{round_id}/preview", params={"unit": "lien minh hop tac xa"}).text
    assert _addressed_to(page).startswith("Liên minh Hợp tác xã tỉnh <lmhtx@caobang.example.vn>")
    assert "Để biết" in _addressed_to(page)
    found = staff.get(f"/rounds/{round_id}/units", params={"q": "lien minh", "role": "any"}).json()["units"]
    assert found == [{"code": "LMHTX", "name": "Liên minh Hợp tác xã tỉnh"}]
    assert staff.get(f"/rounds/{round_id}/units", params={"q": "lien minh"}).json()["units"] == []  # forms: answering


def test_a_unit_not_in_the_round_or_several_is_said_at_the_field(staff: TestClient) -> None:
    round_id = _small(staff)
    for typed, said in (
            ("Ủy ban nhân dân xã Hòa An",
             'Không có đơn vị nào trong nơi nhận của đợt này có mã hoặc tên khớp "Ủy ban nhân dân xã Hòa An".'),
            ("X-HOAAN", 'Không có đơn vị nào trong nơi nhận của đợt này có mã hoặc tên khớp "X-HOAAN".'),
            ("sở", '"sở" khớp nhiều đơn vị: Sở Công Thương (SCT); Sở Giáo dục và Đào tạo (SGDDT); '),
            ("x" * 301, "Đơn vị")):
        page = staff.get(f"/rounds/{round_id}/preview", params={"unit": typed})
        assert page.status_code == 200, typed
        error = _unit_error(page.text)
        assert error is not None and error.startswith(said), (typed, error)
        field = _unit_field(page.text)
        assert 'aria-invalid="true"' in field and 'aria-describedby="err-unit"' in field
        assert f'value="{typed}"' in html.unescape(field)  # what was typed, to correct
        assert _addressed_to(page.text).startswith("Sở Công Thương")  # the first unit's letter, named in "Đến"


def test_an_empty_unit_field_shows_the_first_units_letter_without_a_word(staff: TestClient) -> None:
    round_id = _small(staff)
    page = staff.get(f"/rounds/{round_id}/preview", params={"unit": "  "}).text
    assert _unit_error(page) is None and _addressed_to(page).startswith("Sở Công Thương")
