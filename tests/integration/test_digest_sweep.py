"""The staff's daily digest through the sweep, on SQLite and PostgreSQL, delivered to a real SMTP server on
loopback: once per staff member and working day, even with two replicas sweeping at the same moment."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from config.clock import FrozenClock
from models.db.tables import OutboxRow
from models.errors import InvalidInput
from models.rounds import ResponseKind
from tests.integration.test_storage import race
from workflows.engine.events import CommentInput, Extend, Launch, Respond
from workflows.service.accounts import AccountNotFound
from workflows.service.app import App
from workflows.service.digest import digest_choice, queue_due_digests, set_digest
from workflows.service.offices import add_office
from workflows.service.rounds import execute
from workflows.service.staff import add_user
from workflows.service.sweep import run_due
from workflows.service.views import round_view

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ADDRESS = "long.pp@skhcn.caobang.gov.vn"


def at(clock: FrozenClock, text: str) -> None:
    clock.set(datetime.fromisoformat(text).replace(tzinfo=TZ))


@pytest.fixture
def launched(app: App, clock: FrozenClock, make_round: Callable[..., int], staff: str) -> int:
    """A consultation round of TĐC launched on Thursday 20/11/2025 at 09:00 (deadline 05/12), its invitations sent;
    a staff member of TĐC who asked for the digest."""
    round_id = make_round(deadline=date(2025, 12, 5))
    add_user(app, "canbo", "Phạm Phi Long", "staff", "matkhau-rat-dai", "TĐC", staff)
    set_digest(app, "canbo", True, ADDRESS, staff)
    at(clock, "2025-11-20T09:00")
    execute(app, round_id, Launch(), staff)
    run_due(app)
    at(clock, "2025-11-20T15:00")
    execute(app, round_id, Respond("SCT", ResponseKind.AGREE, staff), staff)
    execute(app, round_id, Respond("STC", ResponseKind.COMMENTS, staff, comments=(CommentInput("Bổ sung chỉ tiêu."),)),
            staff)
    run_due(app)
    return round_id


def digests(mail) -> list:  # type: ignore[no-untyped-def]
    return [m for m in mail.capture.messages[mail.seen:] if str(m["X-Ykien-Kind"]) == "digest"]


def test_the_digest_arrives_once_after_its_time_on_a_working_day(  # type: ignore[no-untyped-def]
        app: App, clock: FrozenClock, mail, launched: int) -> None:
    mail.take()
    at(clock, "2025-11-21T07:29")  # Friday, a minute early
    run_due(app)
    assert mail.take() == []
    at(clock, "2025-11-21T07:31")
    run_due(app)
    received = mail.take()
    assert len(received) == 1
    message = received[0]
    assert str(message["To"]) == ADDRESS
    assert str(message["Message-ID"]) == "<digest-1.20251121@skhcn.localhost>"
    assert str(message["Subject"]) == "[SKHCN] Tổng hợp ngày 21/11/2025: 2 trả lời mới (1 đợt)"
    text = message.get_body(("plain",)).get_content()
    assert "Trả lời mới (2):" in text
    assert "Sở Công Thương: Đồng ý / không có ý kiến, lúc 15:00 ngày 20/11/2025" in text
    assert "Chưa trả lời, còn trong hạn (8):" in text
    assert f"/rounds/{launched}" in text
    run_due(app)  # later sweeps of the day: nothing more
    at(clock, "2025-11-21T18:00")
    run_due(app)
    at(clock, "2025-11-22T09:00")  # Saturday
    run_due(app)
    at(clock, "2025-11-23T09:00")  # Sunday
    run_due(app)
    assert mail.take() == []
    at(clock, "2025-11-24T07:31")  # Monday: since Friday's digest, nothing new
    run_due(app)
    monday = mail.take()
    assert len(monday) == 1
    assert "không có trả lời mới" in str(monday[0]["Subject"])
    with app.uow(read_only=True) as uow:
        rows = list(uow.session.execute(select(OutboxRow.round_id, OutboxRow.status)
                                        .where(OutboxRow.kind == "digest")))
        days = [day for day, _ in uow.digests.sent_days(1)]
    # Thursday's came with the launch's sweep at 09:00 (after 07:30 on a working day), then Friday's and Monday's
    assert rows == [(None, "sent")] * 3
    assert days == [date(2025, 11, 20), date(2025, 11, 21), date(2025, 11, 24)]


def test_two_replicas_sweeping_at_once_queue_one_digest(  # type: ignore[no-untyped-def]
        app: App, app_factory: Callable[[], App], clock: FrozenClock, mail, launched: int) -> None:
    mail.take()
    sweepers = [app_factory(), app_factory()]
    at(clock, "2025-11-21T07:31")
    queued = race(sweepers, queue_due_digests)  # type: ignore[arg-type]
    assert sorted(queued) == [0, 1]  # type: ignore[type-var]
    race(sweepers)
    assert [str(m["X-Ykien-Kind"]) for m in mail.take()] == ["digest"]
    restarted = app_factory()  # a restarted process the same day
    assert queue_due_digests(restarted) == 0
    with app.uow(read_only=True) as uow:
        assert [day for day, _ in uow.digests.sent_days(1)] == [date(2025, 11, 20), date(2025, 11, 21)]


def test_no_digest_on_tet_and_none_for_a_staff_member_without_live_rounds(  # type: ignore[no-untyped-def]
        app: App, clock: FrozenClock, mail, launched: int, staff: str) -> None:
    add_user(app, "lanhdao", "Nông Thị Thanh Huyền", "leader", "matkhau-rat-dai", None, staff)
    set_digest(app, "lanhdao", True, "huyen.ntt@skhcn.caobang.gov.vn", staff)  # no office: every round
    add_office(app, "KHTC", "Phòng Kế hoạch – Tài chính", staff)
    add_user(app, "khac", "Cán bộ phòng khác", "staff", "matkhau-rat-dai", "KHTC", staff)
    set_digest(app, "khac", True, "khac@skhcn.caobang.gov.vn", staff)  # no round of KHTC: no email
    mail.take()
    at(clock, "2026-02-17T09:00")  # Tết Nguyên đán
    assert queue_due_digests(app) == 0
    at(clock, "2025-11-21T07:31")
    assert queue_due_digests(app) == 2
    run_due(app)
    assert sorted(str(m["To"]) for m in mail.take()) == ["huyen.ntt@skhcn.caobang.gov.vn", ADDRESS]
    with app.uow(read_only=True) as uow:
        khac = uow.staff.account("khac")
        assert khac is not None and uow.digests.sent_days(khac.user.id) == [(date(2025, 11, 21), None)]


def test_bad_input_is_refused_and_changes_nothing(app: App, launched: int, staff: str) -> None:
    for bad in ("canbo@", "không phải thư", "", "a@b"):
        with pytest.raises(InvalidInput, match=r"^email: "):
            set_digest(app, "canbo", True, bad, staff)
    assert digest_choice(app, "canbo").email == ADDRESS
    with pytest.raises(AccountNotFound):
        set_digest(app, "khongco", True, ADDRESS, staff)
    assert set_digest(app, "canbo", False, None, staff).email is None
    assert not digest_choice(app, "canbo").on


def test_the_deadline_closing_the_round_is_announced_once(  # type: ignore[no-untyped-def]
        app: App, clock: FrozenClock, mail, launched: int) -> None:
    at(clock, "2025-12-04T07:31")  # Thursday: the round's deadline and its close are Friday 05/12
    run_due(app)
    thursday = [m for m in mail.take() if str(m["X-Ykien-Kind"]) == "digest"][-1].get_body(("plain",)).get_content()
    assert thursday.count("05/12/2025:") == 1, thursday
    assert "05/12/2025: Hết hạn nhận trả lời" in thursday


def test_the_digest_announces_what_falls_due_and_reads_silence_as_the_grid_does(  # type: ignore[no-untyped-def]
        app: App, clock: FrozenClock, mail, launched: int, staff: str) -> None:
    execute(app, launched, Extend(date(2025, 12, 10), "SNV", "Đang xin ý kiến lãnh đạo"), staff)
    at(clock, "2025-12-02T07:31")  # Tuesday: the reminder is planned for Wednesday 03/12
    run_due(app)
    tuesday = [m for m in mail.take() if str(m["X-Ykien-Kind"]) == "digest"][-1].get_body(("plain",)).get_content()
    assert "03/12/2025: Nhắc trước hạn" in tuesday, tuesday
    at(clock, "2025-12-04T07:31")  # Thursday: the round's deadline is Friday 05/12
    run_due(app)
    thursday = [m for m in mail.take() if str(m["X-Ykien-Kind"]) == "digest"][-1].get_body(("plain",)).get_content()
    assert "05/12/2025: Hết thời hạn lấy ý kiến của đợt" in thursday
    at(clock, "2025-12-09T07:31")  # Tuesday after the deadline; SNV's extension ends on Wednesday 10/12
    run_due(app)
    after = [m for m in mail.take() if str(m["X-Ykien-Kind"]) == "digest"][-1].get_body(("plain",)).get_content()
    # the round takes silence as agreement (the kind's default): the grid marks the 7 overdue units so, and so does
    # the digest
    grid = round_view(app, launched)
    assert sum(unit.counted_as_agreement for unit in grid.units) == 7 and grid.silence_label == "coi như đồng ý"
    assert "Quá hạn, coi như đồng ý (7): Sở Giáo dục và Đào tạo; Sở Tư pháp" in after
    assert "Chưa trả lời, còn trong hạn (1): Sở Nội vụ" in after
    assert "10/12/2025: Hết hạn gia hạn của 1 đơn vị chưa trả lời: Sở Nội vụ" in after
