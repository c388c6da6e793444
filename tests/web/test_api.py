"""The JSON API under /api against a real SQLite App, the real service layer and a loopback SMTP server.

Covers: session login and CSRF, every endpoint, permissions (leader read-only, staff of one office),
the error body and codes, SQL-looking input kept verbatim, and a schemathesis run that must find no 5xx.
"""
from __future__ import annotations

import json
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlite_template import copy_home_database

from config.clock import FrozenClock
from config.settings import load_settings
from models.db.database import migrate
from notifications.testing import SmtpCapture, smtp_capture
from workflows.service.app import App, build_app
from workflows.service.directory import import_units
from workflows.service.staff import add_user
from workflows.web.app import create_web_app

# The API attaches no draft file (the web form does): its rounds are launched with the reason there is none.
NO_DRAFT = {"no_draft_reason": "Dự thảo gửi kèm công văn giấy"}
START = datetime(2025, 11, 20, 8, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
PASSWORD = "matkhau-rat-dai"
USERS = {  # username: (display name, role, office)
    "quantri": ("Quản trị", "admin", None),
    "long": ("Phạm Phi Long", "staff", "TĐC"),
    "hoa": ("Lê Thị Hoa", "staff", "QLKH"),
    "lanhdao": ("Nông Thị Thanh Huyền", "leader", None),
}
ROUND = {
    "title": "Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng giai đoạn 2026 – 2030",
    "office": "TĐC",
    "deadline": "2025-12-05",
    "addressees": [{"groups": ["so-ban-nganh"]}, {"units": ["TTTT-VP"], "role": "publish"},
                   {"units": ["LMHTX"], "role": "inform"}],
    "contact_name": "Ông Phạm Phi Long",
    "contact_title": "Trưởng phòng Quản lý Tiêu chuẩn Đo lường Chất lượng",
    "contact_phone": "0912130290",
    "signer_name": "Nông Thị Thanh Huyền",
}


def settings_for(home: Path, capture: SmtpCapture):  # type: ignore[no-untyped-def]
    return load_settings(home=home, database_url=None, now=None, calendar_file=None,
                         smtp_url=f"smtp://127.0.0.1:{capture.target.port}", secret_key="k" * 40)


def make_app(home: Path, capture: SmtpCapture, clock: FrozenClock) -> App:
    app = build_app(settings_for(home, capture), clock, create_schema=True)
    import_units(app, UNITS_CSV, "test")
    for username, (name, role, office) in USERS.items():
        add_user(app, username, name, role, PASSWORD, office, "test")
    return app


@pytest.fixture(scope="module")
def template_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the directory and the staff accounts, made once (argon2 is slow on purpose)."""
    home = tmp_path_factory.mktemp("template")
    with smtp_capture() as capture:
        make_app(home, capture, FrozenClock(START)).close()
    return home


@pytest.fixture
def ykien_app(template_home: Path, tmp_path: Path, capture: SmtpCapture, clock: FrozenClock) -> Iterator[App]:
    copy_home_database(template_home, tmp_path)
    app = build_app(settings_for(tmp_path, capture), clock)
    yield app
    app.close()


@pytest.fixture
def web(ykien_app: App) -> FastAPI:
    return create_web_app(ykien_app)


def login(web: FastAPI, username: str) -> tuple[TestClient, dict[str, str]]:
    """A client holding the user's session cookie, and the CSRF header its unsafe requests need."""
    client = TestClient(web)
    answer = client.post("/api/session", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return client, {"X-CSRF-Token": answer.json()["csrf_token"]}


def create_round(client: TestClient, headers: dict[str, str], **changes: object) -> int:
    answer = client.post("/api/rounds", json={**ROUND, **changes}, headers=headers)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def error_code(answer) -> str:  # type: ignore[no-untyped-def]
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert body["error"]["message"]
    return str(body["error"]["code"])


VALID_BODIES = {"/api/rounds": ROUND, "/api/rounds/1/respond": {"unit": "SCT", "kind": "agree"},
                "/api/rounds/1/extend": {"new_deadline": "2025-12-12"}}


def operations(web: FastAPI) -> list[tuple[str, str]]:
    """(METHOD, path) of every API operation in the OpenAPI schema, for round 1."""
    spec = TestClient(web).get("/api/openapi.json").json()
    return [(method.upper(), path.replace("{round_id}", "1")) for path, item in spec["paths"].items()
            if path.startswith("/api/") for method in item]


# Session and CSRF ---------------------------------------------------------------------------------

def test_login_sets_a_session_cookie_and_returns_the_csrf_token(web: FastAPI) -> None:
    client = TestClient(web)
    answer = client.post("/api/session", json={"username": "long", "password": PASSWORD})
    assert answer.status_code == 200
    body = answer.json()
    assert body["user"] == {"id": 2, "username": "long", "display_name": "Phạm Phi Long", "role": "staff",
                            "office": "TĐC"}
    cookie = answer.headers["set-cookie"]
    assert "ykien_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    me = client.get("/api/session")
    assert me.status_code == 200 and me.json()["csrf_token"] == body["csrf_token"]


def test_wrong_password_is_refused_and_repeated_failures_lock_the_account(web: FastAPI) -> None:
    client = TestClient(web)
    for _ in range(5):
        answer = client.post("/api/session", json={"username": "long", "password": "sai-mat-khau-roi"})
        assert answer.status_code == 401 and error_code(answer) == "login_refused"
    locked = client.post("/api/session", json={"username": "long", "password": PASSWORD})
    assert locked.status_code == 429 and error_code(locked) == "too_many_attempts"


def test_logout_forgets_the_cookie(web: FastAPI) -> None:
    client, headers = login(web, "long")
    answer = client.delete("/api/session", headers=headers)
    assert answer.status_code == 200
    assert 'ykien_session=""' in answer.headers["set-cookie"]
    assert client.get("/api/rounds").status_code == 401


def test_anonymous_requests_get_401_on_every_endpoint_but_login(web: FastAPI) -> None:
    client = TestClient(web)
    checked = [(method, path) for method, path in operations(web) if (method, path) != ("POST", "/api/session")]
    for method, path in checked:
        answer = client.request(method, path, json=VALID_BODIES.get(path))
        assert (answer.status_code, error_code(answer)) == (401, "login_required"), (method, path)
    assert len(checked) == 14
    admin, _ = login(web, "quantri")
    assert admin.get("/api/rounds").json() == []


def test_every_unsafe_request_needs_the_csrf_header_of_its_own_session(web: FastAPI) -> None:
    client, headers = login(web, "long")
    assert create_round(client, headers) == 1
    _other, other_headers = login(web, "quantri")
    unsafe = [(m, p) for m, p in operations(web) if m in ("POST", "DELETE") and p != "/api/session"]
    unsafe.append(("DELETE", "/api/session"))
    assert len(unsafe) == 7
    for method, path in unsafe:
        for given in ({}, {"X-CSRF-Token": "forged"}, other_headers):
            answer = client.request(method, path, json=VALID_BODIES.get(path), headers=given)
            assert (answer.status_code, error_code(answer)) == (403, "csrf_failed"), (method, path, given)
    assert client.get("/api/rounds/1").json()["status"] == "draft"
    assert len(client.get("/api/rounds").json()) == 1
    assert [e["action"] for e in client.get("/api/rounds/1/audit").json()["events"]] == ["create"]


# The use cases ------------------------------------------------------------------------------------

def test_staff_runs_a_round_through_the_api_and_every_step_is_audited(web: FastAPI, capture: SmtpCapture) -> None:
    client, headers = login(web, "long")
    created = client.post("/api/rounds", json=ROUND, headers=headers)
    assert created.status_code == 201
    assert created.json() == {"id": 1, "deadline": "2025-12-05", "deadline_working_days": None, "empty_groups": []}

    launched = client.post("/api/rounds/1/launch", json=NO_DRAFT, headers=headers)
    assert launched.json() == {"id": 1, "status": "circulating", "status_title": "Đang lấy ý kiến", "messages": 9,
                               "mail_notice": None}
    assert sorted(str(m["X-Ykien-Unit"]) for m in capture.messages if m["X-Ykien-Kind"] == "invitation") == sorted(
        ["SCT", "STC", "SYT", "STP", "SXD", "SNV", "SGDDT", "TTTT-VP", "LMHTX"])

    paper = {"unit": "SCT", "kind": "comments", "channel": "paper", "note": "Công văn số 12/SCT",
             "comments": [{"section": "Mục II.2", "text": "Bổ sung chỉ tiêu năng suất",
                           "proposed_wording": "Đạt 5%/năm"}]}
    assert client.post("/api/rounds/1/respond", json=paper, headers=headers).status_code == 200
    assert client.post("/api/rounds/1/respond", json={"unit": "STC", "kind": "agree"},
                       headers=headers).status_code == 200
    extended = client.post("/api/rounds/1/extend", json={"new_deadline": "2025-12-12", "unit": "SYT",
                                                         "reason": "Sở Y tế xin thêm thời gian"}, headers=headers)
    assert extended.json()["messages"] == 1
    reminded = client.post("/api/rounds/1/remind", json={"units": ["STP", "SXD"]}, headers=headers)
    assert reminded.json()["messages"] == 2
    assert sorted(str(m["X-Ykien-Unit"]) for m in capture.messages if "reminder" in str(m["X-Ykien-Kind"])) \
        == ["STP", "SXD"]

    shown = client.get("/api/rounds/1").json()
    assert shown["counts"]["comments"] == 1 and shown["counts"]["agree"] == 1 and shown["counts"]["pending"] == 5
    assert shown["counts"]["extended"] == 1 and shown["can_change"] is True
    units = {u["unit_code"]: u for u in shown["units"]}
    assert units["SYT"]["deadline"] == "2025-12-12" and "gia hạn" in units["SYT"]["flags"]
    assert units["LMHTX"]["answer"] == "not_asked"
    # A paper answer's receipt waits for the delivery sweep; the extension of SYT sent SYT's mail only, not the
    # receipts the answers had queued (it used to send the round's whole due mail)
    assert units["SCT"]["email"] == "queued" and units["SYT"]["email"] == "sent"
    assert not [m for m in capture.messages if m["X-Ykien-Kind"] == "receipt"]

    answers = client.get("/api/rounds/1/responses").json()
    assert [(a["unit_code"], a["kind"], a["channel"]) for a in answers] == [("SCT", "comments", "paper"),
                                                                           ("STC", "agree", "paper")]
    assert answers[0]["comments"] == [{"section": "Mục II.2", "text": "Bổ sung chỉ tiêu năng suất",
                                       "proposed_wording": "Đạt 5%/năm"}]
    assert answers[0]["note"] == "Công văn số 12/SCT" and answers[0]["entered_by"] == "Phạm Phi Long (long)"

    closed = client.post("/api/rounds/1/close", json={"reason": "Đã đủ ý kiến"}, headers=headers)
    assert closed.json()["status"] == "consolidating"
    trail = client.get("/api/rounds/1/audit").json()
    assert trail["chain_intact"] is True and trail["chain_break"] is None
    actions = [e["action"] for e in trail["events"]]
    for action in ("create", "launch", "respond", "extend", "remind", "close"):
        assert action in actions, actions
    assert {e["actor"] for e in trail["events"] if e["action"] != "create"} == {"Phạm Phi Long (long)"}
    listed = client.get("/api/rounds", params={"status": "consolidating", "office": "TĐC"}).json()
    assert [(r["id"], r["answered"], r["asked"]) for r in listed] == [(1, 2, 7)]
    assert client.get("/api/rounds", params={"office": "QLKH"}).json() == []


def test_deadline_in_working_days_counts_from_today_and_skips_days_off(web: FastAPI) -> None:
    client, headers = login(web, "long")
    created = client.post("/api/rounds", json={**ROUND, "deadline": "10 ngày làm việc"}, headers=headers).json()
    # Thursday 20/11/2025 + 10 working days (two weekends skipped) = Thursday 04/12/2025.
    assert created["deadline"] == "2025-12-04" and created["deadline_working_days"] == 10


def test_directory_and_workflows_are_listed(web: FastAPI) -> None:
    client, _ = login(web, "lanhdao")
    units = client.get("/api/directory/units").json()
    assert len(units) == 12 and {"code": "SCT", "name": "Sở Công Thương", "group": "so-ban-nganh"}.items() \
        <= units[[u["code"] for u in units].index("SCT")].items()
    assert [u["code"] for u in client.get("/api/directory/units", params={"group": "xa-phuong"}).json()] == [
        "P-TANGIANG", "X-BAOLAC", "X-HOAAN"]
    workflows = {w["name"]: w for w in client.get("/api/workflows").json()}
    assert set(workflows) >= {"consultation", "proposal_call"}
    fields = {f["key"]: f for f in workflows["proposal_call"]["response"]["fields"]}
    assert fields["task_name"]["required"] is True and fields["budget_other"]["required"] is False
    circulating = next(s for s in workflows["consultation"]["states"] if s["name"] == "circulating")
    assert "respond" in circulating["events"] and any(t["name"] == "close" for t in circulating["timers"])


# Permissions --------------------------------------------------------------------------------------

def test_leader_reads_everything_and_changes_nothing(web: FastAPI) -> None:
    staff, staff_headers = login(web, "long")
    round_id = create_round(staff, staff_headers)
    leader, headers = login(web, "lanhdao")
    for path in (f"/api/rounds/{round_id}", f"/api/rounds/{round_id}/responses", f"/api/rounds/{round_id}/audit",
                 "/api/rounds", "/api/directory/units", "/api/workflows"):
        assert leader.get(path).status_code == 200, path
    assert leader.get(f"/api/rounds/{round_id}").json()["can_change"] is False
    before = len(leader.get(f"/api/rounds/{round_id}/audit").json()["events"])
    refused = [leader.post("/api/rounds", json=ROUND, headers=headers),
               leader.post(f"/api/rounds/{round_id}/launch", json=NO_DRAFT, headers=headers),
               leader.post(f"/api/rounds/{round_id}/respond", json={"unit": "SCT", "kind": "agree"}, headers=headers),
               leader.post(f"/api/rounds/{round_id}/extend", json={"new_deadline": "2025-12-12"}, headers=headers),
               leader.post(f"/api/rounds/{round_id}/remind", headers=headers),
               leader.post(f"/api/rounds/{round_id}/close", headers=headers)]
    assert [(a.status_code, error_code(a)) for a in refused] == [(403, "forbidden")] * 6
    assert len(leader.get(f"/api/rounds/{round_id}/audit").json()["events"]) == before
    assert len(leader.get("/api/rounds").json()) == 1


def test_staff_of_another_office_can_read_but_not_change_the_round(web: FastAPI) -> None:
    owner, owner_headers = login(web, "long")
    round_id = create_round(owner, owner_headers)
    other, headers = login(web, "hoa")
    assert other.get(f"/api/rounds/{round_id}").status_code == 200
    launched = other.post(f"/api/rounds/{round_id}/launch", json=NO_DRAFT, headers=headers)
    assert launched.status_code == 403 and "QLKH" in launched.json()["error"]["message"]
    assert other.get(f"/api/rounds/{round_id}").json()["status"] == "draft"
    assert other.post("/api/rounds", json=ROUND, headers=headers).status_code == 403  # ROUND is for TĐC
    assert other.post("/api/rounds", json={**ROUND, "office": "QLKH"}, headers=headers).status_code == 201
    admin, admin_headers = login(web, "quantri")
    assert admin.post(f"/api/rounds/{round_id}/launch", json=NO_DRAFT, headers=admin_headers).status_code == 200


# Refusals -----------------------------------------------------------------------------------------

def test_launching_a_round_without_its_draft_needs_the_reason_through_the_api_too(web: FastAPI) -> None:
    client, headers = login(web, "long")
    round_id = create_round(client, headers)
    before = client.get(f"/api/rounds/{round_id}/audit").json()["events"]
    refused = [
        (client.post(f"/api/rounds/{round_id}/launch", headers=headers), 409, "draft_required"),
        (client.post(f"/api/rounds/{round_id}/launch", json={}, headers=headers), 409, "draft_required"),
        (client.post(f"/api/rounds/{round_id}/launch", json={"no_draft_reason": " \n "}, headers=headers), 409,
         "draft_required"),
        (client.post(f"/api/rounds/{round_id}/launch", json={"no_draft_reason": "x" * 1001}, headers=headers), 422,
         "invalid_input"),
        (client.post(f"/api/rounds/{round_id}/launch", json={"no_draft_reason": 12}, headers=headers), 422,
         "invalid_input"),
        (client.post(f"/api/rounds/{round_id}/launch", json={"reason": "thừa"}, headers=headers), 422,
         "invalid_input"),
    ]
    for answer, status, code in refused:
        assert (answer.status_code, error_code(answer)) == (status, code), answer.text
    assert "chưa có tệp dự thảo" in refused[0][0].json()["error"]["message"]
    assert client.get(f"/api/rounds/{round_id}").json()["status"] == "draft"
    assert client.get(f"/api/rounds/{round_id}/audit").json()["events"] == before
    reason = "Dự thảo gửi kèm công văn giấy"
    assert client.post(f"/api/rounds/{round_id}/launch", json={"no_draft_reason": reason},
                       headers=headers).status_code == 200
    launched = client.get(f"/api/rounds/{round_id}/audit").json()["events"][-1]
    assert launched["action"] == "launch" and launched["details"]["no_draft_reason"] == reason



def test_a_body_that_does_not_fit_is_named_field_by_field_in_vietnamese(web: FastAPI) -> None:
    """pydantic's English ("Field required", "Input should be a valid string", "String should match pattern '^…'")
    used to reach the API's callers as it was."""
    client, headers = login(web, "long")
    cases = [
        ({"title": 5}, ["title: phải là một chuỗi", "office: bắt buộc, chưa có", "deadline: bắt buộc, chưa có"]),
        ({**ROUND, "deadline": "mười ngày"}, ["deadline: không đúng dạng (xem /api/docs)"]),
        ({**ROUND, "colour": "đỏ"}, ["colour: không có trường này"]),
        ({**ROUND, "title": "x" * 1001}, ["title: dài quá 500 ký tự"]),
        ({**ROUND, "addressees": "SCT"}, ["addressees: phải là một danh sách"]),
    ]
    for body, said in cases:
        message = client.post("/api/rounds", json=body, headers=headers).json()["error"]["message"]
        assert message.startswith("Dữ liệu không hợp lệ: ") and all(part in message for part in said), message
        assert not re.search(r"\b(Field|Input|should|String|required|valid)\b", message), message
    broken = client.post("/api/rounds", content=b"{not json", headers={**headers, "content-type": "application/json"})
    assert broken.json()["error"]["message"] == "Dữ liệu không hợp lệ: body (ký tự thứ 1): không phải JSON hợp lệ"


def test_refusals_have_the_error_body_and_the_right_status(web: FastAPI, ykien_app: App) -> None:
    client, headers = login(web, "long")
    round_id = create_round(client, headers)
    cases = [
        (client.get("/api/rounds/999"), 404, "round_not_found"),
        (client.post("/api/rounds/999/launch", headers=headers), 404, "round_not_found"),
        (client.get("/api/rounds/0"), 404, "not_found"),
        (client.get("/api/rounds/99999999999999999999"), 404, "not_found"),
        (client.post(f"/api/rounds/{round_id}/close", headers=headers), 409, "event_not_allowed"),
        (client.post("/api/rounds", json={**ROUND, "colour": "đỏ"}, headers=headers), 422, "invalid_input"),
        (client.post("/api/rounds", json={**ROUND, "deadline": "2025-11-01"}, headers=headers), 422,
         "deadline_in_past"),
        (client.post("/api/rounds", json={**ROUND, "deadline": "06/12/2025"}, headers=headers), 422,
         "deadline_not_working_day"),
        (client.post("/api/rounds", json={**ROUND, "deadline": "31/02/2026"}, headers=headers), 422, "bad_date"),
        (client.post("/api/rounds", json={**ROUND, "deadline": "2999-01-04"}, headers=headers), 422,
         "deadline_out_of_range"),
        (client.post("/api/rounds", json={**ROUND, "deadline": "999 ngày làm việc"}, headers=headers), 422,
         "bad_deadline"),
        (client.post("/api/rounds", json={**ROUND, "deadline": "mười ngày"}, headers=headers), 422, "invalid_input"),
        (client.post("/api/rounds", json={**ROUND, "workflow": "khong_co"}, headers=headers), 422,
         "workflow_unknown"),
        (client.post("/api/rounds", json={**ROUND, "addressees": [{"units": ["KHONGCO"]}]}, headers=headers), 422,
         "unit_unknown"),
        (client.post("/api/rounds", json={**ROUND, "addressees": [{"groups": []}]}, headers=headers), 422,
         "no_recipients"),
        (client.post("/api/rounds", json={**ROUND, "title": "   "}, headers=headers), 422, "invalid_input"),
        (client.post("/api/rounds", json={**ROUND, "title": "a\x00b"}, headers=headers), 422, "invalid_input"),
        (client.post("/api/rounds", json={**ROUND, "title": "x" * 1001}, headers=headers), 422, "invalid_input"),
        (client.post("/api/rounds", content=b"{not json", headers={**headers, "content-type": "application/json"}),
         422, "invalid_input"),
        (client.post("/api/rounds", data={"title": "form"}, headers=headers), 422, "invalid_input"),
        (client.post(f"/api/rounds/{round_id}/extend", json={"new_deadline": "2025-12-12", "unit": "../x"},
                     headers=headers), 422, "invalid_input"),
    ]
    for answer, status, code in cases:
        assert (answer.status_code, error_code(answer)) == (status, code), answer.text
    launched = client.post(f"/api/rounds/{round_id}/launch", json=NO_DRAFT, headers=headers)
    assert launched.status_code == 200
    more = [
        (client.post(f"/api/rounds/{round_id}/launch", json=NO_DRAFT, headers=headers), 409, "event_not_allowed"),
        (client.post(f"/api/rounds/{round_id}/respond", json={"unit": "KHONGCO", "kind": "agree"}, headers=headers),
         409, "unit_unknown"),
        (client.post(f"/api/rounds/{round_id}/respond", json={"unit": "LMHTX", "kind": "agree"}, headers=headers),
         409, "unit_not_asked"),
        (client.post(f"/api/rounds/{round_id}/respond", json={"unit": "SCT", "kind": "comments"}, headers=headers),
         422, "answer_invalid"),
        (client.post(f"/api/rounds/{round_id}/respond", json={"unit": "SCT", "kind": "proposals",
                                                              "proposals": [{"task_name": "x"}]}, headers=headers),
         422, "answer_invalid"),
        (client.post(f"/api/rounds/{round_id}/extend", json={"new_deadline": "2025-11-21"}, headers=headers),
         422, "deadline_not_later"),  # the date is the body's field, not the step: as create's deadline
        (client.post(f"/api/rounds/{round_id}/extend", json={"new_deadline": "2025-12-13"}, headers=headers),
         422, "deadline_not_working_day"),
        (client.post(f"/api/rounds/{round_id}/remind", json={"units": ["KHONGCO"]}, headers=headers),
         409, "unit_unknown"),
    ]
    for answer, status, code in more:
        assert (answer.status_code, error_code(answer)) == (status, code), answer.text
        if code.startswith("deadline_"):
            assert answer.json()["error"]["message"].startswith("new_deadline: "), answer.text
    trail = client.get(f"/api/rounds/{round_id}/audit").json()
    assert [e["action"] for e in trail["events"]] == ["create", "launch"]


def test_sql_looking_and_markup_input_is_stored_verbatim(web: FastAPI) -> None:
    client, headers = login(web, "long")
    title = "Robert'); DROP TABLE rounds;-- <script>alert(1)</script>"
    round_id = create_round(client, headers, title=title, contact_name="O'Brien \" OR 1=1 --")
    client.post(f"/api/rounds/{round_id}/launch", json=NO_DRAFT, headers=headers)
    comment = {"section": "1' OR '1'='1", "text": "'; DELETE FROM comments; --", "proposed_wording": "%_\\"}
    answered = client.post(f"/api/rounds/{round_id}/respond", json={"unit": "SCT", "kind": "comments",
                                                                   "comments": [comment]}, headers=headers)
    assert answered.status_code == 200
    assert client.get(f"/api/rounds/{round_id}").json()["title"] == title
    assert client.get(f"/api/rounds/{round_id}/responses").json()[0]["comments"] == [comment]
    injected = client.get("/api/rounds", params={"office": "' OR 1=1 --"})
    assert injected.status_code == 422 and injected.json()["error"]["code"] == "office_unknown", injected.text
    unknown = client.get("/api/rounds", params={"status": "circulatin"})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "status_unknown", unknown.text
    assert 'Có phải "circulating"?' in unknown.json()["error"]["message"]


def test_openapi_schema_documents_every_endpoint_with_models_and_errors(web: FastAPI) -> None:
    spec = TestClient(web).get("/api/openapi.json").json()
    expected = {
        ("post", "/api/session"), ("get", "/api/session"), ("delete", "/api/session"), ("get", "/api/rounds"),
        ("post", "/api/rounds"), ("get", "/api/rounds/{round_id}"), ("get", "/api/rounds/{round_id}/responses"),
        ("get", "/api/rounds/{round_id}/audit"), ("post", "/api/rounds/{round_id}/launch"),
        ("post", "/api/rounds/{round_id}/respond"), ("post", "/api/rounds/{round_id}/extend"),
        ("post", "/api/rounds/{round_id}/remind"), ("post", "/api/rounds/{round_id}/close"),
        ("get", "/api/directory/units"), ("get", "/api/workflows"),
    }
    found = {(m, p) for p, item in spec["paths"].items() if p.startswith("/api/") for m in item}
    assert found == expected
    for method, path in expected:
        operation = spec["paths"][path][method]
        assert operation["tags"] and operation["summary"], (method, path)
        success = next(v for k, v in operation["responses"].items() if k.startswith("2"))
        assert "$ref" in json.dumps(success["content"]["application/json"]["schema"]), (method, path)
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    assert spec["components"]["schemas"]["NewRoundIn"]["additionalProperties"] is False
    assert set(spec["components"]["securitySchemes"]) == {"session", "csrf"}
    assert not any(p.startswith("/r/") or p == "/" for p in spec["paths"])



def test_every_field_a_caller_sends_is_described_in_vietnamese(web: FastAPI) -> None:
    """/api/docs lists each body's fields with their description; without one it showed pydantic's title, the
    field's name in English words ("Contact Name", "Signer Title", "Password")."""
    client = TestClient(web)
    spec = client.get("/api/openapi.json").json()
    schemas = spec["components"]["schemas"]
    bodies = {name for name in schemas if name.endswith("In")}
    assert {"LoginIn", "NewRoundIn", "AddresseeIn", "RespondIn", "CommentIn", "ExtendIn", "CloseIn"} <= bodies
    undescribed = [(name, field) for name in sorted(bodies) for field, schema in schemas[name]["properties"].items()
                   if not schema.get("description")]
    assert undescribed == []
    docs = client.get("/api/docs").text
    assert "Người ký công văn" in docs and "Mật khẩu" in docs  # the page itself, with the descriptions
    for english in ("Contact Name", "Signer Title", "Proposed Wording", "Addressees", ">Password<", ">Username<"):
        assert english not in docs, english


# Fuzzing ------------------------------------------------------------------------------------------

# Schemathesis needs the schema at import time (its lazy fixture loader does not work with pytest 9), so the
# app is built here without touching the database; the fixture below migrates and fills it. Without an SMTP
# URL, mail goes to the embedded sink, which keeps it in the database.
# The home is made by the fixture: each pytest process imports this module, and only the one running it cleans up.
_FUZZ_HOME = Path(tempfile.gettempdir()) / f"ykien-fuzz-{uuid.uuid4().hex[:12]}"
_FUZZ_APP = build_app(load_settings(home=_FUZZ_HOME, database_url=None, now=None, calendar_file=None,
                                    smtp_url=None, secret_key="f" * 40), FrozenClock(START))
_FUZZ_WEB = create_web_app(_FUZZ_APP)
schema = schemathesis.openapi.from_asgi("/api/openapi.json", _FUZZ_WEB)


@pytest.fixture(scope="module")
def fuzz_session() -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    """The fuzzed app with a launched round, and an admin's session: (cookies, CSRF header)."""
    _FUZZ_HOME.mkdir()
    migrate(_FUZZ_APP.engine)
    import_units(_FUZZ_APP, UNITS_CSV, "test")
    add_user(_FUZZ_APP, "quantri", "Quản trị", "admin", PASSWORD, None, "test")
    client, headers = login(_FUZZ_WEB, "quantri")
    round_id = create_round(client, headers)
    assert client.post(f"/api/rounds/{round_id}/launch", json=NO_DRAFT, headers=headers).status_code == 200
    yield {"ykien_session": client.cookies["ykien_session"]}, headers
    _FUZZ_APP.close()
    shutil.rmtree(_FUZZ_HOME)


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_fuzzing_the_api_finds_no_server_error(case, fuzz_session) -> None:  # type: ignore[no-untyped-def]
    cookies, headers = fuzz_session
    case.call_and_validate(cookies=cookies, headers=headers,
                           checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                   response_schema_conformance])


def test_the_openapi_security_of_a_change_needs_the_session_and_the_csrf_header_together(web: FastAPI) -> None:
    """One requirement naming both (two requirements would mean either one is enough)."""
    paths = web.openapi()["paths"]
    changes = [op for ops in paths.values() for method, op in ops.items() if method in ("post", "delete")
               and op.get("operationId") != "login"]
    assert changes and all(op["security"] == [{"session": [], "csrf": []}] for op in changes)
    assert all(op.get("security") in (None, [{"session": []}]) for ops in paths.values()
               for method, op in ops.items() if method == "get")
