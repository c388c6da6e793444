"""Security of the web app, through the real app on a real SQLite database (TestClient) and a loopback SMTP server.

Anonymous access is refused on every staff route (enumerated from the app, so a new route is covered
the day it is added), every form needs its CSRF token, one unit's personal link never reaches another
unit's answer, markup and SQL typed by people stay text, bad uploads store nothing, and the session
cookie, the login rate limit and the security headers are as the issue asks.
"""
from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response
from minimal_pdf import minimal_pdf
from office_files import bad_crc_docx, ctype_docx
from openpyxl import load_workbook
from sqlalchemy import func, inspect, select
from sqlite_template import copy_home_database

from config.clock import FrozenClock
from config.settings import load_settings
from models.db.tables import (
    AuditRow,
    CommentRow,
    DraftVersionRow,
    LoginAttemptRow,
    ResponseRow,
    RoundRow,
    StaffSessionRow,
    UnitRow,
)
from models.errors import InvalidInput
from models.rounds import RecipientRole
from notifications.testing import SmtpCapture, smtp_capture
from workflows.engine.events import Launch
from workflows.service import staff as staff_service
from workflows.service.accounts import reset_password, set_active
from workflows.service.app import App, build_app
from workflows.service.directory import import_units
from workflows.service.documents import unit_list_workbook
from workflows.service.recipients import recipient_page
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.staff import add_user
from workflows.service.steps import run_step
from workflows.service.views import latest_responses, list_rounds, round_view
from workflows.web.app import create_web_app
from workflows.web.security import ANONYMOUS_COOKIE, SESSION_COOKIE, link_csrf

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2025, 11, 20, 8, 30, tzinfo=TZ)
UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
STAFF = "Phạm Phi Long (TĐC)"
PASSWORD = "matkhau-rat-dai"
SECRET = "s" * 48
XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
XSS_UNIT = "HOI-XSS"
XSS_UNIT_NAME = f"Hội thử {XSS} Cao Bằng"
SQLISH = "'; DROP TABLE rounds; --"
FORMULA = '=HYPERLINK("http://evil.example/x","bấm vào đây")'
PDF = minimal_pdf()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MB = 1024 * 1024

# Routes anyone may reach: the login page, static files, the recipient page (its token is the key), the API's login
# and its schema and docs, and the operators' probes and figures (counts only).
PUBLIC = re.compile(r"^(/login|/static|/r/\{token\}.*|/api/session|/api/openapi\.json|"
                    r"/api/docs|/healthz|/readyz|/metrics)$")
SAMPLE_PARAMETERS = {"code": "SCT", "action": "extend", "filename": "ke-hoach.docx"}  # any other: "1"


def settings_for(home: Path, capture: SmtpCapture, **extra: object):  # type: ignore[no-untyped-def]
    return load_settings(home=home, database_url=None, now=None, calendar_file=None, smtp_url=capture.url,
                         secret_key=SECRET, **extra)


def units_csv(path: Path) -> Path:
    """The 12-unit directory plus an association whose name carries markup."""
    text = UNITS_CSV.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(f"{text}\n{XSS_UNIT},{XSS_UNIT_NAME},hiep-hoi,xss@caobang.example.vn,Văn phòng,0206 3852 399\n",
                    encoding="utf-8")
    return path


def new_round(title: str, draft: Path) -> NewRound:
    return NewRound(
        title=title, subject=f"xin ý kiến góp ý đối với dự thảo {title}", workflow="consultation", office="TĐC",
        deadline=date(2025, 12, 5), addressees=(Addressee(groups=("so-ban-nganh",)),
                                                Addressee(units=(XSS_UNIT,)),
                                                Addressee(units=("TTTT-VP",), role=RecipientRole.PUBLISH)),
        contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290", signer_name="Nông Thị Thanh Huyền",
        draft_path=draft)


def links(capture: SmtpCapture) -> dict[tuple[str, str], str]:
    """(round id, unit code) -> token, read from the invitations as each unit would."""
    found = {}
    for message in capture.messages:
        if message["X-Ykien-Kind"] == "invitation":
            text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            token = re.search(r"/r/([A-Za-z0-9_-]+)", text).group(1)  # type: ignore[union-attr]
            found[(str(message["X-Ykien-Round"]), str(message["X-Ykien-Unit"]))] = token
    return found


@dataclass(frozen=True)
class Template:
    home: Path
    tokens: dict[tuple[str, str], str]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """Directory, users and two launched rounds (1 and 2, both to the departments), made once per module."""
    home = tmp_path_factory.mktemp("security-template")
    with smtp_capture() as capture:
        app = build_app(settings_for(home, capture), FrozenClock(START), create_schema=True)
        import_units(app, units_csv(home / "units.csv"), STAFF)
        add_user(app, "admin", "Quản trị", "admin", PASSWORD, None, "test")
        add_user(app, "canbo", "Cán bộ TĐC", "staff", PASSWORD, "TĐC", "test")
        for number in (1, 2):
            draft = home / f"Dự thảo {number}.pdf"
            draft.write_bytes(PDF + f"dự thảo số {number}".encode())
            round_id = create_round(app, new_round(f"Kế hoạch thử nghiệm số {number}", draft), STAFF)
            execute(app, round_id, Launch(), STAFF)
            run_step(app, "circulate", round_id=round_id)
            draft.unlink()
        (home / "units.csv").unlink()
        tokens = links(capture)
        app.close()
    return Template(home, tokens)


@dataclass
class Site:
    app: App
    web: object
    capture: SmtpCapture
    tokens: dict[tuple[str, str], str]

    @property
    def home(self) -> Path:
        return self.app.settings.home

    def token(self, round_id: int, unit: str) -> str:
        return self.tokens[(str(round_id), unit)]

    def client(self, address: str = "testclient") -> TestClient:
        return TestClient(self.web, client=(address, 50000))  # type: ignore[arg-type]

    def anonymous(self, address: str = "testclient") -> Visitor:
        return Visitor(self.client(address))

    def staff(self, username: str = "canbo", address: str = "testclient") -> Visitor:
        return Visitor(self.client(address)).login(username)

    @property
    def clock(self) -> FrozenClock:
        assert isinstance(self.app.clock, FrozenClock)
        return self.app.clock


@dataclass
class Visitor:
    """A TestClient with its session cookie and that session's CSRF token."""

    client: TestClient
    csrf: str = ""

    def __post_init__(self) -> None:
        self.csrf = csrf_in(self.client.get("/login").text)

    def login(self, username: str, password: str = PASSWORD) -> Visitor:
        response = self.client.post("/login", data={"username": username, "password": password,
                                                    "csrf_token": self.csrf}, follow_redirects=False)
        assert response.status_code == 303, response.text
        self.csrf = csrf_in(self.client.get("/").text)
        return self

    def get(self, url: str) -> Response:
        return self.client.get(url, follow_redirects=False)

    def post(self, url: str, data: dict | None = None, files: dict | None = None,  # type: ignore[type-arg]
             csrf: str | None = "mine") -> Response:
        values = dict(data or {})
        if csrf is not None:
            values["csrf_token"] = self.csrf if csrf == "mine" else csrf
        return self.client.post(url, data=values, files=files, follow_redirects=False)


def csrf_in(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def open_site(template: Template, home: Path, capture: SmtpCapture, **settings: object) -> Site:
    copy_home_database(template.home, home)
    shutil.copytree(template.home / "drafts", home / "drafts")
    app = build_app(settings_for(home, capture, **settings), FrozenClock(START + timedelta(hours=1)))
    return Site(app, create_web_app(app), capture, template.tokens)


@pytest.fixture
def site(template: Template, tmp_path: Path, capture: SmtpCapture) -> Iterator[Site]:
    opened = open_site(template, tmp_path, capture)
    yield opened
    opened.app.close()


@pytest.fixture
def small_upload_site(template: Template, tmp_path: Path, capture: SmtpCapture) -> Iterator[Site]:
    """The same site with a 1 MB upload limit."""
    opened = open_site(template, tmp_path, capture, max_upload_mb=1)
    yield opened
    opened.app.close()


def counts(app: App) -> dict[str, int]:
    with app.uow() as uow:
        return {table.__tablename__: uow.session.scalar(select(func.count()).select_from(table)) or 0
                for table in (RoundRow, DraftVersionRow, ResponseRow, CommentRow, AuditRow, UnitRow)}


def stored_files(home: Path) -> set[tuple[str, int]]:
    """Every file under the home but the database itself, with its size."""
    return {(str(p.relative_to(home)), p.stat().st_size) for p in home.rglob("*")
            if p.is_file() and not p.name.startswith("ykien.db")}


def answer_form(app: App, link: str, rows: list[tuple[str, str, str]], **extra: object) -> dict[str, object]:
    return {"csrf_token": link_csrf(app, link), "action": "send", "answer": "comments",
            "section": [r[0] for r in rows], "comment": [r[1] for r in rows], "proposed": [r[2] for r in rows],
            **extra}


def create_form(**changes: str) -> dict[str, str]:
    values = {"title": "Kế hoạch mới", "subject": "", "workflow": "consultation", "office": "TĐC",
              "deadline_mode": "date",
              "deadline_date": "2025-12-05", "g_comment": "so-ban-nganh", "contact_name": "Ông Phạm Phi Long",
              "contact_phone": "0912130290", "signer_name": "Nông Thị Thanh Huyền", "signer_title": "GIÁM ĐỐC",
              "silence": "yes", "action": "create"}
    values.update(changes)
    return values


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: SAMPLE_PARAMETERS.get(m.group(1), "1"), path)


def routes(site: Site) -> list[tuple[str, str]]:
    """(method, path template) of every route of the app, HEAD aside; logging out last (it ends the session)."""
    found = []
    for route in iter_route_contexts(site.web.routes):  # type: ignore[attr-defined]
        for method in sorted(route.methods or {"GET"}):
            if method != "HEAD":
                found.append((method, route.path))
    return sorted(found, key=lambda route: route[1] == "/logout")


# Anonymous access ----------------------------------------------------------------------------------------

def test_every_staff_route_refuses_anonymous_visitors(site: Site) -> None:
    visitor = site.anonymous()  # an anonymous session: its CSRF token is valid, only the login is missing
    checked, wrong = [], []
    for method, path in routes(site):
        if PUBLIC.match(path):
            continue
        url = concrete(path)
        if path.startswith("/api/"):
            response = visitor.client.request(method, url, json={}, headers={"X-CSRF-Token": visitor.csrf},
                                              follow_redirects=False)
            ok = response.status_code == 401 and response.json()["error"]["code"] == "login_required"
        else:
            data = {"csrf_token": visitor.csrf} if method == "POST" else None
            response = visitor.client.request(method, url, data=data, follow_redirects=False)
            ok = response.status_code == 303 and response.headers["location"].startswith("/login")
        checked.append(f"{method} {path}")
        if not ok:
            wrong.append(f"{method} {url}: {response.status_code} {response.headers.get('location', '')}")
    assert wrong == [], "anonymous visitors reached staff routes:\n" + "\n".join(wrong)
    assert len(checked) >= 35, checked
    for expected in ("GET /", "GET /rounds/{round_id:int}", "POST /rounds/{round_id:int}/{action}",
                     "GET /mail/{mail_id:int}", "POST /api/rounds/{round_id}/respond", "GET /api/rounds"):
        assert expected in checked


def test_login_returns_to_the_page_asked_for_with_its_query(site: Site) -> None:
    visitor = site.anonymous()
    asked = visitor.get("/rounds/1/extend?unit=SYT&x=a%26b")
    assert asked.status_code == 303
    login = visitor.get(asked.headers["location"])
    assert 'name="next" value="/rounds/1/extend?unit=SYT&amp;x=a%26b"' in login.text, login.text
    response = visitor.post("/login", {"username": "canbo", "password": PASSWORD,
                                       "next": "/rounds/1/extend?unit=SYT&x=a%26b"})
    assert response.status_code == 303 and response.headers["location"] == "/rounds/1/extend?unit=SYT&x=a%26b"
    # a form sent without a session goes back to its page, not to a POST it cannot repeat
    stranger = site.anonymous()
    sent = stranger.client.post("/rounds/1/remind?all=yes", data={"csrf_token": stranger.csrf}, follow_redirects=False)
    assert sent.headers["location"].startswith("/login?next=%2Frounds%2F1%2Fremind") and "all" not in sent.headers[
        "location"]


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example",
                                    "javascript:alert(1)"])
def test_login_never_redirects_to_another_site(site: Site, target: str) -> None:
    visitor = site.anonymous()
    response = visitor.post("/login", {"username": "canbo", "password": PASSWORD, "next": target})
    assert response.status_code == 303 and response.headers["location"] == "/"


# CSRF -------------------------------------------------------------------------------------------------------

def test_every_staff_form_refuses_a_missing_or_wrong_csrf_token(site: Site) -> None:
    staff = site.staff("admin")
    other = site.staff("canbo")  # a real token, but of another session
    before = counts(site.app)
    posts = [concrete(p) for m, p in routes(site) if m == "POST" and not p.startswith(("/api/", "/r/", "/login"))]
    forms = {"/rounds": create_form(), "/directory/units/SCT": {"email": "x@caobang.example.vn"},
             "/rounds/1/extend": {"scope": "all", "deadline_mode": "date", "deadline_date": "2025-12-12",
                                  "reason": "thử", "confirmed": "yes"}}
    wrong = []
    for url in [*posts, "/rounds/1/launch", "/rounds/1/remind", "/rounds/1/respond", "/rounds/1/close"]:
        for token in (None, "", "not-the-token", other.csrf):
            response = staff.post(url, forms.get(url, {"confirmed": "yes", "all": "yes"}), csrf=token)
            if response.status_code != 403:
                wrong.append(f"POST {url} with csrf={token!r}: {response.status_code}")
    assert wrong == [], "\n".join(wrong)
    assert counts(site.app) == before
    assert round_view(site.app, 1).state.deadline == date(2025, 12, 5)


def test_login_and_logout_forms_need_their_csrf_token(site: Site) -> None:
    visitor = site.anonymous()
    for token in (None, "forged"):
        response = visitor.post("/login", {"username": "canbo", "password": PASSWORD}, csrf=token)
        assert response.status_code == 403
    assert visitor.get("/").status_code == 303, "the refused login did not log in"
    staff = site.staff()
    assert staff.post("/logout", csrf=None).status_code == 403
    assert staff.get("/").status_code == 200, "still logged in after a forged logout"


def test_api_changes_need_the_csrf_header(site: Site) -> None:
    client = site.client()
    login = client.post("/api/session", json={"username": "admin", "password": PASSWORD})
    assert login.status_code == 200
    token = login.json()["csrf_token"]
    before = counts(site.app)
    for headers in ({}, {"X-CSRF-Token": "forged"}):
        response = client.post("/api/rounds/1/close", json={"reason": "thử"}, headers=headers)
        assert response.status_code == 403 and response.json()["error"]["code"] == "csrf_failed"
        assert client.delete("/api/session", headers=headers).status_code == 403
    assert counts(site.app) == before
    assert client.get("/api/session").json()["csrf_token"] == token


def test_recipient_form_refuses_a_missing_wrong_or_other_units_csrf_token(site: Site) -> None:
    client = site.client()
    mine, theirs = site.token(1, "SCT"), site.token(1, "STC")
    rows = [("Mục I", "Ý kiến thử.", "")]
    for token in (None, "forged", link_csrf(site.app, theirs)):
        data = answer_form(site.app, mine, rows)
        if token is None:
            del data["csrf_token"]
        else:
            data["csrf_token"] = token
        response = client.post(f"/r/{mine}", data=data, follow_redirects=False)
        assert response.status_code == 403, response.text
        assert "Biểu mẫu không hợp lệ" in response.text
    assert counts(site.app)["responses"] == 0


# One unit's link, one unit's answer ------------------------------------------------------------------------

def test_a_units_link_neither_shows_nor_changes_another_units_answer(site: Site) -> None:
    client = site.client()
    sct, stc, sct_round2 = site.token(1, "SCT"), site.token(1, "STC"), site.token(2, "SCT")
    secret = "Ý kiến riêng của Sở Tài chính: chưa công bố."
    stored = client.post(f"/r/{stc}", data=answer_form(site.app, stc, [("Mục II", secret, "")]),
                         files={"reply_pdf": ("tra-loi.pdf", PDF + b"STC", "application/pdf")},
                         follow_redirects=False)
    assert stored.status_code == 303
    stc_recipient = recipient_page(site.app, stc).recipient_id

    # Sở Công Thương tampers with the form: names the other unit, its recipient, the other round, its token.
    tampered = answer_form(site.app, sct, [("Mục I", "Ý kiến của Sở Công Thương.", "")], unit="STC",
                           unit_code="STC", recipient_id=str(stc_recipient), round_id="2", token=stc,
                           entered_by="Sở Tài chính", kind="agree", channel="paper")
    assert client.post(f"/r/{sct}", data=tampered, follow_redirects=False).status_code == 303
    answers = {(a.unit_code, a.text) for a in latest_responses(site.app, 1)}
    assert answers == {("STC", secret), ("SCT", "Ý kiến của Sở Công Thương.")}
    assert latest_responses(site.app, 2) == []
    assert [r.revision for r in recipient_page(site.app, stc).revisions] == [1], "STC's answer untouched"

    page = client.get(f"/r/{sct}").text
    assert secret not in page and "Sở Tài chính" not in page
    assert client.get(f"/r/{sct}/reply/1").status_code == 404, "SCT's revision 1 has no PDF; STC's is not served"
    assert client.get(f"/r/{stc}/reply/1").content == PDF + b"STC"
    assert client.get(f"/r/{sct_round2}/draft").content.endswith("dự thảo số 2".encode())
    assert client.get(f"/r/{sct}/draft").content.endswith("dự thảo số 1".encode())

    # The link of round 2 answers round 2 only, whatever round the form names.
    form = answer_form(site.app, sct_round2, [("Mục III", "Ý kiến cho đợt 2.", "")], round_id="1")
    assert client.post(f"/r/{sct_round2}", data=form, follow_redirects=False).status_code == 303
    assert {(a.unit_code, a.text) for a in latest_responses(site.app, 2)} == {("SCT", "Ý kiến cho đợt 2.")}
    assert len(latest_responses(site.app, 1)) == 2


@pytest.mark.parametrize("mangle", [str.upper, lambda t: t + "x", lambda t: t[:-1], lambda t: t[::-1],
                                    lambda t: "..%2F..%2Fetc%2Fpasswd", lambda t: "' OR '1'='1"],
                         ids=["upper", "longer", "shorter", "reversed", "traversal", "sql"])
def test_a_mangled_link_shows_a_plain_page_and_reaches_nobody(site: Site, mangle) -> None:  # type: ignore[no-untyped-def]
    client = site.client()
    real = site.token(1, "SCT")
    token = mangle(real)
    page = client.get(f"/r/{token}")
    assert page.status_code == 404 and "Traceback" not in page.text
    assert "Đường dẫn không dùng được" in page.text or "%2F" in token  # a decoded %2F leaves the route: plain 404
    assert "Sở Công Thương" not in page.text
    posted = client.post(f"/r/{token}", data=answer_form(site.app, token, [("", "thử", "")]),
                         follow_redirects=False)
    assert posted.status_code == 404
    assert counts(site.app)["responses"] == 0


# Markup typed by people stays text --------------------------------------------------------------------------

def test_a_script_in_a_comment_renders_as_text_everywhere(site: Site) -> None:
    client = site.client()
    token = site.token(1, XSS_UNIT)
    rows = [(f"Mục {XSS}", f"Góp ý {XSS}", f"Sửa thành {XSS}"), ("Mục II", FORMULA, "")]
    assert client.post(f"/r/{token}", data=answer_form(site.app, token, rows),
                       follow_redirects=False).status_code == 303

    staff = site.staff()
    pages = {"recipient page": client.get(f"/r/{token}"), "confirmation": client.get(f"/r/{token}/sent"),
             "round page": staff.get("/rounds/1"), "responses tab": staff.get("/rounds/1/responses"),
             "timeline": staff.get("/rounds/1/timeline"), "outbox": staff.get("/rounds/1/outbox"),
             "preview": staff.get(f"/rounds/1/preview?unit={XSS_UNIT}"), "audit": staff.get("/rounds/1/audit")}
    for name, page in pages.items():
        assert page.status_code == 200, name
        assert XSS not in page.text, f"unescaped <script> on the {name}"
        assert "alert(1)" in page.text, f"the {name} should show the text"
    assert pages["recipient page"].text.count(XSS_ESCAPED) >= 4  # unit name, section, comment, wording
    assert pages["responses tab"].text.count(XSS_ESCAPED) >= 4
    assert XSS_ESCAPED in pages["round page"].text  # the unit's name in the grid

    run_step(site.app, "deliver", round_id=None)  # an answer queues its receipt: the delivery sweep sends it
    receipt = next(m for m in site.capture.messages
                   if m["X-Ykien-Kind"] == "receipt" and m["X-Ykien-Unit"] == XSS_UNIT)
    html_part = receipt.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert XSS not in html_part and XSS_ESCAPED in html_part
    text_part = receipt.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"Góp ý {XSS}" in text_part, "plain text keeps the comment as typed"

    workbook = load_workbook(io.BytesIO(exported_workbook(site, staff)))
    cells = {c.value: c.data_type for sheet in workbook for row in sheet.iter_rows() for c in row if c.value}
    assert cells.get(f"Góp ý {XSS}") == "s" and cells.get(XSS_UNIT_NAME) == "s"
    assert cells.get(FORMULA) == "s", "a comment starting with = must stay text, not become a formula"


def exported_workbook(site: Site, staff: Visitor) -> bytes:
    """GET /rounds/1/export.xlsx when the page offers it, else the service's workbook."""
    response = staff.get("/rounds/1/export.xlsx")
    if response.status_code == 404:
        return unit_list_workbook(site.app, 1)
    assert response.status_code == 200 and response.content.startswith(b"PK"), response.status_code
    return response.content


def test_sql_looking_input_is_stored_verbatim_and_the_app_keeps_working(site: Site) -> None:
    staff = site.staff("admin")
    csv = f"code,name,group,email\nSQL-1,{SQLISH},hiep-hoi,sql@caobang.example.vn\n".encode()
    imported = staff.post("/directory/import", files={"file": ("danh-ba.csv", csv, "text/csv")})
    assert imported.status_code == 303, imported.text
    created = staff.post("/rounds", create_form(title=SQLISH, subject=SQLISH, contact_name=SQLISH,
                                                g_comment="hiep-hoi"))
    assert created.status_code == 303, created.text
    round_id = int(re.search(r"/rounds/(\d+)/", created.headers["location"]).group(1))  # type: ignore[union-attr]
    confirmed = staff.post(f"/rounds/{round_id}/launch", {"confirmed": "yes", "no_draft_reason": "Thử nghiệm"})
    assert confirmed.status_code == 303, confirmed.text

    token = next(re.search(r"/r/([A-Za-z0-9_-]+)", m.get_body(("plain",)).get_content()).group(1)  # type: ignore[union-attr]
                 for m in site.capture.messages if m["X-Ykien-Unit"] == "SQL-1")
    answered = site.client().post(f"/r/{token}", data=answer_form(site.app, token, [(SQLISH, SQLISH, SQLISH)]),
                                  follow_redirects=False)
    assert answered.status_code == 303

    view = round_view(site.app, round_id)
    assert view.state.title == SQLISH and view.state.subject == SQLISH
    assert {u.unit_name for u in view.units} >= {SQLISH}
    [comment] = [c for c in latest_responses(site.app, round_id) if c.unit_code == "SQL-1"]
    assert (comment.section, comment.text, comment.proposed_wording) == (SQLISH, SQLISH, SQLISH)
    assert "rounds" in inspect(site.app.engine).get_table_names()
    assert len(list_rounds(site.app)) == 3
    for url in ("/", f"/rounds/{round_id}", f"/rounds/{round_id}/responses", "/directory", "/rounds/1"):
        page = staff.get(url)
        assert page.status_code == 200, url
    assert "&#39;; DROP TABLE rounds; --" in staff.get(f"/rounds/{round_id}").text


# Uploads ----------------------------------------------------------------------------------------------------

def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "không phải tệp Word")
    return buffer.getvalue()


def zip_bomb(unpacked_mb: int = 120) -> bytes:
    """A .docx whose word/document.xml inflates to `unpacked_mb` MB of zeros from a few hundred KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            block = b"0" * (1024 * 1024)
            for _ in range(unpacked_mb):
                part.write(block)
    return buffer.getvalue()


def docx_word_cannot_open() -> bytes:
    """A ZIP with word/document.xml, but no package structure Word reads."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("filename", "content", "status", "message"), [
    ("du-thao.pdf", PNG, 422, "không phải DOCX hoặc PDF"),
    ("du-thao.docx", plain_zip(), 422, "không phải DOCX hoặc PDF"),
    ("du-thao.docx", zip_bomb(), 422, "tệp nén bất thường"),
    ("du-thao.docx", docx_word_cannot_open(), 422, "Word không mở được tệp: cấu trúc bên trong bị hỏng"),
    ("du-thao.docx", ctype_docx(), 422, "Word không mở được tệp: phần chính của tệp khai báo là bảng tính Excel"),
    ("du-thao.docx", bad_crc_docx(), 422, "tệp nén bị hỏng: thành phần &#34;word/document.xml&#34; không giải nén"),
    ("du-thao.pdf", b"%PDF-1.4\n", 422, "tệp PDF bị hỏng, không đọc được (tệp bị cắt dở hoặc cấu trúc PDF sai)"),
    ("du-thao.pdf", PDF + b"0" * (MB + MB // 2), 422, "lớn hơn giới hạn 1 MB"),
    ("du-thao.pdf", PDF + b"0" * (4 * MB), 413, "vượt quá giới hạn 1 MB"),
], ids=["png-named-pdf", "zip-named-docx", "zip-bomb", "damaged-docx", "main-part-a-spreadsheet", "bad-crc",
        "pdf-header-only", "over-limit", "far-over-limit"])
@pytest.mark.parametrize("form", ["/rounds", "/rounds/1/drafts"], ids=["create-form", "new-version"])
def test_a_bad_draft_upload_is_refused_with_a_message_and_stores_nothing(
        small_upload_site: Site, form: str, filename: str, content: bytes, status: int, message: str) -> None:
    site = small_upload_site
    staff = site.staff()
    before, files = counts(site.app), stored_files(site.home)
    data = create_form() if form == "/rounds" else {"note": "Bản sửa sau góp ý"}
    response = staff.post(form, data, files={"draft": (filename, content, "application/pdf")})
    assert response.status_code == status, response.text[:500]
    assert message in response.text
    refusal = re.search(r'id="err-draft"[^>]*>(.*?)<', response.text, re.S)
    # the page's words, not its markup: a form's random CSRF token may hold "0x"
    said = refusal.group(1) if refusal is not None else re.sub(r"<[^>]*>", " ", response.text)
    assert not [w for w in ("0x", "object at", "Error", "CRC-32", "is not a", "content type", "There is no") if w in said], said
    assert counts(site.app) == before
    assert stored_files(site.home) == files


@pytest.mark.parametrize(("filename", "content", "status", "message"), [
    ("tra-loi.pdf", PNG, 422, "không phải PDF"),
    ("tra-loi.pdf", PDF + b"0" * (MB + MB // 2), 413, "vượt giới hạn 1 MB"),
    ("tra-loi.pdf", PDF + b"0" * (3 * MB), 413, "vượt giới hạn 1 MB"),
], ids=["png-named-pdf", "over-limit", "far-over-limit"])
def test_a_bad_reply_upload_is_refused_with_a_message_and_stores_nothing(
        small_upload_site: Site, filename: str, content: bytes, status: int, message: str) -> None:
    site = small_upload_site
    token = site.token(1, "SCT")
    before, files = counts(site.app), stored_files(site.home)
    response = site.client().post(f"/r/{token}", data=answer_form(site.app, token, [("Mục I", "Ý kiến.", "")]),
                                  files={"reply_pdf": (filename, content, "application/pdf")},
                                  follow_redirects=False)
    assert response.status_code == status, response.text[:500]
    assert message in response.text
    # the file is read only up to the limit (a body over ten times it is not read at all): what was typed comes back
    assert "Ý kiến." in response.text, "the typed answer is shown again"
    assert counts(site.app) == before
    assert stored_files(site.home) == files
    assert not (site.home / "replies").exists()


# Session cookie, login rate limit, headers ---------------------------------------------------------------

def cookie_attributes(response: Response, name: str = SESSION_COOKIE) -> list[str]:
    return [value for key, value in response.headers.multi_items()
            if key == "set-cookie" and value.startswith(f"{name}=")]


def test_the_session_cookie_is_httponly_and_samesite_lax(site: Site) -> None:
    client = site.client()
    anonymous = client.get("/login")
    csrf = csrf_in(anonymous.text)
    login = client.post("/login", data={"username": "canbo", "password": PASSWORD, "csrf_token": csrf},
                        follow_redirects=False)
    api = site.client().post("/api/session", json={"username": "admin", "password": PASSWORD})
    [before_login] = cookie_attributes(anonymous, ANONYMOUS_COOKIE)
    assert not cookie_attributes(anonymous), "no staff session before login"
    for cookie in (before_login, *cookie_attributes(login), *cookie_attributes(api)):
        attributes = [part.strip().lower() for part in cookie.split(";")]
        assert "httponly" in attributes and "samesite=lax" in attributes, cookie
    for response in (login, api):
        [cookie] = cookie_attributes(response)
        # The staff session's cookie lives as long as the browser (a shared office PC forgets it when closed);
        # the server ends it sooner, after its idle or its absolute lifetime.
        assert not any(a.strip().lower().startswith(("max-age=", "expires=")) for a in cookie.split(";")), cookie
    token = cookie_attributes(login)[0].split(";")[0].split("=", 1)[1]
    with site.app.uow() as uow:
        stored = uow.session.scalars(select(StaffSessionRow.token_hash)).all()
    assert token not in stored and sha256(token.encode()).hexdigest() in stored, "only the token's hash is kept"


def test_login_is_refused_after_five_failures_for_a_username_even_with_the_right_password(site: Site) -> None:
    visitor = site.anonymous()
    for _ in range(5):
        response = visitor.post("/login", {"username": "canbo", "password": "sai-mat-khau-roi"})
        assert response.status_code == 401
        assert "không đúng" in response.text
    refused = visitor.post("/login", {"username": "canbo", "password": PASSWORD})
    assert refused.status_code == 429 and "quá nhiều lần" in refused.text
    assert visitor.get("/").status_code == 303, "not logged in"
    api = site.client().post("/api/session", json={"username": "CanBo", "password": PASSWORD})
    assert api.status_code == 429 and api.json()["error"]["code"] == "too_many_attempts"
    assert site.staff("admin").get("/").status_code == 200, "another account is not locked out"
    assert site.staff("canbo", address="192.0.2.7").get("/").status_code == 200, \
        "the account is not locked out from another client: a stranger cannot lock staff out of their office"


def test_twenty_failures_from_one_client_refuse_it_whatever_the_names(site: Site) -> None:
    visitor = site.anonymous("198.51.100.9")
    for number in range(20):
        assert visitor.post("/login", {"username": f"doan-{number}", "password": "sai-mat-khau-roi"}).status_code == 401
    assert visitor.post("/login", {"username": "canbo", "password": PASSWORD}).status_code == 429
    assert site.staff("canbo").get("/").status_code == 200, "other clients go on"


@pytest.mark.parametrize("proxy_header", [None, "X-Forwarded-For"])
def test_the_client_address_comes_from_the_trusted_proxy_header_only_when_one_is_configured(
        template: Template, tmp_path: Path, capture: SmtpCapture, proxy_header: str | None) -> None:
    site = open_site(template, tmp_path, capture, trusted_proxy_header=proxy_header)
    try:
        guesser = site.client()
        for number in range(5):
            # A guesser behind no proxy sends a new X-Forwarded-For each time to look like many clients.
            answer = guesser.post("/api/session", json={"username": "canbo", "password": "sai-mat-khau-roi"},
                                  headers={"X-Forwarded-For": f"203.0.113.{number}"})
            assert answer.status_code == 401
        again = guesser.post("/api/session", json={"username": "canbo", "password": "sai-mat-khau-roi"},
                             headers={"X-Forwarded-For": "203.0.113.99"})
        with site.app.uow() as uow:
            keys = set(uow.session.scalars(select(LoginAttemptRow.key)))
        if proxy_header is None:
            assert again.status_code == 429, "the header is ignored: all six come from the peer"
            assert keys == {"user:canbo|client:testclient", "client:testclient"}
        else:
            assert again.status_code == 401, "behind the proxy, six addresses"
            assert "user:canbo|client:203.0.113.99" in keys and "client:testclient" not in keys
            spoofed = guesser.post("/api/session", json={"username": "canbo", "password": PASSWORD},
                                   headers={"X-Forwarded-For": "203.0.113.0, not-an-address"})
            assert spoofed.status_code == 200, "an entry that is no address falls back to the peer"
    finally:
        site.app.close()


class CountingHasher(PasswordHasher):
    """The real argon2 hasher, counting the password checks it makes."""

    checks = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        CountingHasher.checks += 1
        return super().verify(hash, password)


def test_an_unknown_or_disabled_name_costs_the_same_password_check_as_a_known_one(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 10 item 4: unknown names answered in ~10 ms and known ones in ~200 ms, which told which exist."""
    monkeypatch.setattr(staff_service, "HASHER", CountingHasher())
    set_active(site.app, "canbo", False, "test")
    checks = {}
    for name in ("admin", "khong-co-ai", "canbo"):
        before = CountingHasher.checks
        answer = site.client().post("/api/session", json={"username": name, "password": "sai-mat-khau-roi"})
        assert answer.status_code == 401 and answer.json()["error"]["message"] == \
            "Tên đăng nhập hoặc mật khẩu không đúng."
        checks[name] = CountingHasher.checks - before
    assert checks == {"admin": 1, "khong-co-ai": 1, "canbo": 1}


def test_a_vietnamese_password_opens_the_account_in_nfc_and_in_nfd_whichever_form_set_it(site: Site) -> None:
    """Reviewer B item 5: a password set in NFD (a Mac) was refused when typed in NFC (Windows), and the reverse."""
    import unicodedata

    typed = {form: unicodedata.normalize(form, "Mậtkhẩu-rất-dài-123") for form in ("NFC", "NFD")}
    assert typed["NFC"] != typed["NFD"]

    def login(name: str, password: str) -> int:
        return site.client().post("/api/session", json={"username": name, "password": password}).status_code

    for set_in, user in (("NFD", "canbo5"), ("NFC", "canbo6")):
        add_user(site.app, user, "Cán bộ thử", "leader", typed[set_in], None, STAFF)
        assert [login(user, typed[form]) for form in ("NFC", "NFD")] == [200, 200], set_in
    assert login("canbo5", "Mâtkhẩu-rất-dài-123") == 401  # another letter is another password
    # A hash made before passwords were normalised, from NFD: opened in either form, then kept in NFC.
    legacy = add_user(site.app, "canbo7", "Cán bộ cũ", "leader", "tam-thoi-mat-khau", None, STAFF)
    with site.app.uow() as uow:
        uow.staff.set_password_hash(legacy.id, staff_service.HASHER.hash(typed["NFD"]))
        uow.commit()
    assert login("canbo7", typed["NFC"]) == 200
    with site.app.uow(read_only=True) as uow:
        rehashed = uow.staff.password_hash(legacy.id)
    assert rehashed is not None and staff_service.HASHER.verify(rehashed, typed["NFC"])
    assert login("canbo7", typed["NFD"]) == 200
    short = unicodedata.normalize("NFD", "Mậtkhẩu1ấ")  # 9 letters, 13 code points in NFD
    with pytest.raises(InvalidInput, match="ít nhất 10 ký tự"):
        add_user(site.app, "canbo8", "Cán bộ thử", "leader", short, None, STAFF)


# Server-side sessions ---------------------------------------------------------------------------------------

def test_a_copied_session_cookie_is_worthless_after_logout(site: Site) -> None:
    staff = site.staff()
    cookie = staff.client.cookies[SESSION_COOKIE]
    assert staff.post("/logout").status_code == 303
    thief = site.client()
    thief.cookies.set(SESSION_COOKIE, cookie)
    assert thief.get("/", follow_redirects=False).status_code == 303
    assert thief.get("/api/rounds").status_code == 401
    api = site.client()
    logged = api.post("/api/session", json={"username": "canbo", "password": PASSWORD})
    api_cookie = api.cookies[SESSION_COOKIE]
    assert api.delete("/api/session", headers={"X-CSRF-Token": logged.json()["csrf_token"]}).status_code == 200
    copy = site.client()
    copy.cookies.set(SESSION_COOKIE, api_cookie)
    assert copy.get("/api/session").status_code == 401


def test_a_session_ends_after_an_hour_idle_and_ten_hours_whatever_the_activity(site: Site) -> None:
    start = site.clock.now()
    staff = site.staff()
    for minutes in range(50, 10 * 60, 50):  # busy all day: a request every 50 minutes
        site.clock.set(start + timedelta(minutes=minutes))
        assert staff.get("/").status_code == 200, f"still logged in after {minutes} minutes"
    site.clock.set(start + timedelta(hours=10, minutes=1))
    assert staff.get("/").status_code == 303, "the absolute lifetime is over"

    idle = site.staff()
    site.clock.set(site.clock.now() + timedelta(minutes=59))
    assert idle.get("/").status_code == 200
    site.clock.set(site.clock.now() + timedelta(minutes=61))
    assert idle.get("/").status_code == 303, "an hour without a request ends the session"
    with site.app.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(StaffSessionRow)) <= 2


def test_disabling_an_account_or_a_new_password_ends_its_sessions_at_once(site: Site) -> None:
    office_pc, home_pc = site.staff(), site.staff()
    other = site.staff("admin")
    reset_password(site.app, "canbo", "test", "mat-khau-moi-that-dai")
    assert office_pc.get("/").status_code == 303 and home_pc.get("/").status_code == 303
    assert other.get("/").status_code == 200, "other accounts keep their sessions"
    again = Visitor(site.client()).login("canbo", "mat-khau-moi-that-dai")
    assert again.get("/").status_code == 200
    set_active(site.app, "canbo", False, "test")
    assert again.get("/").status_code == 303 and again.get("/api/session").status_code == 401
    refused = site.anonymous().post("/login", {"username": "canbo", "password": "mat-khau-moi-that-dai"})
    assert refused.status_code == 401, "a disabled account cannot log in"


def test_security_headers_are_on_every_kind_of_page(site: Site) -> None:
    staff = site.staff()
    token = site.token(1, "SCT")
    responses = {"login": site.client().get("/login"), "dashboard": staff.get("/"),
                 "round page": staff.get("/rounds/1"), "error page": staff.get("/rounds/999"),
                 "recipient page": site.client().get(f"/r/{token}"),
                 "unknown link": site.client().get("/r/unknown-token"),
                 "api": staff.client.get("/api/rounds"), "static": site.client().get("/static/style.css")}
    for name, response in responses.items():
        headers = response.headers
        policy = headers.get("content-security-policy", "")
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, name
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, name
        assert headers.get("x-frame-options") == "DENY", name
        assert headers.get("x-content-type-options") == "nosniff", name
    for name in ("recipient page", "unknown link"):
        assert responses[name].headers.get("referrer-policy") == "no-referrer", name
        assert "no-store" in responses[name].headers.get("cache-control", ""), name
    assert responses["error page"].status_code == 404


def test_pages_carry_no_inline_script_or_style(site: Site) -> None:
    """The CSP forbids inline code, so any inline script or style would silently not work."""
    staff = site.staff()
    pages = [staff.get(u).text for u in ("/", "/rounds/new", "/rounds/1", "/rounds/1/preview", "/directory")]
    pages.append(site.client().get(f"/r/{site.token(1, 'SCT')}").text)
    pages.append(site.client().get("/login").text)
    for page in pages:
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "inline <script>"
        assert "<style" not in page and not re.search(r"\sstyle=\"", page), "inline style"
        assert not re.search(r"\son[a-z]+=\"", page), "inline event handler"
