"""What a recipient unit does through its personal link: read the request, answer, revise.

The unit is resolved from the token alone: nothing a unit sends can name another unit or round.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from models import limits
from models.db.access_token_repository import AccessToken
from models.db.response_repository import AnswerRevision
from models.db.saved_answer_repository import SavedAnswer
from models.db.unit_of_work import UnitOfWork
from models.errors import DomainError, NotFound
from models.rounds import RecipientRole, ResponseChannel, ResponseKind
from models.text import capfirst, lowfirst
from workflows.definition import ResponseSpec
from workflows.definition.schema import Capability, Terms
from workflows.engine.decision import Decision
from workflows.engine.events import CommentInput, Respond
from workflows.engine.refusals import Refused
from workflows.engine.timers import closing_date
from workflows.service.answer_input import (
    MAX_COMMENTS,
    AnswerInvalid,
    Problem,
    check_answer,
    check_reply_pdf,
    clean_text,
    field_limit,
    proposal_input,
)
from workflows.service.app import App
from workflows.service.attachments import file_fields
from workflows.service.commands import MAIL_HELD, run_command
from workflows.service.files import file_in_place
from workflows.service.outgoing import hash_token, letter_title
from workflows.service.registry import get_workflow
from workflows.service.reply_signatures import check_reply, record_reply_check
from workflows.service.rounds import draft_location
from workflows.service.signed_documents import signed_file, signed_letter

_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,200}")
_ENTERED_BY_MAX = 200  # responses.entered_by is VARCHAR(200)
SAVED_ROW_LIMITS = {"section": limits.SECTION, "comment": limits.COMMENT, "proposed": limits.COMMENT,
                    "quote": limits.COMMENT}
CONTACT_HINT = "Vui lòng dùng đường dẫn trong thư mới nhất hoặc liên hệ Sở Khoa học và Công nghệ."
_REPLACED = f"Đường dẫn không hợp lệ hoặc đã bị thay thế. {CONTACT_HINT}"


class LinkInvalid(DomainError):
    """An unknown, expired or revoked personal link: shown as a plain page, never a stack trace."""

    code = "link_invalid"
    gone = False  # True when the link existed but no longer works (HTTP 410)


class LinkUnknown(LinkInvalid):
    code = "link_unknown"


class LinkExpired(LinkInvalid):
    code = "link_expired"
    gone = True


class LinkRevoked(LinkInvalid):
    code = "link_revoked"
    gone = True


class FileMissing(NotFound):
    """The draft or reply file asked for is not there (HTTP 404)."""

    code = "file_missing"


class ReadOnly(Refused):
    """The unit may no longer answer: past its deadline, round closed, or not asked to answer."""

    code = "read_only"


class AlreadyAnswered(Refused):
    """An answer is saved unsent only before the unit's first answer: after it, each change is a new revision."""

    code = "already_answered"


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
    workflow_title: str = ""
    draft_version: int = 1
    sections: tuple[str, ...] = ()  # headings of the draft version, offered when a comment names its section
    revisions: list[AnswerRevision] = field(default_factory=list)
    terms: Terms | None = None  # the words of the round's kind
    silence_sentence: str | None = None  # the kind's sentence, when this round takes silence as agreement
    closing: date | None = None  # the last day answers are taken: the deadline plus the kind's grace period
    late_now: bool = False  # past the unit's deadline but within the grace period: an answer is marked late
    draft_sha256: str | None = None  # of the current version's file: the key of its HTML's cache
    whole: bool = True  # False: read to record an answer only (recipient_page(whole=False)), never to be shown
    # the round's letter as signed (its kind's `letter:`, "Giấy mời dự Hội thảo"), downloaded at the link; the
    # unit's invitation says so
    letter_title: str | None = None
    letter_filename: str | None = None  # the name it is downloaded by ("giay-moi-hoi-thao-dot-12.pdf")
    letter_stored: str | None = None  # its stored name (unique, with part of its hash): never shown

    @property
    def current(self) -> AnswerRevision | None:
        return self.revisions[-1] if self.revisions else None


@dataclass(frozen=True)
class AnswerReceipt:
    """What was recorded: the unit's new revision."""

    round_id: int
    unit_code: str
    revision: int
    kind: ResponseKind
    received_at: datetime
    late: bool
    comment_count: int  # the comments, or the forms of a proposals answer
    attachment_name: str | None
    mail: str = MAIL_HELD  # the receipt waits in the outbox: the delivery sweep sends it (commands.CommandResult.mail)


def _check_form(token: str) -> None:
    if not token or not _TOKEN.fullmatch(token):
        raise LinkUnknown(f"Đường dẫn không hợp lệ. {CONTACT_HINT}")


def _token_row(app: App, token: str) -> AccessToken:
    _check_form(token)
    with app.uow(read_only=True) as uow:
        row = uow.tokens.find(hash_token(token))
    if row is None:
        raise LinkUnknown(_REPLACED)
    return _usable(app, row)


def _usable(app: App, row: AccessToken) -> AccessToken:
    if row.revoked_at is not None:
        raise LinkRevoked("Đường dẫn này đã bị thu hồi. Vui lòng liên hệ Sở Khoa học và Công nghệ.")
    if row.expires_at <= app.clock.now():
        raise LinkExpired("Đường dẫn này đã hết hiệu lực. Vui lòng liên hệ Sở Khoa học và Công nghệ.")
    return row


def record_opening(app: App, token: str) -> int:
    """Remember when the unit first and last opened its link; returns the recipient id."""
    row = _token_row(app, token)
    now = app.clock.now()
    with app.uow() as uow:
        uow.rounds.record_opening(row.recipient_id, now)
        uow.commit()
    return row.recipient_id


def recipient_page(app: App, token: str, whole: bool = True) -> RecipientPage:
    """The request as the unit sees it, with its own earlier answers to the current draft version.

    `whole=False` reads what recording an answer needs and no more: not the draft version (its file and sections),
    and the earlier answers only when the form takes files (an answer sent again keeps the files sent before). That
    is two statements of an answer's dozen fewer; such a page is for recording, never for showing (`page.whole`)."""
    _check_form(token)
    today = app.clock.now().astimezone(app.tz).date()
    # One transaction from the token to the page: a page (and each answer, which reads it first) is one connection
    # checkout and one statement fewer than looking the token up on its own. Read for recording, the page is one
    # statement (two when the form takes files), and needs no transaction around it (no BEGIN, no ROLLBACK).
    with app.uow(read_only=True, each_statement=not whole) as uow:
        target = uow.rounds.by_token(hash_token(token))
        if target is None:
            raise LinkUnknown(_REPLACED)
        row = _usable(app, target.token)
        state = uow.rounds.get(target.round_id, lock=False, only_unit=target.unit_code)
        details = uow.rounds.details(target.round_id)
        workflow = get_workflow(state.workflow)
        responses = uow.responses.revisions(row.recipient_id, state.draft_version) \
            if whole or file_fields(workflow.response) else []
        version = uow.drafts.get(state.id, state.draft_version) if whole else None
    terms = workflow.terms
    unit = state.recipients[target.unit_code]
    deadline = unit.deadline(state.deadline)
    closing = closing_date(app.calendar, deadline, workflow.grace_days()) if deadline is not None else None
    can_answer, reason = True, None
    if not unit.answers:
        can_answer = False
        purpose = "để đăng tải" if unit.role is RecipientRole.PUBLISH else "để biết"
        reason = f"Quý cơ quan nhận văn bản này {purpose}, không cần gửi {terms.answer}."
    elif not workflow.allows(state.status, Capability.ANSWER):
        can_answer = False
        reason = (f"{capfirst(terms.round)} chưa phát hành." if state.launched_at is None
                  else f"{capfirst(terms.round)} đã kết thúc nhận {terms.answer}.")
    elif closing is not None and today > closing:
        can_answer, reason = False, f"Đã hết hạn gửi {terms.answer} (hạn cuối là ngày {closing:%d/%m/%Y})."
    late_now = can_answer and deadline is not None and today > deadline
    letter = signed_letter(app, state.id, workflow.letter) if whole else None
    return RecipientPage(
        round_id=state.id, recipient_id=row.recipient_id, unit_code=unit.unit_code, unit_name=unit.unit_name,
        role=unit.role.value, title=state.title, subject=state.subject, office=state.office, deadline=deadline,
        extended=unit.extended, contact_name=details.contact_name, contact_title=details.contact_title,
        contact_phone=details.contact_phone, signer_name=details.signer_name, signer_title=details.signer_title,
        silence_is_agreement=state.silence_is_agreement and workflow.silence.possible,
        draft_filename=version.filename if version is not None else details.draft_filename if whole else None,
        response=workflow.response, status_title=workflow.state(state.status).title, can_answer=can_answer,
        read_only_reason=reason, workflow_title=workflow.title, draft_version=state.draft_version,
        sections=tuple(str(s) for s in (version.sections if version is not None else []) or []),
        revisions=responses, terms=terms,
        silence_sentence=workflow.silence.sentence if state.silence_is_agreement else None,
        closing=closing, late_now=late_now,
        draft_sha256=version.sha256 if version is not None else details.draft_sha256 if whole else None,
        whole=whole, letter_title=letter_title(workflow) if letter is not None else None,
        letter_filename=letter.name if letter is not None else None,
        letter_stored=letter.file if letter is not None else None)




def draft_file(app: App, token: str) -> Path:
    """The stored file of the round's current draft version."""
    page = recipient_page(app, token)
    if page.draft_filename is None:
        raise FileMissing("Đợt này không có tệp đính kèm.")
    path = draft_location(app, page.round_id, page.draft_version, page.draft_filename)
    if not path.is_file():
        document = lowfirst(page.terms.document) if page.terms is not None else "gửi kèm"
        raise FileMissing(f"Không tìm thấy tệp {document}; vui lòng liên hệ Sở Khoa học và Công nghệ.")
    return path


def letter_file(app: App, token: str) -> tuple[Path, str]:
    """The signed PDF of the round's letter, which the unit's invitation says is at its link, with the name the
    invitation gives it (the document's and the round's, never the stored name)."""
    page = recipient_page(app, token)
    path = signed_file(app, page.round_id, page.letter_stored) if page.letter_stored else None
    if path is None or page.letter_filename is None:
        raise FileMissing("Đợt này chưa có văn bản ký số để tải; vui lòng liên hệ Sở Khoa học và Công nghệ.")
    return path, page.letter_filename


def reply_file(app: App, token: str, revision: int) -> Path:
    """The signed reply the unit itself uploaded with one of its revisions."""
    page = recipient_page(app, token)
    found = next((r for r in page.revisions if r.revision == revision and r.attachment_name), None)
    if found is None or found.attachment_name is None:
        raise FileMissing("Lần gửi này không có văn bản trả lời đính kèm.")
    return reply_attachment(app, page.round_id, found.attachment_name)


def _store_reply(app: App, round_id: int, unit_code: str, content: bytes) -> tuple[Path, bool]:
    """Keep the PDF under the home, named by its content; returns (path, whether it is new)."""
    digest = hashlib.sha256(content).hexdigest()
    target = app.settings.home / "replies" / str(round_id) / f"{unit_code}-{digest[:16]}.pdf"
    if target.is_file():
        return target, False
    with file_in_place(target, unique=digest[16:24]) as partial:
        partial.write_bytes(content)
    return target, True


class _Repeated(Exception):  # not an error: the answer the unit already sent, sent again
    """Rolls back an answer identical to the unit's previous revision; carries that revision's receipt."""

    def __init__(self, receipt: AnswerReceipt) -> None:
        super().__init__("answer repeated")
        self.receipt = receipt


def answer(app: App, token: str, kind: ResponseKind, comments: tuple[CommentInput, ...] = (),
           proposals: tuple[dict[str, str], ...] = (), attachment: bytes | None = None,
           page: RecipientPage | None = None,
           also: Callable[[UnitOfWork, Decision], None] | None = None) -> AnswerReceipt:
    """Record the unit's answer as a new revision and queue its receipt in the outbox (through the command path,
    deliver=False): the delivery sweep sends it, so the request never waits on the mail server, and its cost is
    that of the one unit whatever the size of the round (rounds.execute loads and writes that unit only).

    Comments and proposals must already be cleaned (answer_input.clean_comments / clean_proposals); a refused
    answer stores nothing, not even the PDF. `page` is the unit's page as the caller read it for this request
    (the web route does, to read the form by it); without it, it is read here, for recording only (whole=False).
    Either way the engine decides on the round as it is in the answer's own transaction: a round closed in between
    refuses the answer.
    `also` writes rows that belong with the answer in its transaction (the files of its form: service/attachments).
    """
    page = page if page is not None else recipient_page(app, token, whole=False)
    if not page.can_answer:
        raise ReadOnly(page.read_only_reason or "Không thể gửi trả lời lúc này.")
    check_answer(page.response, kind, comments, proposals, page.terms)
    if attachment is not None:
        check_reply_pdf(attachment, app.settings.max_upload_mb)
    stored: tuple[Path, bool] | None = None
    attachment_name = attachment_sha = None
    if attachment is not None:
        # Written before the transaction: a crash in between leaves an unused file, never a reference
        # to a missing one. A refusal removes the file again.
        stored = _store_reply(app, page.round_id, page.unit_code, attachment)
        attachment_name, attachment_sha = stored[0].name, hashlib.sha256(attachment).hexdigest()
    signature = check_reply(app, attachment) if attachment is not None else None  # ký số, before the transaction
    event = Respond(unit_code=page.unit_code, kind=kind,
                    entered_by=f"{page.unit_name} (qua đường dẫn)"[:_ENTERED_BY_MAX],
                    channel=ResponseChannel.WEB, comments=comments, proposals=proposals,
                    attachment_name=attachment_name, attachment_sha256=attachment_sha)
    # The unit itself acts through its link: the audit names the unit, never a staff member. What it had saved
    # unsent goes in the same transaction: the answer sent is the one to take up again.
    def with_answer(uow: UnitOfWork, decision: Decision) -> None:
        record = decision.responses[-1]
        if record.revision > 1 and (received_at := uow.responses.repeats_previous(
                page.recipient_id, decision.state.draft_version, record)) is not None:
            raise _Repeated(AnswerReceipt(page.round_id, page.unit_code, record.revision - 1, record.kind,
                                          received_at, record.late, len(record.proposals or record.comments),
                                          record.attachment_name, mail=""))
        uow.saved_answers.remove(page.recipient_id)
        if also is not None:
            also(uow, decision)

    try:
        recorded = run_command(app, page.round_id, event, unit_actor(page.unit_name, page.unit_code),
                               deliver=False, also=with_answer)
    except _Repeated as repeated:  # sent twice (a double click, a page sent again): kept once, one receipt
        if stored is not None and stored[1]:
            stored[0].unlink(missing_ok=True)
        return repeated.receipt
    except BaseException as error:
        if stored is not None and stored[1]:
            stored[0].unlink(missing_ok=True)
        if isinstance(error, Refused) and error.code in ("round_closed", "event_not_allowed"):
            # The round closed between the page and the answer: say it as the page does, not as the CLI would.
            raise ReadOnly(recipient_page(app, token).read_only_reason or error.message) from None
        raise
    if signature is not None and attachment_sha is not None:
        record_reply_check(app, page.round_id, attachment_sha, signature)
    record = recorded.decision.responses[-1]
    return AnswerReceipt(page.round_id, page.unit_code, record.revision, record.kind, record.received_at,
                         record.late, len(record.proposals) if record.proposals else len(record.comments),
                         record.attachment_name, recorded.mail)


def saved_answer(app: App, page: RecipientPage) -> SavedAnswer | None:
    """What the unit saved unsent for the current draft version, while it may still answer and has not yet."""
    if not page.can_answer or page.current is not None:
        return None
    with app.uow(read_only=True) as uow:
        found = uow.saved_answers.get(page.recipient_id)
    return found if found is not None and found.draft_version == page.draft_version else None


def _saved_rows(rows: Sequence[Mapping[str, str]], problems: list[Problem]) -> list[dict[str, str]]:
    """The comment rows worth keeping (blank ones dropped), each text in NFC and within its limit, at most
    MAX_COMMENTS of them (more are refused: a row past the limit is never dropped unsaid)."""
    kept: list[dict[str, str]] = []
    for number, row in enumerate(rows, start=1):
        cleaned: dict[str, str] = {}
        for name, limit in SAVED_ROW_LIMITS.items():
            try:
                cleaned[name] = clean_text(row.get(name), f"Ý kiến {number}", limit) or ""
            except ValueError as error:
                problems.append(Problem(f"{name}-{number}", str(error)))
        if any(cleaned.values()):
            kept.append(cleaned)
    if len(kept) > MAX_COMMENTS:
        problems.append(Problem("comments", f"Nhiều nhất {MAX_COMMENTS} ý kiến (đang có {len(kept)})."))
    return kept


def _saved_forms(spec: ResponseSpec, forms: Sequence[Mapping[str, str]],
                 problems: list[Problem]) -> list[dict[str, str]]:
    """The filled forms, their known fields only, each text in NFC and within its field's limit."""
    kept: list[dict[str, str]] = []
    for number, values in enumerate(forms[:spec.items_allowed], start=1):
        cleaned: dict[str, str] = {}
        for item in spec.fields:
            try:
                text = clean_text(values.get(item.key), item.label, field_limit(item))
            except ValueError as error:
                problems.append(Problem(proposal_input(spec, number, item.key), str(error)))
                continue
            if text:
                cleaned[item.key] = text
        if cleaned:
            kept.append(cleaned)
    return kept


def _already_answered(page: RecipientPage) -> str:
    answer_word = page.terms.answer if page.terms is not None else "trả lời"
    return (f"Quý cơ quan đã gửi {answer_word} nên không lưu nháp được nữa: hãy sửa trực tiếp rồi bấm gửi; "
            "mỗi lần gửi đều được lưu lại.")


def save_unsent(app: App, token: str, answer_kind: str | None, rows: Sequence[Mapping[str, str]],
                proposals: Sequence[Mapping[str, str]], page: RecipientPage | None = None) -> datetime:
    """Keep what the unit typed without sending it ("Lưu nháp, chưa gửi"), to take up again from the same link until
    its deadline; returns when it was saved. Nothing is checked but lengths: a draft may be half done. Refused
    (ReadOnly) once the unit may no longer answer, and (AlreadyAnswered) once it has answered. Writes that unit's
    saved row only, and no audit entry: the Sở sees nothing of it, it sends nothing and changes no round."""
    page = page if page is not None else recipient_page(app, token, whole=False)
    if not page.can_answer:
        raise ReadOnly(page.read_only_reason or "Không thể lưu lúc này.")
    if page.current is not None:  # a page read whole knows; the transaction below checks again in any case
        raise AlreadyAnswered(_already_answered(page))
    problems: list[Problem] = []
    kept_rows = _saved_rows(rows, problems)
    kept_forms = _saved_forms(page.response, proposals, problems)
    if problems:
        raise AnswerInvalid(problems)
    choice = answer_kind if answer_kind in {k.value for k in ResponseKind} else None
    now = app.clock.now()
    with app.uow() as uow:
        if uow.responses.revisions(page.recipient_id, page.draft_version):  # it answered since the page was read
            raise AlreadyAnswered(_already_answered(page))
        uow.saved_answers.save(page.round_id, page.recipient_id, page.draft_version, choice, kept_rows, kept_forms,
                               now)
        uow.commit()
    return now


def unit_actor(unit_name: str, unit_code: str) -> str:
    """Who an answer through the personal link is credited to in the audit: the unit, by its name."""
    return f"{unit_name} ({unit_code})"[:_ENTERED_BY_MAX]


def reply_attachment(app: App, round_id: int, name: str) -> Path:
    path = app.settings.home / "replies" / str(round_id) / Path(name).name
    if not path.is_file():
        raise FileMissing("Không tìm thấy tệp.")
    return path


__all__ = ["AlreadyAnswered", "AnswerReceipt", "FileMissing", "LinkExpired", "LinkInvalid", "LinkRevoked",
           "LinkUnknown", "ReadOnly", "RecipientPage", "SavedAnswer", "answer", "draft_file", "recipient_page",
           "record_opening", "reply_attachment", "reply_file", "save_unsent", "saved_answer", "unit_actor"]
