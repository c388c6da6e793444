"""The daily digest for the staff in charge of rounds: when it is due, and what it says. Pure: the facts come in
(read by models/db/digest_repository.py through the service), the digest goes out to be rendered
(notifications/digest_mail.py).

What it says, per live round: the answers received since the previous digest, the units still silent (before
their deadline: "chưa trả lời"; after it: "quá hạn", or the kind's silence label when the round counts silence as
agreement, as the round's grid says), and what falls due from today to the next working day (the round's
deadline, its planned timers, the extensions that end).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

NAMES_SHOWN = 10  # units named per list of a round; the rest are counted ("và 12 đơn vị khác")
# Between the names of a list: a unit's name may hold commas ("Sở Văn hóa, Thể thao và Du lịch").
NAME_SEPARATOR = "; "


def digest_day(local_now: datetime, at: time, is_working_day: Callable[[date], bool]) -> date | None:
    """The day whose digest is due at `local_now` (local time): today once `at` has passed on a working day, else
    None. A day whose digest time passed while nothing ran is not caught up the day after: yesterday's news is in
    today's digest anyway (it reports everything since the previous one)."""
    today = local_now.date()
    if local_now.time() < at or not is_working_day(today):
        return None
    return today


def due_window(today: date, next_working_day: Callable[[date], date]) -> tuple[date, date]:
    """The days whose deadlines a digest of `today` announces: today up to the next working day (a Friday's digest
    covers the weekend and Monday; the eve of Tết covers the whole holiday)."""
    return today, next_working_day(today + timedelta(days=1))


@dataclass(frozen=True)
class AnswerFact:
    """An answer a unit sent (or staff recorded) after the previous digest."""

    unit_name: str
    label: str  # the kind's word for it: "Có ý kiến góp ý", "Đồng ý / không có ý kiến"
    at: datetime
    late: bool = False
    revised: bool = False  # the unit answered before and sent a new version


@dataclass(frozen=True)
class UnansweredFact:
    """A unit asked to answer that has not: its name and its own deadline (an extension, or the round's)."""

    unit_name: str
    deadline: date | None


@dataclass(frozen=True)
class RoundFacts:
    """What the database says about one live round, read for one digest (each list is already cut to the names
    shown; the totals count everything)."""

    round_id: int
    title: str
    status_title: str
    link: str
    deadline: date | None
    answers: Sequence[AnswerFact]
    answers_total: int
    unanswered: Sequence[UnansweredFact]  # the first few, in the round's order
    pending_total: int  # unanswered, their deadline not yet passed (or none set)
    overdue_total: int  # unanswered after their deadline
    silence_label: str | None  # the kind's mark when this round counts silence as agreement, else None
    timers_due: Sequence[tuple[str, date]]  # (title, local day) of the planned timers in the window
    # (day, how many, the first names) of the unanswered units whose extended deadline falls in the window
    extensions_ending: Sequence[tuple[date, int, Sequence[str]]]
    finished: bool = False  # reached a final state since the previous digest: said once, then left out
    answering: bool = True  # the round's state still takes answers: its deadline and silent units matter
    # the days of planned timers that move the round on at the deadline itself ("Hết hạn nhận trả lời"): on such a
    # day that timer, in the kind's words, is the deadline, and the digest does not announce it twice
    deadline_timer_days: frozenset[date] = frozenset()
    deadline_label: str = "Hạn trả lời"  # the kind's word for its deadline: "Hạn đăng ký tham dự"


@dataclass(frozen=True)
class DueItem:
    day: date
    text: str


@dataclass(frozen=True)
class SilentList:
    """Units still silent, in the words the round's grid uses."""

    label: str  # "Chưa trả lời", "Quá hạn, chưa trả lời", or the kind's silence label
    total: int
    names: list[str]

    @property
    def more(self) -> int:
        return self.total - len(self.names)


@dataclass(frozen=True)
class RoundDigest:
    round_id: int
    title: str
    status_title: str
    link: str
    deadline: date | None
    answers: list[AnswerFact]
    answers_total: int
    silent: list[SilentList]
    due: list[DueItem]
    finished: bool = False
    deadline_label: str = "Hạn trả lời"

    @property
    def answers_more(self) -> int:
        return self.answers_total - len(self.answers)

    @property
    def has_news(self) -> bool:
        return bool(self.answers_total or self.due or self.finished)


@dataclass(frozen=True)
class Digest:
    """One staff member's digest of one working day."""

    staff_name: str
    day: date
    since: datetime
    window: tuple[date, date]
    rounds: list[RoundDigest] = field(default_factory=list)

    @property
    def answers_total(self) -> int:
        return sum(r.answers_total for r in self.rounds)

    @property
    def due_total(self) -> int:
        return sum(len(r.due) for r in self.rounds)

    @property
    def has_news(self) -> bool:
        return any(r.has_news for r in self.rounds)


def round_digest(facts: RoundFacts, window: tuple[date, date], names_shown: int = NAMES_SHOWN) -> RoundDigest:
    """The digest's section of one round: the newest answers first, the silent units by how the grid reads them,
    and what falls due in `window` by day."""
    answers = sorted(facts.answers, key=lambda a: a.at, reverse=True)[:names_shown]
    return RoundDigest(facts.round_id, facts.title, facts.status_title, facts.link, facts.deadline, answers,
                       facts.answers_total, _silent(facts, window[0], names_shown), _due(facts, window),
                       facts.finished, facts.deadline_label)


def _silent(facts: RoundFacts, today: date, names_shown: int) -> list[SilentList]:
    def overdue(unit: UnansweredFact) -> bool:
        return unit.deadline is not None and unit.deadline < today

    lists: list[SilentList] = []
    if not facts.answering:
        return lists
    if facts.overdue_total:
        label = (f"Quá hạn, {facts.silence_label}" if facts.silence_label is not None
                 else "Quá hạn, chưa trả lời")
        names = [u.unit_name for u in facts.unanswered if overdue(u)][:names_shown]
        lists.append(SilentList(label, facts.overdue_total, names))
    if facts.pending_total:
        names = [u.unit_name for u in facts.unanswered if not overdue(u)][:names_shown]
        lists.append(SilentList("Chưa trả lời, còn trong hạn", facts.pending_total, names))
    return lists


def _due(facts: RoundFacts, window: tuple[date, date]) -> list[DueItem]:
    first, last = window
    items: list[DueItem] = []
    if (facts.deadline is not None and first <= facts.deadline <= last and facts.answering
            and facts.deadline not in facts.deadline_timer_days):
        label = facts.deadline_label
        items.append(DueItem(facts.deadline, f"Hết {label[:1].lower()}{label[1:]} của đợt"))
    items.extend(DueItem(day, title) for title, day in facts.timers_due if first <= day <= last)
    for day, count, names in facts.extensions_ending:
        if first <= day <= last and count:
            items.append(DueItem(day, f"Hết hạn gia hạn của {count} đơn vị chưa trả lời: {_names(names, count)}"))
    return sorted(items, key=lambda item: item.day)


def _names(names: Sequence[str], total: int) -> str:
    shown = NAME_SEPARATOR.join(names)
    return f"{shown} và {total - len(names)} đơn vị khác" if total > len(names) else shown
