"""launch deadline: the deadline a round's letter asked for when it went out, kept apart from the round's deadline,
which an extension of the whole round moves; the group of the sở, ban, ngành no longer named with the đoàn thể

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 07:40:00.000000

The công văn xin ý kiến, numbered and sent at the launch, was written again after an extension with the new day, and
the công văn đôn đốc said the first letter had asked for it. Both now read the deadline kept at the launch. A round
launched before this revision gets its deadline, unless its whole deadline was extended since its last launch: what
its letter asked for is then not known, and its documents say the round's deadline, as before.

The default label of the group `so-ban-nganh` said "Các sở, ban, ngành, đoàn thể tỉnh", while the đoàn thể are the
group `mttq-doan-the`: a letter addressed to the first group named bodies it was not sent to. The label is changed
where it is still the default.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

GROUP = "so-ban-nganh"
OLD_LABEL = "Các sở, ban, ngành, đoàn thể tỉnh"
NEW_LABEL = "Các sở, ban, ngành tỉnh"

_rounds = sa.table("rounds", sa.column("id", sa.Integer), sa.column("deadline", sa.Date),
                   sa.column("launched_at", sa.DateTime), sa.column("launch_deadline", sa.Date))
_audit = sa.table("audit_events", sa.column("round_id", sa.Integer), sa.column("seq", sa.Integer),
                  sa.column("action", sa.String), sa.column("details", sa.JSON))
_groups = sa.table("unit_groups", sa.column("code", sa.String), sa.column("label", sa.String))


def upgrade() -> None:
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('launch_deadline', sa.Date(), nullable=True))
    connection = op.get_bind()
    launched = connection.execute(sa.select(_rounds.c.id, _rounds.c.deadline)
                                  .where(_rounds.c.launched_at.is_not(None), _rounds.c.deadline.is_not(None))).all()
    last_launch: dict[int, int] = {}
    extended_after: set[int] = set()
    events = connection.execute(sa.select(_audit.c.round_id, _audit.c.seq, _audit.c.action, _audit.c.details)
                                .where(_audit.c.action.in_(("launch", "extend")))
                                .order_by(_audit.c.round_id, _audit.c.seq))
    for round_id, seq, action, details in events:
        if action == "launch":
            last_launch[round_id] = seq
            extended_after.discard(round_id)
        elif round_id in last_launch and not (details or {}).get("unit"):
            extended_after.add(round_id)
    for round_id, deadline in launched:
        if round_id not in extended_after:
            connection.execute(_rounds.update().where(_rounds.c.id == round_id).values(launch_deadline=deadline))
    connection.execute(_groups.update().where(_groups.c.code == GROUP, _groups.c.label == OLD_LABEL)
                       .values(label=NEW_LABEL))


def downgrade() -> None:
    op.get_bind().execute(_groups.update().where(_groups.c.code == GROUP, _groups.c.label == NEW_LABEL)
                          .values(label=OLD_LABEL))
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('launch_deadline')
