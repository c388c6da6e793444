"""offices: the Sở's offices (phòng) as a managed list, filled from the offices rounds and accounts already use

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10 09:00:00.000000

Each distinct office of rounds.office and users.office becomes an office whose name is its code until an admin
renames it (codes that differ only by case or diacritics, "TDC" beside "TĐC", both stay: an admin merges them with
`ykien office rename TDC TĐC --merge`). A database with no office yet (a new install) starts with the two offices the
seed letters of a Sở KH&CN sign with, so a first round can be created; admins rename them and add the others.
"""
from __future__ import annotations

import unicodedata
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from models.db.types import UTCDateTime

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

STARTING_OFFICES = (("TĐC", "Phòng Quản lý Tiêu chuẩn Đo lường Chất lượng"), ("QLKH", "Phòng Quản lý Khoa học"))


def upgrade() -> None:
    offices = op.create_table(
        'offices',
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_offices')),
    )
    connection = op.get_bind()
    used: set[str] = set()
    for table in ('rounds', 'users'):
        column = sa.column('office')
        for (code,) in connection.execute(sa.select(column).select_from(sa.table(table)).distinct()):
            if code and code.strip():
                used.add(code)
    # A code typed in NFD is the NFC code to people: rounds and accounts move to the NFC spelling.
    for code in sorted(used):
        kept = unicodedata.normalize("NFC", code).strip()
        if kept != code:
            for table in ('rounds', 'users'):
                connection.execute(sa.table(table, sa.column('office')).update()
                                   .where(sa.column('office') == code).values(office=kept))
    codes = sorted({unicodedata.normalize("NFC", code).strip() for code in used})
    now = datetime.now(timezone.utc)
    rows = [{'code': code, 'name': code, 'created_at': now} for code in codes]
    if not rows:
        rows = [{'code': code, 'name': name, 'created_at': now} for code, name in STARTING_OFFICES]
    op.bulk_insert(offices, rows)


def downgrade() -> None:
    op.drop_table('offices')
