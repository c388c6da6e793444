"""Process instances and their heartbeats: who holds a claim, and whether it is still alive; and the installation
they all belong to."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.db.claims import release_own_claims, release_stale_claims
from models.db.tables import InstallationRow, InstanceRow, OutboxRow, TimerRow
from models.db.tables_assignments import AssignmentRow

CLAIMING_TABLES = [TimerRow, OutboxRow, AssignmentRow]  # an assignment's next reminder is claimed like a timer

# The installation's id: the first row by time, then id (two processes may have written one at once)
_FIRST_INSTALLATION = select(InstallationRow.id).order_by(InstallationRow.created_at, InstallationRow.id).limit(1)


@dataclass(frozen=True)
class Instance:
    """One start of a ykien process: `id` is new at every start, so a restarted process (same host, same PID in
    its container) is another instance than the one it replaces."""

    id: str
    host: str
    pid: int
    started_at: datetime


@dataclass(frozen=True)
class InstanceStatus:
    id: str
    host: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime


class InstanceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def beat(self, instance: Instance, now: datetime) -> None:
        """Say that `instance` is alive at `now`: its row is written if missing (first beat, or forgotten while it
        was taken for dead), else its heartbeat moves to `now`."""
        values = {"id": instance.id, "host": instance.host, "pid": instance.pid, "started_at": instance.started_at,
                  "heartbeat_at": now}
        # ykien runs on PostgreSQL and SQLite only; both spell the upsert alike
        insert = postgresql.insert if self.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        statement = insert(InstanceRow).values(values)
        self.session.execute(statement.on_conflict_do_update(index_elements=[InstanceRow.id],
                                                             set_={"heartbeat_at": statement.excluded.heartbeat_at}))

    def release_stale(self, stale_before: datetime) -> int:
        """Free the timers and messages claimed by instances silent since before `stale_before`, and forget those
        instances; returns how many rows were freed."""
        return release_stale_claims(self.session, CLAIMING_TABLES, stale_before)

    def alive(self, since: datetime) -> list[InstanceStatus]:
        """The instances whose heartbeat is at or after `since` (the processes running now)."""
        rows = self.session.scalars(select(InstanceRow).where(InstanceRow.heartbeat_at >= since)
                                    .order_by(InstanceRow.started_at))
        return [InstanceStatus(r.id, r.host, r.pid, r.started_at, r.heartbeat_at) for r in rows]

    def retire(self, instance_id: str) -> int:
        """`instance_id` is stopping: free the rows it still holds and remove its row; returns how many were freed."""
        released = release_own_claims(self.session, CLAIMING_TABLES, instance_id)
        self.session.execute(delete(InstanceRow).where(InstanceRow.id == instance_id))
        return released

    def get(self, instance_id: str) -> InstanceStatus | None:
        row = self.session.get(InstanceRow, instance_id)
        if row is None:
            return None
        return InstanceStatus(row.id, row.host, row.pid, row.started_at, row.heartbeat_at)

    def installation_id(self, now: datetime) -> str:
        """This database's installation id (InstallationRow). The migration writes it; a database whose row went
        missing gets one at `now`, and if two processes write one at once, both read the same (the first by time,
        then id) from then on."""
        found = self.session.scalar(_FIRST_INSTALLATION)
        if found is None:
            self.session.add(InstallationRow(id=uuid.uuid4().hex, created_at=now))
            self.session.flush()
            found = self.session.scalar(_FIRST_INSTALLATION)
        assert found is not None
        return found

    def renew_installation_id(self, now: datetime) -> tuple[str | None, str]:
        """Give this database a new installation id at `now` (a copy restored from another installation's backup
        is then an installation of its own); returns (the id it had, or None, the new one)."""
        previous = self.session.scalar(_FIRST_INSTALLATION)
        self.session.execute(delete(InstallationRow))
        renewed = uuid.uuid4().hex
        self.session.add(InstallationRow(id=renewed, created_at=now))
        self.session.flush()
        return previous, renewed
