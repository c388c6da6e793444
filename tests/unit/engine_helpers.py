"""Builders for the engine's unit tests: rounds, frozen instants, and a driver that threads state and timers."""
from __future__ import annotations

import copy
import dataclasses
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config.calendar import WorkingCalendar, vietnam_calendar
from models.rounds import RecipientRole, RecipientState, ResponseKind, RoundState
from workflows.definition import Registry, Workflow, load_workflow
from workflows.engine.decide import decide
from workflows.engine.decision import Decision, MessageIntent, TimerIntent
from workflows.engine.events import CommentInput, Event, Launch, Respond, TimerFired
from workflows.engine.refusals import Refused
from workflows.service.registry import engine_registry, get_workflow

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = ZoneInfo("UTC")
STAFF = "Nguyễn Văn A (TĐC)"

# Test definitions: _minimal.yaml (events and terms every test definition shares) and the engine's
# test workflows, such as consultation_grace.yaml (the consultation with a grace period of 10 working
# days and the overdue reminder "1 working day after deadline, repeat every 2 working days, at most 3 times").
TEST_DEFINITIONS = Path(__file__).resolve().parent / "fixtures" / "workflows"
TEST_WORKFLOWS = ("consultation_grace",)
GRACE = "consultation_grace"

# A deadline in the middle of a plain month, away from every holiday: Tuesday 17/03/2026.
PLAIN_DEADLINE = date(2026, 3, 17)
# The morning the round is launched: Monday 02/03/2026, 09:00 local.
LAUNCH_MORNING = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)

FULL_PROPOSAL: dict[str, str] = {
    "task_name": "Ứng dụng công nghệ sinh học trong nhân giống cây dẻ Trùng Khánh",
    "urgency": "Giống dẻ địa phương đang thoái hóa.",
    "objectives": "Chủ động nguồn giống sạch bệnh.",
    "main_contents": "Tuyển chọn cây đầu dòng; nhân giống in vitro.",
    "expected_results": "Quy trình nhân giống; 10.000 cây giống.",
    "expected_impact": "Tăng thu nhập cho hộ trồng dẻ.",
    "application_sites": "Huyện Trùng Khánh, tỉnh Cao Bằng",
    "duration_months": "24",
    "budget_state": "1500000000",
    "budget_other": "300000000",
    "organisation": "Trung tâm Ứng dụng tiến bộ KH&CN Cao Bằng",
    "address": "Phường Sông Hiến, tỉnh Cao Bằng",
    "contact_person": "Trần Thị B, Giám đốc",
    "phone": "0206 3850 000",
    "email": "ttud@caobang.gov.vn",
}


@lru_cache(maxsize=1)
def calendar() -> WorkingCalendar:
    """Vietnam's calendar, built once per test run."""
    return vietnam_calendar()


def fixture_registry() -> Registry:
    """The engine's names, with the test definitions' folder searched first for shared parts (extends:)."""
    registry = engine_registry()
    return dataclasses.replace(registry, partials=(TEST_DEFINITIONS, *registry.partials))


@cache
def fixture_workflow(name: str) -> Workflow:
    """A test workflow (tests/unit/fixtures/workflows/<name>.yaml), validated against the engine's names."""
    return load_workflow(TEST_DEFINITIONS / f"{name}.yaml", fixture_registry())


def workflow(name: str = "consultation") -> Workflow:
    """A workflow shipped with ykien (workflows/definitions/<name>.yaml), or one of TEST_WORKFLOWS."""
    return fixture_workflow(name) if name in TEST_WORKFLOWS else get_workflow(name)


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """An instant given in Asia/Ho_Chi_Minh local time."""
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def comment_code(i: int) -> str:
    return f"C{i}"


def make_round(
    workflow_name: str = "consultation",
    *,
    deadline: date | None = PLAIN_DEADLINE,
    comment: int = 3,
    publish: int = 1,
    inform: int = 1,
    status: str = "draft",
    overrides: dict[str, str] | None = None,
) -> RoundState:
    """A round with `comment` units asked to comment (C1..), `publish` to publish (P1..), `inform` to know (I1..)."""
    recipients: dict[str, RecipientState] = {}
    roles = ((RecipientRole.COMMENT, "C", comment, "Sở, ban, ngành"),
             (RecipientRole.PUBLISH, "P", publish, "Văn phòng UBND tỉnh"),
             (RecipientRole.INFORM, "I", inform, "Bộ KH&CN"))
    for role, prefix, count, group in roles:
        for i in range(1, count + 1):
            code = f"{prefix}{i}"
            recipients[code] = RecipientState(
                unit_code=code, unit_name=f"Đơn vị {code}", email=f"{code.lower()}@caobang.gov.vn",
                group=group, role=role)
    return RoundState(
        id=1, workflow=workflow_name, status=status,
        title="Kế hoạch năng suất chất lượng giai đoạn 2026-2030",
        subject="V/v xin ý kiến góp ý dự thảo Kế hoạch", office="TĐC", deadline=deadline,
        timer_overrides=dict(overrides or {}), recipients=recipients)


def comments(*texts: str) -> tuple[CommentInput, ...]:
    return tuple(CommentInput(text, section=f"Mục {i}") for i, text in enumerate(texts, start=1))


def answer_with_comments(code: str, *texts: str, late_accept: bool = False) -> Respond:
    return Respond(code, ResponseKind.COMMENTS, entered_by=STAFF,
                   comments=comments(*(texts or ("Đề nghị bổ sung chỉ tiêu năm 2030.",))),
                   late_accept=late_accept)


def answer_agree(code: str, late_accept: bool = False) -> Respond:
    return Respond(code, ResponseKind.AGREE, entered_by=STAFF, late_accept=late_accept)


def propose(code: str, late_accept: bool = False, **changes: str | None) -> Respond:
    """A proposal on Mẫu A1-ĐXNV; a change to None drops that field."""
    proposal = {**FULL_PROPOSAL, **changes}
    return Respond(code, ResponseKind.PROPOSALS, entered_by=STAFF, late_accept=late_accept,
                   proposals=({k: v for k, v in proposal.items() if v is not None},))


def kinds_by_unit(messages: list[MessageIntent]) -> list[tuple[str, str]]:
    return [(m.kind, m.unit_code) for m in messages]


def timers_by_name(decision: Decision) -> dict[str, list[TimerIntent]]:
    grouped: dict[str, list[TimerIntent]] = {}
    for timer in decision.timers:
        grouped.setdefault(timer.name, []).append(timer)
    return grouped


def refusal_code(state: RoundState, event: Event, now: datetime, wf: Workflow | None = None) -> str:
    """Decide an event that must be refused; check the input state is untouched and return the code."""
    snapshot = copy.deepcopy(state)
    with pytest.raises(Refused) as refused:
        decide(state, event, now, wf or workflow(state.workflow), calendar(), TZ)
    assert state == snapshot, "a refused event changed the input state"
    assert refused.value.message, "a refusal must explain itself"
    assert unicodedata.is_normalized("NFC", refused.value.message)
    return refused.value.code


@dataclass
class Run:
    """One round driven through events the way the service layer does: state threaded, timers kept as rows.

    A decision with replace_timers cancels every pending timer before its own are added; firing a timer
    removes it, as the sweep marks it done.
    """

    state: RoundState
    wf: Workflow
    pending: list[TimerIntent] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

    @classmethod
    def of(cls, state: RoundState) -> Run:
        return cls(state, workflow(state.workflow))

    def send(self, event: Event, now: datetime) -> Decision:
        decision = decide(self.state, event, now, self.wf, calendar(), TZ)
        self.state = decision.state
        if decision.replace_timers:
            self.pending = []
        self.pending.extend(decision.timers)
        self.decisions.append(decision)
        return decision

    def timer(self, name: str) -> TimerIntent:
        """The single pending timer called name."""
        found = [t for t in self.pending if t.name == name]
        assert len(found) == 1, f"expected one pending {name!r}, got {found}"
        return found[0]

    def due(self) -> list[TimerIntent]:
        return sorted(self.pending, key=lambda t: (t.due_at, t.key))

    def fire(self, timer: TimerIntent, late_by_seconds: int = 0) -> Decision:
        """Fire a pending timer at its due instant (plus a sweep delay)."""
        self.pending.remove(timer)
        now = timer.due_at.astimezone(TZ)
        if late_by_seconds:
            now = datetime.fromtimestamp(now.timestamp() + late_by_seconds, TZ)
        return self.send(TimerFired(timer.name, dict(timer.payload)), now)

    def fire_next(self) -> Decision:
        return self.fire(self.due()[0])


def launched(state: RoundState | None = None, now: datetime = LAUNCH_MORNING) -> Run:
    """A round launched at `now` (by default 02/03/2026 09:00 with deadline 17/03/2026)."""
    run = Run.of(state or make_round())
    run.send(Launch(), now)
    return run


def run_events(state: RoundState, steps: list[tuple[Event, datetime]]) -> Run:
    """Apply events in order, threading the state and the pending timers."""
    run = Run.of(state)
    for event, now in steps:
        run.send(event, now)
    return run
