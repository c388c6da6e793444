"""numberings shown: the numbers of a round's comments as last shown to each person, so that `round handle` refuses
numbers a late answer moved after they were read

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 17:15:00.000000

`round handle` takes the numbers of the bảng tổng hợp. An answer arriving late with a comment on an earlier part of the
draft moves the numbers after it: a number read in yesterday's `round comments` named another comment today, and was
handled without a word. Each showing of the numbered table to a person is kept here (one row per round, draft version
and person, replaced when the numbers differ), and `round handle` refuses a number that names another comment now
than when that person last saw the table. Nothing to fill for rounds before this revision: their tables were shown
to nobody that is known.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.types

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'numberings_shown',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('draft_version', sa.Integer(), nullable=False),
        sa.Column('shown_to', sa.String(length=200), nullable=False),
        sa.Column('comment_ids', sa.JSON(), nullable=False),
        sa.Column('shown_at', models.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_numberings_shown_round_id_rounds')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_numberings_shown')),
        sa.UniqueConstraint('round_id', 'draft_version', 'shown_to', name=op.f('uq_numberings_shown_round_id')),
    )


def downgrade() -> None:
    op.drop_table('numberings_shown')
