"""Find a unit of the directory, or a group, by what staff type where a new round's recipients are named (`round
create`/`round edit` --unit, --publish, --inform): its code or its name, whole or in part, any case, with or without
diacritics, NFC or NFD, as service/unit_lookup.py finds a round's unit; a group alone (--group) by its code or
label alike. One SQL query a value; the directory is never loaded whole."""
from __future__ import annotations

from dataclasses import dataclass

from models import limits
from models.db.directory_repository import DirectoryMatch
from models.text import nfc, search_key
from workflows.service.app import App
from workflows.service.unit_lookup import CANDIDATES, best_fits


@dataclass(frozen=True)
class DirectoryChoice:
    """What a value found: the unit or group (code and name), or why it found none."""

    typed: str
    found: DirectoryMatch | None = None
    problem: str | None = None
    candidates: tuple[DirectoryMatch, ...] = ()  # the units and groups it fits, when several, best first
    more: bool = False  # it fits more than `candidates` holds


def find_in_directory(app: App, typed: str, groups: bool = False, candidates: int = CANDIDATES,
                      units: bool = True) -> DirectoryChoice:
    """The one unit (with `groups`: or group; without `units`: the one group) that `typed` names: the one of that
    code; else the one of that name; else the only one whose code or name contains it. Several, or none: a problem
    naming the first `candidates`."""
    typed = nfc(typed).strip()  # a name typed decomposed (NFD) counts its letters, not its marks
    what = ("đơn vị hay nhóm" if units else "nhóm") if groups else "đơn vị"
    if too_long := limits.text_problem(f'"{typed}"', typed, limits.UNIT_NAME):  # quoted: the CLI shows its start
        return DirectoryChoice(typed, problem=f"{too_long} Nhập mã hoặc tên {what}.")
    key = search_key(typed)
    if not key:
        return DirectoryChoice(typed, problem=f"Nhập mã hoặc tên {what}.")
    with app.uow(read_only=True) as uow:
        found = uow.directory.matching(key, candidates + 1, groups=groups, units=units or not groups)
    fits = best_fits(found, lambda match: match.rank)
    if len(fits) == 1:
        return DirectoryChoice(typed, fits[0])
    if not fits:
        return DirectoryChoice(typed, problem=f"Không có {what} nào trong danh bạ có mã hoặc tên khớp \"{typed}\".")
    return DirectoryChoice(typed, candidates=tuple(fits[:candidates]), more=len(fits) > candidates)


def shown(match: DirectoryMatch) -> str:
    """How a message names a unit or a group: "Sở Y tế (SYT)", "nhóm Hiệp hội, Liên minh HTX (hiep-hoi)"."""
    return f"{'nhóm ' if match.is_group else ''}{match.name} ({match.code})"
