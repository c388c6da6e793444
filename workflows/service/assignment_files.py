"""A unit's task handed in with its files, by whichever entry point received them (the unit's page, staff recording
one received on paper, `ykien round hand-in --attach FIELD=PATH`): the files are stored the way an answer's are
(workflows/service/attachments.py), named in the task's form beside those kept from an earlier hand-in, and taken away
again when the hand-in is refused."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from models.assignments import Assignment
from models.errors import InvalidInput
from models.rounds import ResponseChannel
from workflows.service.answer_input import clean_proposals
from workflows.service.app import App
from workflows.service.assignments import hand_in, task_form
from workflows.service.attachments import Upload, discard, pending_files, store_all, unit_recipient
from workflows.service.registry import get_workflow


def hand_in_storing_files(app: App, round_id: int, unit_code: str, task: str, values: Mapping[str, str | None],
                          chosen: Mapping[str, tuple[str, bytes]], kept: Mapping[str, str],
                          channel: ResponseChannel, actor: str, recipient_id: int | None = None) -> Assignment:
    """Hand in the task with the files chosen for its file fields (field key -> (file name, content), already
    checked) and the references of files `kept` from an earlier hand-in; a refused hand-in removes what it stored.
    The unit's recipient row is looked up by its code when the caller does not know it (one row, not the round)."""
    uploads = [Upload(key, filename, content) for key, (filename, content) in chosen.items()]
    refs = store_all(app, round_id, recipient_id or unit_recipient(app, round_id, unit_code), uploads)
    files = dict(kept) | {upload.field_key: ref.value for upload, ref in zip(uploads, refs, strict=True)}
    try:
        # a task's form is filled once: its inputs are named p_<key> (hand_in's `files`)
        return hand_in(app, round_id, unit_code, task, values, channel, actor,
                       files={f"p_{key}": value for key, value in files.items()})
    except BaseException:
        discard(app, refs)
        raise


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
    return hand_in_storing_files(app, round_id, unit_code, task, values,
                                 {u.field_key: (u.filename, u.content) for u in uploads}, {}, channel, actor,
                                 recipient_id)
