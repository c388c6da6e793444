"""Server-side staff sessions: the row behind a session cookie, looked up by the SHA-256 of its token."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models.db.tables import StaffSessionRow, UserRow
from models.staff import Role, StaffUser


@dataclass(frozen=True)
class LiveSession:
    """A session row with its (active) user."""

    id: int
    user: StaffUser
    csrf: str
    created_at: datetime
    last_seen_at: datetime


class StaffSessionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, token_hash: str, user_id: int, csrf: str, client: str, at: datetime) -> None:
        self.session.add(StaffSessionRow(token_hash=token_hash, user_id=user_id, csrf=csrf, client=client[:100],
                                         created_at=at, last_seen_at=at))

    def find(self, token_hash: str) -> LiveSession | None:
        """The session of that token if its account is active (one query, joined with the account)."""
        found = self.session.execute(
            select(StaffSessionRow.id, StaffSessionRow.csrf, StaffSessionRow.created_at,
                   StaffSessionRow.last_seen_at, UserRow.id, UserRow.username, UserRow.display_name, UserRow.role,
                   UserRow.office)
            .join(UserRow, UserRow.id == StaffSessionRow.user_id)
            .where(StaffSessionRow.token_hash == token_hash, UserRow.active.is_(True))).first()
        if found is None:
            return None
        session_id, csrf, created_at, last_seen_at, user_id, username, name, role, office = found
        return LiveSession(session_id, StaffUser(user_id, username, name, Role(role), office), csrf, created_at,
                           last_seen_at)

    def touch(self, session_id: int, at: datetime) -> None:
        self.session.execute(update(StaffSessionRow).where(StaffSessionRow.id == session_id)
                             .values(last_seen_at=at))

    def end(self, session_id: int) -> None:
        self.session.execute(delete(StaffSessionRow).where(StaffSessionRow.id == session_id))

    def end_all_of(self, user_id: int) -> int:
        """End every session of an account; the number ended."""
        result = self.session.execute(delete(StaffSessionRow).where(StaffSessionRow.user_id == user_id))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def forget_expired(self, created_before: datetime, seen_before: datetime) -> None:
        self.session.execute(delete(StaffSessionRow).where(
            (StaffSessionRow.created_at < created_before) | (StaffSessionRow.last_seen_at < seen_before)))

    def count_of(self, user_id: int) -> int:
        return len(self.session.scalars(select(StaffSessionRow.id).where(StaffSessionRow.user_id == user_id)).all())
