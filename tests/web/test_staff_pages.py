"""The staff pages of a round, the create form, the directory and the mailbox, through the real web app
on a real SQLite database (TestClient; mail goes to the embedded sink, which stores it in the database)."""
from __future__ import annotations

import html
import io
import re
import shutil
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest
from fastapi.testclient import TestClient
from minimal_pdf import minimal_pdf
from sqlalchemy import select, update

from config.clock import FrozenClock
from config.settings import load_settings
from models.db.tables import AuditRow, OutboxRow, UnitRow
from models.rounds import ResponseChannel, ResponseKind
from notifications.testing import smtp_capture
from workflows.demo import UNITS_CSV, seed_round
from workflows.engine.events import CommentInput, Extend, Launch, Respond
from workflows.service.app import App, build_app
from workflows.service.directory import import_units
from workflows.service.mailbox import received_mail
from workflows.service.recipients import record_opening
from workflows.service.registry import get_workflow, shipped_workflows
from workflows.service.rounds import create_round, draft_location, execute
from workflows.service.staff import add_user
from workflows.service.steps import run_step
from workflows.service.sweep import run_due
from workflows.service.views import audit_trail, latest_responses, list_rounds, round_view
from workflows.web.app import create_web_app
from workflows.web.security import SESSION_COOKIE

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIXTURES = Path(__file__).parents[1] / "fixtures"
PASSWORD = "matkhau-rat-dai"
STAFF = "Phạm Phi Long (TĐC)"
USERS = {"admin": ("admin", None), "canbo": ("staff", "TĐC"), "khac": ("staff", "QLKH"), "lanhdao": ("leader", None)}


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


class Browser:
    """A TestClient with a session: logged in as someone (or anonymous), knowing its CSRF token."""

    def __init__(self, client: TestClient, cookie: str | None = None, csrf: str | None = None) -> None:
        self.client = client
        if cookie is not None:
            client.cookies.set(SESSION_COOKIE, cookie)
        self.csrf = csrf or _csrf_of(client.get("/login").text)

    def login(self, username: str) -> Browser:
        response = self.client.post("/login", data={"username": username, "password": PASSWORD,
                                                    "csrf_token": self.csrf}, follow_redirects=False)
        assert response.status_code == 303, response.text
        self.csrf = _csrf_of(self.client.get("/").text)
        return self

    def get(self, url: str, **kw):  # type: ignore[no-untyped-def]
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict | None = None, csrf: bool = True, **kw):  # type: ignore[no-untyped-def,type-arg]
        values = dict(data or {})
        if csrf:
            values["csrf_token"] = self.csrf
        return self.client.post(url, data=values, follow_redirects=False, **kw)

    def confirm(self, url: str, data: dict):  # type: ignore[no-untyped-def,type-arg]
        """Post an action, check the confirmation step, then confirm it."""
        first = self.post(url, data)
        assert first.status_code == 200, first.text
        assert "Xác nhận" in first.text
        return self.post(url, {**data, "confirmed": "yes"})


def _csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


@dataclass
class Site:
    app: App
    clock: FrozenClock
    web: object
    round_id: int
    draft_id: int
    sessions: dict[str, tuple[str, str]] = field(default_factory=dict)  # username -> (cookie, csrf)

    def as_(self, username: str | None) -> Browser:
        """A browser of this user; its session lives on the server, so copies of the cookie share it."""
        client = TestClient(self.web)  # type: ignore[arg-type]
        if username is None:
            return Browser(client)
        if username in self.sessions:
            browser = Browser(client, *self.sessions[username])
            if client.get("/api/session").status_code == 200:
                return browser
            client = TestClient(self.web)  # type: ignore[arg-type]  # the clock moved past the session's lifetime
        browser = Browser(client).login(username)
        self.sessions[username] = (client.cookies[SESSION_COOKIE], browser.csrf)
        return browser

    def at(self, text: str) -> None:
        self.clock.set(local(text))

    def actions(self) -> list[str]:
        return [e.action for e in audit_trail(self.app, self.round_id)[0]]


def _token_of(app: App, round_id: int, unit: str) -> str:
    with app.uow() as uow:
        body = uow.session.scalar(select(OutboxRow.text_body).where(
            OutboxRow.round_id == round_id, OutboxRow.unit_code == unit, OutboxRow.kind == "invitation"))
    return re.search(r"/r/([A-Za-z0-9_-]+)", body).group(1)  # type: ignore[union-attr,arg-type]


def _open(home: Path, at: datetime, max_upload_mb: int = 20) -> tuple[App, FrozenClock]:
    settings = load_settings(home=home, database_url=f"sqlite:///{home}/ykien.db", smtp_url=None, now=None,
                             calendar_file=None, max_upload_mb=max_upload_mb)
    clock = FrozenClock(at)
    return build_app(settings, clock, create_schema=True), clock


def _build(home: Path) -> Site:
    """The seed-000 round on 04/12/2025: launched, two answers, reminders sent, one unit extended,
    one unit opened its link; and a second round still a draft. Mail goes to the embedded sink."""
    app, clock = _open(home, local("2025-11-20T08:30"))
    for username, (role, office) in USERS.items():
        add_user(app, username, username.title(), role, PASSWORD, office, "test")
    import_units(app, UNITS_CSV, STAFF)
    round_id = create_round(app, seed_round(), STAFF)
    clock.set(local("2025-11-20T09:00"))
    execute(app, round_id, Launch(), STAFF)
    run_step(app, "circulate", round_id=round_id)
    clock.set(local("2025-11-26T10:15"))
    execute(app, round_id, Respond("SCT", ResponseKind.COMMENTS, entered_by="SCT", comments=(
        CommentInput("Đề nghị bổ sung chỉ tiêu ISO 9001.", "Mục II.2", "Ít nhất 50 doanh nghiệp."),)), "SCT")
    record_opening(app, _token_of(app, round_id, "SCT"))
    clock.set(local("2025-12-02T15:40"))
    execute(app, round_id, Respond("STP", ResponseKind.AGREE, entered_by=STAFF, channel=ResponseChannel.PAPER,
                                   note="Công văn số 812/STP-XDKTVB"), STAFF)
    clock.set(local("2025-12-03T08:00"))
    run_due(app)
    clock.set(local("2025-12-04T11:00"))
    execute(app, round_id, Extend(date(2025, 12, 12), "SYT", "Sở Y tế đề nghị gia hạn"), STAFF)
    run_step(app, "circulate", round_id=round_id)
    clock.set(local("2025-12-04T11:30"))
    draft_id = create_round(app, replace(seed_round(), title="Quy chế quản lý nhiệm vụ KH&CN cấp tỉnh",
                                         subject="xin ý kiến góp ý đối với dự thảo Quy chế",
                                         deadline=date(2025, 12, 19), deadline_working_days=10), STAFF)
    site = Site(app, clock, create_web_app(app), round_id, draft_id)
    for username in USERS:
        site.as_(username)
    return site


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The story, built once: tests that only read (or are refused) use it, the others a copy of it."""
    site = _build(tmp_path_factory.mktemp("shared") / "home")
    yield site
    site.app.close()


def _copy(shared: Site, tmp_path: Path, max_upload_mb: int = 20) -> Site:
    source = shared.app.settings.home
    shared.app.engine.dispose()  # the last connection closes: SQLite folds its WAL into the file
    shutil.copytree(source, tmp_path / "home")
    app, clock = _open(tmp_path / "home", shared.clock.now(), max_upload_mb)
    return Site(app, clock, create_web_app(app), shared.round_id, shared.draft_id, shared.sessions)


@pytest.fixture
def site(shared: Site, tmp_path: Path) -> Iterator[Site]:
    """A copy of the story for a test that changes something."""
    copy = _copy(shared, tmp_path)
    yield copy
    copy.app.close()


def _pages(site: Site) -> list[str]:
    r, d = site.round_id, site.draft_id
    first_mail = received_mail(site.app).items[0].id
    with site.app.uow() as uow:
        message = uow.session.scalar(select(OutboxRow.id).where(OutboxRow.round_id == r))
    return [f"/rounds/{r}", f"/rounds/{r}/responses", f"/rounds/{r}/timeline", f"/rounds/{r}/outbox",
            f"/rounds/{r}/outbox/{message}", f"/rounds/{r}/audit", f"/rounds/{r}/preview", f"/rounds/{d}",
            f"/rounds/{d}/preview", "/directory", "/directory/units/SCT", "/mail", f"/mail/{first_mail}",
            "/rounds/deadline-preview?mode=days&days=5"]


# --- every page, every role ----------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["admin", "canbo", "lanhdao"])
def test_every_staff_page_renders_for_each_role(shared: Site, username: str) -> None:
    browser = shared.as_(username)
    for url in _pages(shared):
        response = browser.get(url)
        assert response.status_code == 200, (url, response.text[-500:])
    page = browser.get(f"/rounds/{shared.round_id}").text
    if username == "lanhdao":
        assert "Đôn đốc các đơn vị đã chọn" not in page and 'action="/rounds/1/extend"' not in page
        assert "chế độ chỉ đọc" in page
    else:
        assert "Đôn đốc các đơn vị đã chọn" in page and 'action="/rounds/1/extend"' in page


def test_create_form_is_for_staff_and_admin_only(shared: Site) -> None:
    assert shared.as_("canbo").get("/rounds/new").status_code == 200
    assert shared.as_("admin").get("/rounds/new").status_code == 200
    refused = shared.as_("lanhdao").get("/rounds/new")
    assert refused.status_code == 403 and "chỉ xem" in refused.text


def test_anonymous_is_sent_to_login_from_every_staff_page(shared: Site) -> None:
    anonymous = shared.as_(None)
    for url in [*_pages(shared), "/rounds/new", f"/rounds/{shared.round_id}/extend"]:
        response = anonymous.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), url
    for url in ["/rounds", f"/rounds/{shared.round_id}/close", "/directory/import", "/directory/units/SCT"]:
        response = anonymous.post(url, {"confirmed": "yes"})
        assert response.status_code in (303, 403), url
        assert response.status_code == 403 or response.headers["location"].startswith("/login")


def _action_posts(site: Site) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    r = site.round_id
    return [
        (f"/rounds/{r}/remind", {"unit": "BAOCB", "confirmed": "yes"}),
        (f"/rounds/{r}/extend", {"scope": "all", "deadline_mode": "days", "deadline_days": "5",
                                 "reason": "x", "confirmed": "yes"}),
        (f"/rounds/{r}/respond", {"unit": "SNV", "kind": "agree", "channel": "paper", "confirmed": "yes"}),
        (f"/rounds/{r}/close", {"confirmed": "yes"}),
        (f"/rounds/{site.draft_id}/launch", {"confirmed": "yes"}),
    ]


def test_leader_reads_everything_but_every_post_is_forbidden(shared: Site) -> None:
    leader = shared.as_("lanhdao")
    before = shared.actions()
    posts = [*_action_posts(shared), ("/rounds", {"action": "create", "title": "X"}),
             ("/directory/units/SCT", {"email": "moi@caobang.example.vn"})]
    for url, data in posts:
        assert leader.post(url, data).status_code == 403, url
    imported = leader.post("/directory/import", {}, files={"file": ("u.csv", b"code,name,group,email\n")})
    assert imported.status_code == 403
    assert leader.get(f"/rounds/{shared.round_id}/extend").status_code == 403
    assert shared.actions() == before


def test_staff_of_another_office_sees_the_round_but_cannot_change_it(shared: Site) -> None:
    other = shared.as_("khac")
    before = shared.actions()
    assert other.get(f"/rounds/{shared.round_id}").status_code == 200
    assert "Đôn đốc các đơn vị đã chọn" not in other.get(f"/rounds/{shared.round_id}").text
    for url, data in _action_posts(shared):
        response = other.post(url, data)
        assert response.status_code == 403 and "TĐC" in response.text, url
    assert shared.actions() == before


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(shared: Site) -> None:
    admin = shared.as_("admin")
    before = shared.actions()
    for url, data in _action_posts(shared):
        assert admin.post(url, data, csrf=False).status_code == 403, url
        assert admin.post(url, {**data, "csrf_token": "forged"}, csrf=False).status_code == 403, url
    assert admin.post("/directory/units/SCT", {"email": "x@caobang.example.vn"}, csrf=False).status_code == 403
    assert shared.actions() == before


# --- the grid and its filters --------------------------------------------------------------------------

def _codes(page: str) -> list[str]:
    return re.findall(r'<tr id="u-([^"]+)"', page)


def test_filters_narrow_the_grid_and_counts_cover_the_whole_round(shared: Site) -> None:
    browser = shared.as_("canbo")
    url = f"/rounds/{shared.round_id}"
    everything = browser.get(url).text
    assert len(_codes(everything)) == 39 and "Hiển thị 39/39" in everything
    assert "Chưa trả lời: 36" in everything and "Có ý kiến góp ý: 1" in everything
    assert "Được gia hạn: 1" in everything and "Đã mở đường dẫn: 1" in everything
    assert _codes(browser.get(url, params={"answer": "comments"}).text) == ["SCT"]
    assert _codes(browser.get(url, params={"answer": "agree"}).text) == ["STP"]
    assert _codes(browser.get(url, params={"opened": "yes"}).text) == ["SCT"]
    assert _codes(browser.get(url, params={"extended": "yes"}).text) == ["SYT"]
    assert len(_codes(browser.get(url, params={"opened": "no"}).text)) == 38  # every unit but SCT
    assert len(_codes(browser.get(url, params={"email": "sent"}).text)) == 39
    assert _codes(browser.get(url, params={"email": "failed"}).text) == []
    filtered = browser.get(url, params={"answer": "pending", "q": "y tế"}).text
    assert _codes(filtered) == ["SYT"] and "Hiển thị 1/39" in filtered and "Chưa trả lời: 36" in filtered
    ignored = browser.get(url, params={"answer": "<script>", "email": "bogus"}).text
    assert len(_codes(ignored)) == 39 and "<script>" not in ignored


def test_grid_shows_opening_deadline_flags_and_reminders_per_unit(shared: Site) -> None:
    page = shared.as_("canbo").get(f"/rounds/{shared.round_id}").text
    row = {code: cells for code, cells in re.findall(r'<tr id="u-([^"]+)">(.*?)</tr>', page, re.S)}
    assert "10:15 26/11/2025" in row["SCT"] and "03:15" not in row["SCT"]  # local time, not UTC
    assert "Chưa mở" in row["BAOCB"] and "Chưa trả lời" in row["BAOCB"]
    assert "12/12/2025" in row["SYT"] and "gia hạn" in row["SYT"]
    assert "Đồng ý / không có ý kiến" in row["STP"]
    assert re.search(r'data-label="Đôn đốc" class="num">1<', row["BAOCB"])
    assert 'name="unit" value="BAOCB"' in row["BAOCB"] and 'name="unit"' not in row["SCT"]


def test_late_answers_are_flagged_and_filtered(site: Site) -> None:
    site.at("2025-12-08T10:00")
    admin = site.as_("admin")
    response = admin.confirm(f"/rounds/{site.round_id}/respond",
                             {"unit": "SNV", "kind": "agree", "channel": "paper", "note": "CV 99/SNV"})
    assert response.status_code == 303
    page = admin.get(f"/rounds/{site.round_id}", params={"late": "yes"}).text
    assert _codes(page) == ["SNV"] and "trễ hạn" in page


def test_round_page_with_5000_units_renders_a_page_at_a_time(site: Site, tmp_path: Path) -> None:
    lines = ["code,name,group,email"] + [f"X{i:04d},Ủy ban nhân dân xã số {i},xa-phuong,x{i}@caobang.example.vn"
                                         for i in range(5000)]
    (tmp_path / "big.csv").write_text("\n".join(lines), encoding="utf-8")
    import_units(site.app, tmp_path / "big.csv", "test")
    new = replace(seed_round(), addressees=(replace(seed_round().addressees[0], groups=("xa-phuong",)),))
    round_id = create_round(site.app, new, STAFF)
    browser = site.as_("admin")
    started = time.perf_counter()
    page = browser.get(f"/rounds/{round_id}")
    elapsed = time.perf_counter() - started
    assert page.status_code == 200 and "Hiển thị 1–200 trong 5016/5016" in page.text
    assert len(_codes(page.text)) == 200 and 'href="?page=26">26</a>' in page.text
    last = browser.get(f"/rounds/{round_id}?page=26")
    assert "Hiển thị 5001–5016 trong 5016/5016" in last.text and len(_codes(last.text)) == 16
    filtered = browser.get(f"/rounds/{round_id}?q=X0042")
    assert len(_codes(filtered.text)) == 1 and "nav class=\"pages\"" not in filtered.text
    print(f"5,016-unit round page: {elapsed:.2f} s, {len(page.content) / 1e6:.1f} MB")


# --- actions ---------------------------------------------------------------------------------------------

def test_remind_selected_units_confirms_then_sends_and_audits(site: Site) -> None:
    admin = site.as_("admin")
    url = f"/rounds/{site.round_id}/remind"
    mails_before = received_mail(site.app).total
    confirm = admin.post(url, {"unit": ["BAOCB", "HHDN"]})
    assert confirm.status_code == 200 and "Báo và Phát thanh truyền hình Cao Bằng" in confirm.text
    assert 'name="confirmed" value="yes"' in confirm.text and 'name="unit" value="HHDN"' in confirm.text
    assert site.actions()[-1] != "remind"  # nothing happens before the confirmation
    done = admin.post(url, {"unit": ["BAOCB", "HHDN"], "confirmed": "yes"})
    assert done.status_code == 303 and done.headers["location"] == f"/rounds/{site.round_id}?ok=remind&n=2"
    event = audit_trail(site.app, site.round_id)[0][-1]
    assert event.action == "remind" and event.details["reminded"] == ["BAOCB", "HHDN"]
    assert event.actor == "Admin (admin)"
    assert received_mail(site.app).total == mails_before + 2
    assert "Đã đôn đốc: 2 thư đôn đốc." in admin.get(done.headers["location"]).text


def test_remind_with_nothing_selected_says_so(site: Site) -> None:
    response = site.as_("canbo").post(f"/rounds/{site.round_id}/remind", {"confirmed": "yes"})
    assert response.status_code == 422 and "Chưa chọn đơn vị nào" in response.text


def test_remind_everyone_pending(site: Site) -> None:
    response = site.as_("canbo").confirm(f"/rounds/{site.round_id}/remind", {"all": "yes"})
    assert response.status_code == 303
    event = audit_trail(site.app, site.round_id)[0][-1]
    assert event.action == "remind" and len(event.details["reminded"]) == 36


def test_extend_one_unit_by_working_days_shows_the_date_then_extends(site: Site) -> None:
    staff = site.as_("canbo")
    url = f"/rounds/{site.round_id}/extend"
    data = {"scope": "unit", "unit": "BAOCB", "deadline_mode": "days", "deadline_days": "5",
            "reason": "Đơn vị xin thêm thời gian"}
    confirm = staff.post(url, data)
    assert "Gia hạn cho Báo và Phát thanh truyền hình Cao Bằng (BAOCB) đến 11/12/2025" in confirm.text
    assert staff.post(url, {**data, "confirmed": "yes"}).status_code == 303
    unit = next(u for u in round_view(site.app, site.round_id).units if u.unit_code == "BAOCB")
    assert unit.deadline == date(2025, 12, 11) and unit.extended
    event = audit_trail(site.app, site.round_id)[0][-1]
    assert event.action == "extend" and event.details["reason"] == "Đơn vị xin thêm thời gian"


def test_extend_to_a_day_off_is_refused_with_the_form_kept(site: Site) -> None:
    before = site.actions()
    response = site.as_("canbo").post(f"/rounds/{site.round_id}/extend", {
        "scope": "all", "deadline_mode": "date", "deadline_date": "2025-12-13", "reason": "Lý do <b>đậm</b>"})
    assert response.status_code == 422
    assert "13/12/2025 không phải ngày làm việc" in response.text and "15/12/2025" in response.text
    assert "Lý do &lt;b&gt;đậm&lt;/b&gt;" in response.text  # re-displayed, escaped
    assert site.actions() == before


def test_record_a_paper_answer_with_comments(site: Site) -> None:
    staff = site.as_("canbo")
    data = {"unit": "SGDDT", "kind": "comments", "channel": "paper", "note": "Công văn số 1234/SGDĐT-VP",
            "section": ["Mục I", "", "Mục III"],
            "comment": ["Bổ sung căn cứ <script>alert(1)</script>", "", "Sửa số liệu"],
            "wording": ["Căn cứ Luật KH&CN 2025", "", ""]}
    confirm = staff.post(f"/rounds/{site.round_id}/respond", data)
    assert "Ghi nhận ý kiến góp ý của Sở Giáo dục và Đào tạo (SGDDT)" in confirm.text and "2 ý kiến góp ý" in confirm.text
    assert "<script>alert(1)</script>" not in confirm.text
    assert staff.post(f"/rounds/{site.round_id}/respond", {**data, "confirmed": "yes"}).status_code == 303
    comments = [c for c in latest_responses(site.app, site.round_id) if c.unit_code == "SGDDT"]
    assert [(c.section, c.text, c.proposed_wording) for c in comments] == [
        ("Mục I", "Bổ sung căn cứ <script>alert(1)</script>", "Căn cứ Luật KH&CN 2025"),
        ("Mục III", "Sửa số liệu", None)]
    assert comments[0].channel == "paper" and comments[0].entered_by == "Canbo (canbo)"
    page = staff.get(f"/rounds/{site.round_id}/responses").text
    assert "Công văn số 1234/SGDĐT-VP" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page
    assert site.actions()[-1] == "respond"


def test_paper_answer_without_comment_text_is_refused(site: Site) -> None:
    response = site.as_("canbo").post(f"/rounds/{site.round_id}/respond", {
        "unit": "SGDDT", "kind": "comments", "channel": "paper", "section": ["Mục I"], "comment": [""],
        "wording": ["x"]})
    assert response.status_code == 422 and "Ý kiến số 1: nhập nội dung góp ý." in response.text
    assert 'value="Mục I"' in response.text


def test_answer_for_a_publish_only_unit_shows_the_engine_refusal(site: Site) -> None:
    response = site.as_("canbo").post(f"/rounds/{site.round_id}/respond", {
        "unit": "TTTT-VP", "kind": "agree", "channel": "paper", "confirmed": "yes"})
    assert response.status_code == 422 and "không được đề nghị trả lời trong đợt này" in response.text


def test_close_early_moves_the_round_on_and_is_audited(site: Site) -> None:
    response = site.as_("canbo").confirm(f"/rounds/{site.round_id}/close", {"reason": "Đủ ý kiến"})
    assert response.status_code == 303
    assert round_view(site.app, site.round_id).state.status == "consolidating"
    event = audit_trail(site.app, site.round_id)[0][-1]
    assert event.action == "close" and event.details["reason"] == "Đủ ý kiến"
    again = site.as_("canbo").post(f"/rounds/{site.round_id}/close", {"confirmed": "yes"})
    assert again.status_code == 409 and "Không thể thực hiện" in again.text and "Đang tổng hợp" in again.text


def test_launching_an_already_launched_round_is_refused_in_vietnamese(shared: Site) -> None:
    response = shared.as_("admin").post(f"/rounds/{shared.round_id}/launch", {"confirmed": "yes"})
    assert response.status_code == 409 and "Đang lấy ý kiến" in response.text


def test_an_action_is_kept_when_mail_cannot_be_sent_now(site: Site) -> None:
    with smtp_capture() as capture:
        capture.reject("toasoan@caobang.example.vn")
        site.app.smtp_url_override = f"smtp://127.0.0.1:{capture.target.port}"
        response = site.as_("canbo").confirm(f"/rounds/{site.round_id}/remind", {"unit": ["BAOCB", "HHDN"]})
    site.app.smtp_url_override = None
    assert response.status_code == 303 and "mail=partial" in response.headers["location"]
    page = site.as_("canbo").get(f"/rounds/{site.round_id}/outbox", params={"status": "failed"}).text
    assert "Gửi lỗi" in page and "toasoan@caobang.example.vn" in page and "550" in page
    grid = site.as_("canbo").get(f"/rounds/{site.round_id}", params={"email": "failed"}).text
    assert _codes(grid) == ["BAOCB"]


# --- timeline, outbox, audit -----------------------------------------------------------------------------

def test_timeline_tells_the_round_in_vietnamese(shared: Site) -> None:
    page = shared.as_("lanhdao").get(f"/rounds/{shared.round_id}/timeline").text
    consultation = get_workflow("consultation")
    closing = consultation.timer_title("close")  # upcoming: the close, and no reminder after it
    for line in ("Phát hành, gửi 39 thư", "Nhắc trước hạn 36 đơn vị", "Sở Công Thương trả lời: 1 ý kiến góp ý",
                 "Sở Tư pháp trả lời: đồng ý / không có ý kiến, bằng văn bản giấy; "
                 "Phạm Phi Long (TĐC) ghi nhận thay mặt đơn vị",
                 "Gia hạn cho Sở Y tế đến 12/12/2025. Lý do: Sở Y tế đề nghị gia hạn", closing):
        assert line in page, line
    upcoming = page.split("Đã diễn ra")[0]
    assert "Nhắc quá hạn" not in upcoming and "remind_" not in page
    # the close fires at midnight after Sở Y tế's extended deadline: it ends the 12th, it is not on the 13th
    assert f"<time>hết ngày 12/12/2025</time> <span>{closing}</span>" in upcoming, upcoming
    assert "00:00 13/12/2025" not in page
    summary = shared.as_("lanhdao").get(f"/rounds/{shared.round_id}").text
    assert f"{closing} · hết ngày 12/12/2025" in summary and "00:00 13/12/2025" not in summary


def test_outbox_lists_each_email_and_shows_its_text(shared: Site) -> None:
    staff = shared.as_("canbo")
    listing = staff.get(f"/rounds/{shared.round_id}/outbox").text
    assert "Đã gửi: 78" in listing and "Thông báo gia hạn" in listing
    invitations = staff.get(f"/rounds/{shared.round_id}/outbox", params={"kind": "invitation"}).text
    assert invitations.count("Thư phát hành</td>") == 39
    from workflows.service.outbox_view import KIND_LABELS
    assert not [label for label in KIND_LABELS.values() if "ý kiến" in label]  # every kind's mail, not one kind's
    with shared.app.uow() as uow:
        message_id = uow.session.scalar(select(OutboxRow.id).where(
            OutboxRow.round_id == shared.round_id, OutboxRow.unit_code == "SCT", OutboxRow.kind == "invitation"))
    message = staff.get(f"/rounds/{shared.round_id}/outbox/{message_id}").text
    assert "Kính gửi: Sở Công Thương" in message and re.search(r"/r/[A-Za-z0-9_-]{20,}", message)
    masked = shared.as_("lanhdao").get(f"/rounds/{shared.round_id}/outbox/{message_id}").text
    assert "/r/(ẩn)" in masked and not re.search(r"/r/[A-Za-z0-9_-]{20,}", masked)
    assert staff.get(f"/rounds/{shared.round_id}/outbox/999999").status_code == 404
    assert staff.get(f"/rounds/{shared.draft_id}/outbox/{message_id}").status_code == 404


def test_audit_page_shows_an_intact_chain_then_the_break(site: Site) -> None:
    staff = site.as_("canbo")
    assert "Chuỗi băm toàn vẹn (6 sự kiện)" in staff.get(f"/rounds/{site.round_id}/audit").text
    with site.app.uow() as uow:
        uow.session.execute(update(AuditRow).where(AuditRow.round_id == site.round_id, AuditRow.seq == 3)
                            .values(details={"unit": "SCT", "kind": "agree"}))
        uow.commit()
    page = staff.get(f"/rounds/{site.round_id}/audit").text
    assert "Chuỗi băm bị phá vỡ tại sự kiện số 3" in page and 'class="chain bad"' in page
    assert "bị sửa đổi tại sự kiện số 3" in staff.get(f"/rounds/{site.round_id}/timeline").text


def test_unknown_round_is_a_plain_404(shared: Site) -> None:
    response = shared.as_("canbo").get("/rounds/9999")
    assert response.status_code == 404 and "Không tìm thấy đợt số 9999" in response.text


# --- create, preview, launch ---------------------------------------------------------------------------

def _docx() -> bytes:
    """A small DOCX Word opens; entries carry a fixed date so two calls give the same bytes."""
    made = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Dự thảo Đề án chuyển đổi số ngành KH&CN")
    document.save(made)
    buffer = io.BytesIO()
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in source.infolist():
            archive.writestr(zipfile.ZipInfo(part.filename, date_time=(2025, 11, 20, 9, 0, 0)),
                             source.read(part.filename), compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _new_round(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "title": "Đề án chuyển đổi số ngành KH&CN", "subject": "xin ý kiến góp ý đối với dự thảo ...",
        "workflow": "consultation", "office": "TĐC", "deadline_mode": "days", "deadline_days": "10",
        "g_comment": ["so-ban-nganh"], "u_publish": ["TTTT-VP"], "timer_remind_before": "on",
        "timer_remind_before_days": "3", "silence": "yes", "contact_name": "Ông Phạm Phi Long",
        "contact_title": "Trưởng phòng", "contact_phone": "0912 130 290", "signer_name": "Nông Thị Thanh Huyền",
        "signer_title": "KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC", "legal_bases": "Căn cứ Luật A;\nCăn cứ Nghị định B;",
        "action": "create"}
    values.update(changes)
    return values


def test_create_form_counts_recipients_and_computes_the_deadline_with_holidays(site: Site) -> None:
    site.at("2025-12-29T09:00")
    staff = site.as_("canbo")
    page = staff.post("/rounds", _new_round(action="recompute", deadline_days="5",
                                            u_comment=["SCT", "MTTQ"])).text
    assert re.search(r"<strong data-total>14</strong>", page)  # 12 departments + MTTQ + the publishing unit
    assert '<span data-role-count="comment">13</span>' in page and '<span data-role-count="publish">1</span>' in page
    due = site.app.calendar.add_working_days(date(2025, 12, 29), 5)
    assert f"{due:%d/%m/%Y}</strong>" in page and "01/01/2026 (" in page
    assert 'value="Đề án chuyển đổi số ngành KH&amp;CN"' in page  # the values are kept
    preview = staff.get("/rounds/deadline-preview", params={"mode": "date", "date": "2026-01-05"}).json()
    assert preview["ok"] and preview["due_text"] == "05/01/2026" and preview["days_off"][0]["date"] == "01/01/2026"
    refused = staff.get("/rounds/deadline-preview", params={"mode": "date", "date": "2026-01-01"}).json()
    assert not refused["ok"] and "không phải ngày làm việc" in refused["error"]


def test_the_new_round_page_and_the_dashboard_name_the_chosen_kind_or_none(site: Site) -> None:
    staff = site.as_("canbo")
    for name, kind in shipped_workflows().items():
        page = staff.post("/rounds", _new_round(action="recompute", workflow=name)).text
        assert f"<h1>Tạo {kind.terms.round}</h1>" in page and f"<title>Tạo {kind.terms.round}" in page, name
    dashboard = staff.get("/").text
    assert "<h1>Các đợt</h1>" in dashboard and "lấy ý kiến" not in dashboard.split("<h1>")[1].split("</h1>")[0]


def test_create_with_a_docx_draft_goes_to_the_invitation_preview(site: Site) -> None:
    staff = site.as_("canbo")
    response = staff.post("/rounds", _new_round(office="QLKH"),
                          files={"draft": ("Dự thảo đề án.docx", _docx(), "application/octet-stream")})
    assert response.status_code == 303, response.text
    round_id = int(re.search(r"/rounds/(\d+)/preview", response.headers["location"]).group(1))  # type: ignore[union-attr]
    state = round_view(site.app, round_id).state
    assert state.office == "TĐC"  # a staff member creates for their own office
    assert state.subject == "xin ý kiến góp ý đối với dự thảo Đề án chuyển đổi số ngành KH&CN"
    assert state.timer_overrides == {"remind_before": "deadline - 3 working days"}
    assert state.deadline_working_days == 10 and len(state.recipients) == 13
    assert state.recipients["TTTT-VP"].role.value == "publish"
    assert draft_location(site.app, round_id, 1, "Dự thảo đề án.docx").read_bytes() == _docx()
    preview = staff.get(response.headers["location"]).text
    assert "Đã tạo bản nháp" in preview and "(đường dẫn riêng của từng đơn vị)" in preview
    assert "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC" in preview and "Phát hành…" in preview  # a deputy signs on two lines
    # the mail asking for comments is no "thư mời" (an invitation, a workshop's word): named for what it is
    assert "<h2>Thư gửi đơn vị, như một đơn vị sẽ nhận</h2>" in preview and ">Thư gửi đơn vị</a>" in preview
    assert "thư mời" not in preview.lower()
    other = staff.get(f"/rounds/{round_id}/preview", params={"unit": "TTTT-VP"}).text
    assert "Trung tâm Thông tin" in other


def test_launch_from_the_preview_sends_every_invitation(site: Site) -> None:
    admin = site.as_("admin")
    reason = {"no_draft_reason": "Dự thảo gửi kèm bản giấy"}  # the story's draft round has no file attached
    confirm = admin.post(f"/rounds/{site.draft_id}/launch", reason)
    assert re.search(r"Gửi thư &#34;V/v xin ý kiến góp ý [^&]+&#34; tới 39 cơ quan, đơn vị\.", confirm.text)
    assert "18/12/2025" in confirm.text
    done = admin.post(f"/rounds/{site.draft_id}/launch", {"confirmed": "yes", **reason})
    assert done.status_code == 303 and "ok=launch&n=39" in done.headers["location"]
    assert round_view(site.app, site.draft_id).state.status == "circulating"
    assert audit_trail(site.app, site.draft_id)[0][-1].action == "launch"
    assert "Thư đã gửi: 39" in admin.get(f"/rounds/{site.draft_id}").text


@pytest.mark.parametrize("name, content, message", [
    ("du-thao.docx", b"Day la van ban thuong, khong phai DOCX.", "không phải DOCX hoặc PDF"),
    ("du-thao.docx", b"PK\x03\x04 not really a zip", "không phải DOCX hoặc PDF"),
    ("du-thao.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 10), "lớn hơn giới hạn 1 MB"),
    ("empty.pdf", b"", "rỗng"),
    ("du-thao.pdf", b"%PDF-1.4 only the first bytes of a PDF", "tệp PDF bị hỏng, không đọc được"),
    ("du-thao.pdf", minimal_pdf().replace(b"/Count 1", b"/Count 0"), "tệp PDF không có trang nào"),
])
def test_bad_drafts_are_refused_and_nothing_is_stored(shared: Site, tmp_path: Path, name: str, content: bytes,
                                                      message: str) -> None:
    site = _copy(shared, tmp_path, max_upload_mb=1)
    zip_without_document = io.BytesIO()
    with zipfile.ZipFile(zip_without_document, "w") as archive:
        archive.writestr("xl/workbook.xml", "<x/>")
    before = len(list_rounds(site.app))
    staff = site.as_("canbo")
    response = staff.post("/rounds", _new_round(), files={"draft": (name, content, "application/pdf")})
    assert response.status_code == 422 and message in response.text
    assert 'value="Đề án chuyển đổi số ngành KH&amp;CN"' in response.text
    xlsx = staff.post("/rounds", _new_round(), files={"draft": ("a.docx", zip_without_document.getvalue(), "x")})
    assert xlsx.status_code == 422 and "không phải DOCX hoặc PDF" in xlsx.text
    assert len(list_rounds(site.app)) == before
    assert not (tmp_path / "drafts" / str(before + 1)).exists()
    site.app.close()


def test_an_upload_far_over_the_limit_is_refused_before_reading_it(shared: Site, tmp_path: Path) -> None:
    site = _copy(shared, tmp_path, max_upload_mb=1)
    before = len(list_rounds(site.app))
    response = site.as_("canbo").post("/rounds", _new_round(),
                                      files={"draft": ("big.pdf", b"%PDF-" + b"0" * (4 * 1024 * 1024), "x")})
    assert response.status_code == 413 and "vượt quá giới hạn" in response.text
    assert len(list_rounds(site.app)) == before
    site.app.close()


def test_create_form_names_every_problem_and_keeps_the_values(site: Site) -> None:
    before = len(list_rounds(site.app))
    response = site.as_("admin").post("/rounds", _new_round(
        title="", office="", g_comment=[], u_publish=[], contact_phone="gọi tôi", deadline_mode="date",
        deadline_date="2025-12-06", timer_remind_before_days="99", signer_name="Nông Thị <i>Huyền</i>"))
    assert response.status_code == 422
    reminder = get_workflow("consultation").timer_title("remind_before")
    for text in ("Nhập tên dự thảo.", "Chọn phòng soạn thảo.", "Chọn ít nhất một nhóm",
                 "Số điện thoại chỉ gồm", "06/12/2025 không phải ngày làm việc",
                 f"{reminder}: số ngày làm việc trước hạn trả lời phải từ 0 đến 60."):
        assert text in response.text, text
    assert 'value="Nông Thị &lt;i&gt;Huyền&lt;/i&gt;"' in response.text
    assert len(list_rounds(site.app)) == before


def test_reminders_can_be_switched_off(site: Site) -> None:
    values = _new_round()
    del values["timer_remind_before"]
    response = site.as_("admin").post("/rounds", values)
    round_id = int(re.search(r"/rounds/(\d+)/", response.headers["location"]).group(1))  # type: ignore[union-attr]
    assert round_view(site.app, round_id).state.timer_overrides == {"remind_before": "off"}


# --- directory -------------------------------------------------------------------------------------------

def _unit_count(app: App) -> int:
    with app.uow() as uow:
        return len(uow.directory.units())


def test_directory_lists_units_by_group(shared: Site) -> None:
    page = shared.as_("lanhdao").get("/directory").text
    assert "Tổng: 39 đơn vị" in page and "Các sở, ban, ngành tỉnh: 12" in page
    assert "sct@caobang.example.vn" in page and "Nhập danh bạ" not in page


def test_directory_import_shows_every_line_error_and_imports_nothing(site: Site) -> None:
    before = _unit_count(site.app)
    bad = (FIXTURES / "units_bad_email.csv").read_bytes() + \
        "ZZ,Đơn vị lạ,nhom-la,zz@caobang.example.vn\n".encode()
    response = site.as_("canbo").post("/directory/import", {}, files={"file": ("danh bạ.csv", bad, "text/csv")})
    assert response.status_code == 422 and "danh bạ không thay đổi" in response.text
    listed = re.search(r'<ol class="errors">(.*?)</ol>', response.text, re.S)
    assert listed is not None and "<code>" not in listed.group(1)  # sentences in Vietnamese, not in a monospace font
    errors = [html.unescape(e) for e in re.findall(r"<li>(.*?)</li>", listed.group(1))]
    assert len(errors) >= 2 and all(e.startswith("danh_bạ.csv:") for e in errors)
    assert any(":3: email" in e for e in errors) and any('không có nhóm "nhom-la"' in e for e in errors)
    assert _unit_count(site.app) == before


def test_directory_import_adds_and_updates_units_and_is_audited(site: Site) -> None:
    csv = "code,name,group,email\nSCT,Sở Công Thương,so-ban-nganh,moi@caobang.example.vn\n" \
          "MOI,Đơn vị mới,hiep-hoi,moi2@caobang.example.vn\n"
    response = site.as_("canbo").post("/directory/import", {}, files={"file": ("u.csv", csv.encode(), "text/csv")})
    assert response.status_code == 303 and response.headers["location"] == "/directory?ok=imported&n=2&a=1&u=1"
    page = site.as_("canbo").get(response.headers["location"]).text
    assert "Đã nhập danh bạ: 2 đơn vị (1 thêm mới, 1 cập nhật)." in page and "moi2@caobang.example.vn" in page
    with site.app.uow() as uow:
        assert uow.audit.events(None)[-1].action == "directory_import"


def test_an_unknown_group_in_an_uploaded_csv_says_how_to_add_it_on_the_page(site: Site) -> None:
    csv = "code,name,group,email\nMOI,Đơn vị mới,nhom-la,moi@caobang.example.vn\n"
    page = site.as_("canbo").post("/directory/import", {}, files={"file": ("u.csv", csv.encode(), "text/csv")})
    assert page.status_code == 422
    assert "u.csv:2: không có nhóm &#34;nhom-la&#34;" in page.text, page.text
    assert "hãy thêm nhóm ở mục Nhóm đơn vị của trang này, hoặc đánh dấu &#34;Tạo các nhóm chưa có mà tệp nêu&#34;" \
        in page.text
    assert "ykien directory" not in page.text and "--create-groups" not in page.text  # the command line's words


def test_editing_a_unit_validates_the_email_and_is_audited(site: Site) -> None:
    staff = site.as_("canbo")
    bad = staff.post("/directory/units/SCT", {"email": "sct@", "contact_person": "Bà <Lan>", "phone": "0206 abc"})
    assert bad.status_code == 422 and "không hợp lệ" in bad.text and "Số điện thoại" in bad.text
    assert "Địa chỉ &#34;sct@&#34; không hợp lệ: không có gì sau dấu @." in bad.text, bad.text  # not the English reason
    assert "There must be" not in bad.text
    assert 'value="Bà &lt;Lan&gt;"' in bad.text
    sql = "Bà Lan'; DROP TABLE units; --"
    good = staff.post("/directory/units/SCT", {"email": "VanThu@CaoBang.example.vn", "contact_person": sql,
                                               "phone": "0206 3852 999"})
    assert good.status_code == 303 and "ok=saved&code=SCT" in good.headers["location"]
    with site.app.uow() as uow:
        unit = uow.session.get(UnitRow, "SCT")
        assert unit is not None and unit.email == "VanThu@caobang.example.vn" and unit.phone == "0206 3852 999"
        assert unit.contact_person == sql  # stored verbatim
        event = uow.audit.events(None)[-1]
    assert event.action == "unit_edited" and event.actor == "Canbo (canbo)"
    assert event.details["changes"]["contact_person"] == ["Phòng Quản lý công nghiệp", sql]
    assert "Đã lưu thông tin đơn vị SCT." in staff.get(good.headers["location"]).text
    assert staff.get("/directory/units/KHONGCO").status_code == 404


# --- the mailbox -----------------------------------------------------------------------------------------

def test_mailbox_lists_mail_newest_first_and_shows_one_message_escaped(shared: Site) -> None:
    staff = shared.as_("canbo")
    listing = staff.get("/mail").text
    ids = [int(i) for i in re.findall(r'<a href="/mail/(\d+)">\d+</a>', listing)]
    assert len(ids) == 50 and ids == sorted(ids, reverse=True) and "Trang 1/2" in listing
    assert len(re.findall(r'<a href="/mail/(\d+)">\d+</a>', staff.get("/mail?page=2").text)) == 28
    first_invitation = min(ids) - 50 + 1 if min(ids) > 50 else 1
    message = staff.get(f"/mail/{first_invitation}").text
    assert "X-Ykien-Kind" in message and "Kính gửi:" in message and re.search(r"/r/[A-Za-z0-9_-]{20,}", message)
    # the date in local time as every page writes it, the kind by its label: not "Thu, 20 Nov 2025 02:00:00 +0000"
    assert re.search(r"<dd>\d\d:\d\d \d\d/\d\d/\d{4}</dd>", message) and "<dd>Thư phát hành (invitation)</dd>" in message
    assert not re.search(r"<dd>(Mon|Tue|Wed|Thu|Fri|Sat|Sun), ", message)
    assert "/r/(ẩn)" in shared.as_("lanhdao").get(f"/mail/{first_invitation}").text
    assert staff.get("/mail/999999").status_code == 404


def test_a_personal_link_in_the_mailbox_shows_only_to_those_who_may_change_its_round(shared: Site) -> None:
    """Issue 10 item 1: staff of another office read the round's mail with the links masked, as leaders do."""
    listing = shared.as_("canbo").get("/mail?page=2").text
    invitation = min(int(i) for i in re.findall(r'<a href="/mail/(\d+)">\d+</a>', listing))
    link = re.compile(r"/r/[A-Za-z0-9_-]{20,}")
    assert link.search(shared.as_("canbo").get(f"/mail/{invitation}").text)  # TĐC owns the round
    assert link.search(shared.as_("admin").get(f"/mail/{invitation}").text)
    for outsider in ("khac", "lanhdao"):  # QLKH staff, a leader
        page = shared.as_(outsider).get(f"/mail/{invitation}").text
        assert "X-Ykien-Round" in page and "/r/(ẩn)" in page and not link.search(page), outsider
