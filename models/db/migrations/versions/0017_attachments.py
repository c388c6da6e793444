"""attachments: files units attach to the file fields of a round's form, stored in the database

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 14:00:00.000000

One row per uploaded file: the round, the unit (recipient), the response it came with (set when the answer is
recorded), the form field, the cleaned filename, the sniffed content type, size, SHA-256 and the bytes.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.db.types import UTCDateTime

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=True),
        sa.Column('field_key', sa.String(length=60), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=120), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_attachments_round_id_rounds')),
        sa.ForeignKeyConstraint(['recipient_id'], ['recipients.id'],
                                name=op.f('fk_attachments_recipient_id_recipients')),
        sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_attachments_response_id_responses')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_response_id'), ['response_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_response_id'))
        batch_op.drop_index(batch_op.f('ix_attachments_recipient_id'))
        batch_op.drop_index(batch_op.f('ix_attachments_round_id'))
    op.drop_table('attachments')
