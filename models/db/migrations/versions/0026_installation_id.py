"""installation id: one random id per database, carried by the flow runs it submits to Prefect

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 22:00:00.000000

Two installations (production and a staging copy) may share one Prefect server. On one work pool, each one's workers
took the other's flow runs and ran them against their own database, and each one's `ykien serve` took the other's
running runs for orphans and ended them Crashed. Each flow run now carries its installation's id as a tag, and a
worker takes only its own installation's runs (and those of no installation: submitted before this revision). The
id is written here, once, for a new database and for one upgraded alike; a database restored from a copy keeps it.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import models.db.types

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    installation = op.create_table(
        'installation',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('created_at', models.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_installation')),
    )
    op.bulk_insert(installation, [{'id': uuid.uuid4().hex, 'created_at': datetime.now(UTC)}])


def downgrade() -> None:
    op.drop_table('installation')
