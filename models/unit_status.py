"""What staff see for one unit in the status grid, derived from the round state and the outbox."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from models.rounds import RecipientState, ResponseKind


class AnswerStatus(StrEnum):
    COMMENTS = "comments"
    AGREE = "agree"
    PROPOSALS = "proposals"
    DECLINED = "declined"  # an answer the kind reads as a refusal (a workshop's "Không tham dự")
    PENDING = "pending"
    SILENT = "silent"
    NOT_ASKED = "not_asked"


class EmailStatus(StrEnum):
    NONE = "none"
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


# The fallback words; a round's page passes the words of its kind (its definition's terms) instead.
ANSWER_LABELS: dict[AnswerStatus, str] = {
    AnswerStatus.COMMENTS: "Có ý kiến góp ý",
    AnswerStatus.AGREE: "Đồng ý / không có ý kiến",
    AnswerStatus.PROPOSALS: "Có đề xuất",
    AnswerStatus.DECLINED: "Từ chối",
    AnswerStatus.PENDING: "Chưa trả lời",
    AnswerStatus.SILENT: "Không trả lời",
    AnswerStatus.NOT_ASKED: "Không cần trả lời",  # published or informed: every kind says so
}

SILENCE_LABEL = "coi như đồng ý"  # the fallback mark of a silent unit taken to agree

EMAIL_LABELS: dict[EmailStatus, str] = {
    EmailStatus.NONE: "—",
    EmailStatus.QUEUED: "Đang chờ gửi",
    EmailStatus.SENT: "Đã gửi",
    EmailStatus.FAILED: "Gửi lỗi",
}


@dataclass(frozen=True)
class DeclineMatch:
    """What makes a unit's latest form a refusal: one of `values` in its field `field` (a kind's response.decline,
    handed to the queries that classify units)."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class UnitStatus:
    unit_code: str
    unit_name: str
    role: str
    email: EmailStatus
    answer: AnswerStatus
    deadline: date | None
    late: bool
    extended: bool
    counted_as_agreement: bool
    reminders_sent: int
    first_opened_at: datetime | None = None
    last_opened_at: datetime | None = None

    @property
    def flags(self) -> list[str]:
        """The notes of the grid with the fallback words; `flags_with` takes the words of the round's kind."""
        return self.flags_with(SILENCE_LABEL)

    def flags_with(self, silence_label: str) -> list[str]:
        out = []
        if self.late:
            out.append("trễ hạn")
        if self.extended:
            out.append("gia hạn")
        if self.counted_as_agreement:
            out.append(silence_label)
        return out


def answer_labels(answered: str | None = None, agreed: str | None = None) -> dict[AnswerStatus, str]:
    """The grid's answer labels: the fallback ones with the words of a kind put in (its terms.answered and
    terms.agreed); an answer with content is labelled `answered` whether it holds comments or proposals."""
    labels = dict(ANSWER_LABELS)
    if answered is not None:
        labels[AnswerStatus.COMMENTS] = labels[AnswerStatus.PROPOSALS] = answered
    if agreed is not None:
        labels[AnswerStatus.AGREE] = agreed
    return labels


def unit_status(recipient: RecipientState, round_deadline: date | None, today: date,
                email: EmailStatus, silence_is_agreement: bool,
                opened: tuple[datetime | None, datetime | None] = (None, None), declined: bool = False) -> UnitStatus:
    """Classify one unit on a given local date; `declined`: its latest form is a refusal (DeclineMatch)."""
    deadline = recipient.deadline(round_deadline)
    past_deadline = deadline is not None and today > deadline
    if not recipient.answers:
        answer = AnswerStatus.NOT_ASKED
    elif recipient.response_kind is ResponseKind.COMMENTS:
        answer = AnswerStatus.COMMENTS
    elif recipient.response_kind is ResponseKind.AGREE:
        answer = AnswerStatus.AGREE
    elif recipient.response_kind is ResponseKind.PROPOSALS:
        answer = AnswerStatus.DECLINED if declined else AnswerStatus.PROPOSALS
    else:
        answer = AnswerStatus.SILENT if past_deadline else AnswerStatus.PENDING
    late = recipient.has_answered and recipient.response_late
    return UnitStatus(
        unit_code=recipient.unit_code,
        unit_name=recipient.unit_name,
        role=recipient.role.value,
        email=email,
        answer=answer,
        deadline=deadline,
        late=late,
        extended=recipient.extended,
        counted_as_agreement=answer is AnswerStatus.SILENT and silence_is_agreement,
        reminders_sent=recipient.reminders_sent,
        first_opened_at=opened[0],
        last_opened_at=opened[1],
    )
