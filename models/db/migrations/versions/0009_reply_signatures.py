"""ký số: the check of each reply PDF's digital signature (signer, organisation, time, intact, trusted)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 09:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.db.types import UTCDateTime

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'reply_signatures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('report', sa.JSON(), nullable=False),
        sa.Column('checked_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_reply_signatures_round_id_rounds')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reply_signatures')),
        sa.UniqueConstraint('round_id', 'sha256', name=op.f('uq_reply_signatures_round_id')),
    )
    with op.batch_alter_table('reply_signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reply_signatures_round_id'), ['round_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reply_signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reply_signatures_round_id'))
    op.drop_table('reply_signatures')
