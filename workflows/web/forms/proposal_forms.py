"""The filled forms of a proposals answer as the web forms post them, shared by the unit's page and the staff
form that records a paper answer. A form filled once names its inputs p_<key>; a repeatable one p<n>_<key>,
numbered from 1, drawn as groups with a "Thêm một phiếu" button that posts the page back with one group more."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from workflows.definition import ResponseSpec
from workflows.service.answer_input import MAX_PROPOSALS, proposal_input

_NUMBERED = re.compile(r"p([0-9]{1,3})_")


def read_proposal_forms(spec: ResponseSpec, names: Iterable[str], text: Callable[[str], str]) -> list[dict[str, str]]:
    """The forms typed, in their order: one for a form filled once; for a repeatable one as many as the highest
    group number posted (at most MAX_PROPOSALS; too many are then refused by clean_proposals)."""
    if not spec.repeatable:
        return [{f.key: text(proposal_input(spec, 1, f.key)) for f in spec.fields}]
    numbers = [int(m[1]) for name in names if (m := _NUMBERED.match(name)) is not None]
    count = min(max(numbers, default=1), MAX_PROPOSALS)
    return [{f.key: text(proposal_input(spec, n, f.key)) for f in spec.fields} for n in range(1, count + 1)]


def shown_proposal_forms(spec: ResponseSpec, forms: Sequence[dict[str, str]], blank: int = 0) -> list[dict[str, str]]:
    """The groups to draw: the forms given, then `blank` empty ones, at least one and, when repeatable, at most
    the definition's max_items (a form filled once is always one group)."""
    if not spec.repeatable:
        return [dict(forms[0]) if forms else {}]
    shown = [dict(form) for form in forms][:spec.items_allowed]
    shown += [{} for _ in range(min(blank, spec.items_allowed - len(shown)))]
    return shown or [{}]


__all__ = ["read_proposal_forms", "shown_proposal_forms"]
