"""A round addressed to a group the directory has no unit in (`trung-uong`, which the 12-unit directory leaves empty),
beside groups that have units, on the web and the API: the API's create answer names it as data; the round page, the
letter's preview (where the web's create lands) and the launch's confirmation say it, with the number of units the
letter goes to, as long as the round has not gone out and the group is still missing from its recipients."""
from __future__ import annotations

import html
from pathlib import Path

from fastapi.testclient import TestClient
from staff_site import STAFF, staff, template_home, ykien_app  # noqa: F401  (fixtures)
from test_draft_rounds import _form  # the values an edit form shows, as a browser posts them

from workflows.service.app import App
from workflows.service.directory import import_units

EMPTY = "Nhóm «Cơ quan trung ương» chưa có đơn vị nào trong danh bạ: thư sẽ không gửi cho nhóm này."
REASON = {"no_draft_reason": "Công văn là toàn bộ nội dung"}


def _create(staff: TestClient, *groups: str) -> dict:  # type: ignore[type-arg]
    body = {"title": "Kế hoạch thử nghiệm", "office": "TĐC", "deadline": "2025-12-05",
            "addressees": [{"groups": list(groups)}], "contact_name": "Ông Phạm Phi Long",
            "contact_phone": "0912130290", "signer_name": "Nông Thị Thanh Huyền"}
    answer = staff.post("/api/rounds", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def _text(page: str) -> str:
    return " ".join(html.unescape(page).split())


def _confirmation(staff: TestClient, round_id: int) -> str:
    page = staff.post(f"/rounds/{round_id}/launch", data=REASON)
    assert page.status_code == 200 and "Xác nhận: Phát hành" in page.text, page.text
    return _text(page.text)


def test_the_api_create_answer_names_the_empty_group_and_the_round_is_created(staff: TestClient) -> None:
    created = _create(staff, "so-ban-nganh", "trung-uong")
    assert [(g["code"], g["label"], g["units_now"]) for g in created["empty_groups"]] == [
        ("trung-uong", "Cơ quan trung ương", 0)]
    assert created["empty_groups"][0]["notice"].startswith(EMPTY)
    assert staff.get(f"/api/rounds/{created['id']}").json()["units_total"] == 7


def test_the_round_page_the_preview_and_the_launch_confirmation_say_it_until_the_round_is_sent(
        staff: TestClient) -> None:
    round_id = _create(staff, "so-ban-nganh", "trung-uong")["id"]
    for url in (f"/rounds/{round_id}", f"/rounds/{round_id}/preview?ok=created"):
        page = _text(staff.get(url).text)
        assert EMPTY in page and "Một nhóm trong nơi nhận sẽ không nhận được thư." in page, url
        assert f'href="/rounds/{round_id}/edit">Sửa bản nháp để cập nhật nơi nhận' in page, url
    edit = _text(staff.get(f"/rounds/{round_id}/edit").text)  # the group is not offered there: saving drops it
    assert EMPTY in edit and "lưu bản nháp thì đợt bỏ nhóm đó khỏi nơi nhận" in edit
    confirmation = _confirmation(staff, round_id)
    assert EMPTY in confirmation
    assert "Thư sẽ gửi tới 7 cơ quan, đơn vị; nhóm dưới đây không nhận được thư." in confirmation
    sent = staff.post(f"/rounds/{round_id}/launch", data={**REASON, "confirmed": "yes"}, follow_redirects=False)
    assert sent.status_code == 303
    for url in (f"/rounds/{round_id}", f"/rounds/{round_id}/preview"):
        page = staff.get(url).text
        assert 'id="empty-groups"' not in page and "Cơ quan trung ương" not in page, url


def test_a_unit_added_to_the_group_changes_the_notice_and_saving_the_draft_ends_it(
        staff: TestClient, ykien_app: App, tmp_path: Path) -> None:
    round_id = _create(staff, "so-ban-nganh", "trung-uong")["id"]
    more = tmp_path / "them.csv"
    more.write_text("code,name,group,email\nVPCP,Văn phòng Chính phủ,trung-uong,vpcp@example.vn\n", encoding="utf-8")
    import_units(ykien_app, more, STAFF)
    said = ("Nhóm «Cơ quan trung ương» nay có 1 đơn vị trong danh bạ, nhưng khi lưu bản nháp nhóm chưa có đơn vị nào "
            "nên các đơn vị này chưa có trong nơi nhận: thư sẽ không gửi cho họ.")
    assert said in _text(staff.get(f"/rounds/{round_id}").text)
    assert said in _confirmation(staff, round_id)
    values = _form(staff.get(f"/rounds/{round_id}/edit").text)
    assert "trung-uong" in values["g_comment"]  # the group, now with a unit, is offered and ticked
    saved = staff.post(f"/rounds/{round_id}/edit", data={**values, "action": "save"}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert 'id="empty-groups"' not in staff.get(f"/rounds/{round_id}").text
    confirmation = _confirmation(staff, round_id)
    assert "tới 8 cơ quan, đơn vị" in confirmation and "empty-groups" not in confirmation


def test_a_round_whose_groups_all_have_units_shows_no_notice(staff: TestClient) -> None:
    created = _create(staff, "so-ban-nganh", "xa-phuong")
    assert created["empty_groups"] == []
    round_id = created["id"]
    for page in (staff.get(f"/rounds/{round_id}").text, staff.get(f"/rounds/{round_id}/preview").text,
                 staff.post(f"/rounds/{round_id}/launch", data=REASON).text):
        assert 'id="empty-groups"' not in page and "chưa có đơn vị nào trong danh bạ" not in page
