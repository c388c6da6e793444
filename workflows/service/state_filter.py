"""A filter of the list of rounds by state, as the dashboard, the API (?status=) and `ykien round list --status`
read it: one state of one kind ("appraisal:preparing"), or a state's name alone ("preparing"), which means that state
in every kind that has it. Kinds are data: what a kind and its states are called is asked of the catalogue."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from config.choice_words import did_you_mean
from models.errors import InvalidInput
from models.text import nfc
from workflows.definition import Workflow

SEPARATOR = ":"  # between a kind's name and its state's: "appraisal:preparing"


@dataclass(frozen=True)
class StateFilter:
    """What a state filter asks for: one state of one kind (`kind` set), or a state's name in every kind that has it
    (`kind` None, as an address written before the filter named kinds)."""

    kind: str | None
    state: str

    @classmethod
    def read(cls, typed: str) -> StateFilter:
        kind, separated, state = typed.partition(SEPARATOR)
        return cls(kind, state) if separated else cls(None, typed)

    @property
    def names_a_state(self) -> bool:
        """False for a value with a part left empty ("appraisal:", ":"), which no round matches."""
        return bool(self.state) and self.kind != ""

    @property
    def value(self) -> str:
        return f"{self.kind}{SEPARATOR}{self.state}" if self.kind is not None else self.state


def checked_state_filter(typed: str, kinds: Mapping[str, Workflow], field: str = "status") -> StateFilter:
    """`typed` (NFC) read as a state filter, refused (InvalidInput "status_unknown" naming `field`) when no round
    could match it: a kind not in `kinds`, a state that kind lacks, a state's name no kind has, a part left empty. The
    message lists what would be accepted, so a typo is not read as "no such rounds"."""
    chosen = StateFilter.read(nfc(typed).strip())
    if not chosen.names_a_state:
        example = next((f"{name}{SEPARATOR}{next(iter(kind.states))}" for name, kind in kinds.items()), "")
        raise InvalidInput(f'{field}: "{typed}" thiếu tên quy trình hoặc tên trạng thái (viết quy_trình{SEPARATOR}'
                           f'trạng_thái, ví dụ {example}, hoặc chỉ tên trạng thái).', "status_unknown")
    if chosen.kind is None:
        names = sorted({name for kind in kinds.values() for name in kind.states})
        if chosen.state not in names:
            raise InvalidInput(f'{field}: không có trạng thái "{chosen.state}" trong quy trình nào ({", ".join(names)})'
                               f"{did_you_mean(chosen.state, names) or '.'}", "status_unknown")
        return chosen
    if chosen.kind not in kinds:
        known_kinds = sorted(kinds)
        raise InvalidInput(f'{field}: không có quy trình "{chosen.kind}" (viết quy_trình{SEPARATOR}trạng_thái; các quy '
                           f'trình: {", ".join(known_kinds)}){did_you_mean(chosen.kind, known_kinds) or "."}',
                           "status_unknown")
    states = list(kinds[chosen.kind].states)  # in the kind's course, as `ykien workflow show` lists them
    if chosen.state not in states:
        raise InvalidInput(f'{field}: quy trình "{chosen.kind}" không có trạng thái "{chosen.state}" (các trạng thái: '
                           f'{", ".join(states)}){did_you_mean(chosen.state, states) or "."}', "status_unknown")
    return chosen


__all__ = ["SEPARATOR", "StateFilter", "checked_state_filter"]
