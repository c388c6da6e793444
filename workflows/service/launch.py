"""Launching a round: the checks before its letters go out (a kind that needs a draft has one or a reason; the letter
its emails go with can be written), then the command. Refused, nothing is queued or sent.
"""
from __future__ import annotations

from collections.abc import Callable

from models.errors import DomainError, InvalidInput
from models.text import lowfirst
from workflows.engine.events import Launch
from workflows.service.app import App
from workflows.service.commands import CommandResult, deliver_decision, run_command
from workflows.service.documents import launch_letter
from workflows.service.draft_rounds import DraftRequired, check_no_draft_reason
from workflows.service.registry import get_workflow


class LetterNotReady(DomainError):
    """The round's emails go with a letter (its kind's `letter`) that cannot be written yet: a launch would mail every
    unit about a letter the Sở cannot sign. `inputs` are the document inputs missing; the message says where the web
    takes them, the CLI says its own command (`refused` is the rest)."""

    code = "letter_not_ready"

    def __init__(self, round_id: int, letter: str, reason: str, inputs: tuple[str, ...] = ()) -> None:
        self.round_id, self.letter, self.reason, self.inputs = round_id, letter, reason, inputs
        where = (f"Mục này ở trang Văn bản của đợt (/rounds/{round_id}/documents); điền xong hãy phát hành lại."
                 if inputs else "Bổ sung xong hãy phát hành lại.")
        super().__init__(f"{self.refused} {where}")

    @property
    def refused(self) -> str:
        return (f"Chưa phát hành đợt số {self.round_id}, chưa gửi thư nào: thư gửi các cơ quan, đơn vị đi theo "
                f"{self.letter}, mà văn bản này chưa soạn được. {self.reason}")


def check_letter_ready(app: App, round_id: int) -> None:
    """Refuse (LetterNotReady) to launch a round whose letter, which its emails go with, cannot be written yet."""
    letter = launch_letter(app, round_id)
    if letter is not None and letter.not_ready is not None:
        raise LetterNotReady(round_id, letter.title, letter.not_ready.message, letter.not_ready.inputs)


def launch_round(app: App, round_id: int, actor: str, no_draft_reason: str | None = None,
                 deliver: bool = True, on_progress: Callable[[int, int], None] | None = None) -> CommandResult:
    """Launch: refused with DraftRequired when the kind needs a draft (its definition's `draft: "required"`), the
    round has none and no reason is given; the reason goes into the launch's audit entry. A reason for a round
    that has its draft is refused, so the audit never says a draft was missing when it was not. `on_progress(done,
    total)` hears of the invitations queued (the caller shows progress; delivery's progress is in the outbox)."""
    reason = check_no_draft_reason(no_draft_reason)
    with app.uow(read_only=True) as uow:
        row = uow.rounds.row(round_id)
        workflow = get_workflow(row.workflow)
        has_draft = row.draft_sha256 is not None
    document = lowfirst(workflow.terms.document)  # the file the kind sends: "dự thảo", "hồ sơ thẩm định"
    if reason is not None and has_draft:
        raise InvalidInput(f"no_draft_reason: đợt đã có tệp {document} kèm theo; bỏ lý do không kèm {document}.",
                           "draft_attached")
    if workflow.needs_draft and not has_draft and reason is None:
        raise DraftRequired(f"Đợt số {round_id} chưa có tệp {document}: {workflow.terms.round} cần gửi kèm {document} "
                            f"để các đơn vị {workflow.terms.verb}. Hãy sửa bản nháp để đính kèm tệp, hoặc ghi lý do "
                            f"không kèm {document}.")
    check_letter_ready(app, round_id)
    queued = run_command(app, round_id, Launch(no_draft_reason=reason), actor, deliver=False, on_progress=on_progress)
    return deliver_decision(app, round_id, queued.decision) if deliver else queued
