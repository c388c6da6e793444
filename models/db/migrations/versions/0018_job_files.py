"""job files: the file a background job made (a document's PDF), kept in the database

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 14:00:00.000000

job_files holds one row per job that made a file: its name, type, size, SHA-256 and bytes, so that whichever process
made it (serve's thread, or a `ykien worker` on another machine running the render flow) any replica serves the
download. Rows older than a week are deleted (by the index on created_at).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.db.types import UTCDateTime

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'job_files',
        sa.Column('job_id', sa.String(length=32), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_job_files_job_id_jobs')),
        sa.PrimaryKeyConstraint('job_id', name=op.f('pk_job_files')),
    )
    with op.batch_alter_table('job_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_files_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('job_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_files_created_at'))
    op.drop_table('job_files')
