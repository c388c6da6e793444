"""saved answers and quoted draft text: a unit's answer saved unsent, and the text of the draft a comment is about

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-15 09:00:00.000000

saved_answers holds at most one row per recipient (unique recipient_id): what the unit typed on its page when it
pressed "Lưu nháp, chưa gửi", replaced by each save and removed when it sends. comments.quote keeps the paragraph of
the draft a unit chose to comment on; comments made before this revision have none.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.db.types import UTCDateTime

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'saved_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('draft_version', sa.Integer(), nullable=False),
        sa.Column('answer', sa.String(length=20), nullable=True),
        sa.Column('rows', sa.JSON(), nullable=False),
        sa.Column('proposals', sa.JSON(), nullable=False),
        sa.Column('saved_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['recipient_id'], ['recipients.id'],
                                name=op.f('fk_saved_answers_recipient_id_recipients')),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_saved_answers_round_id_rounds')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_answers')),
        sa.UniqueConstraint('recipient_id', name=op.f('uq_saved_answers_recipient_id')),
    )
    with op.batch_alter_table('saved_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_answers_round_id'), ['round_id'], unique=False)
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quote', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('quote')
    with op.batch_alter_table('saved_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_answers_round_id'))
    op.drop_table('saved_answers')
