"""What of a round a guard or an effect reads, declared beside it, so the service loads no more than an event needs.

An event whose transition reads only its own unit (an answer, say) is decided on the round's header and that one
unit; its cost must not grow with the round. A guard or effect that declares nothing is taken to need the whole
round: forgetting the declaration costs time, never a wrong decision.
"""
from __future__ import annotations

from collections.abc import Callable
from enum import Flag, auto
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])


class Needs(Flag):
    """Parts of a round's state beyond its header (status, dates, draft version, tasks, outcome)."""

    HEADER = 0
    UNIT = auto()  # the units the event names (RoundState.recipients holds those); of an event naming none, all
    COUNTS = auto()  # how many units are asked to answer and how many have (RoundState.others for the rest)
    COMMENTS = auto()  # how many comments of the current draft have no handling yet
    DEADLINES = auto()  # the distinct deadlines of the other units (RoundState.other_deadlines): timers replanned
    ROUND = auto()  # every unit: timers planned over all deadlines, mail to many units, a state entered


def needs(what: Needs) -> Callable[[F], F]:
    """Declare what a guard or an effect reads of the round."""
    def mark(function: F) -> F:
        function.needs = what  # type: ignore[attr-defined]
        return function
    return mark


def needs_of(function: Callable[..., object]) -> Needs:
    """What a guard or an effect declared; the whole round when it declared nothing."""
    declared = getattr(function, "needs", None)
    return declared if isinstance(declared, Needs) else Needs.ROUND
