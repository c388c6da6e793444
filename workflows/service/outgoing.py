"""Turn the engine's message intents into composed outbox rows, with personal links."""
from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from models.db.access_token_repository import NewAccessToken
from models.db.outbox_repository import NewMessage, ThreadRoot
from models.db.round_repository import RoundDetails
from models.db.unit_of_work import UnitOfWork
from models.rounds import RecipientState, RoundState
from models.text import draft_kind
from notifications.compose import OPENING_KIND, ComposedEmail, compose
from notifications.documents.data import LetterRef
from workflows.definition import Workflow
from workflows.definition.schema import fill_terms
from workflows.engine.decision import MessageIntent
from workflows.service.app import App
from workflows.service.registry import workflow_folder
from workflows.service.signed_documents import signed_letter

CHUNK = 500
# The receipts carry a link too: the unit reads there what the Sở received, as their templates say.
LINK_KINDS = frozenset({"invitation", "reminder_before", "reminder_overdue", "extension", "task_reminder", "receipt",
                        "task_receipt"})
# The emails that name the files the link offers (the draft, the signed letter). A receipt does not: it confirms what
# the Sở received, and looking the files up would cost every answer two more reads for a list the unit already has.
FILE_LIST_KINDS = LINK_KINDS - {"receipt", "task_receipt"}
TOKEN_LIFETIME_AFTER_DEADLINE = timedelta(days=90)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def email_terms(workflow: Workflow, **values: str) -> Mapping[str, Any]:
    """The kind's terms as the email templates read them, {title}, {issuer_name}, {governing_body} and {draft_kind}
    filled. Kept for the next email of the round (each answer's receipt asks again): the templates only read it."""
    return _filled_terms(_Same(workflow), tuple(sorted(values.items())))


class _Same:
    """A workflow as a cache key, by identity (pydantic cannot hash a model holding dicts); holding it keeps its id
    from being reused while the entry lives."""

    __slots__ = ("workflow",)

    def __init__(self, workflow: Workflow) -> None:
        self.workflow = workflow

    def __hash__(self) -> int:
        return id(self.workflow)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.workflow is self.workflow


@lru_cache(maxsize=64)
def _filled_terms(workflow: _Same, values: tuple[tuple[str, str], ...]) -> Mapping[str, Any]:
    return MappingProxyType(_filled(workflow.workflow.terms.model_dump(), dict(values)))


def _filled(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return fill_terms(value, **values)
    if isinstance(value, dict):
        return {key: _filled(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [_filled(item, values) for item in value]
    return value


@dataclass(frozen=True)
class FilesAtLink:
    """The files a unit downloads at its personal link, which every email with that link names (and nothing else: no
    email carries an attachment): the current draft's file name, and the signed letter's (title, file name)."""

    draft_file: str | None = None
    signed_letter: tuple[str, str] | None = None


def letter_title(workflow: Workflow) -> str | None:
    """The title of the kind's letter ("Giấy mời dự Hội thảo"), None for a kind without one."""
    document = workflow.documents.get(workflow.letter) if workflow.letter is not None else None
    return document.title if document is not None else None


def files_at_link(app: App, uow: UnitOfWork, workflow: Workflow, state: RoundState,
                  details: RoundDetails) -> FilesAtLink:
    """What the units' page of the round offers to download now (read once per round, never per email)."""
    stored = uow.drafts.get(state.id, state.draft_version)
    draft = stored.filename if stored is not None else details.draft_filename
    signed = signed_letter(app, state.id, workflow.letter, uow)
    title = letter_title(workflow)
    return FilesAtLink(draft, (title, signed.name) if signed is not None and title is not None else None)


@dataclass(frozen=True)
class RoundMail:
    """What every email of one round shares: the kind's templates, its terms filled for the round, and the
    silence sentence (None unless the round takes silence as agreement). Built once per round, not per email."""

    workflow: Workflow
    search_path: tuple[Path, ...]
    terms: Mapping[str, Any]
    silence: str | None
    letter: str | None = None  # "Công văn số 12/SKHCN-TĐC ngày 10/11/2025": the round's letter once it has a number
    dates: tuple[tuple[str, date], ...] = ()  # the kind's named dates of the round, by day: ("Ngày tổ chức …", day)
    at_link: FilesAtLink | None = None  # what a unit downloads at its link, as each email with the link names it
    letter_title: str | None = None  # "Công văn xin ý kiến": how a later email names the letter while it has no number

    @classmethod
    def of(cls, app: App, workflow: Workflow, state: RoundState, letter: str | None = None,
           at_link: FilesAtLink | None = None) -> RoundMail:
        values = {"title": state.title, "issuer_name": app.settings.issuer_name,
                  "governing_body": app.settings.governing_body, "draft_kind": draft_kind(state.title)}
        sentence = workflow.silence.sentence
        silence = fill_terms(sentence, **values) if sentence and state.silence_is_agreement else None
        own = workflow_folder(workflow.name) / workflow.name / "emails"  # a department's kind: beside its YAML
        return cls(workflow, (own,) if own.is_dir() else (), email_terms(workflow, **values), silence, letter,
                   workflow.titled_dates(state.dates), at_link, letter_title(workflow))

    def compose(self, message: str, context: Mapping[str, Any]) -> ComposedEmail:
        """One email: the kind's own template where it has one, else the generic one."""
        return compose(message, context, template_set=self.workflow.name, search_path=self.search_path)


def letter_citation(uow: UnitOfWork, workflow: Workflow, round_id: int) -> str | None:
    """The letter the round's emails go with (the kind's `letter:`), cited by the number and date the register
    holds for it; None while it has none (one small query per round, not per email)."""
    if workflow.letter is None:
        return None
    entry = uow.register.latest_of(round_id, workflow.letter)
    if entry is None:
        return None
    return LetterRef(entry.issued_on, entry.full_number, kind=entry.type_name).citation()


def message_context(app: App, mail: RoundMail, state: RoundState, details: RoundDetails,
                    recipient: RecipientState, intent: MessageIntent, link: str | None,
                    invited_on: date | None = None) -> dict[str, Any]:
    """What one email's templates read. `invited_on`: the day the unit's invitation of the round went, which a later
    email cites with the round's letter (the invitation told its content, maybe before it had a number), or alone
    while the letter has none; None for a unit whose invitation failed, told the letter by its title and its link."""
    settings = app.settings
    context: dict[str, Any] = {
        "unit_name": recipient.unit_name, "unit_code": recipient.unit_code,
        "unit_contact": recipient.contact_person, "round_title": state.title, "subject": state.subject,
        "deadline": recipient.deadline(state.deadline), "link": link, "role": recipient.role.value,
        "issuer_name": settings.issuer_name, "governing_body": settings.governing_body,
        "contact_name": details.contact_name, "contact_title": details.contact_title,
        "contact_phone": details.contact_phone, "contact_email": settings.reply_to, "signer_name": details.signer_name,
        "signer_title": details.signer_title, "terms": mail.terms, "silence": mail.silence,
        "reference": f"đợt {state.id}", "letter": mail.letter,
        "dates": mail.dates, "invited_on": invited_on, "letter_title": mail.letter_title,
    }
    if mail.at_link is not None and intent.kind in FILE_LIST_KINDS:
        context.update(draft_file=mail.at_link.draft_file, signed_letter=mail.at_link.signed_letter)
    extra = dict(intent.extra)
    for key in ("old_deadline", "new_deadline"):
        if key in extra:
            extra[key] = _date(extra[key])
    if "received_at" in extra:
        extra["received_at"] = datetime.fromisoformat(extra["received_at"])
    context.update(extra)
    return context


class OutboxWriter:
    """Composes each message once, mints a personal link where the message needs one."""

    def __init__(self, app: App, workflow: Workflow) -> None:
        self.app = app
        self.workflow = workflow
        self.domain = app.settings.from_address.rsplit("@", 1)[1]

    def write(self, uow: UnitOfWork, state: RoundState, details: RoundDetails, intents: list[MessageIntent],
              recipient_ids: dict[str, int], now: datetime,
              on_progress: Callable[[int, int], None] | None = None) -> int:
        """Compose and queue in chunks: a fan-out to thousands of units never holds them all in memory,
        and the repositories' multi-row inserts skip the ORM's per-row bookkeeping. `on_progress(done, total)`
        hears of each chunk queued."""
        written = 0
        letter = letter_citation(uow, self.workflow, state.id) if intents else None
        at_link = files_at_link(self.app, uow, self.workflow, state, details) \
            if any(i.kind in FILE_LIST_KINDS for i in intents) else None
        for start in range(0, len(intents), CHUNK):
            chunk = intents[start:start + CHUNK]
            roots = _thread_roots(uow, state.id, chunk, recipient_ids)
            outbox, tokens = self._chunk(state, details, chunk, recipient_ids, now, letter, roots, at_link)
            uow.tokens.add_many(tokens)
            uow.outbox.queue(outbox, now)
            written += len(outbox)
            if on_progress is not None:
                on_progress(written, len(intents))
        return written

    def _chunk(self, state: RoundState, details: RoundDetails, intents: list[MessageIntent],
               recipient_ids: dict[str, int], now: datetime, letter: str | None,
               roots: dict[int, ThreadRoot],
               at_link: FilesAtLink | None) -> tuple[list[NewMessage], list[NewAccessToken]]:
        outbox: list[NewMessage] = []
        tokens: list[NewAccessToken] = []
        mail = RoundMail.of(self.app, self.workflow, state, letter, at_link)
        for intent in intents:
            recipient = state.recipients[intent.unit_code]
            link = None
            # every role gets its page: a unit informed or asked to publish reads and downloads the draft there (the
            # mail carries no attachment); only one asked to answer finds a form on it
            if intent.kind in LINK_KINDS:
                token = secrets.token_urlsafe(24)
                # a link mailed after the deadline (a late receipt, an overdue reminder) lasts from the day it is sent
                today = now.astimezone(self.app.tz).date()
                deadline = max(recipient.deadline(state.deadline) or today, today)
                expires = datetime.combine(deadline, datetime.min.time(), tzinfo=self.app.tz) \
                    + TOKEN_LIFETIME_AFTER_DEADLINE
                tokens.append(NewAccessToken(recipient_ids[intent.unit_code], hash_token(token), now, expires))
                link = f"{self.app.settings.base_url}/r/{token}"
            recipient_id = recipient_ids[intent.unit_code]
            message_id = f"<{uuid.uuid4().hex}.r{state.id}@{self.domain}>"
            root = None
            if intent.kind == OPENING_KIND:
                roots.setdefault(recipient_id, ThreadRoot(message_id, now))  # a later message of this write follows it
            else:
                root = roots.get(recipient_id)
            invited_on = root.at.astimezone(self.app.tz).date() if root is not None else None
            email = mail.compose(intent.kind, message_context(self.app, mail, state, details, recipient, intent, link,
                                                              invited_on))
            outbox.append(NewMessage(
                round_id=state.id, recipient_id=recipient_id, unit_code=intent.unit_code,
                kind=intent.kind, to_address=recipient.email, subject=email.subject, text_body=email.text,
                html_body=email.html, message_id=message_id,
                in_reply_to=root.message_id if root is not None else None))
        return outbox, tokens


def _thread_roots(uow: UnitOfWork, round_id: int, intents: list[MessageIntent],
                  recipient_ids: dict[str, int]) -> dict[int, ThreadRoot]:
    """The invitation (Message-ID, when it went) of each unit a later message of `intents` goes to, by recipient id:
    one lookup of those units' own mail (a launch, which sends only invitations, makes none)."""
    following = {recipient_ids[i.unit_code] for i in intents if i.kind != OPENING_KIND}
    return uow.outbox.thread_roots(round_id, following, OPENING_KIND) if following else {}
