"""outbox in_reply_to: the Message-ID of the invitation a later message to the unit answers, so that it threads;
audit events by round and action: the signed letter a unit's page offers, found without reading the round's trail

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 03:00:00.000000

A reminder, an extension notice or a receipt to a unit carries In-Reply-To and References naming the unit's
invitation of the round, and the unit's mail program shows the round as one conversation. The Message-ID is found
when the message is composed (one lookup of the unit's own mail by the index on its recipient id) and kept on the
row with the subject and bodies, so that every retry sends the same headers. Messages queued before this revision
have none.

A unit's page offers the round's letter once it is signed (a workshop's giấy mời): the signing events of the round,
read through (round_id, action, seq), in order, rather than every event of the round, which grows by one per answer.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_reply_to', sa.String(length=200), nullable=True))
    op.create_index('ix_audit_events_round_action', 'audit_events', ['round_id', 'action', 'seq'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_events_round_action', table_name='audit_events')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('in_reply_to')
