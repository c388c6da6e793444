"""A unit's task handed in with its files, as staff record it (`ykien round hand-in --attach FIELD=PATH`): the files
are checked and stored the way an answer's are (workflows/service/attachments.py), then named in the task's form."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from models.assignments import Assignment
from models.errors import InvalidInput
from models.rounds import ResponseChannel
from workflows.service.answer_input import clean_proposals, proposal_input
from workflows.service.app import App
from workflows.service.assignments import hand_in, task_form
from workflows.service.attachments import AttachmentRef, Upload, discard, pending_files, store
from workflows.service.registry import get_workflow


def hand_in_with_files(app: App, round_id: int, unit_code: str, task: str, values: Mapping[str, str | None],
                       uploads: Sequence[Upload], channel: ResponseChannel, actor: str) -> Assignment:
    """Staff record a unit's task with its files (`--attach FIELD=PATH`, read and checked by read_attachments): the
    form is checked first, then the files are stored and named in it; a refused hand-in takes them away again."""
    with app.uow(read_only=True) as uow:
        workflow = get_workflow(uow.rounds.row(round_id).workflow)
        recipient_id = uow.attachments.recipient_id(round_id, unit_code)
    form = task_form(workflow, task)
    if recipient_id is None:
        raise InvalidInput(f"unit: đơn vị \"{unit_code}\" không thuộc đợt này.", "unit_unknown")
    clean_proposals(form, [dict(values)], pending_files(form, uploads))
    refs: list[AttachmentRef] = []
    try:
        for upload in uploads:
            refs.append(store(app, round_id, recipient_id, upload.field_key, upload.filename, upload.content))
        files = {proposal_input(form, 1, upload.field_key): ref.value
                 for upload, ref in zip(uploads, refs, strict=True)}
        return hand_in(app, round_id, unit_code, task, values, channel, actor, files=files)
    except BaseException:
        discard(app, refs)
        raise
