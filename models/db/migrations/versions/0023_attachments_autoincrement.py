"""attachments autoincrement: a removed file's number is never given to another file on SQLite

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 00:00:00.000000

A file a unit attaches is named by its id wherever it is shown or asked for: the form value ("bang-ke.xlsx (12 KB)
[tệp đính kèm số 17]") an answer, a task or a saved answer keeps, the links of the pages (/rounds/N/attachments/17,
/r/<token>/attachments/17), the signed reference a confirmation form carries. Files no answer took are removed (a refused answer, a form left unconfirmed), and SQLite gave the next file the highest id
left plus one: the removed file's number, so a reference read before could open another unit's file. As for rounds
(0020) and assignments (0021), AUTOINCREMENT keeps one more than the highest id ever used; the table is rebuilt with
its rows, ids and indexes (no table refers to it), and the counter starts above the highest id left or named by a
form value kept in the database. Nothing to do on PostgreSQL, whose sequences never give an id twice.

The other tables were checked: the rows of recipients, links, answers, comments, handlings, messages, timers and
draft versions are removed only with a draft round, whose number is never given again (0020) and which every page,
link and message names beside theirs; sessions, login attempts and saved answers are removed but their ids are
shown nowhere; users, received mail and register entries, whose ids the pages show, are never removed.
"""
from __future__ import annotations

import json
import re
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

# The columns that keep form values, which name files by number (workflows/service/attachments.py AttachmentRef).
# (The audit keeps no form value: of an answer, its counts; of a task, its field names.)
_NAMING_COLUMNS = (("assignments", '"values"'), ("saved_answers", "proposals"), ("responses", "proposal"))
_NAMED = re.compile(r"\[tệp đính kèm số ([1-9]\d{0,17})\]")


def _numbers_named(stored: Any) -> list[int]:
    """The file numbers a stored JSON value names (SQLite keeps JSON as text, non-ASCII letters escaped)."""
    value = json.loads(stored) if isinstance(stored, str | bytes) else stored
    return [int(number) for number in _NAMED.findall(json.dumps(value, ensure_ascii=False))]


def _highest_attachment_ever(connection: sa.Connection) -> int:
    highest = int(connection.execute(sa.text("SELECT COALESCE(MAX(id), 0) FROM attachments")).scalar_one())
    for table, column in _NAMING_COLUMNS:
        # "đính kèm số" is kept escaped ("\u0111\u00ednh k\u00e8m s\u1ed1") or not: both hold "nh k" and "m s"
        stored = connection.execute(sa.text(
            f"SELECT {column} FROM {table} WHERE CAST({column} AS TEXT) LIKE '%nh k%m s%'")).scalars()
        for value in stored:
            highest = max([highest, *_numbers_named(value)])
    return highest


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    highest = _highest_attachment_ever(connection)
    with op.batch_alter_table('attachments', recreate='always', table_kwargs={'sqlite_autoincrement': True}):
        pass
    connection.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'attachments'"))
    connection.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('attachments', :seq)"),
                       {"seq": highest})


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    with op.batch_alter_table('attachments', recreate='always', table_kwargs={'sqlite_autoincrement': False}):
        pass
    connection.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'attachments'"))
