"""Refusals raised by the engine; nothing is persisted when one is raised."""
from __future__ import annotations

from models.errors import DomainError


class Refused(DomainError):
    code = "refused"


class GuardFailed(Refused):
    code = "guard_failed"
