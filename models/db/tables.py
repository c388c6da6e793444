"""The relational schema. Every change goes through an alembic migration in models/db/migrations."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from models.db.types import UTCDateTime
from models.text import search_key

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, TypeEngine[Any]]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


def table_of(mapped: type[Base]) -> Table:
    """The Core table of a mapped class. Rows written and not read back in their transaction (an answer's, its
    receipt's, its audit event's) are inserted through it, without the ORM's bulk-insert bookkeeping."""
    table = mapped.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{mapped.__name__} is not mapped to a table")
    return table


# The *_key columns: the code's and the name's search key (models.text.search_key), written with them (below), so that
# a search ranks a round's units by plain comparisons instead of folding every name at each keystroke (search_match.py).
def _key_column(length: int) -> Mapped[str]:
    return mapped_column(String(length), server_default="")


class UnitGroupRow(Base):
    __tablename__ = "unit_groups"
    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    code_key: Mapped[str] = _key_column(60)
    label_key: Mapped[str] = _key_column(200)


class UnitRow(Base):
    __tablename__ = "units"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    group_code: Mapped[str] = mapped_column(ForeignKey("unit_groups.code"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    contact_person: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime]
    code_key: Mapped[str] = _key_column(40)
    name_key: Mapped[str] = _key_column(300)


class RoundRow(Base):
    __tablename__ = "rounds"
    # A round's id is its number in letters and the audit: SQLite must not give a deleted round's number again.
    __table_args__ = ({"sqlite_autoincrement": True},)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workflow: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(60), index=True)
    title: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    office: Mapped[str] = mapped_column(String(40))
    deadline: Mapped[date | None] = mapped_column(Date)
    deadline_working_days: Mapped[int | None] = mapped_column(Integer)
    launch_deadline: Mapped[date | None] = mapped_column(Date)  # RoundState.launch_deadline
    silence_is_agreement: Mapped[bool] = mapped_column(Boolean)
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_title: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str] = mapped_column(String(40))
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_title: Mapped[str] = mapped_column(String(200))
    draft_filename: Mapped[str | None] = mapped_column(String(300))
    draft_sha256: Mapped[str | None] = mapped_column(String(64))
    draft_version: Mapped[int] = mapped_column(Integer, default=1)
    launched_at: Mapped[datetime | None]
    entered_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    timer_overrides: Mapped[dict[str, Any]]
    dates: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=dict)  # named dates: {"event": "2025-08-20"}
    addressees: Mapped[list[Any]] = mapped_column(JSON, default=list)
    legal_bases: Mapped[list[Any]] = mapped_column(JSON, default=list)
    document_inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what staff give the documents
    tasks: Mapped[list[Any]]
    outcome: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)


class RecipientRow(Base):
    __tablename__ = "recipients"
    __table_args__ = (UniqueConstraint("round_id", "unit_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    unit_code: Mapped[str] = mapped_column(String(40))
    unit_name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(320))
    group_code: Mapped[str] = mapped_column(String(60))
    contact_person: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    deadline_override: Mapped[date | None] = mapped_column(Date)
    response_kind: Mapped[str | None] = mapped_column(String(20))
    responded_at: Mapped[datetime | None]
    response_late: Mapped[bool] = mapped_column(Boolean, default=False)
    response_revision: Mapped[int] = mapped_column(Integer, default=0)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    first_opened_at: Mapped[datetime | None]
    last_opened_at: Mapped[datetime | None]
    unit_code_key: Mapped[str] = _key_column(40)
    unit_name_key: Mapped[str] = _key_column(300)


class AccessTokenRow(Base):
    """A personal link: only the SHA-256 of the token is kept."""

    __tablename__ = "access_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ResponseRow(Base):
    __tablename__ = "responses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), index=True)
    draft_version: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    entered_by: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime]
    late: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    # The filled forms: a list of objects; rows written before forms could repeat hold one object.
    proposal: Mapped[list[Any] | dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    attachment_name: Mapped[str | None] = mapped_column(String(300))
    attachment_sha256: Mapped[str | None] = mapped_column(String(64))


class CommentRow(Base):
    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    section: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    proposed_wording: Mapped[str | None] = mapped_column(Text)
    handling_id: Mapped[int | None] = mapped_column(ForeignKey("handlings.id"), index=True)
    quote: Mapped[str | None] = mapped_column(Text)  # the draft's text the unit chose on its page (migration 0012)


class TimerRow(Base):
    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(60))
    due_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20))
    claimed_until: Mapped[datetime | None] = mapped_column(index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    fired_at: Mapped[datetime | None]


class OutboxRow(Base):
    __tablename__ = "outbox"
    # Pages half full on PostgreSQL, and no index on claimed_until: a claim rewrites the row in its own page, without
    # touching the indexes (migration 0025).
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"), {"postgresql_with": {"fillfactor": 50}})
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), index=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id"), index=True)
    unit_code: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    # the Message-ID of the unit's invitation in the round, which this later message answers (migration 0024)
    in_reply_to: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    sent_by: Mapped[str | None] = mapped_column(String(120))  # the process instance that sent it (InstanceRow.id)
    last_error: Mapped[str | None] = mapped_column(Text)


class InstanceRow(Base):
    """A running ykien process (serve, tick, a command that sends): its claims on timers and messages hold while it
    renews heartbeat_at; once that is stale, another process releases them."""

    __tablename__ = "instances"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)  # host:pid:random, new at every start
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime] = mapped_column(index=True)


class InstallationRow(Base):
    """This installation's id, one row written by the migration that made the table: what every process on this
    database (serve, its workers) shares, and another installation's never does, unless its database is a copy of
    this one. The flow runs it submits to a shared Prefect server carry it, and its workers take only those."""

    __tablename__ = "installation"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # 32 hex digits, random
    created_at: Mapped[datetime]


class AuditRow(Base):
    __tablename__ = "audit_events"
    # (round_id, action, seq): a unit's page finds the round's signed letter among its events of one action, in
    # order (migration 0024), without reading the round's whole trail
    __table_args__ = (UniqueConstraint("round_id", "seq"),
                      Index("ix_audit_events_round_action", "round_id", "action", "seq"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    details: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ReceivedMailRow(Base):
    """Mail caught by the embedded SMTP sink when no real server is configured."""

    __tablename__ = "received_mail"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mail_from: Mapped[str] = mapped_column(String(320))
    rcpt_to: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(200), index=True)
    subject: Mapped[str | None] = mapped_column(Text)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime]


class UserRow(Base):
    """A staff account. Recipient units never log in: they use their personal link."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    office: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]


class LoginAttemptRow(Base):
    """Failed logins, counted per username and per client address to slow down guessing."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_key_at", "key", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]


class StaffSessionRow(Base):
    """A logged-in staff session. The cookie carries a random token; only its SHA-256 is stored here."""

    __tablename__ = "staff_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class DraftVersionRow(Base):
    """One uploaded version of a round's draft; a new upload never replaces an old one."""

    __tablename__ = "draft_versions"
    __table_args__ = (UniqueConstraint("round_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    sections: Mapped[list[Any]]
    note: Mapped[str | None] = mapped_column(Text)
    uploaded_at: Mapped[datetime]
    uploaded_by: Mapped[str] = mapped_column(String(200))


class HandlingRow(Base):
    """The decision on one comment, or on several identical comments grouped together."""

    __tablename__ = "handlings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    draft_version: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(20))
    explanation: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime]


class NumberingShownRow(Base):
    """The numbers of a round's comments (their ids in the order of the bảng tổng hợp) as last shown to one person
    for one draft version: `round handle` takes numbers, and a late answer may move them after they were read
    (workflows/service/consolidation.py)."""

    __tablename__ = "numberings_shown"
    __table_args__ = (UniqueConstraint("round_id", "draft_version", "shown_to"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    draft_version: Mapped[int] = mapped_column(Integer)
    shown_to: Mapped[str] = mapped_column(String(200))
    comment_ids: Mapped[list[Any]]  # number n is comment_ids[n - 1]
    shown_at: Mapped[datetime]


class SubmissionRow(Base):
    """A submission package (tờ trình + revised draft + synthesis table) as built and stored."""

    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    draft_version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))


class RegisterEntryRow(Base):
    """One line of a register of outgoing documents (sổ văn bản đi): a number given to one document. A cancelled
    entry stays, and its number stays used."""

    __tablename__ = "register_entries"
    __table_args__ = (UniqueConstraint("register", "year", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    register: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    symbol: Mapped[str] = mapped_column(String(60))  # ký hiệu: "SKHCN-TĐC", "TTr-SKHCN"
    office: Mapped[str] = mapped_column(String(40))  # the office that drafted it (its copy: "Lưu: VT, TĐC")
    issued_on: Mapped[date] = mapped_column(Date)
    document_type: Mapped[str] = mapped_column(String(20))  # "TTr", "BC"; "" for a công văn
    document_title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)  # trích yếu
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), index=True)
    document_key: Mapped[str | None] = mapped_column(String(60))
    signer: Mapped[str] = mapped_column(String(200))
    recipients: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))  # assigned | entered
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(200))
    cancel_reason: Mapped[str | None] = mapped_column(Text)


class RegisterCounterRow(Base):
    """The last number a register gave in a year; taking a number raises it in the taker's transaction."""

    __tablename__ = "register_counters"
    register: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class ReplySignatureRow(Base):
    """What the check of a reply PDF's digital signature found (ký số), one per file of a round: the file is named
    by its SHA-256, as responses.attachment_sha256 names it, so every revision that sent it shares the check."""

    __tablename__ = "reply_signatures"
    __table_args__ = (UniqueConstraint("round_id", "sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))  # valid | untrusted | modified | unsigned
    report: Mapped[dict[str, Any]] = mapped_column(JSON)  # models.signatures.SignatureReport.to_json()
    checked_at: Mapped[datetime]


class OfficeRow(Base):
    """An office (phòng) of the Sở: rounds.office and users.office hold its code (kept NFC, one per office
    whatever the case or diacritics: models/offices.py)."""

    __tablename__ = "offices"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class SavedAnswerRow(Base):
    """A unit's answer saved unsent from its page ("Lưu nháp, chưa gửi"): at most one per recipient, replaced by each
    save, removed when the unit sends (models/db/saved_answer_repository.py)."""

    __tablename__ = "saved_answers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), unique=True)
    draft_version: Mapped[int] = mapped_column(Integer)
    answer: Mapped[str | None] = mapped_column(String(20))  # agree | comments | proposals, or none chosen yet
    rows: Mapped[list[Any]]  # the comment rows: section, comment, proposed, quote
    proposals: Mapped[list[Any]]  # the filled forms of a proposal call
    saved_at: Mapped[datetime]


# The search keys kept with what they are the keys of: (mapped class, (text column, key column) ...). Rows of these
# tables are written through the ORM only (an UPDATE in Core leaves names alone): its flush sets the keys.
SEARCH_KEYS: tuple[tuple[type[Base], tuple[tuple[str, str], ...]], ...] = (
    (UnitGroupRow, (("code", "code_key"), ("label", "label_key"))),
    (UnitRow, (("code", "code_key"), ("name", "name_key"))),
    (RecipientRow, (("unit_code", "unit_code_key"), ("unit_name", "unit_name_key"))),
)


def _keep_search_keys(mapped: type[Base], pairs: tuple[tuple[str, str], ...]) -> None:
    def set_keys(_mapper: Any, _connection: Any, row: Any) -> None:
        for text, key in pairs:
            setattr(row, key, search_key(getattr(row, text) or ""))

    event.listen(mapped, "before_insert", set_keys)
    event.listen(mapped, "before_update", set_keys)


for _mapped, _pairs in SEARCH_KEYS:
    _keep_search_keys(_mapped, _pairs)
