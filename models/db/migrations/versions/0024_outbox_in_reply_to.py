"""outbox in_reply_to: the Message-ID of the invitation a later message to the unit answers, so that it threads

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 03:00:00.000000

A reminder, an extension notice or a receipt to a unit carries In-Reply-To and References naming the unit's
invitation of the round, and the unit's mail program shows the round as one conversation. The Message-ID is found
when the message is composed (one lookup of the unit's own mail by the index on its recipient id) and kept on the row with the
subject and bodies, so that every retry sends the same headers. Messages queued before this revision have none.
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


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('in_reply_to')
