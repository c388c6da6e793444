"""background jobs: a launch or a submission package run in the background, with how far it has got

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-17 09:00:00.000000

jobs holds one row per long action started from the staff pages: its step and done/total counts (written every
half second at most by the process that runs it), and how it ended, so that any replica answers the page that polls
and a job whose process died reads as interrupted. outbox gets an index on (round_id, status): a launch's progress
counts the round's messages by status while they go out, from the index alone.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.db.types import UTCDateTime

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'jobs',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('actor', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('step', sa.String(length=20), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('result_url', sa.String(length=500), nullable=True),
        sa.Column('message', sa.Text(), nullable=True),
        sa.Column('owner', sa.String(length=64), nullable=False),
        sa.Column('started_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('finished_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_jobs_round_id_rounds')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_round_id'), ['round_id'], unique=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_round_id_status', ['round_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_round_id_status')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_round_id'))
    op.drop_table('jobs')
