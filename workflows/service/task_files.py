"""Files a unit's assigned task carries (a paper, a speech), stored like an answer's files (service/attachments):
the staff page records a task handed in on paper with its file, knowing the unit by its code only."""
from __future__ import annotations

from workflows.service.app import App
from workflows.service.attachments import AttachmentRef, store


def store_unit_file(app: App, round_id: int, unit_code: str, field_key: str, filename: str,
                    content: bytes) -> AttachmentRef:
    """One checked upload (attachments.check_upload found nothing) stored for the unit `unit_code` of the round;
    loads that one unit, never the round's others."""
    with app.uow(read_only=True) as uow:
        uow.rounds.get(round_id, lock=False, only_unit=unit_code)
        recipient_id = uow.rounds.recipient_id(round_id, unit_code)
    return store(app, round_id, recipient_id, field_key, filename, content)
