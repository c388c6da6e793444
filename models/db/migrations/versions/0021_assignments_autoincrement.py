"""assignments autoincrement: a taken-back task's number is never given to another on SQLite

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 22:10:00.000000

Staff name an assignment by its id ("nhiệm vụ số 7": `round unassign ROUND 7`, the remove button of the page). On
SQLite, taking back the newest one freed its number for the next task assigned, so a listing read before could
take back another unit's task. As for rounds (0020), AUTOINCREMENT keeps one more than the highest id ever used; the
table is rebuilt with its rows, ids, constraints and indexes (no table refers to it). The audit does not record an
assignment's id, so the counter starts above the highest id left. Nothing to do on PostgreSQL.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    with op.batch_alter_table('assignments', recreate='always', table_kwargs={'sqlite_autoincrement': True}):
        pass  # the copy sets the counter to the highest id copied


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    with op.batch_alter_table('assignments', recreate='always', table_kwargs={'sqlite_autoincrement': False}):
        pass
    connection.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'assignments'"))
