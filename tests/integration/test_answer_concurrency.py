"""Issue 13 item 5: answers of one round run side by side on PostgreSQL, and nothing gets lost or reordered for it.

An answer (an event about one unit that reads only that unit) holds the round's row FOR SHARE and its unit's row
for update; answers of other units go on beside it, an event that changes the round (a close) waits for it and it
for the close, and the round's audit chain stays one verified chain, appended to in turn at the very end of each
transaction. Each test pauses one transaction at a known point (the `also` hook runs inside the transaction, after
the event's rows are written and before its audit event) and looks at what another one can do meanwhile.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, update

from models.db.tables import AuditRow, OutboxRow, RecipientRow, ResponseRow
from models.db.unit_of_work import UnitOfWork
from models.rounds import ResponseKind
from workflows.engine.decide import needs_for
from workflows.engine.decision import Decision
from workflows.engine.events import Close, CommentInput, Extend, Launch, Respond
from workflows.engine.needs import Needs
from workflows.engine.refusals import Refused
from workflows.service.app import App
from workflows.service.directory import import_units
from workflows.service.recipients import answer
from workflows.service.registry import get_workflow
from workflows.service.rounds import Addressee, NewRound, create_round, execute, one_unit_only
from workflows.service.views import audit_trail

STAFF = "Phạm Phi Long (TĐC)"
COMMENT = (CommentInput("Đề nghị bổ sung chỉ tiêu số doanh nghiệp áp dụng ISO 9001.", "Mục II", "Ít nhất 50."),)
WAIT = 30.0  # seconds a paused transaction or a thread may take at most before the test gives up
BLOCKED = 1.0  # seconds a blocked transaction is watched staying blocked
LINK = re.compile(r"/r/([A-Za-z0-9_-]+)")


@pytest.fixture
def backend() -> str:
    """Row locks are PostgreSQL's; on SQLite writers go one at a time (BEGIN IMMEDIATE) and none of this applies."""
    return "postgresql"


def launched_round(app: App, tmp_path: Path, units: int = 6) -> tuple[int, list[str]]:
    lines = ["code,name,group,email,contact_person,phone"]
    lines += [f"DV{i:02d},Đơn vị thử nghiệm số {i},so-ban-nganh,vanthu.dv{i:02d}@test.example.vn,Văn thư,"
              f"0206 3852 {i:03d}" for i in range(1, units + 1)]
    (tmp_path / "units.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_units(app, tmp_path / "units.csv", STAFF)
    codes = [f"DV{i:02d}" for i in range(1, units + 1)]
    title = "Kế hoạch chuyển đổi số ngành khoa học và công nghệ giai đoạn 2026 – 2030"
    round_id = create_round(app, NewRound(
        title=title, subject=f"xin ý kiến góp ý đối với dự thảo {title}", workflow="consultation", office="TĐC",
        deadline=date(2025, 12, 5), addressees=(Addressee(units=tuple(codes)),), contact_name="Ông Phạm Phi Long",
        contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền"), STAFF)
    execute(app, round_id, Launch(), STAFF)
    return round_id, codes


def respond(unit: str) -> Respond:
    return Respond(unit, ResponseKind.COMMENTS, entered_by=f"{unit} (qua đường dẫn)", comments=COMMENT)


class Pause:
    """An `also` hook that holds its transaction open (its locks taken, its rows written, its audit not yet
    appended) until released."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.released = threading.Event()

    def __call__(self, _uow: UnitOfWork, _decision: Decision) -> None:
        self.entered.set()
        if not self.released.wait(WAIT):
            raise TimeoutError("the test never released the paused transaction")


@contextmanager
def paused(app: App, round_id: int, first: Any) -> Iterator[tuple[Pause, Future[Decision], ThreadPoolExecutor]]:
    """Run `first` in a thread, paused inside its transaction; the pool runs what the test starts meanwhile.
    The pause is released on the way out whatever happens, so a failing test never hangs."""
    pause = Pause()
    with ThreadPoolExecutor(max_workers=3) as pool:
        held = pool.submit(execute, app, round_id, first, STAFF, pause)
        try:
            assert pause.entered.wait(WAIT), "the first transaction never reached its pause"
            yield pause, held, pool
        finally:
            pause.released.set()


def stored_revisions(app: App, round_id: int) -> dict[str, list[int]]:
    with app.uow(read_only=True) as uow:
        rows = uow.session.execute(select(RecipientRow.unit_code, ResponseRow.revision)
                                   .join(ResponseRow, ResponseRow.recipient_id == RecipientRow.id)
                                   .where(RecipientRow.round_id == round_id)
                                   .order_by(RecipientRow.unit_code, ResponseRow.revision)).all()
    found: dict[str, list[int]] = {}
    for code, revision in rows:
        found.setdefault(code, []).append(revision)
    return found


def chain_actions(app: App, round_id: int) -> list[tuple[str, str | None]]:
    """(action, unit) of the round's audit events in chain order, after checking the chain."""
    events, broken = audit_trail(app, round_id)
    assert broken is None, broken
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    return [(e.action, e.details.get("unit")) for e in events]


def test_only_an_event_about_one_unit_reading_no_other_unit_holds_the_round_shared() -> None:
    assert one_unit_only(Needs.UNIT, "DV01") and one_unit_only(Needs.HEADER, "DV01")
    assert not one_unit_only(Needs.UNIT, None)  # about no unit (or all of them)
    for more in (Needs.COUNTS, Needs.COMMENTS, Needs.DEADLINES, Needs.ROUND):
        assert not one_unit_only(Needs.UNIT | more, "DV01"), more
    consultation = get_workflow("consultation")  # the transitions as shipped: an answer shares, an extension not
    status = consultation.initial
    for state in consultation.states:
        if "respond" in consultation.state(state).transitions and "extend" in consultation.state(state).transitions:
            status = state
            break
    assert one_unit_only(needs_for(status, respond("DV01"), consultation), "DV01")
    assert not one_unit_only(needs_for(status, Extend(date(2025, 12, 12), "DV01"), consultation), "DV01")


def test_an_answer_of_another_unit_lands_while_one_is_held_open(app: App, tmp_path: Path) -> None:
    round_id, codes = launched_round(app, tmp_path)
    with paused(app, round_id, respond(codes[0])) as (pause, held, pool):
        other = pool.submit(execute, app, round_id, respond(codes[1]), STAFF)
        other.result(timeout=WAIT)  # the old FOR UPDATE on the round's row would block here until the release
        assert not held.done()
        pause.released.set()
        held.result(timeout=WAIT)
    assert stored_revisions(app, round_id) == {codes[0]: [1], codes[1]: [1]}
    # The one that committed first is first in the chain, and both follow the launch.
    assert chain_actions(app, round_id)[-2:] == [("respond", codes[1]), ("respond", codes[0])]


def test_two_answers_of_one_unit_at_once_become_its_revisions_1_and_2(app: App, tmp_path: Path) -> None:
    round_id, codes = launched_round(app, tmp_path)
    with paused(app, round_id, respond(codes[0])) as (pause, held, pool):
        again = pool.submit(execute, app, round_id, respond(codes[0]), STAFF)
        with pytest.raises(TimeoutError):
            again.result(timeout=BLOCKED)  # it waits for the unit's row
        pause.released.set()
        assert [r.revision for r in held.result(timeout=WAIT).responses] == [1]
        assert [r.revision for r in again.result(timeout=WAIT).responses] == [2]
    assert stored_revisions(app, round_id) == {codes[0]: [1, 2]}


def test_a_close_waits_for_an_answer_in_flight_which_lands_before_it(app: App, tmp_path: Path) -> None:
    round_id, codes = launched_round(app, tmp_path)
    with paused(app, round_id, respond(codes[0])) as (pause, held, pool):
        closing = pool.submit(execute, app, round_id, Close(), STAFF)
        with pytest.raises(TimeoutError):
            closing.result(timeout=BLOCKED)  # FOR UPDATE waits for the answer's FOR SHARE
        pause.released.set()
        held.result(timeout=WAIT)
        assert closing.result(timeout=WAIT).state.closed_at is not None
    assert stored_revisions(app, round_id) == {codes[0]: [1]}
    assert chain_actions(app, round_id)[-2:] == [("respond", codes[0]), ("close", None)]


def test_an_answer_sent_while_the_round_closes_waits_and_is_refused_after_the_close(app: App,
                                                                                   tmp_path: Path) -> None:
    round_id, codes = launched_round(app, tmp_path)
    with paused(app, round_id, Close()) as (pause, held, pool):
        late = pool.submit(execute, app, round_id, respond(codes[0]), STAFF)
        with pytest.raises(TimeoutError):
            late.result(timeout=BLOCKED)  # FOR SHARE waits for the close's FOR UPDATE
        pause.released.set()
        held.result(timeout=WAIT)
        with pytest.raises(Refused) as refused:
            late.result(timeout=WAIT)
    assert refused.value.code == "round_closed"
    assert stored_revisions(app, round_id) == {}
    assert chain_actions(app, round_id)[-1] == ("close", None)


def test_an_extension_for_one_unit_reads_the_others_deadlines_so_it_waits_for_answers_in_flight(
        app: App, tmp_path: Path) -> None:
    """It names one unit, but its timers are planned over every unit's deadline: it takes the round's row for
    itself (after trying shared), so it cannot read the deadlines while an answer holds the round."""
    round_id, codes = launched_round(app, tmp_path)
    with paused(app, round_id, respond(codes[0])) as (pause, held, pool):
        extension = pool.submit(execute, app, round_id, Extend(date(2025, 12, 12), codes[1], "Đơn vị đề nghị"), STAFF)
        with pytest.raises(TimeoutError):
            extension.result(timeout=BLOCKED)
        pause.released.set()
        held.result(timeout=WAIT)
        assert extension.result(timeout=WAIT).state.recipients[codes[1]].deadline_override == date(2025, 12, 12)
    assert [a for a, _ in chain_actions(app, round_id)[-2:]] == ["respond", "extend"]


def test_an_answer_holds_the_round_shared_its_unit_for_update_and_appends_its_audit_last(app: App,
                                                                                        tmp_path: Path) -> None:
    """What the tests above rely on, read off the statements one answer sends: no FOR UPDATE on the round's row,
    and between the chain's lock and the commit only the chain's tip and its insert."""
    round_id, codes = launched_round(app, tmp_path)
    sent: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(app.engine, "before_cursor_execute", seen)
    try:
        execute(app, round_id, respond(codes[0]), STAFF)
    finally:
        event.remove(app.engine, "before_cursor_execute", seen)
    # One statement reads the round's row and the unit's, and locks both (the round's shared).
    [locking] = [s for s in sent if " FOR " in s]
    assert locking.startswith("SELECT rounds.") and "recipients.unit_code = " in locking
    assert locking.endswith("FOR NO KEY UPDATE OF recipients FOR SHARE OF rounds")
    assert not [s for s in sent if s.startswith("SELECT") and "FROM recipients" in s], "the unit is read twice"
    assert "pg_advisory_xact_lock" in sent[-3]
    assert sent[-2].startswith("SELECT audit_events.seq") and sent[-1].startswith("INSERT INTO audit_events")


def test_many_answers_at_once_keep_one_verified_chain_that_still_shows_a_tampered_event(app: App,
                                                                                        tmp_path: Path) -> None:
    round_id, codes = launched_round(app, tmp_path, units=40)
    with app.uow(read_only=True) as uow:
        bodies = uow.session.scalars(select(OutboxRow.text_body).where(
            OutboxRow.round_id == round_id, OutboxRow.kind == "invitation").order_by(OutboxRow.unit_code)).all()
    tokens = [match.group(1) for body in bodies if (match := LINK.search(body or ""))]
    assert len(tokens) == len(codes)
    start = threading.Barrier(8)

    def one(token: str) -> int:
        if token in tokens[:8]:
            start.wait(timeout=WAIT)
        return answer(app, token, ResponseKind.COMMENTS, COMMENT).revision

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(one, tokens)) == [1] * len(tokens)
    actions = chain_actions(app, round_id)
    assert sorted(unit for action, unit in actions if action == "respond") == codes

    answered = [e for e in audit_trail(app, round_id)[0] if e.action == "respond"]
    target = answered[len(answered) // 2]
    with app.uow() as uow:  # someone edits an answer's event in the database afterwards
        uow.session.execute(update(AuditRow).where(AuditRow.round_id == round_id, AuditRow.seq == target.seq)
                            .values(details={**target.details, "kind": "agree"}))
        uow.commit()
    _, broken = audit_trail(app, round_id)
    assert broken is not None and broken.seq == target.seq


def test_late_answers_entered_by_staff_after_the_close_also_run_side_by_side(app: App, tmp_path: Path) -> None:
    """An answer accepted late in a closed round reads and changes only its unit too."""
    round_id, codes = launched_round(app, tmp_path)
    execute(app, round_id, Close(), STAFF)
    late = Respond(codes[0], ResponseKind.AGREE, entered_by=STAFF, late_accept=True)
    with paused(app, round_id, late) as (pause, held, pool):
        other = pool.submit(execute, app, round_id, Respond(codes[1], ResponseKind.AGREE, entered_by=STAFF,
                                                            late_accept=True), STAFF)
        other.result(timeout=WAIT)
        pause.released.set()
        held.result(timeout=WAIT)
    assert stored_revisions(app, round_id) == {codes[0]: [1], codes[1]: [1]}
