"""rounds autoincrement: a deleted round's number is never given to another round on SQLite

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 22:10:00.000000

A round's id is its number ("Đợt số 4") in letters, registers and the audit. SQLite gives a new row the highest id
in the table plus one, so after the newest draft round was deleted the next round took its number, while the system's
audit chain still records that number as deleted. AUTOINCREMENT makes SQLite take one more than the highest id ever
used, kept in sqlite_sequence. The table is rebuilt (SQLite cannot add it in place) with its rows and ids, and the
counter starts above the highest id the rounds table or a "round_deleted" audit entry holds. PostgreSQL's sequences
never give an id twice: nothing to do there.
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def _highest_round_ever(connection: sa.Connection) -> int:
    highest = int(connection.execute(sa.text("SELECT COALESCE(MAX(id), 0) FROM rounds")).scalar_one())
    deleted = connection.execute(sa.text(
        "SELECT details FROM audit_events WHERE round_id IS NULL AND action = 'round_deleted'")).scalars()
    for details in deleted:
        number = (json.loads(details) if isinstance(details, str) else details or {}).get("round")
        if isinstance(number, int):
            highest = max(highest, number)
    return highest


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    highest = _highest_round_ever(connection)
    with op.batch_alter_table('rounds', recreate='always', table_kwargs={'sqlite_autoincrement': True}):
        pass
    connection.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'rounds'"))
    connection.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('rounds', :seq)"), {"seq": highest})


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    with op.batch_alter_table('rounds', recreate='always', table_kwargs={'sqlite_autoincrement': False}):
        pass
    connection.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'rounds'"))
