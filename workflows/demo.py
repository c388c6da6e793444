"""`ykien demo`: the seed-000 consultation round from launch to deadline, on a frozen clock."""
from __future__ import annotations

import re
import secrets
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import datetime
from email.parser import BytesHeaderParser
from pathlib import Path

from rich.table import Table

from config.clock import FrozenClock, SystemClock
from config.settings import load_settings
from models.rounds import RecipientRole, ResponseChannel, ResponseKind
from models.text import capfirst
from notifications.sink import MailSink
from workflows.cli.common import console
from workflows.cli.render import render_audit, render_round
from workflows.definition import Workflow
from workflows.demo_drafts import PLAN_OUTLINE, REGULATION_OUTLINE, write_draft
from workflows.engine.events import CommentInput, Event, Extend, Launch, Respond
from workflows.service.app import App, build_app
from workflows.service.commands import CommandResult, run_command
from workflows.service.directory import import_units
from workflows.service.mail import store_received
from workflows.service.mailbox import all_received_raw
from workflows.service.outbox_view import message_texts
from workflows.service.recipients import answer, record_opening
from workflows.service.registry import shipped_workflows
from workflows.service.rounds import Addressee, NewRound, create_round
from workflows.service.staff import add_user
from workflows.service.sweep import run_due
from workflows.service.views import audit_trail, latest_responses, round_view

UNITS_CSV = Path(__file__).parent / "demo_data" / "units_cao_bang.csv"
STAFF = "Phạm Phi Long (TĐC)"
KIND_LABELS = {"invitation": "xin ý kiến", "reminder_before": "đôn đốc", "reminder_overdue": "quá hạn",
               "extension": "gia hạn", "receipt": "xác nhận"}


def consultation_kind() -> Workflow:
    """The kind of the seed-000 story: the first shipped kind that circulates a draft for comments."""
    return next(w for w in shipped_workflows().values() if w.response.kind == "comments")


def seed_round() -> NewRound:
    title = ("Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng dựa trên nền tảng khoa học, "
             "công nghệ và đổi mới sáng tạo trên địa bàn tỉnh Cao Bằng, giai đoạn 2026 – 2030")
    return NewRound(
        title=title, subject="", workflow=consultation_kind().name, office="TĐC",  # the kind's own subject
        deadline=datetime(2025, 12, 5).date(),
        addressees=(
            Addressee(groups=("trung-uong", "mttq-doan-the", "so-ban-nganh", "hiep-hoi", "bao-chi", "xa-phuong")),
            Addressee(units=("TTTT-VP",), role=RecipientRole.PUBLISH)),
        contact_name="Ông Phạm Phi Long",
        contact_title="Trưởng phòng Quản lý Tiêu chuẩn Đo lường Chất lượng", contact_phone="0912130290",
        signer_name="Nông Thị Thanh Huyền", signer_title="GIÁM ĐỐC", silence_is_agreement=None,  # the kind's rule
        legal_bases=(
            "Quyết định số 1322/QĐ-TTg ngày 31 tháng 8 năm 2020 của Thủ tướng Chính phủ về việc phê duyệt Chương "
            "trình quốc gia hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng sản phẩm, hàng hóa giai đoạn "
            "2021-2030",
            "Quyết định số 36/QĐ-TTg ngày 11 tháng 01 năm 2021 của Thủ tướng Chính phủ về việc ban hành Kế hoạch "
            "tổng thể nâng cao năng suất dựa trên nền tảng khoa học, công nghệ và đổi mới sáng tạo giai đoạn "
            "2021-2030"))


def _at(app: App, clock: FrozenClock, text: str) -> None:
    clock.set(datetime.fromisoformat(text).replace(tzinfo=app.tz))
    console.rule(f"[bold]{clock.now().astimezone(app.tz):%H:%M ngày %d/%m/%Y}")


def _link(app: App, round_id: int, unit: str) -> str:
    """The unit's personal link token, as the unit finds it in its invitation."""
    body = next((text for code, text in message_texts(app, round_id, "invitation") if code == unit), "")
    match = re.search(r"/r/([A-Za-z0-9_-]+)", body)
    if match is None:
        raise RuntimeError(f"no invitation link for {unit}")
    return match.group(1)


def _opened(app: App, round_id: int, unit: str) -> str:
    """The unit opens the link of its invitation (the grid's "opened" counts it) and is on its page to answer."""
    token = _link(app, round_id, unit)
    record_opening(app, token)
    return token


def _tick(app: App) -> None:
    report = run_due(app)
    console.print(f"tick: {report.timers_fired} việc hẹn giờ đến hạn, {report.delivery.sent} thư đã gửi.")
    for error in report.delivery_errors:
        console.print(f"  chưa gửi được thư ({error}); lần quét sau sẽ gửi lại.")


def _command(app: App, round_id: int, event: Event) -> CommandResult:
    """One staff command through the service's command path; mail that could not go out now is said so."""
    result = run_command(app, round_id, event, STAFF)
    if result.notice:
        console.print(result.notice)
    return result


DEMO_USER = "demo"


def demo_base_url(host: str, port: int) -> str:
    """The address the demo serves on, for the personal links of its mail (never YKIEN_BASE_URL's port, which the
    demo does not listen on); a wildcard host (0.0.0.0, ::) is reached through loopback on this machine."""
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def run_demo(home: Path | None = None, serve: bool = False, host: str = "127.0.0.1", port: int = 8000) -> None:
    started = time.perf_counter()
    home = home or Path(tempfile.mkdtemp(prefix="ykien-demo-"))
    base = demo_base_url(host, port)
    settings = load_settings(home=home, database_url=f"sqlite:///{home}/ykien.db", smtp_url=None, now=None,
                             base_url=base)
    clock = FrozenClock(datetime(2025, 11, 20, 8, 30, tzinfo=settings.tz))
    app = build_app(settings, clock, create_schema=True)
    sink = MailSink(store_received(app))
    sink.start()
    app.smtp_url_override = sink.url
    try:
        _story(app, clock, home)
        _report(app, sink)
        if serve:
            links = _live_round(app, home)
    finally:
        sink.stop()
        app.smtp_url_override = None
    console.print(f"\nThư mục trình diễn: {home} · thời gian chạy {time.perf_counter() - started:.1f} giây.")
    if not serve:
        app.close()
        return
    password = secrets.token_urlsafe(9)
    add_user(app, DEMO_USER, "Cán bộ trình diễn", "admin", password, None, STAFF)
    console.rule("[bold]ykien serve")
    console.print(f"Mở {base}/ và đăng nhập: [bold]{DEMO_USER}[/] / [bold]{password}[/]")
    console.print("Đợt 1: câu chuyện của mẫu 000 (năm 2025, đã hết hạn nhận ý kiến). "
                  "Đợt 2: đang lấy ý kiến, theo đồng hồ thật.")
    for unit, link in links:
        console.print(f"Đường dẫn trả lời của {unit}: {link}")
    console.print("Ctrl-C để dừng.")
    from workflows.scheduler import serve_forever

    serve_forever(app, interval=30, use_prefect=False, host=host, port=port)


def _story(app: App, clock: FrozenClock, home: Path) -> None:
    console.rule("[bold]ykien demo: đợt lấy ý kiến theo công văn mẫu 000 (Sở KH&CN Cao Bằng)")
    _at(app, clock, "2025-11-20T08:30")
    report = import_units(app, UNITS_CSV, STAFF)
    console.print(f"Nhập danh bạ: {report.total} cơ quan, đơn vị.")
    kind = consultation_kind()
    seed = seed_round()
    draft = write_draft(home / "du-thao-ke-hoach.docx", "KẾ HOẠCH", capfirst(seed.title.removeprefix("Kế hoạch ")),
                        PLAN_OUTLINE)
    round_id = create_round(app, replace(seed, draft_path=draft), STAFF)
    silence = f", quá hạn không trả lời: {kind.silence.label}" if kind.silence.agreement else ""
    console.print(f"Tạo {kind.terms.round} số {round_id}, hạn trả lời 05/12/2025{silence}.")

    _at(app, clock, "2025-11-20T09:00")
    launched = _command(app, round_id, Launch())
    sent = launched.delivery.sent if launched.delivery else 0
    console.print(f"Phát hành: {launched.queued} thư xin ý kiến, đã gửi {sent}.")

    _at(app, clock, "2025-11-26T10:15")
    # The unit answers itself, through the personal link of its invitation: the audit credits the unit.
    answer(app, _opened(app, round_id, "SCT"), ResponseKind.COMMENTS, comments=(
        CommentInput("Đề nghị bổ sung chỉ tiêu số doanh nghiệp áp dụng ISO 9001 đến năm 2030.", "Mục II.2",
                     "Phấn đấu có ít nhất 50 doanh nghiệp áp dụng hệ thống quản lý chất lượng ISO 9001."),
        CommentInput("Kinh phí thực hiện cần tách rõ nguồn ngân sách tỉnh và nguồn xã hội hóa.", "Mục IV")))
    console.print(f"Sở Công Thương gửi 2 {kind.terms.answer} qua đường dẫn riêng (Mục II.2, Mục IV).")

    _at(app, clock, "2025-12-02T15:40")
    _command(app, round_id, Respond("STP", ResponseKind.AGREE, entered_by=STAFF, channel=ResponseChannel.PAPER,
                                    note="Công văn số 812/STP-XDKTVB"))
    console.print(f"Sở Tư pháp trả lời bằng văn bản giấy: {kind.terms.agreed.lower()} "
                  f"({STAFF} ghi nhận thay mặt đơn vị).")

    _at(app, clock, "2025-12-03T08:00")
    _tick(app)

    _at(app, clock, "2025-12-04T11:00")
    _command(app, round_id, Extend(datetime(2025, 12, 12).date(), "SYT",
                                   "Sở Y tế đề nghị gia hạn để lấy ý kiến các đơn vị trực thuộc"))
    console.print("Gia hạn cho Sở Y tế đến 12/12/2025 (thư thông báo gia hạn đã gửi).")
    console.print("\n[bold]Tình hình trước hạn[/]")
    render_round(round_view(app, round_id), [], app.tz)

    for moment in ("2025-12-06T00:00", "2025-12-08T08:00", "2025-12-10T08:00"):
        _at(app, clock, moment)
        _tick(app)

    _at(app, clock, "2025-12-11T14:20")
    answer(app, _opened(app, round_id, "SYT"), ResponseKind.COMMENTS, comments=(
        CommentInput("Đề nghị bổ sung nội dung hỗ trợ cơ sở sản xuất dược liệu áp dụng GACP.", "Mục III.1"),))
    console.print(f"Sở Y tế trả lời qua đường dẫn riêng trong thời gian được gia hạn "
                  f"(1 {kind.terms.answer}, Mục III.1).")

    for moment in ("2025-12-12T08:00", "2025-12-13T00:00"):
        _at(app, clock, moment)
        _tick(app)

    _at(app, clock, "2025-12-15T09:30")
    _command(app, round_id, Respond("SNV", ResponseKind.AGREE, entered_by=STAFF, channel=ResponseChannel.PAPER,
                                    note="Công văn đến sau hạn", late_accept=True))
    console.print(f"Sở Nội vụ gửi văn bản sau khi đã kết thúc nhận trả lời, trả lời \"{kind.terms.agreed}\": {STAFF} "
                  "chấp nhận văn bản đến muộn, ghi nhận thay mặt đơn vị.")
    console.print("\n[bold]Tình hình sau hạn[/]")
    view = round_view(app, round_id)
    render_round(view, latest_responses(app, round_id), app.tz)
    events, broken = audit_trail(app, round_id)
    render_audit(events, broken, app.tz, view.state.workflow,
                 {code: recipient.unit_name for code, recipient in view.state.recipients.items()})


def _live_round(app: App, home: Path) -> list[tuple[str, str]]:
    """A second round on the real clock, so the recipient links of the served demo work."""
    app.clock = SystemClock()
    today = app.clock.now().astimezone(app.tz).date()
    title = "Quy chế quản lý nhiệm vụ khoa học và công nghệ cấp tỉnh (dự thảo lần 2)"
    draft_file = write_draft(home / "du-thao-quy-che.docx", "QUY CHẾ",
                             "Quản lý nhiệm vụ khoa học và công nghệ cấp tỉnh", REGULATION_OUTLINE)
    draft = replace(seed_round(), deadline=app.calendar.add_working_days(today, 10), deadline_working_days=10,
                    title=title, subject="", office="QLKH", draft_path=draft_file,
                    addressees=(Addressee(groups=("so-ban-nganh", "hiep-hoi")),))
    round_id = create_round(app, draft, STAFF)
    _command(app, round_id, Launch())
    links: list[tuple[str, str]] = []
    for code, text in message_texts(app, round_id, "invitation")[:3]:
        match = re.search(r"(\S+/r/[A-Za-z0-9_-]+)", text)
        if match:
            links.append((code or "?", match.group(1)))
    return links


def _report(app: App, sink: MailSink) -> None:
    mails = all_received_raw(app)
    parser = BytesHeaderParser()
    per_unit: dict[str, Counter[str]] = defaultdict(Counter)
    for raw in mails:
        headers = parser.parsebytes(raw)
        per_unit[headers.get("X-Ykien-Unit", "?")][headers.get("X-Ykien-Kind", "?")] += 1
    table = Table(title=f"Thư hộp thư nội bộ đã nhận ({len(mails)} thư, {sink.url})")
    table.add_column("Đơn vị")
    for label in KIND_LABELS.values():
        table.add_column(label, justify="right")
    for unit in sorted(per_unit):
        table.add_row(unit, *(str(per_unit[unit].get(kind, "")) for kind in KIND_LABELS))
    console.print(table)
