"""instances: a heartbeat row per running process, and which process sent each message (outbox.sent_by)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-14 09:00:00.000000

Claims on timers and messages name a process instance (host:pid:random, new at every start). Whether its claims
still hold is read from its heartbeat row, never from a PID probe (which only sees its own PID namespace). Messages
sent before this revision keep sent_by empty: which process sent them was not recorded.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.db.types import UTCDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'instances',
        sa.Column('id', sa.String(length=120), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('started_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('heartbeat_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_instances')),
    )
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instances_heartbeat_at'), ['heartbeat_at'], unique=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_by', sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('sent_by')
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instances_heartbeat_at'))
    op.drop_table('instances')
