"""search keys: the code's and the name's search key kept beside them (units, unit groups, a round's units), so that
a search ranks the units by comparing stored keys instead of folding every name at each keystroke

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 07:00:00.000000

Finding a unit by what staff type ("thu nghiem so 3" for "Đơn vị thử nghiệm số 3") folded the code and the name of
every unit the search could fit, in SQL, at each keystroke: 90 ms in a round of 5,000 units on PostgreSQL against 13 ms
at 50 (the web benchmark, 7 December 2026). The keys are now written with the rows (models.db.tables.SEARCH_KEYS, by
models.text.search_key) and filled here for the rows already there, a thousand at a time.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.text import search_key

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

# table, its key (to update a row by), (text column, key column, length) ...
_KEYED = (
    ("unit_groups", "code", (("code", "code_key", 60), ("label", "label_key", 200))),
    ("units", "code", (("code", "code_key", 40), ("name", "name_key", 300))),
    ("recipients", "id", (("unit_code", "unit_code_key", 40), ("unit_name", "unit_name_key", 300))),
)
_BATCH = 1_000


def upgrade() -> None:
    connection = op.get_bind()
    for table_name, row_key, pairs in _KEYED:
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            for _, key, length in pairs:
                batch_op.add_column(sa.Column(key, sa.String(length=length), server_default='', nullable=False))
        table = sa.table(table_name, sa.column(row_key), *(sa.column(column) for pair in pairs for column in pair[:2]))
        texts = [table.c[text] for text, _, _ in pairs]
        update = (table.update().where(table.c[row_key] == sa.bindparam("row"))
                  .values({key: sa.bindparam(f"new_{key}") for _, key, _ in pairs}))
        last = None
        while True:
            query = sa.select(table.c[row_key], *texts).order_by(table.c[row_key]).limit(_BATCH)
            if last is not None:
                query = query.where(table.c[row_key] > last)
            rows = connection.execute(query).all()
            if not rows:
                break
            connection.execute(update, [{"row": row[0], **{f"new_{key}": search_key(value or "")
                                                           for (_, key, _), value in zip(pairs, row[1:], strict=True)}}
                                        for row in rows])
            last = rows[-1][0]


def downgrade() -> None:
    for table_name, _, pairs in reversed(_KEYED):
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            for _, key, _ in pairs:
                batch_op.drop_column(key)
