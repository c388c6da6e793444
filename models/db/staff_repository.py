"""Staff accounts and the failed logins counted against guessing."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from models.db.tables import LoginAttemptRow, UserRow
from models.staff import Account, Role, StaffUser


@dataclass(frozen=True)
class Credentials:
    """An active account and the stored argon2 hash to check a password against."""

    user: StaffUser
    password_hash: str


def _account(row: UserRow) -> Account:
    return Account(_user(row), row.active, row.created_at, row.last_login_at)


def _user(row: UserRow) -> StaffUser:
    return StaffUser(row.id, row.username, row.display_name, Role(row.role), row.office)


class StaffRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        # Rows read by credentials(), held so record_login() writes them without loading them again (the
        # session's identity map keeps unchanged rows only weakly).
        self._checked: dict[int, UserRow] = {}

    def username_taken(self, username: str) -> bool:
        return self.session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None

    def add(self, username: str, display_name: str, role: Role, office: str | None, password_hash: str,
            created_at: datetime) -> StaffUser:
        row = UserRow(username=username, display_name=display_name, role=role.value, office=office,
                      password_hash=password_hash, active=True, created_at=created_at)
        self.session.add(row)
        self.session.flush()
        return _user(row)

    def active_user(self, user_id: int) -> StaffUser | None:
        row = self.session.get(UserRow, user_id)
        return _user(row) if row is not None and row.active else None

    def credentials(self, username: str) -> Credentials | None:
        """The active account of that name with its password hash; None when there is none."""
        row = self.session.scalar(select(UserRow).where(UserRow.username == username, UserRow.active.is_(True)))
        if row is None:
            return None
        self._checked[row.id] = row
        return Credentials(_user(row), row.password_hash)

    def record_login(self, user_id: int, at: datetime, new_password_hash: str | None = None) -> None:
        """Note a successful login; a new hash replaces the stored one (argon2 parameters raised since)."""
        row = self._checked.get(user_id) or self.session.get(UserRow, user_id)
        if row is None:
            raise LookupError(f"no user {user_id}")
        if new_password_hash is not None:
            row.password_hash = new_password_hash
        row.last_login_at = at

    def failures_since(self, keys: Iterable[str], since: datetime) -> dict[str, int]:
        """Failed logins after `since` for each key (user:…, client:…), in one query; 0 for a key without any."""
        wanted = list(keys)
        counts = dict.fromkeys(wanted, 0)
        query = (select(LoginAttemptRow.key, func.count()).where(LoginAttemptRow.key.in_(wanted),
                                                                LoginAttemptRow.at > since)
                 .group_by(LoginAttemptRow.key))
        for key, count in self.session.execute(query):
            counts[key] = count
        return counts

    def record_failure(self, keys: Iterable[str], at: datetime, forget_before: datetime) -> None:
        """Count one failed login against each key, and drop the attempts older than `forget_before`."""
        self.session.add_all(LoginAttemptRow(key=key, at=at) for key in keys)
        self.session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < forget_before))

    def clear_failures(self, key: str) -> None:
        self.session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.key == key))

    def all(self) -> list[StaffUser]:
        """Every account, active or not, by username."""
        return [_user(row) for row in self.session.scalars(select(UserRow).order_by(UserRow.username))]

    def accounts(self) -> list[Account]:
        """Every account, active or not, by username."""
        return [_account(row) for row in self.session.scalars(select(UserRow).order_by(UserRow.username))]

    def account(self, username: str, lock: bool = False) -> Account | None:
        query = select(UserRow).where(UserRow.username == username)
        row = self.session.scalar(query.with_for_update() if lock else query)
        return _account(row) if row is not None else None

    def set_active(self, user_id: int, active: bool) -> None:
        self.session.execute(update(UserRow).where(UserRow.id == user_id).values(active=active))

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self.session.execute(update(UserRow).where(UserRow.id == user_id).values(password_hash=password_hash))

    def set_role(self, user_id: int, role: Role, office: str | None) -> None:
        self.session.execute(update(UserRow).where(UserRow.id == user_id).values(role=role.value, office=office))

    def password_hash(self, user_id: int) -> str | None:
        return self.session.scalar(select(UserRow.password_hash).where(UserRow.id == user_id,
                                                                        UserRow.active.is_(True)))

    def active_admins(self) -> int:
        return len(self.session.scalars(select(UserRow.id).where(UserRow.role == Role.ADMIN.value,
                                                                 UserRow.active.is_(True))).all())
