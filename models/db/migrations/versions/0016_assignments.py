"""workshop: named dates of a round, and preparatory tasks assigned to its units

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 14:00:00.000000

rounds.dates holds the dates a kind declares besides the deadline ({"event": "2025-08-20"}); assignments holds one
task given to one recipient with its own due date, what it handed in, and its next reminder (claimed like a timer).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.db.types import UTCDateTime

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dates', sa.JSON(), nullable=True))
    op.create_table(
        'assignments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('task', sa.String(length=60), nullable=False),
        sa.Column('due', sa.Date(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('done_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('late', sa.Boolean(), nullable=False),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('reminders_sent', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('remind_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('remind_index', sa.Integer(), nullable=False),
        sa.Column('remind_occurrence', sa.Integer(), nullable=False),
        sa.Column('claimed_by', sa.String(length=120), nullable=True),
        sa.Column('claimed_until', UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_assignments_round_id_rounds')),
        sa.ForeignKeyConstraint(['recipient_id'], ['recipients.id'],
                                name=op.f('fk_assignments_recipient_id_recipients')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments')),
        sa.UniqueConstraint('round_id', 'recipient_id', 'task', name='uq_assignments_round_recipient_task'),
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index('ix_assignments_round_task_due', ['round_id', 'task', 'due'], unique=False)
        batch_op.create_index('ix_assignments_remind_at', ['status', 'remind_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_recipient_id'), ['recipient_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_recipient_id'))
        batch_op.drop_index('ix_assignments_remind_at')
        batch_op.drop_index('ix_assignments_round_task_due')
    op.drop_table('assignments')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('dates')
