"""Domain refusals: a stable code for machines and a Vietnamese message for people."""
from __future__ import annotations


class DomainError(Exception):
    """A command the rules refuse. The CLI maps it to exit 1, the API to HTTP 409/404."""

    code: str = "refused"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NotFound(DomainError):
    """Something asked for by id or name does not exist (HTTP 404)."""

    code = "not_found"


class RoundNotFound(NotFound):
    code = "round_not_found"


class UnitUnknown(DomainError):
    code = "unit_unknown"


class InvalidInput(ValueError):
    """Input that is malformed (exit 2), as opposed to refused by the rules (exit 1)."""

    code = "invalid_input"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
