"""How each comment is handled when the drafting office consolidates (tiếp thu, giải trình)."""
from __future__ import annotations

from enum import StrEnum

from models.errors import DomainError


class Handling(StrEnum):
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    NOT_ACCEPTED = "not_accepted"
    NOTED = "noted"


HANDLING_LABELS: dict[Handling, str] = {
    Handling.ACCEPTED: "Tiếp thu",
    Handling.PARTLY_ACCEPTED: "Tiếp thu một phần",
    Handling.NOT_ACCEPTED: "Không tiếp thu",
    Handling.NOTED: "Ghi nhận",
}


class ExplanationRequired(DomainError):
    code = "explanation_required"


def check_handling(decision: Handling, explanation: str | None) -> None:
    """A comment that is not (fully) accepted must say why: that is the giải trình column."""
    if decision in (Handling.NOT_ACCEPTED, Handling.PARTLY_ACCEPTED) and not (explanation or "").strip():
        raise ExplanationRequired(f"\"{HANDLING_LABELS[decision]}\" phải có nội dung giải trình.")
