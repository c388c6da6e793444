"""Errors the use cases raise beyond the domain's own (models.errors)."""
from __future__ import annotations

from models.errors import InvalidInput


class FormErrors(InvalidInput):
    """Every problem of one submitted form, by field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()), "invalid_form")
        self.errors = errors
