"""What a recipient unit does through its personal link: read the request, answer, revise."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from models.db.tables import AccessTokenRow, CommentRow, RecipientRow, ResponseRow
from models.errors import DomainError
from models.rounds import RecipientRole, ResponseChannel, ResponseKind
from workflows.definition import ResponseSpec
from workflows.engine.events import CommentInput, Respond
from workflows.engine.refusals import Refused
from workflows.service.app import App
from workflows.service.outgoing import hash_token
from workflows.service.registry import get_workflow
from workflows.service.rounds import draft_location, execute
from workflows.service.steps import run_step


class LinkInvalid(DomainError):
    """An unknown, expired or revoked personal link: shown as a plain page, never a stack trace."""

    code = "link_invalid"


@dataclass(frozen=True)
class Revision:
    revision: int
    kind: str
    received_at: datetime
    late: bool
    channel: str
    note: str | None
    attachment_name: str | None
    comments: tuple[CommentInput, ...]
    proposal: dict[str, str] | None


@dataclass(frozen=True)
class RecipientPage:
    round_id: int
    recipient_id: int
    unit_code: str
    unit_name: str
    role: str
    title: str
    subject: str
    office: str
    deadline: date | None
    extended: bool
    contact_name: str
    contact_title: str | None
    contact_phone: str
    signer_name: str
    signer_title: str
    silence_is_agreement: bool
    draft_filename: str | None
    response: ResponseSpec
    status_title: str
    can_answer: bool
    read_only_reason: str | None
    revisions: list[Revision] = field(default_factory=list)

    @property
    def current(self) -> Revision | None:
        return self.revisions[-1] if self.revisions else None


def _token_row(app: App, token: str) -> AccessTokenRow:
    if not token or len(token) > 200:
        raise LinkInvalid("Đường dẫn không hợp lệ.")
    with app.uow() as uow:
        row = uow.session.scalar(select(AccessTokenRow).where(AccessTokenRow.token_hash == hash_token(token)))
    if row is None:
        raise LinkInvalid("Đường dẫn không hợp lệ hoặc đã bị thay thế. Vui lòng dùng đường dẫn trong thư mới nhất "
                          "hoặc liên hệ Sở Khoa học và Công nghệ.")
    if row.revoked_at is not None:
        raise LinkInvalid("Đường dẫn này đã bị thu hồi. Vui lòng liên hệ Sở Khoa học và Công nghệ.")
    if row.expires_at <= app.clock.now():
        raise LinkInvalid("Đường dẫn này đã hết hiệu lực. Vui lòng liên hệ Sở Khoa học và Công nghệ.")
    return row


def record_opening(app: App, token: str) -> int:
    """Remember when the unit first and last opened its link; returns the recipient id."""
    row = _token_row(app, token)
    now = app.clock.now()
    with app.uow() as uow:
        recipient = uow.session.get(RecipientRow, row.recipient_id)
        assert recipient is not None
        if recipient.first_opened_at is None:
            recipient.first_opened_at = now
        recipient.last_opened_at = now
        uow.commit()
    return row.recipient_id


def recipient_page(app: App, token: str) -> RecipientPage:
    row = _token_row(app, token)
    today = app.clock.now().astimezone(app.tz).date()
    with app.uow() as uow:
        recipient = uow.session.get(RecipientRow, row.recipient_id)
        assert recipient is not None
        state = uow.rounds.get(recipient.round_id, lock=False)
        details = uow.rounds.details(recipient.round_id)
        responses = list(uow.session.scalars(select(ResponseRow).where(
            ResponseRow.recipient_id == recipient.id, ResponseRow.draft_version == state.draft_version)
            .order_by(ResponseRow.revision)))
        comments: dict[int, list[CommentRow]] = {}
        if responses:
            for comment in uow.session.scalars(select(CommentRow).where(
                    CommentRow.response_id.in_([r.id for r in responses])).order_by(CommentRow.position)):
                comments.setdefault(comment.response_id, []).append(comment)
    workflow = get_workflow(state.workflow)
    unit = state.recipients[recipient.unit_code]
    deadline = unit.deadline(state.deadline)
    can_answer, reason = True, None
    if not unit.answers:
        can_answer, reason = False, "Quý cơ quan nhận văn bản này để đăng tải/để biết, không cần gửi ý kiến."
    elif "respond" not in workflow.state(state.status).transitions or state.status == workflow.initial:
        can_answer, reason = False, "Đợt lấy ý kiến đã kết thúc nhận ý kiến."
    elif deadline is not None and today > deadline:
        can_answer, reason = False, f"Đã hết hạn gửi ý kiến (trước ngày {deadline:%d/%m/%Y})."
    if can_answer and workflow.state(state.status).transitions["respond"][0].guard == "late_accept":
        can_answer, reason = False, "Đợt lấy ý kiến đã kết thúc nhận ý kiến."
    revisions = [Revision(r.revision, r.kind, r.received_at, r.late, r.channel, r.note, r.attachment_name,
                          tuple(CommentInput(c.text, c.section, c.proposed_wording) for c in comments.get(r.id, [])),
                          r.proposal) for r in responses]
    return RecipientPage(
        round_id=state.id, recipient_id=recipient.id, unit_code=unit.unit_code, unit_name=unit.unit_name,
        role=unit.role.value, title=state.title, subject=state.subject, office=state.office, deadline=deadline,
        extended=unit.extended, contact_name=details.contact_name, contact_title=details.contact_title,
        contact_phone=details.contact_phone, signer_name=details.signer_name, signer_title=details.signer_title,
        silence_is_agreement=state.silence_is_agreement, draft_filename=details.draft_filename,
        response=workflow.response, status_title=workflow.state(state.status).title, can_answer=can_answer,
        read_only_reason=reason, revisions=revisions)


def draft_file(app: App, token: str) -> Path:
    page = recipient_page(app, token)
    if page.draft_filename is None:
        raise LinkInvalid("Đợt lấy ý kiến này không có tệp dự thảo đính kèm.")
    with app.uow() as uow:
        version = uow.rounds.row(page.round_id).draft_version
    path = draft_location(app, page.round_id, version, page.draft_filename)
    if not path.is_file():
        raise LinkInvalid("Không tìm thấy tệp dự thảo; vui lòng liên hệ Sở Khoa học và Công nghệ.")
    return path


def answer(app: App, token: str, kind: ResponseKind, comments: tuple[CommentInput, ...] = (),
           proposal: dict[str, str] | None = None, attachment: tuple[str, bytes] | None = None) -> Any:
    """Record the unit's answer (a new revision) and send the receipt."""
    page = recipient_page(app, token)
    if not page.can_answer:
        raise Refused(page.read_only_reason or "Không thể gửi ý kiến.", "read_only")
    attachment_name = attachment_sha = None
    if attachment is not None:
        name, content = attachment
        attachment_sha = hashlib.sha256(content).hexdigest()
        attachment_name = f"{page.unit_code}-lan-{len(page.revisions) + 1}.pdf"
        target = app.settings.home / "replies" / str(page.round_id) / attachment_name
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(content)
        partial.replace(target)
    event = Respond(unit_code=page.unit_code, kind=kind, entered_by=f"{page.unit_name} (qua đường dẫn)",
                    channel=ResponseChannel.WEB, comments=comments, proposal=proposal,
                    attachment_name=attachment_name, attachment_sha256=attachment_sha)
    decision = execute(app, page.round_id, event, f"{page.unit_name} ({page.unit_code})")
    run_step(app, "circulate", round_id=page.round_id)
    return decision


def reply_attachment(app: App, round_id: int, name: str) -> Path:
    path = app.settings.home / "replies" / str(round_id) / Path(name).name
    if not path.is_file():
        raise LinkInvalid("Không tìm thấy tệp.")
    return path


__all__ = ["LinkInvalid", "RecipientPage", "RecipientRole", "answer", "draft_file", "recipient_page",
           "record_opening", "reply_attachment"]
