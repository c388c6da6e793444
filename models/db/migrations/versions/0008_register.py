"""the register of outgoing documents (sổ văn bản đi): its entries and the counter of each register and year

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.db.types import UTCDateTime

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'register_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('register', sa.String(length=20), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('symbol', sa.String(length=60), nullable=False),
        sa.Column('office', sa.String(length=40), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('document_type', sa.String(length=20), nullable=False),
        sa.Column('document_title', sa.String(length=300), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=True),
        sa.Column('document_key', sa.String(length=60), nullable=True),
        sa.Column('signer', sa.String(length=200), nullable=False),
        sa.Column('recipients', sa.Text(), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('cancelled_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('cancelled_by', sa.String(length=200), nullable=True),
        sa.Column('cancel_reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_register_entries_round_id_rounds')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_register_entries')),
        sa.UniqueConstraint('register', 'year', 'number', name=op.f('uq_register_entries_register')),
    )
    with op.batch_alter_table('register_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_register_entries_round_id'), ['round_id'], unique=False)
    op.create_table(
        'register_counters',
        sa.Column('register', sa.String(length=20), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('register', 'year', name=op.f('pk_register_counters')),
    )


def downgrade() -> None:
    op.drop_table('register_counters')
    with op.batch_alter_table('register_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_register_entries_round_id'))
    op.drop_table('register_entries')
