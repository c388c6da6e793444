"""One transaction, with the repositories that work inside it."""
from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from models.db.audit_repository import AuditRepository
from models.db.database import READ_ONLY
from models.db.directory_repository import DirectoryRepository
from models.db.outbox_repository import OutboxRepository
from models.db.round_repository import RoundRepository
from models.db.timer_repository import TimerRepository


class UnitOfWork:
    """`with uow:` opens a session; leaving the block without commit() rolls everything back."""

    session: Session
    rounds: RoundRepository
    timers: TimerRepository
    outbox: OutboxRepository
    audit: AuditRepository
    directory: DirectoryRepository

    def __init__(self, sessions: sessionmaker[Session], read_only: bool = False) -> None:
        self._sessions = sessions
        self._read_only = read_only

    def __enter__(self) -> UnitOfWork:
        self.session = self._sessions()
        if self._read_only:
            self.session.connection(execution_options={READ_ONLY: True})
        self.rounds = RoundRepository(self.session)
        self.timers = TimerRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        self.audit = AuditRepository(self.session)
        self.directory = DirectoryRepository(self.session)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        # close() rolls back whatever was not committed and detaches objects without expiring them,
        # so read models built from them stay usable after the block.
        self.session.close()

    def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        self.session.commit()

    def flush(self) -> None:
        self.session.flush()
