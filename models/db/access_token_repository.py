"""Personal links: only the SHA-256 of each token is stored, with when it stops working."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models.db.tables import AccessTokenRow, table_of


@dataclass(frozen=True, slots=True)
class NewAccessToken:
    recipient_id: int
    token_hash: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class AccessToken:
    id: int
    recipient_id: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class LinkTarget:
    """A token with the recipient it opens: what a personal link resolves to, read in one statement."""

    token: AccessToken
    round_id: int
    unit_code: str


_ADD = insert(table_of(AccessTokenRow))  # each answer mints its receipt's link: built once, Core (no ORM bookkeeping)


class AccessTokenRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_many(self, tokens: Sequence[NewAccessToken]) -> None:
        """One multi-row insert (a fan-out mints thousands): no per-row ORM bookkeeping."""
        if tokens:
            self.session.execute(_ADD, [
                {"recipient_id": t.recipient_id, "token_hash": t.token_hash, "created_at": t.created_at,
                 "expires_at": t.expires_at, "revoked_at": None} for t in tokens])

    def find(self, token_hash: str) -> AccessToken | None:
        row = self.session.scalar(select(AccessTokenRow).where(AccessTokenRow.token_hash == token_hash))
        if row is None:
            return None
        return AccessToken(row.id, row.recipient_id, row.created_at, row.expires_at, row.revoked_at)
