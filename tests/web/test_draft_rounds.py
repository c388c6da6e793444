"""Issue 12 item 3, "staff manage what they make", through the real web app on SQLite (TestClient): a draft round
edited (the create form filled with its values) and deleted (after a confirmation page) by its office's staff and
admins, refused to others and once launched or numbered; the offices as a list admins add to and rename; a kind
that needs a draft launched without one only with a reason, kept in the audit."""
from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

# The browser of the staff pages' tests: a TestClient with a session and its CSRF token.
from test_staff_pages import PASSWORD, Browser  # tests/web is on sys.path under pytest

from config.clock import FrozenClock
from config.settings import load_settings
from models.register import Source
from workflows.demo import UNITS_CSV, seed_round
from workflows.engine.events import Launch
from workflows.service.accounts import account
from workflows.service.app import App, build_app
from workflows.service.directory import import_units
from workflows.service.rounds import create_round, draft_location, execute
from workflows.service.staff import add_user
from workflows.service.views import audit_trail, list_rounds
from workflows.web.app import create_web_app

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STAFF = "Phạm Phi Long (TĐC)"
USERS = {"admin": ("admin", None), "canbo": ("staff", "TĐC"), "khac": ("staff", "QLKH"), "lanhdao": ("leader", None)}
DOCX = Path(__file__).parents[1] / "fixtures"


class Site:
    def __init__(self, home: Path) -> None:
        settings = load_settings(home=home, database_url=f"sqlite:///{home}/ykien.db", smtp_url=None, now=None,
                                 calendar_file=None)
        self.clock = FrozenClock(datetime(2025, 11, 20, 8, 30, tzinfo=TZ))
        self.app: App = build_app(settings, self.clock, create_schema=True)
        for username, (role, office) in USERS.items():
            add_user(self.app, username, username.title(), role, PASSWORD, office, "test")
        import_units(self.app, UNITS_CSV, STAFF)
        self.draft_id = create_round(self.app, replace(seed_round(), deadline=date(2025, 12, 19),
                                                       deadline_working_days=None), STAFF)
        self.web = create_web_app(self.app)

    def as_(self, username: str) -> Browser:
        from fastapi.testclient import TestClient

        return Browser(TestClient(self.web)).login(username)  # type: ignore[arg-type]

    def title(self) -> str:
        return next(r.title for r in list_rounds(self.app) if r.id == self.draft_id)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    built = Site(tmp_path / "home")
    yield built  # type: ignore[misc]
    built.app.close()


def _system_events(app: App) -> list:  # type: ignore[type-arg]
    """The system's audit chain (round_id None): accounts, offices, deleted rounds."""
    with app.uow(read_only=True) as uow:
        return uow.audit.events(None)


def _t(response) -> str:  # type: ignore[no-untyped-def]
    """The page's text as people read it (quotes unescaped)."""
    import html

    return html.unescape(response.text)


def _form(page: str) -> dict[str, list[str]]:
    """The values an edit form shows, as a browser would post them (ticked boxes, selected options, texts)."""
    import html
    import re

    values: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or "disabled" in tag or 'type="file"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if ('type="checkbox"' in tag or 'type="radio"' in tag) and "checked" not in tag:
            continue
        values.setdefault(name.group(1), []).append(html.unescape(value.group(1)) if value else "")
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"\s*selected', body)
        values[name] = [html.unescape(chosen.group(1))] if chosen else []
    for name, body in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        values[name] = [html.unescape(body)]
    values.pop("csrf_token", None)
    return values


def _post(browser: Browser, url: str, values: dict[str, list[str]], **changes: str):  # type: ignore[no-untyped-def]
    data: dict[str, list[str] | str] = {k: vs for k, vs in values.items() if k not in changes}
    data.update(changes, csrf_token=browser.csrf)
    return browser.client.post(url, data=data, follow_redirects=False)


def test_staff_edit_a_draft_in_the_create_form_filled_with_its_values_and_every_bad_input_is_named(site: Site) -> None:
    staff = site.as_("canbo")
    page = staff.get(f"/rounds/{site.draft_id}")
    assert f'href="/rounds/{site.draft_id}/edit">Sửa</a>' in _t(page) and "Xóa bản nháp" in _t(page)
    form = staff.get(f"/rounds/{site.draft_id}/edit")
    assert form.status_code == 200 and "Sửa bản nháp" in _t(form) and site.title() in _t(form)
    values = _form(form.text)
    assert values["deadline_date"] == ["19/12/2025"] and values["g_comment"]
    url = f"/rounds/{site.draft_id}/edit"
    for changes, field_words in (({"title": ""}, "Nhập tên dự thảo."),
                                 ({"deadline_mode": "date", "deadline_date": "2025-11-10"}, "đã qua"),
                                 ({"title": "x" * 501}, "Tên dự thảo: dài 501 ký tự, tối đa 500.")):
        bad = _post(staff, url, values, action="save", **changes)
        assert bad.status_code == 422 and field_words in _t(bad), changes
        assert site.title() == seed_round().title  # nothing written
    done = _post(staff, url, values, action="save", title="Kế hoạch đã sửa tên", deadline_mode="date",
                 deadline_date="2025-12-22")
    assert done.status_code == 303 and done.headers["location"] == f"/rounds/{site.draft_id}/preview?ok=edited"
    assert site.title() == "Kế hoạch đã sửa tên"
    events, broken = audit_trail(site.app, site.draft_id)
    assert broken is None and events[-1].action == "round_edited"
    assert {"title", "deadline", "subject"} <= set(events[-1].details["changed"])
    assert "Đã lưu bản nháp" in staff.get(done.headers["location"]).text


def test_an_admin_picks_the_office_from_the_list_and_an_unknown_one_is_refused(site: Site) -> None:
    admin = site.as_("admin")
    form = admin.get(f"/rounds/{site.draft_id}/edit")
    assert '<select name="office" required>' in _t(form) and "TĐC · Phòng Quản lý Tiêu chuẩn" in _t(form)
    values = _form(form.text)
    bad = _post(admin, f"/rounds/{site.draft_id}/edit", values, action="save", office="TDC")
    assert bad.status_code == 422 and "Phòng \"TDC\" không có trong danh sách phòng" in _t(bad)
    moved = _post(admin, f"/rounds/{site.draft_id}/edit", values, action="save", office="QLKH")
    assert moved.status_code == 303
    assert next(r.office for r in list_rounds(site.app) if r.id == site.draft_id) == "QLKH"


def test_a_leader_and_another_office_cannot_edit_nor_delete_and_a_post_without_csrf_is_refused(site: Site) -> None:
    for username in ("lanhdao", "khac"):
        other = site.as_(username)
        assert other.get(f"/rounds/{site.draft_id}/edit").status_code == 403
        assert other.get(f"/rounds/{site.draft_id}/delete").status_code == 403
        assert other.post(f"/rounds/{site.draft_id}/delete").status_code == 403
        assert other.post(f"/rounds/{site.draft_id}/edit", {"action": "save", "title": "x"}).status_code == 403
    staff = site.as_("canbo")
    assert staff.post(f"/rounds/{site.draft_id}/delete", csrf=False).status_code == 403
    assert staff.post(f"/rounds/{site.draft_id}/edit", {"title": "x", "action": "save"}, csrf=False).status_code == 403
    assert site.title() == seed_round().title and len(list_rounds(site.app)) == 1


def test_staff_delete_a_draft_after_a_confirmation_and_the_system_audit_records_it(site: Site) -> None:
    staff = site.as_("canbo")
    folder = draft_location(site.app, site.draft_id, 1, "x").parents[1]
    folder.mkdir(parents=True)
    (folder / "v1").mkdir()
    confirm = staff.get(f"/rounds/{site.draft_id}/delete")
    assert confirm.status_code == 200 and "Xóa bản nháp?" in _t(confirm) and "Không hoàn tác được" in _t(confirm)
    done = staff.post(f"/rounds/{site.draft_id}/delete")
    assert done.status_code == 200 and "Đã xóa bản nháp" in _t(done)
    assert list_rounds(site.app) == [] and not folder.exists()
    assert staff.get(f"/rounds/{site.draft_id}").status_code == 404
    system = _system_events(site.app)
    assert system[-1].action == "round_deleted"
    assert system[-1].details["round"] == site.draft_id and system[-1].details["title"] == seed_round().title
    assert system[-1].details["recipients"] > 0 and system[-1].details["chain_hash"]


def test_a_launched_round_and_a_numbered_one_are_never_edited_nor_deleted(site: Site) -> None:
    numbered = create_round(site.app, replace(seed_round(), title="Đợt đã lấy số"), STAFF)
    with site.app.uow() as uow:
        uow.register.add(register="CV", year=2025, number=5, symbol="SKHCN-TĐC", office="TĐC",
                         issued_on=date(2025, 11, 20), document_type="", document_title="Công văn", summary="V/v",
                         round_id=numbered, document_key="request_letter", signer="Bà B", recipients="",
                         source=Source.ASSIGNED, at=site.clock.now(), by=STAFF)
        uow.commit()
    staff = site.as_("canbo")
    refused = staff.post(f"/rounds/{numbered}/delete")
    assert refused.status_code == 409 and "05/SKHCN-TĐC" in _t(refused) and "không bao giờ được dùng lại" in _t(refused)
    execute(site.app, site.draft_id, Launch(no_draft_reason="Thử"), STAFF)
    assert staff.get(f"/rounds/{site.draft_id}/edit").status_code == 409
    gone = staff.post(f"/rounds/{site.draft_id}/delete")
    assert gone.status_code == 409 and "đã phát hành" in _t(gone)
    assert f'href="/rounds/{site.draft_id}/edit"' not in staff.get(f"/rounds/{site.draft_id}").text
    assert len(list_rounds(site.app)) == 2


def test_launching_without_a_draft_asks_for_the_reason_and_keeps_it_in_the_audit(site: Site) -> None:
    staff = site.as_("canbo")
    url = f"/rounds/{site.draft_id}/launch"
    asked = staff.post(url)
    assert asked.status_code == 200 and "Lý do không kèm dự thảo" in _t(asked) and 'name="no_draft_reason"' in _t(asked)
    blank = staff.post(url, {"no_draft_reason": "  ", "confirmed": "yes"})
    assert blank.status_code == 422 and "Đợt chưa có tệp dự thảo" in _t(blank)
    long = staff.post(url, {"no_draft_reason": "x" * 1001, "confirmed": "yes"})
    assert long.status_code == 422 and "Lý do không kèm dự thảo: dài 1.001 ký tự, tối đa 1.000." in _t(long)
    assert [e.action for e in audit_trail(site.app, site.draft_id)[0]] == ["create"]
    reason = "Dự thảo đã đăng trên Cổng thông tin điện tử của tỉnh"
    confirm = staff.post(url, {"no_draft_reason": reason})
    assert confirm.status_code == 200 and f"Lý do (ghi vào nhật ký): {reason}" in _t(confirm)
    done = staff.post(url, {"no_draft_reason": reason, "confirmed": "yes"})
    assert done.status_code == 303
    launch = audit_trail(site.app, site.draft_id)[0][-1]
    assert launch.action == "launch" and launch.details["no_draft_reason"] == reason


def test_admins_add_and_rename_offices_and_every_bad_code_is_named(site: Site) -> None:
    admin = site.as_("admin")
    assert 'href="/offices"' in admin.get("/").text
    page = admin.get("/offices")
    assert page.status_code == 200 and "Phòng Quản lý Tiêu chuẩn Đo lường Chất lượng" in _t(page)
    nfd = unicodedata.normalize("NFD", "TĐC")
    for code, name, status, words in (
            ("TDC", "Phòng khác", 409, "trùng với phòng \"TĐC\" đã có"),
            (nfd, "Phòng khác", 409, "phòng \"TĐC\" đã có trong danh sách"),
            ("tđc", "Phòng khác", 409, "trùng với phòng \"TĐC\""),
            ("", "Phòng khác", 422, "nhập mã phòng"),
            ("A" * 41, "Phòng khác", 422, "dài 41 ký tự, tối đa 40."),
            ("T C", "Phòng khác", 422, "không phải mã phòng"),
            ("KT", "", 422, "nhập tên phòng")):
        bad = admin.post("/offices", {"code": code, "name": name})
        assert bad.status_code == status and words in _t(bad), code
    assert admin.post("/offices", {"code": "KT", "name": "Phòng Kế hoạch - Tài chính"}).status_code == 303
    taken = admin.post("/offices/rename", {"code": "QLKH", "new_code": "KT", "new_name": "X"})
    assert taken.status_code == 409 and "phòng \"KT\" đã có trong danh sách" in _t(taken)
    renamed = admin.post("/offices/rename", {"code": "QLKH", "new_code": "QLKH&SHTT",
                                             "new_name": "Phòng Quản lý Khoa học và Sở hữu trí tuệ"})
    assert renamed.status_code == 303
    assert account(site.app, "khac").user.office == "QLKH&SHTT"
    system = [e for e in _system_events(site.app) if e.action.startswith("office_")]
    assert [e.action for e in system] == ["office_added", "office_renamed"]
    assert system[-1].details["office"] == ["QLKH", "QLKH&SHTT"] and system[-1].details["accounts"] == 1
    for username in ("canbo", "lanhdao"):
        assert site.as_(username).get("/offices").status_code == 403


def test_an_account_takes_an_office_of_the_list_only(site: Site) -> None:
    admin = site.as_("admin")
    page = admin.get("/accounts")
    assert '<select name="office">' in _t(page)
    bad = admin.post("/accounts", {"username": "nguyenvanb", "display_name": "Nguyễn Văn B", "role": "staff",
                                   "office": "TDC"})
    assert bad.status_code == 422 and "không có phòng \"TDC\" trong danh sách phòng" in _t(bad)
    assert "Có phải \"TĐC\"?" in _t(bad)
    moved = admin.post("/accounts/canbo/role", {"role": "staff", "office": "XYZ"})
    assert moved.status_code == 422 and account(site.app, "canbo").user.office == "TĐC"
