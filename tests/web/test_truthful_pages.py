"""Issue 12 item 4, "each page tells the truth": the audit tab in Vietnamese words, counts that follow the round's
silence rule (dashboard and round page), and a mailbox that names the transport really in use.

Through the real web app (TestClient) on a real SQLite database; mail goes to the embedded sink or, for the
transport test, to a real SMTP server on loopback.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from config.clock import FrozenClock
from config.settings import load_settings
from models.rounds import ResponseChannel, ResponseKind
from notifications.sink import MailSink
from notifications.testing import smtp_capture
from workflows.demo import UNITS_CSV, seed_round
from workflows.engine.events import CommentInput, Launch, Respond
from workflows.service.app import App, build_app
from workflows.service.directory import import_units
from workflows.service.mail import store_received
from workflows.service.register import take_number
from workflows.service.registry import get_workflow
from workflows.service.rounds import create_round, execute
from workflows.service.staff import add_user
from workflows.service.steps import run_step
from workflows.service.sweep import run_due
from workflows.web.app import create_web_app

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PASSWORD = "matkhau-rat-dai"
STAFF = "Phạm Phi Long (TĐC)"
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@dataclass
class Story:
    app: App
    clock: FrozenClock
    agreed: int  # silence counts as agreement (the consultation kind's default)
    strict: int  # the same round, whose letter did not announce it


def _open(home: Path, smtp_url: str | None = None) -> App:
    settings = load_settings(home=home, database_url=f"sqlite:///{home}/ykien.db", smtp_url=smtp_url, now=None,
                             calendar_file=None)
    return build_app(settings, FrozenClock(local("2025-11-20T08:30")), create_schema=True)


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    """Two seed-000 rounds launched on 20/11/2025 (deadline 05/12), one answer each, a number taken for the
    letter, and the clock on 08/12/2025, past the deadline: most units stayed silent."""
    app = _open(tmp_path_factory.mktemp("truthful") / "home")
    clock = app.clock
    assert isinstance(clock, FrozenClock)
    add_user(app, "canbo", "Cán bộ TĐC", "staff", PASSWORD, "TĐC", "test")
    import_units(app, UNITS_CSV, STAFF)
    agreed = create_round(app, seed_round(), STAFF)
    strict = create_round(app, replace(seed_round(), title="Quy chế quản lý nhiệm vụ KH&CN cấp tỉnh",
                                       silence_is_agreement=False), STAFF)
    assert get_workflow(seed_round().workflow).silence.agreement  # the kind's default: silence = agreement
    clock.set(local("2025-11-20T09:00"))
    take_number(app, agreed, "request_letter", STAFF)
    for round_id in (agreed, strict):
        execute(app, round_id, Launch(), STAFF)
        run_step(app, "circulate", round_id=round_id)
    clock.set(local("2025-11-26T10:15"))
    for round_id in (agreed, strict):
        execute(app, round_id, Respond("SCT", ResponseKind.COMMENTS, entered_by="SCT", comments=(
            CommentInput("Đề nghị bổ sung chỉ tiêu ISO 9001.", "Mục II.2"),)), "SCT")
        execute(app, round_id, Respond("STP", ResponseKind.AGREE, entered_by=STAFF,
                                       channel=ResponseChannel.PAPER), STAFF)
    clock.set(local("2025-12-03T08:00"))
    run_due(app)
    clock.set(local("2025-12-08T09:00"))
    run_due(app)
    yield Story(app, clock, agreed, strict)
    app.close()


def _staff(app: App) -> TestClient:
    client = TestClient(create_web_app(app))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"username": "canbo", "password": PASSWORD, "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment)))


def _cells(page: str, column: str) -> list[str]:
    return [_text(c) for c in re.findall(rf'<td data-label="{column}"[^>]*>(.*?)</td>', page, flags=re.S)]


# --- the audit tab -----------------------------------------------------------------------------------------

def test_audit_tab_tells_every_detail_in_vietnamese(story: Story) -> None:
    page = _staff(story.app).get(f"/rounds/{story.agreed}/audit").text
    consultation = get_workflow("consultation")
    details = _cells(page, "Chi tiết")
    events = _cells(page, "Sự kiện")
    assert len(details) == len(events) >= 8
    everything = " ".join(details + events + _cells(page, "Người thực hiện"))
    for said in (f"quy trình: {consultation.title}", "hạn: 05/12/2025", "im lặng là đồng ý: có",
                 f"từ: {consultation.state_title('draft')}", f"sang: {consultation.state_title('circulating')}",
                 f"loại trả lời: {consultation.terms.answered}", f"loại trả lời: {consultation.terms.agreed}",
                 f"hẹn giờ: {consultation.timer_title('remind_before')}", "kênh: văn bản giấy",
                 "đơn vị: Sở Công Thương", "người nhập: Sở Công Thương", "ngày văn bản: 20/11/2025",
                 f"văn bản: {consultation.documents['request_letter'].title}"):
        assert said in everything, said
    assert "Lấy số văn bản đi" in events and "Sở Công Thương" in _cells(page, "Người thực hiện")
    assert not ISO.search(everything), ISO.findall(everything)
    assert not CODE.search(everything), CODE.findall(everything)
    for raw in ("consultation", "remind_before", "circulating", "comments", "paper", "number_taken"):
        assert not re.search(rf"\b{raw}\b", everything), raw
    # The chain is still shown, with each event's hash.
    assert "Chuỗi băm toàn vẹn" in page and len(re.findall(r'title="[0-9a-f]{64}"', page)) == len(events)


def test_timeline_uses_titles_and_dates_as_staff_write_them(story: Story) -> None:
    page = _staff(story.app).get(f"/rounds/{story.agreed}/timeline").text
    told = _text(page.split("<main", 1)[-1])
    assert "Lấy số văn bản đi" in told and "hạn 05/12/2025" in told
    assert not ISO.search(told) and not CODE.search(told), (ISO.findall(told), CODE.findall(told))


# --- counts that follow the silence rule -------------------------------------------------------------------

def _dashboard_row(page: str, round_id: int) -> str:
    rows = re.findall(r"<tr>\s*<td data-label=\"Số\">(\d+)</td>(.*?)</tr>", page, flags=re.S)
    return next(row for rid, row in rows if int(rid) == round_id)


def test_dashboard_shows_silent_units_as_agreeing_where_the_round_says_so(story: Story) -> None:
    page = _staff(story.app).get("/").text
    label = get_workflow("consultation").silence.label
    agreed, strict = _dashboard_row(page, story.agreed), _dashboard_row(page, story.strict)
    overdue = re.search(r'<td class="num bad" data-label="[^"]+">(\d+)</td>', strict)
    assert overdue is not None and int(overdue.group(1)) > 30  # the strict round: overdue, in red
    assert 'class="num bad"' not in agreed and "bad" not in agreed
    assert f"{overdue.group(1)} {label}" in _text(agreed)  # the same silent units, taken to agree


def test_round_page_counts_silent_units_as_agreeing_where_the_round_says_so(story: Story) -> None:
    staff = _staff(story.app)
    label = get_workflow("consultation").silence.label
    agreed = staff.get(f"/rounds/{story.agreed}").text.split('id="counts"', 1)[1].split("</div>", 1)[0]
    strict = staff.get(f"/rounds/{story.strict}").text.split('id="counts"', 1)[1].split("</div>", 1)[0]
    silent_agreed = re.search(r'<a class="tag a-silent agreed"[^>]*>([^<]*)</a>', agreed)
    assert silent_agreed is not None and f", {label}:" in silent_agreed.group(1)
    assert re.search(r'<a class="tag a-silent"[^>]*>Không trả lời: \d+</a>', strict)
    assert label not in strict


# --- the mailbox names the transport -----------------------------------------------------------------------

def _transport(app: App) -> str:
    page = _staff(app).get("/mail").text
    return _text(page.split('id="transport"', 1)[1].split("</p>", 1)[0])


def test_mailbox_names_the_embedded_sink_while_serve_runs_it(tmp_path: Path) -> None:
    app = _open(tmp_path / "home")
    add_user(app, "canbo", "Cán bộ TĐC", "staff", PASSWORD, "TĐC", "test")
    try:
        assert "máy chủ thư nội bộ của ykien (khởi động trên máy này mỗi lần gửi thư)" in _transport(app)
        sink = MailSink(store_received(app))
        sink.start()
        app.smtp_url_override = sink.url  # as `ykien serve` and the demo do
        try:
            said, port = _transport(app), sink.port
        finally:
            sink.stop()
        assert f"máy chủ thư nội bộ của ykien (127.0.0.1:{port})" in said and "SMTP" not in said
    finally:
        app.close()


def test_mailbox_names_the_configured_smtp_server_without_its_login(tmp_path: Path) -> None:
    with smtp_capture() as capture:
        port = capture.target.port
        app = _open(tmp_path / "home", smtp_url=f"smtp://nguoidung:mat-khau-bi-mat@127.0.0.1:{port}")
        add_user(app, "canbo", "Cán bộ TĐC", "staff", PASSWORD, "TĐC", "test")
        try:
            page = _staff(app).get("/mail").text
        finally:
            app.close()
    said = _text(page.split('id="transport"', 1)[1].split("</p>", 1)[0])
    assert f"máy chủ SMTP 127.0.0.1:{port}" in said and "nội bộ của ykien (" not in said
    assert "mat-khau-bi-mat" not in page and "nguoidung" not in page
