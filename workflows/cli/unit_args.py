"""A unit of a round named on the command line as the web's unit fields take one (workflows/service/unit_lookup.py):
its code or its name, whole or in part, with or without diacritics, in any case or Unicode form. Each value is one
lookup in SQL among the round's units; the round's list is never loaded. A new round's recipients (`round create` and
`round edit` --unit, --publish, --inform) are named alike among the directory's units and groups
(workflows/service/directory_lookup.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from models import limits
from models.errors import InvalidInput
from models.text import nfc
from workflows.service.app import App

if TYPE_CHECKING:
    from workflows.service.directory_lookup import DirectoryChoice

CANDIDATES = 10  # the units a refusal offers when what was typed fits several


@dataclass(frozen=True)
class ChosenUnit:
    code: str
    name: str

    @property
    def line(self) -> str:
        """What the command prints about the unit it took: "Đơn vị: Sở Y tế (SYT)"."""
        return f"Đơn vị: {self.name} ({self.code})"


def chosen_unit(app: App, round_id: int, typed: str, argument: str, every_role: bool = False) -> ChosenUnit:
    """The one unit of the round that `typed` names, among those it asks to answer (with every_role: among all its
    units); InvalidInput naming `argument` ("UNIT", "--unit") when it names none or several."""
    from workflows.service.unit_lookup import find_answering_unit, find_recipient

    typed = nfc(typed).strip()  # a name typed decomposed (NFD) counts its letters, not its marks
    if too_long := limits.text_problem(argument, typed, limits.UNIT_NAME):
        raise InvalidInput(f"{too_long} Nhập mã hoặc tên đơn vị.", "unit_unknown")
    find = find_recipient if every_role else find_answering_unit
    choice = find(app, round_id, typed, candidates=CANDIDATES)
    if choice.code is not None:
        return ChosenUnit(choice.code, choice.name)
    if choice.candidates:
        offered = ", ".join(f"{name} ({code})" for code, name in choice.candidates)
        more = " hay đơn vị khác" if choice.more else ""
        raise InvalidInput(f"{argument}: \"{choice.typed}\" khớp nhiều đơn vị. Có phải: {offered}{more}? Nhập mã "
                           "đơn vị (trong ngoặc) hoặc tên đầy đủ.", "unit_ambiguous")
    raise InvalidInput(f"{argument}: {choice.problem}", "unit_unknown")


def chosen_units(app: App, round_id: int, typed: list[str], argument: str,
                 every_role: bool = False) -> list[ChosenUnit]:
    """Each value of a repeated option as chosen_unit finds it, once each, in the order given."""
    chosen = [chosen_unit(app, round_id, value, argument, every_role) for value in typed]
    return list({unit.code: unit for unit in chosen}.values())


@dataclass(frozen=True)
class ChosenRecipient:
    """A unit or a group of the directory a new round's option named, and what was typed there."""

    code: str
    name: str
    is_group: bool
    option: str = ""  # "--unit", "--group", "--publish", "--inform"
    typed: str = ""

    @property
    def line(self) -> str:
        """What the command prints about what it took: "Đơn vị: Sở Y tế (SYT)", "Nhóm: Hiệp hội, … (hiep-hoi)"."""
        return f"{'Nhóm' if self.is_group else 'Đơn vị'}: {self.name} ({self.code})"

    def as_data(self) -> dict[str, str]:
        """What --json says the option took."""
        return {"option": self.option, "typed": self.typed, "code": self.code, "name": self.name,
                "kind": "group" if self.is_group else "unit"}


def chosen_recipients(app: App, typed: list[str], option: str, groups: bool = False,
                      units: bool = True) -> list[ChosenRecipient]:
    """The unit (with `groups`: or group; without `units`: the group) of the directory each value of `option` names,
    once each, in the order given; InvalidInput naming `option` for the first value that names none or several."""
    from workflows.service.directory_lookup import find_in_directory

    chosen: dict[tuple[bool, str], ChosenRecipient] = {}
    for value in typed:
        choice = find_in_directory(app, value, groups=groups, candidates=CANDIDATES, units=units)
        if choice.found is not None:
            found = choice.found
            chosen.setdefault((found.is_group, found.code),
                              ChosenRecipient(found.code, found.name, found.is_group, option, choice.typed))
            continue
        if choice.candidates:
            raise InvalidInput(_several(option, choice), "unit_ambiguous")
        raise InvalidInput(f"{option}: {choice.problem}", "unit_unknown")
    return list(chosen.values())


def _several(option: str, choice: DirectoryChoice) -> str:
    """The refusal of a value that fits several units or groups, naming them."""
    from workflows.service.directory_lookup import shown

    typed, candidates, more = choice.typed, choice.candidates, choice.more
    if all(match.is_group for match in candidates):  # --group: every candidate is a group, said once
        offered = ", ".join(f"{match.name} ({match.code})" for match in candidates)
        return (f"{option}: \"{typed}\" khớp nhiều nhóm. Có phải: {offered}{' hay nhóm khác' if more else ''}? "
                "Nhập mã nhóm (trong ngoặc) hoặc tên đầy đủ.")
    offered = ", ".join(shown(match) for match in candidates)
    with_groups = any(match.is_group for match in candidates)
    what = "đơn vị và nhóm" if with_groups else "đơn vị"
    others = f" hay {'mục' if with_groups else 'đơn vị'} khác" if more else ""
    return (f"{option}: \"{typed}\" khớp nhiều {what}. Có phải: {offered}{others}? Nhập mã "
            f"{'' if with_groups else 'đơn vị '}(trong ngoặc) hoặc tên đầy đủ.")
