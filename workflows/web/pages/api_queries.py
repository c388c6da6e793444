"""Read models the JSON API needs beyond the service's queries (workflows/service/views.py): each unit's latest
answer in the API's shape. The directory's units are workflows/service/directory_edit.py's directory_units."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from workflows.engine.events import CommentInput
from workflows.service.app import App
from workflows.service.views import latest_answers, round_brief


@dataclass(frozen=True)
class UnitResponse:
    """A unit's latest answer to the current draft version, with its comments or its filled forms."""

    unit_code: str
    unit_name: str
    revision: int
    kind: str
    received_at: datetime
    late: bool
    entered_by: str
    channel: str
    note: str | None
    attachment_name: str | None
    comments: tuple[CommentInput, ...]
    proposals: tuple[dict[str, str], ...]


def unit_responses(app: App, round_id: int) -> list[UnitResponse]:
    """Latest revision of every unit that answered (the round page's query, in the API's shape)."""
    round_brief(app, round_id)
    return [UnitResponse(a.unit_code, a.unit_name, a.revision, a.kind, a.received_at, a.late, a.entered_by,
                         a.channel, a.note, a.attachment_name,
                         tuple(CommentInput(c.text, c.section, c.proposed_wording) for c in a.comments),
                         a.proposals)
            for a in latest_answers(app, round_id)]
