"""In a sổ văn bản đi numbers run in date order: a number is not dated before a lower one, an entered number not
after a higher one, and no round's document before the round was created (or, after the letter, launched). Each
refusal names the date field and the neighbouring number with its date, and takes nothing; SQLite and PostgreSQL."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from config.clock import FrozenClock
from models.errors import InvalidInput
from workflows.engine.events import Launch
from workflows.service import register
from workflows.service.app import App
from workflows.service.rounds import execute

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LETTER, REMINDER, SUBMISSION = "request_letter", "reminder_letter", "submission"


def at(clock: FrozenClock, moment: str) -> None:
    clock.set(datetime.fromisoformat(moment).replace(tzinfo=TZ))


def numbers(app: App) -> list[str]:
    return [f"{e.full_number} {e.issued_on:%d/%m}" for e in register.register_year(app, 2026).entries]


def refused(call: Callable[[], object]) -> InvalidInput:
    with pytest.raises(InvalidInput) as problem:
        call()
    return problem.value


def test_a_number_is_not_dated_before_a_lower_one_and_nothing_is_taken(
        app: App, clock: FrozenClock, make_round: Callable[..., int], staff: str) -> None:
    at(clock, "2026-12-01T08:00")
    round_id = make_round(deadline=date(2026, 12, 21))
    at(clock, "2026-12-05T08:00")
    register.take_number(app, round_id, LETTER, staff, issued_on=date(2026, 12, 4))
    taken = refused(lambda: register.take_number(app, round_id, LETTER, staff, issued_on=date(2026, 12, 3),
                                                 again=True))
    assert taken.code == "date_out_of_order"
    assert taken.message.startswith("date: ngày 03/12/2026 trước ngày của số 01/SKHCN-TĐC (04/12/2026)")
    entered = refused(lambda: register.enter_number(app, round_id, LETTER, "5/SKHCN-TĐC", date(2026, 12, 2), staff,
                                                    again=True, places=("--number", "--date")))
    assert entered.message.startswith("--date: ngày 02/12/2026 trước ngày của số 01/SKHCN-TĐC (04/12/2026)")
    assert numbers(app) == ["01/SKHCN-TĐC 04/12"]
    # The refused take gave no number away: the next one, dated in order, is 02.
    assert register.take_number(app, round_id, LETTER, staff, issued_on=date(2026, 12, 4),
                                again=True).full_number == "02/SKHCN-TĐC"


def test_an_entered_number_is_not_dated_after_a_higher_one(
        app: App, clock: FrozenClock, make_round: Callable[..., int], staff: str) -> None:
    at(clock, "2026-12-01T08:00")
    round_id = make_round(deadline=date(2026, 12, 21))
    at(clock, "2026-12-05T08:00")
    register.enter_number(app, round_id, LETTER, "05/SKHCN-TĐC", date(2026, 12, 2), staff)
    problem = refused(lambda: register.enter_number(app, round_id, LETTER, "3/SKHCN-TĐC", date(2026, 12, 3), staff,
                                                    again=True))
    assert problem.code == "date_out_of_order"
    assert problem.message.startswith("date: ngày 03/12/2026 sau ngày của số 05/SKHCN-TĐC (02/12/2026)")
    # The same day, or before it, fits; so does a number dated between its neighbours.
    register.enter_number(app, round_id, LETTER, "3/SKHCN-TĐC", date(2026, 12, 2), staff, again=True)
    register.enter_number(app, round_id, LETTER, "4/SKHCN-TĐC", date(2026, 12, 2), staff, again=True)
    assert numbers(app) == ["05/SKHCN-TĐC 02/12", "04/SKHCN-TĐC 02/12", "03/SKHCN-TĐC 02/12"]


def test_a_cancelled_number_does_not_hold_its_date_against_the_next(
        app: App, clock: FrozenClock, make_round: Callable[..., int], staff: str) -> None:
    """A wrong date is a common reason to cancel: the cancelled line stays, but does not block the right date."""
    at(clock, "2026-12-01T08:00")
    round_id = make_round(deadline=date(2026, 12, 21))
    at(clock, "2026-12-05T08:00")
    wrong = register.take_number(app, round_id, LETTER, staff, issued_on=date(2026, 12, 4))
    register.cancel_entry(app, wrong.id, "Sai ngày", staff)
    again = register.take_number(app, round_id, LETTER, staff, issued_on=date(2026, 12, 3))
    assert (again.full_number, again.issued_on) == ("02/SKHCN-TĐC", date(2026, 12, 3))


def test_no_document_is_dated_before_its_round_was_created_or_launched(
        app: App, clock: FrozenClock, make_round: Callable[..., int], staff: str) -> None:
    at(clock, "2026-12-01T08:00")
    round_id = make_round(deadline=date(2026, 12, 21))
    at(clock, "2026-12-03T08:00")
    before = refused(lambda: register.take_number(app, round_id, LETTER, staff, issued_on=date(2026, 11, 30)))
    assert before.code == "date_before_round"
    assert before.message == f"date: ngày 30/11/2026 trước ngày lập đợt {round_id} (01/12/2026)."
    # The letter is signed before it goes out: dated the day the round was made, after it, before the launch.
    register.take_number(app, round_id, LETTER, staff, issued_on=date(2026, 12, 1))
    execute(app, round_id, Launch(), staff)
    at(clock, "2026-12-10T08:00")
    # A reminder is written once the round is out: not before the launch.
    early = refused(lambda: register.take_number(app, round_id, REMINDER, staff, issued_on=date(2026, 12, 2)))
    assert early.message == f"date: ngày 02/12/2026 trước ngày phát hành đợt {round_id} (03/12/2026)."
    assert numbers(app) == ["01/SKHCN-TĐC 01/12"]
    assert register.take_number(app, round_id, REMINDER, staff, issued_on=date(2026, 12, 3)).number == 2
