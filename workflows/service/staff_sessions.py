"""Staff sessions kept on the server: opened at login, ended by logout, by a new password or a disabled account,
and by an idle and an absolute lifetime. The cookie holds a random token; the database only its SHA-256."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from hashlib import sha256

from models.staff import StaffUser
from workflows.service.app import App

# last_seen_at is written at most this often, so that reading pages does not write on every request.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class StaffSession:
    token: str
    user: StaffUser
    csrf: str


def _hash(token: str) -> str:
    return sha256(token.encode()).hexdigest()


def open_session(app: App, user: StaffUser, client: str) -> StaffSession:
    """A new session (a new token and CSRF token on every login), and expired sessions cleared away."""
    now = app.clock.now()
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    with app.uow() as uow:
        uow.staff_sessions.forget_expired(now - _absolute(app), now - _idle(app))
        uow.staff_sessions.add(_hash(token), user.id, csrf, client, now)
        uow.commit()
    return StaffSession(token, user, csrf)


def resume_session(app: App, token: str) -> StaffSession | None:
    """The live session of a cookie's token; None when unknown, ended, expired or its account disabled."""
    if not token or len(token) > 100:
        return None
    now = app.clock.now()
    with app.uow() as uow:
        found = uow.staff_sessions.find(_hash(token))
        if found is None:
            return None
        if now - found.created_at > _absolute(app) or now - found.last_seen_at > _idle(app):
            uow.staff_sessions.end(found.id)
            uow.commit()
            return None
        if now - found.last_seen_at >= TOUCH_EVERY:
            uow.staff_sessions.touch(found.id, now)
            uow.commit()
    return StaffSession(token, found.user, found.csrf)


def end_session(app: App, token: str) -> None:
    with app.uow() as uow:
        found = uow.staff_sessions.find(_hash(token))
        if found is not None:
            uow.staff_sessions.end(found.id)
            uow.commit()


def _idle(app: App) -> timedelta:
    return timedelta(minutes=app.settings.session_idle_minutes)


def _absolute(app: App) -> timedelta:
    return timedelta(hours=app.settings.session_hours)
