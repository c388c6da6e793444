"""daily digest: the staff who asked for it and where it goes, and each working day's digest per staff member

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-16 09:00:00.000000

digests_sent holds one row per staff member and day (unique user_id, day): the sweep inserts it with the digest's
outbox message in one transaction, so two replicas sweeping at once queue that day's digest once.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.db.types import UTCDateTime

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'digest_subscriptions',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('changed_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_digest_subscriptions_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_digest_subscriptions')),
    )
    op.create_table(
        'digests_sent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('covered_until', UTCDateTime(timezone=True), nullable=False),
        sa.Column('outbox_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_digests_sent_outbox_id_outbox')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_digests_sent_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_digests_sent')),
        sa.UniqueConstraint('user_id', 'day', name=op.f('uq_digests_sent_user_id')),
    )


def downgrade() -> None:
    op.drop_table('digests_sent')
    op.drop_table('digest_subscriptions')
