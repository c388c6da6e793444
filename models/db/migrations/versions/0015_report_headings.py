"""report collection: consolidated text per heading, and the round a round was started from

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 11:30:00.000000

consolidated_headings holds the text staff write under each heading of a round's form from the units' passages
(one row per round and heading); round_origins links a round to the round it was started from (next year's report
round), so that a consolidation shows last year's figures beside this year's.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.db.types import UTCDateTime

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'consolidated_headings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('heading', sa.String(length=60), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('edited_by', sa.String(length=200), nullable=False),
        sa.Column('edited_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_consolidated_headings_round_id_rounds')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consolidated_headings')),
        sa.UniqueConstraint('round_id', 'heading', name='uq_consolidated_headings_round_heading'),
    )
    with op.batch_alter_table('consolidated_headings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consolidated_headings_round_id'), ['round_id'], unique=False)
    op.create_table(
        'round_origins',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('previous_round_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_origins_round_id_rounds')),
        sa.ForeignKeyConstraint(['previous_round_id'], ['rounds.id'],
                                name=op.f('fk_round_origins_previous_round_id_rounds')),
        sa.PrimaryKeyConstraint('round_id', name=op.f('pk_round_origins')),
    )
    with op.batch_alter_table('round_origins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_origins_previous_round_id'), ['previous_round_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('round_origins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_origins_previous_round_id'))
    op.drop_table('round_origins')
    with op.batch_alter_table('consolidated_headings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consolidated_headings_round_id'))
    op.drop_table('consolidated_headings')
