"""outbox hot claims: a claim rewrites a message's row in its own page, without touching the table's indexes

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 07:30:00.000000

A fan-out writes each message's row twice: its claim (claimed_until, claimed_by) and its record as sent (status).
On PostgreSQL each write is a new version of the row (about 3.4 kB for an invitation, with its bodies), and a new
version that is not a heap-only tuple (HOT) adds an entry to each of the table's eight indexes. A claim could be HOT,
as it changes no column the searches use, but for two things: the index on claimed_until, which no query reads (a
claim finds its rows through (round_id, status, next_attempt_at, id) or (status, next_attempt_at) and only filters on
the lease), and pages filled to the brim at the launch, with no room for the new version. Without the index, and
with pages filled to half at the launch (fillfactor 50, PostgreSQL only: about one invitation a page), a claim
costs PostgreSQL 0.038 ms of CPU a message against 0.058-0.066 (5,000 units, PostgreSQL 15). The table takes about
twice the pages until VACUUM reuses them; the record as sent changes status, which the indexes hold, and stays as
it was.
"""
from __future__ import annotations

from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

FILLFACTOR = 50


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_claimed_until')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'ALTER TABLE outbox SET (fillfactor = {FILLFACTOR})')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE outbox RESET (fillfactor)')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_claimed_until', ['claimed_until'], unique=False)
