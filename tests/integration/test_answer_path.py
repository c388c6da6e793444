"""Issue 13 item 5: the answer path does not grow with the round.

Recording one answer reads and writes that unit's rows only (the same SQL statements in a round of 50 units as in
one of 500), queues its receipt for the delivery sweep instead of sending it inside the request, and 200 answers
at once into one round are each recorded exactly once with the audit chain intact. The round page's counts and
filters, now SQL, classify the units as the Python rule (models.unit_status) does.
"""
from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from config.clock import FrozenClock
from models.db.tables import OutboxRow, RecipientRow, ResponseRow
from models.rounds import RecipientRole, ResponseKind
from notifications.testing import SmtpCapture
from workflows.engine.events import CommentInput, Extend, Launch, Remind, Respond
from workflows.service.app import App
from workflows.service.directory import import_units
from workflows.service.recipients import answer, record_opening
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.sweep import run_due
from workflows.service.views import GridFilter, audit_trail, round_grid, round_view
from workflows.web.app import create_web_app
from workflows.web.security import link_csrf

STAFF = "Phạm Phi Long (TĐC)"
GROUPS = ("so-ban-nganh", "xa-phuong")
LINK = re.compile(r"/r/([A-Za-z0-9_-]+)")
COMMENTS = (CommentInput("Đề nghị bổ sung chỉ tiêu số doanh nghiệp áp dụng ISO 9001.", "Mục II", "Ít nhất 50."),
            CommentInput("Kinh phí chưa tách nguồn ngân sách và xã hội hóa.", "Mục IV"))


def write_units(path: Path, count: int) -> Path:
    lines = ["code,name,group,email,contact_person,phone"]
    lines += [f"DV{i:04d},Đơn vị thử nghiệm số {i},{GROUPS[i % 2]},vanthu.dv{i:04d}@test.example.vn,Văn thư,"
              f"0206 3852 {i:03d}" for i in range(1, count + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def launched_round(app: App, codes: list[str], deadline: date = date(2025, 12, 5)) -> tuple[int, dict[str, str]]:
    """A launched consultation round to `codes` (invitations queued, not sent) and each unit's link token."""
    title = "Kế hoạch chuyển đổi số ngành khoa học và công nghệ giai đoạn 2026 – 2030"
    round_id = create_round(app, NewRound(
        title=title, subject=f"xin ý kiến góp ý đối với dự thảo {title}", workflow="consultation", office="TĐC",
        deadline=deadline, addressees=(Addressee(units=tuple(codes)),), contact_name="Ông Phạm Phi Long",
        contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền"), STAFF)
    execute(app, round_id, Launch(), STAFF)
    with app.uow(read_only=True) as uow:
        rows = uow.session.execute(select(OutboxRow.unit_code, OutboxRow.text_body).where(
            OutboxRow.round_id == round_id, OutboxRow.kind == "invitation")).all()
    return round_id, {code: match.group(1) for code, body in rows if code and (match := LINK.search(body))}


@pytest.fixture
def directory(app: App, tmp_path: Path) -> list[str]:
    """500 units in the directory, by code."""
    import_units(app, write_units(tmp_path / "units.csv", 500), STAFF)
    return [f"DV{i:04d}" for i in range(1, 501)]


@dataclass
class StatementLog:
    """Every SQL statement the app's engine sends, with the rows a write touched."""

    statements: list[tuple[str, int]] = field(default_factory=list)

    def seen(self, _conn: Any, cursor: Any, statement: str, _parameters: Any, _context: Any, _many: bool) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        self.statements.append((" ".join(statement.split()), cursor.rowcount if verb in ("INSERT", "UPDATE",
                                                                                            "DELETE") else -1))


@contextmanager
def statements(app: App) -> Iterator[StatementLog]:
    log = StatementLog()
    event.listen(app.engine, "after_cursor_execute", log.seen)
    try:
        yield log
    finally:
        event.remove(app.engine, "after_cursor_execute", log.seen)


def test_an_answer_reads_and_writes_its_own_unit_only_in_a_round_of_50_as_of_500(app: App,
                                                                                directory: list[str]) -> None:
    logs: dict[int, StatementLog] = {}
    for size in (50, 500):
        _, tokens = launched_round(app, directory[:size])
        first, second = sorted(tokens)[:2]
        answer(app, tokens[first], ResponseKind.AGREE)  # one answer before: the round has answers in both
        with statements(app) as logs[size]:
            receipt = answer(app, tokens[second], ResponseKind.COMMENTS, COMMENTS)
        assert receipt.revision == 1 and receipt.comment_count == 2
    small, large = logs[50].statements, logs[500].statements
    assert [s for s, _ in small] == [s for s, _ in large], "the statements of one answer differ with the round's size"
    assert [n for _, n in small] == [n for _, n in large]
    # Every read of the units names one unit by a value (its row, its code, or its link's token, which is unique):
    # none loads the round's units, and none joins them to a column that could match many.
    reads = [s for s, _ in large if s.startswith("SELECT") and re.search(r"\b(FROM|JOIN) recipients\b", s)]
    one_unit = r"WHERE .*(recipients\.(id|unit_code)|access_tokens\.token_hash) = (\?|%\(|:)"
    assert reads and all(re.search(one_unit, s) for s in reads), reads
    # What recording needs and no more: not the draft's version, not the unit's earlier answers (this form takes
    # no files an answer sent again would keep).
    assert not [s for s, _ in large if re.match(r"SELECT .* FROM (draft_versions|responses)\b", s)], large
    writes = [(s, n) for s, n in large if n >= 0]
    updated = [(s, n) for s, n in writes if s.startswith("UPDATE")]
    # The unit's own row and nothing else of the round: no other recipient, not the round's row.
    assert [(s.split()[1], n) for s, n in updated] == [("recipients", 1)], updated
    # Its answer, the answer's comments, the receipt, the receipt's link and the audit event; the one DELETE is the
    # unit's own answer saved unsent, if it had one (none here: nothing deleted).
    inserted = Counter(s.split()[2] for s, _ in writes if s.startswith("INSERT"))
    assert set(inserted) == {"responses", "comments", "outbox", "access_tokens", "audit_events"}, inserted
    assert inserted["responses"] == inserted["outbox"] == inserted["access_tokens"] == inserted["audit_events"] == 1
    deleted = [(s, n) for s, n in writes if s.startswith("DELETE")]
    assert all(re.match(r"DELETE FROM saved_answers WHERE saved_answers\.recipient_id = ", s) and n == 0
               for s, n in deleted), deleted
    assert all(s.startswith(("INSERT", "UPDATE", "DELETE")) for s, _ in writes)


def closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_answer_queues_its_receipt_and_the_sweep_sends_it(app: App, directory: list[str],
                                                             capture: SmtpCapture) -> None:
    round_id, tokens = launched_round(app, directory[:12])
    run_due(app)  # the invitations go out
    before = len(capture.messages)
    token = tokens["DV0003"]
    app.smtp_url_override = f"smtp://127.0.0.1:{closed_port()}"  # the mail server is down: nothing may wait on it
    web = TestClient(create_web_app(app))
    answered = web.post(f"/r/{token}", data={"csrf_token": link_csrf(app, token), "action": "send",
                                             "answer": "agree"}, follow_redirects=False)
    assert answered.status_code == 303 and answered.headers["location"] == f"/r/{token}/sent"
    assert "Thư xác nhận sẽ được gửi tới địa chỉ thư điện tử" in web.get(answered.headers["location"]).text
    with app.uow(read_only=True) as uow:
        [receipt] = [row for row in uow.outbox.for_round(round_id) if row.kind == "receipt"]
    assert (receipt.status, receipt.attempts, receipt.unit_code) == ("queued", 0, "DV0003")  # never tried
    assert len(capture.messages) == before

    app.smtp_url_override = None  # the server is back: the delivery sweep sends it, once
    run_due(app)
    arrived = [m for m in capture.messages[before:] if m["X-Ykien-Kind"] == "receipt"]
    assert [str(m["X-Ykien-Unit"]) for m in arrived] == ["DV0003"] and len(capture.messages) == before + 1
    run_due(app)
    assert len(capture.messages) == before + 1


def test_the_api_records_a_paper_answer_and_leaves_its_receipt_to_the_sweep(app: App, directory: list[str],
                                                                             capture: SmtpCapture) -> None:
    from workflows.service.staff import add_user

    round_id, _ = launched_round(app, directory[:12])
    run_due(app)
    before = len(capture.messages)
    add_user(app, "admin", "Quản trị", "admin", "matkhau-rat-dai", None, STAFF)
    client = TestClient(create_web_app(app))
    session = client.post("/api/session", json={"username": "admin", "password": "matkhau-rat-dai"}).json()
    answered = client.post(f"/api/rounds/{round_id}/respond", json={"unit": "DV0004", "kind": "agree",
                                                                    "channel": "paper"},
                           headers={"X-CSRF-Token": session["csrf_token"]})
    assert answered.status_code == 200, answered.text
    assert answered.json()["messages"] == 1 and "hộp thư đi" in answered.json()["mail_notice"]
    assert len(capture.messages) == before
    run_due(app)
    assert [str(m["X-Ykien-Unit"]) for m in capture.messages[before:]] == ["DV0004"]


def test_200_answers_at_once_into_one_round_are_each_recorded_once_with_the_audit_chain_intact(
        app: App, directory: list[str]) -> None:
    round_id, tokens = launched_round(app, directory[:250])
    chosen = sorted(tokens)[:200]
    started = threading.Barrier(12)

    def one(code: str) -> int:
        if code in chosen[:12]:
            started.wait(timeout=30)  # the first twelve begin together
        return answer(app, tokens[code], ResponseKind.COMMENTS, COMMENTS).revision

    with ThreadPoolExecutor(max_workers=12) as pool:
        revisions = list(pool.map(one, chosen))
    assert revisions == [1] * 200
    with app.uow(read_only=True) as uow:
        stored = Counter(dict(uow.session.execute(
            select(RecipientRow.unit_code, func.count(ResponseRow.id))
            .join(ResponseRow, ResponseRow.recipient_id == RecipientRow.id)
            .where(RecipientRow.round_id == round_id).group_by(RecipientRow.unit_code)).all()))
        receipts = sum(1 for row in uow.outbox.for_round(round_id) if row.kind == "receipt")
    assert stored == Counter(dict.fromkeys(chosen, 1))
    assert receipts == 200
    events, broken = audit_trail(app, round_id)
    assert broken is None
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert sorted(e.details["unit"] for e in events if e.action == "respond") == chosen
    assert round_grid(app, round_id).counts["comments"] == 200


def test_the_grid_counts_and_filters_in_sql_classify_each_unit_as_its_status_does(
        app: App, directory: list[str], clock: FrozenClock) -> None:
    codes = directory[:12]
    # Units only informed (no link) and asked to publish, beside the ten asked to comment.
    round_id = create_round(app, NewRound(
        title="Đợt thử", subject="", workflow="consultation", office="TĐC", deadline=date(2025, 12, 5),
        addressees=(Addressee(units=tuple(codes[:9])), Addressee(units=(codes[9],), role=RecipientRole.PUBLISH),
                    Addressee(units=tuple(codes[10:]), role=RecipientRole.INFORM)),
        contact_name="Ông Phạm Phi Long", contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền"), STAFF)
    execute(app, round_id, Launch(), STAFF)
    run_due(app)  # invitations sent
    with app.uow(read_only=True) as uow:
        tokens = {row.unit_code: match.group(1) for row in uow.outbox.for_round(round_id)
                  if row.kind == "invitation" and (match := LINK.search(row.text_body))}
        failed = next(row.id for row in uow.outbox.for_round(round_id) if row.unit_code == codes[8])
    with app.uow() as uow:
        uow.outbox.mark_failed(failed, "550 no such mailbox")
        uow.commit()
    answer(app, tokens[codes[0]], ResponseKind.AGREE)
    answer(app, tokens[codes[1]], ResponseKind.COMMENTS, COMMENTS)  # its receipt stays queued
    record_opening(app, tokens[codes[2]])
    record_opening(app, tokens[codes[9]])
    execute(app, round_id, Extend(date(2025, 12, 12), codes[3], "xin thêm thời gian"), STAFF)
    clock.set(datetime(2025, 12, 8, 9, 0, tzinfo=clock.now().tzinfo))  # past the round's deadline
    execute(app, round_id, Respond(codes[4], ResponseKind.AGREE, STAFF), STAFF)  # answered late, in the grace
    answer(app, tokens[codes[3]], ResponseKind.AGREE)  # within its own extension: not late

    full = round_view(app, round_id)
    grid = round_grid(app, round_id)
    assert grid.counts == full.counts and grid.total == len(full.units) == 12
    assert {u.unit_code: u for u in grid.units} == {u.unit_code: u for u in full.units}
    assert {"agree", "comments", "silent", "not_asked", "email_sent", "email_queued", "email_failed",
            "late", "extended", "opened"} <= {k for k, v in grid.counts.items() if v}, grid.counts

    def python(unit_filter: GridFilter) -> list[str]:
        return [u.unit_code for u in full.units
                if (not unit_filter.answer or u.answer.value == unit_filter.answer)
                and (not unit_filter.email or u.email.value == unit_filter.email)
                and (unit_filter.opened != "yes" or u.first_opened_at is not None)
                and (unit_filter.opened != "no" or (u.first_opened_at is None and u.role != "inform"))
                and (not unit_filter.late or u.late) and (not unit_filter.extended or u.extended)]

    filters = [GridFilter(answer=a) for a in ("agree", "comments", "pending", "silent", "not_asked")] + \
        [GridFilter(email=e) for e in ("none", "queued", "sent", "failed")] + \
        [GridFilter(opened="yes"), GridFilter(opened="no"), GridFilter(late=True), GridFilter(extended=True),
         GridFilter(answer="silent", opened="no")]
    for unit_filter in filters:
        shown = round_grid(app, round_id, unit_filter)
        assert [u.unit_code for u in shown.units] == python(unit_filter), unit_filter
        assert shown.matched == len(python(unit_filter))
    # Pages of 5, and a search by name (folded in SQL: capitals, diacritics).
    pages = [round_grid(app, round_id, page=n, page_size=5) for n in (1, 2, 3, 4)]
    assert [u.unit_code for p in pages[:3] for u in p.units] == [u.unit_code for u in full.units]
    assert pages[3].page == 3 and pages[0].pages == 3 and pages[2].first_shown == 11
    found = round_grid(app, round_id, search="ĐƠN VỊ THỬ NGHIỆM SỐ 1")
    assert [u.unit_code for u in found.units] == [u.unit_code for u in full.units
                                                  if u.unit_name.endswith(("số 1", "số 10", "số 11", "số 12"))]
    assert found.matched == 4


def test_an_extension_for_one_unit_reads_the_others_deadlines_in_one_aggregate_and_writes_its_own_unit(
        app: App, directory: list[str]) -> None:
    logs: dict[int, StatementLog] = {}
    planned: dict[int, list[tuple[str, str, datetime]]] = {}
    for size in (50, 500):
        round_id, _ = launched_round(app, directory[:size])
        execute(app, round_id, Extend(date(2025, 12, 10), directory[5], "đề nghị của đơn vị"), STAFF)  # 2 deadlines
        with statements(app) as logs[size]:
            execute(app, round_id, Extend(date(2025, 12, 12), directory[7], "đề nghị của đơn vị"), STAFF)
        with app.uow(read_only=True) as uow:
            planned[size] = sorted((t.name, t.key, t.due_at) for t in uow.timers.pending_for_round(round_id))
    small, large = logs[50].statements, logs[500].statements
    assert [s for s, _ in small] == [s for s, _ in large], "the statements of one extension differ with the size"
    assert [n for _, n in small] == [n for _, n in large], "an extension wrote more rows in the larger round"
    updated = [(s.split()[1], n) for s, n in large if n >= 0 and s.startswith("UPDATE")]
    # The unit's own row, and the round's pending timers cancelled to be replanned: one per distinct deadline and
    # timer (here two reminders and the close), not per unit.
    assert updated == [("recipients", 1), ("timers", 3)], updated
    unit_reads = [s for s, _ in large if s.startswith("SELECT") and re.search(r"\b(FROM|JOIN) recipients\b", s)]
    assert all(re.search(r"recipients\.unit_code (=|!=) ", s) for s in unit_reads), unit_reads
    # The timers replanned from the three deadlines (05, 10 and 12/12): a reminder before each, the close after the
    # latest; the same plan at both sizes.
    assert planned[50] == planned[500]
    reminders = sorted(key for name, key, _ in planned[500] if name == "remind_before")
    assert reminders == ["remind_before@2025-12-05#1", "remind_before@2025-12-10#1", "remind_before@2025-12-12#1"]
    assert [key for name, key, _ in planned[500] if name == "close"] == ["close@2025-12-12#1"]


def test_a_reminder_to_the_units_chosen_reads_and_writes_those_units_only(app: App, directory: list[str]) -> None:
    logs: dict[int, StatementLog] = {}
    for size in (50, 500):
        round_id, _ = launched_round(app, directory[:size])
        execute(app, round_id, Respond(directory[3], ResponseKind.AGREE, STAFF), STAFF)
        with statements(app) as logs[size]:  # one has answered: skipped; two are reminded
            decision = execute(app, round_id, Remind((directory[2], directory[3], directory[4])), STAFF)
        assert [m.unit_code for m in decision.messages] == [directory[2], directory[4]]
        with app.uow(read_only=True) as uow:
            reminded = {r.unit_code: r.reminders_sent for r in uow.rounds.get(round_id, lock=False).recipients.values()}
        assert {code for code, sent in reminded.items() if sent} == {directory[2], directory[4]}
    small, large = logs[50].statements, logs[500].statements
    assert [s for s, _ in small] == [s for s, _ in large], "the statements of one reminder differ with the size"
    assert [n for _, n in small] == [n for _, n in large], "a reminder wrote more rows in the larger round"
    unit_reads = [s for s, _ in large if s.startswith("SELECT") and re.search(r"\b(FROM|JOIN) recipients\b", s)]
    assert unit_reads and all(re.search(r"recipients\.unit_code IN ", s) for s in unit_reads), unit_reads
    updated = [(s.split()[1], n) for s, n in large if n >= 0 and s.startswith("UPDATE")]
    assert updated == [("recipients", 2)], updated  # the two reminded units, in one executemany
    with app.uow(read_only=True) as uow:
        queued = [row.unit_code for row in uow.outbox.for_round(round_id) if row.kind.startswith("reminder")]
    assert sorted(queued) == [directory[2], directory[4]]


def _answers_and_receipts(app: App, round_id: int, code: str) -> tuple[list[int], int]:
    with app.uow(read_only=True) as uow:
        revisions = list(uow.session.scalars(
            select(ResponseRow.revision).join(RecipientRow, ResponseRow.recipient_id == RecipientRow.id)
            .where(RecipientRow.round_id == round_id, RecipientRow.unit_code == code).order_by(ResponseRow.revision)))
        receipts = sum(1 for row in uow.outbox.for_round(round_id) if row.kind == "receipt" and row.unit_code == code)
    return revisions, receipts


def test_the_same_answer_sent_again_is_kept_once_with_one_receipt(app: App, directory: list[str]) -> None:
    round_id, tokens = launched_round(app, directory[:12])
    token = tokens["DV0004"]
    first = answer(app, token, ResponseKind.COMMENTS, COMMENTS)
    again = answer(app, token, ResponseKind.COMMENTS, COMMENTS)  # the page sent again: back, then "Gửi"
    assert (first.revision, again.revision, again.received_at) == (1, 1, first.received_at)
    assert _answers_and_receipts(app, round_id, "DV0004") == ([1], 1)
    changed = answer(app, token, ResponseKind.COMMENTS, COMMENTS[:1])  # a real change is a new revision
    assert changed.revision == 2 and _answers_and_receipts(app, round_id, "DV0004") == ([1, 2], 2)
    back = answer(app, token, ResponseKind.COMMENTS, COMMENTS)  # and going back to the first text is one too
    assert back.revision == 3
    events, broken = audit_trail(app, round_id)
    assert broken is None and sum(e.action == "respond" for e in events) == 3


def test_a_double_click_of_four_identical_answers_at_once_is_kept_once(app: App, directory: list[str]) -> None:
    round_id, tokens = launched_round(app, directory[:12])
    started = threading.Barrier(4)

    def one(_: int) -> int:
        started.wait(timeout=30)
        return answer(app, tokens["DV0005"], ResponseKind.COMMENTS, COMMENTS).revision

    with ThreadPoolExecutor(max_workers=4) as pool:
        revisions = list(pool.map(one, range(4)))
    assert revisions == [1] * 4
    assert _answers_and_receipts(app, round_id, "DV0005") == ([1], 1)
