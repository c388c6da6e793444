"""Groups a round names that its letter will not reach: a group with no unit in the directory, addressed beside groups
that have units, would otherwise be left out without a word (the clerk believes the letter went to "UBND các xã" and
it did not). Said, never refused: `ykien init` seeds groups a province often leaves empty. Asked until the round goes
out, against the directory as it is now.
"""
from __future__ import annotations

from dataclasses import dataclass

from models.db.unit_of_work import UnitOfWork
from models.text import grouped
from workflows.service.app import App
from workflows.service.draft_rounds import is_draft
from workflows.service.registry import get_workflow


@dataclass(frozen=True)
class EmptyGroup:
    """A group the round names with none of its units among the round's recipients; `units_now`: how many units the
    directory has in it now (0 while it is still empty; more once units were added after the round was saved, whose
    recipients were resolved then)."""

    code: str
    label: str
    units_now: int

    @property
    def fact(self) -> str:
        """What the letter will miss, in Vietnamese (the launch says it as the letters go out)."""
        if not self.units_now:
            return f"Nhóm «{self.label}» chưa có đơn vị nào trong danh bạ: thư sẽ không gửi cho nhóm này."
        return (f"Nhóm «{self.label}» nay có {grouped(self.units_now)} đơn vị trong danh bạ, nhưng khi lưu bản nháp "
                "nhóm chưa có đơn vị nào nên các đơn vị này chưa có trong nơi nhận: thư sẽ không gửi cho họ.")

    @property
    def notice(self) -> str:
        """The fact and what to do about it while the round is a draft."""
        if not self.units_now:
            return (f"{self.fact} Nếu cần gửi cho nhóm, hãy thêm đơn vị vào nhóm trong danh bạ rồi cập nhật nơi nhận "
                    "của bản nháp trước khi phát hành.")
        return f"{self.fact} Hãy cập nhật nơi nhận của bản nháp trước khi phát hành."

    def as_data(self) -> dict[str, object]:
        """The group as the CLI's --json and the API give it."""
        return {"code": self.code, "label": self.label, "units_now": self.units_now, "notice": self.notice}


def empty_groups(app: App, round_id: int) -> tuple[EmptyGroup, ...]:
    """The groups the round names that none of its recipients belongs to (groups_left_out), in a transaction of
    its own."""
    with app.uow(read_only=True) as uow:
        return groups_left_out(uow, round_id)


def groups_left_out(uow: UnitOfWork, round_id: int) -> tuple[EmptyGroup, ...]:
    """The groups the round names (whole, in any role) that none of its recipients belongs to, in the order it names
    them: nothing once the round has gone out, and nothing for a group the definition covers otherwise (a participants
    section invited through another of its groups, Workflow.groups_covered). Inside a transaction that has read the
    round's row already (a view of the round), it costs one query, for the groups, and none for a launched round."""
    row = uow.rounds.row(round_id)
    workflow = get_workflow(row.workflow)
    if not is_draft(row, workflow):
        return ()
    named = list(dict.fromkeys(group for entry in row.addressees or () for group in entry.get("groups") or ()))
    reach = {item.code: item for item in uow.directory.group_reach(round_id, named)}
    covered = workflow.groups_covered(code for code, item in reach.items() if item.in_round)
    return tuple(EmptyGroup(code, reach[code].label, reach[code].units)
                 for code in named if code in reach and not reach[code].in_round and code not in covered)
