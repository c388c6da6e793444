"""Find one unit of a round by what staff type in a form's unit field: its code or its name, whole or in part, with or
without diacritics. The search runs in SQL and reads at most a few rows, so picking a unit costs the same in a round
of 5,000 units as in one of 50; the forms carry no list of the round's units."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from models import limits
from models.text import nfc, search_key
from workflows.service.app import App

SUGGESTIONS = 20  # the units the form's script offers as staff type
CANDIDATES = 8  # the units a refusal names when what was typed fits several

EXACT_CODE, EXACT_NAME = 0, 1  # the ranks of RoundRepository.answering_units_matching
T = TypeVar("T")


def best_fits(found: Sequence[T], rank_of: Callable[[T], int]) -> list[T]:
    """Of the matches a search found (best first), those what was typed names: the one of that code; else those of
    that name; else all of them."""
    return ([m for m in found if rank_of(m) == EXACT_CODE][:1] or [m for m in found if rank_of(m) == EXACT_NAME]
            or list(found))


@dataclass(frozen=True)
class UnitChoice:
    """What a unit field found: the unit (code and name), or why it found none."""

    typed: str
    code: str | None = None
    name: str = ""
    problem: str | None = None
    candidates: tuple[tuple[str, str], ...] = ()  # (code, name) of the units it fits, when several, best first
    more: bool = False  # it fits more units than `candidates` holds


def search_answering_units(app: App, round_id: int, typed: str, limit: int = SUGGESTIONS,
                           every_role: bool = False) -> list[tuple[str, str]]:
    """(code, name) of at most `limit` units the round asks to answer (with every_role: of all its units, as the
    letter's preview chooses among) whose code or name contains what was typed, best first (the code itself, the name
    itself, names that start with it). Nothing for an empty or overlong text."""
    key = search_key(typed)
    if not key or len(typed) > limits.UNIT_NAME:
        return []
    with app.uow(read_only=True) as uow:
        uow.rounds.row(round_id)
        return [(code, name) for code, name, _rank
                in uow.rounds.answering_units_matching(round_id, key, limit, every_role=every_role)]


def find_answering_unit(app: App, round_id: int, typed: str, candidates: int | None = None) -> UnitChoice:
    """The one unit the round asks to answer that `typed` names: the unit of that code; else the one of that name;
    else the only one whose code or name contains it. Several, or none: a problem naming the first `candidates`
    (CANDIDATES unless given)."""
    return _find(app, round_id, typed, every_role=False, candidates=candidates)


def find_recipient(app: App, round_id: int, typed: str, candidates: int | None = None) -> UnitChoice:
    """The one unit of the round, in any role, that `typed` names, found as find_answering_unit finds one."""
    return _find(app, round_id, typed, every_role=True, candidates=candidates)


def _find(app: App, round_id: int, typed: str, every_role: bool, candidates: int | None) -> UnitChoice:
    candidates = CANDIDATES if candidates is None else candidates
    typed = nfc(typed).strip()
    if too_long := limits.text_problem("Đơn vị", typed, limits.UNIT_NAME):
        return UnitChoice(typed, problem=too_long)
    key = search_key(typed)
    if not key:
        return UnitChoice(typed, problem="Nhập mã hoặc tên đơn vị.")
    with app.uow(read_only=True) as uow:
        uow.rounds.row(round_id)
        coded = uow.rounds.answering_unit_coded(round_id, {typed, typed.upper()},  # the index: a code, as picked
                                                every_role=every_role)
        if coded is not None:
            return UnitChoice(typed, *coded)
        found = uow.rounds.answering_units_matching(round_id, key, candidates + 1, every_role=every_role)
        other_role = {} if found or every_role else uow.rounds.unit_names_of(round_id, [typed])
    fits = [(code, name) for code, name, _rank in best_fits(found, lambda match: match[2])]
    if len(fits) == 1:
        return UnitChoice(typed, fits[0][0], fits[0][1])
    if other_role:
        return UnitChoice(typed, problem=f"Đơn vị \"{other_role[typed]}\" ({typed}) không được đề nghị trả lời "
                                         "trong đợt này.")
    if not fits:
        among = "trong nơi nhận của đợt này" if every_role else "được đề nghị trả lời trong đợt này"
        return UnitChoice(typed, problem=f"Không có đơn vị nào {among} có mã hoặc tên khớp \"{typed}\".")
    named = "; ".join(f"{name} ({code})" for code, name in fits[:candidates])
    more = " và các đơn vị khác" if len(fits) > candidates else ""
    return UnitChoice(typed, problem=f"\"{typed}\" khớp nhiều đơn vị: {named}{more}. Nhập mã đơn vị (trong ngoặc) "
                                     "hoặc tên đầy đủ.", candidates=tuple(fits[:candidates]),
                      more=len(fits) > candidates)


def unit_names_of(app: App, round_id: int, codes: list[str]) -> dict[str, str]:
    """code -> name of the round's units among `codes` (those an action names), without reading the others."""
    with app.uow(read_only=True) as uow:
        uow.rounds.row(round_id)
        return uow.rounds.unit_names_of(round_id, codes)
