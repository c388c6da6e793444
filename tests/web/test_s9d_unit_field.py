"""The unit field of the extend and paper-answer forms takes a code or a name, whole or in part, with or without
diacritics, and the server finds the unit: the pages carry no list of the round's units, and the form's script asks
/rounds/<id>/units as staff type. What names no unit, or several, is refused beside the field, naming the
candidates, and nothing is recorded. Real web app on a real SQLite database."""
from __future__ import annotations

import re
import unicodedata

import pytest
from fastapi.testclient import TestClient
from staff_site import log_in, staff, template_home, ykien_app  # noqa: F401
from test_round_kinds import launch

from workflows.service.app import App
from workflows.service.views import latest_answers, round_view
from workflows.web.app import create_web_app

EXTEND = {"scope": "unit", "deadline_mode": "days", "deadline_days": "20", "reason": "Đơn vị đề nghị"}
AGREE = {"kind": "agree", "channel": "paper", "note": "CV 812/STP"}


@pytest.fixture
def round_id(ykien_app: App) -> int:
    return launch(ykien_app, "consultation")  # the 7 Sở answer; TTTT-VP publishes only


def unit_error(page: str) -> str:
    found = re.search(r'<span class="field-error" id="err-unit" role="alert">(.*?)</span>', page, re.S)
    assert found is not None, page[:3000]
    return found.group(1).replace("&#34;", '"')


def hidden_unit(page: str) -> str:
    found = re.search(r'<input type="hidden" name="unit" value="([^"]*)">', page)
    assert found is not None, page[:3000]
    return found.group(1)


def test_no_page_carries_the_rounds_units_and_every_unit_field_searches(
        ykien_app: App, staff: TestClient, round_id: int) -> None:
    for path in (f"/rounds/{round_id}", f"/rounds/{round_id}/extend?unit=SYT", f"/rounds/{round_id}/respond"):
        page = staff.get(path).text
        assert "<datalist" not in page and '<option value="STC">' not in page
        fields = re.findall(r'<input name="unit"[^>]*>', page)
        assert fields and all(f'data-unit-search="/rounds/{round_id}/units"' in f for f in fields), path
        assert all('placeholder="mã hoặc tên đơn vị"' in f and 'maxlength="300"' in f for f in fields)


def test_a_name_without_diacritics_extends_that_unit(ykien_app: App, staff: TestClient, round_id: int) -> None:
    asked = staff.post(f"/rounds/{round_id}/extend", data={**EXTEND, "unit": "so y te"})
    assert asked.status_code == 200 and "Gia hạn cho Sở Y tế (SYT) đến" in asked.text
    assert hidden_unit(asked.text) == "SYT"  # the confirmation carries the code it found
    done = staff.post(f"/rounds/{round_id}/extend", data={**EXTEND, "unit": "SYT", "confirmed": "yes"},
                      follow_redirects=False)
    assert done.status_code == 303, re.findall(r'class="flash[^>]*>(.*?)</p>', done.text, re.S)
    assert [c for c, u in round_view(ykien_app, round_id).state.recipients.items() if u.deadline_override] == ["SYT"]


def test_a_name_typed_in_nfd_records_that_units_paper_answer(ykien_app: App, staff: TestClient,
                                                              round_id: int) -> None:
    typed = unicodedata.normalize("NFD", "Sở Tư pháp")
    asked = staff.post(f"/rounds/{round_id}/respond", data={**AGREE, "unit": typed})
    assert asked.status_code == 200 and "của Sở Tư pháp (STP)" in asked.text and hidden_unit(asked.text) == "STP"
    done = staff.post(f"/rounds/{round_id}/respond", data={**AGREE, "unit": hidden_unit(asked.text),
                                                           "confirmed": "yes"}, follow_redirects=False)
    assert done.status_code == 303
    assert [a.unit_code for a in latest_answers(ykien_app, round_id)] == ["STP"]


@pytest.mark.parametrize(("action", "typed", "said"), [
    ("extend", "Sở Ngoại vụ", 'Không có đơn vị nào được đề nghị trả lời trong đợt này có mã hoặc tên khớp "Sở Ngoại vụ".'),
    ("respond", "Sở Ngoại vụ", 'Không có đơn vị nào được đề nghị trả lời trong đợt này có mã hoặc tên khớp "Sở Ngoại vụ".'),
    ("respond", "sở", '"sở" khớp nhiều đơn vị: Sở Công Thương (SCT); Sở Giáo dục và Đào tạo (SGDDT); Sở Nội vụ (SNV); '
                      "Sở Tài chính (STC); Sở Tư pháp (STP); Sở Xây dựng (SXD); Sở Y tế (SYT). Nhập mã đơn vị (trong "
                      "ngoặc) hoặc tên đầy đủ."),
    ("extend", "Sở", '"Sở" khớp nhiều đơn vị: Sở Công Thương (SCT);'),
    ("respond", "", "Chọn đơn vị trả lời: nhập mã hoặc tên đơn vị."),
    ("extend", "", "Chọn đơn vị được gia hạn: nhập mã hoặc tên đơn vị."),
    ("respond", "   ", "Chọn đơn vị trả lời: nhập mã hoặc tên đơn vị."),
    ("respond", "Sở " * 2000, "Đơn vị: dài 5.999 ký tự, tối đa 300."),
    ("extend", "x" * 5000, "Đơn vị: dài 5.000 ký tự, tối đa 300."),
    ("respond", "TTTT-VP", 'Đơn vị "Trung tâm Thông tin - Văn phòng UBND tỉnh" (TTTT-VP) không được đề nghị trả lời'),
])
def test_a_unit_field_that_names_no_unit_or_several_is_refused_beside_it_and_nothing_is_recorded(
        ykien_app: App, staff: TestClient, round_id: int, action: str, typed: str, said: str) -> None:
    form = {**(EXTEND if action == "extend" else AGREE), "unit": typed}
    for confirmed in ("", "yes"):  # a forged confirmation is checked as the first post was
        refused = staff.post(f"/rounds/{round_id}/{action}", data={**form, "confirmed": confirmed})
        assert refused.status_code == 422, refused.text[:2000]
        assert unit_error(refused.text).startswith(said)
        assert re.search(r'<input name="unit"[^>]*aria-invalid="true"', refused.text)
    assert latest_answers(ykien_app, round_id) == []
    assert not any(u.deadline_override for u in round_view(ykien_app, round_id).state.recipients.values())


def test_the_search_gives_at_most_twenty_units_that_fit_best_first(ykien_app: App, staff: TestClient,
                                                                   round_id: int) -> None:
    def search(q: str) -> list[str]:
        answer = staff.get(f"/rounds/{round_id}/units", params={"q": q})
        assert answer.status_code == 200
        return [u["code"] for u in answer.json()["units"]]

    assert search("so y te") == ["SYT"] and search(unicodedata.normalize("NFD", "TƯ PHÁP")) == ["STP"]
    assert search("stc")[0] == "STC" and len(search("s")) == 7
    assert search("") == [] and search("%") == [] and search("x" * 5000) == [] and search("TTTT") == []
    assert staff.get("/rounds/999/units", params={"q": "s"}).status_code == 404
    anonymous = TestClient(create_web_app(ykien_app)).get(f"/rounds/{round_id}/units", params={"q": "s"},
                                                           follow_redirects=False)
    assert anonymous.status_code in (303, 401)
