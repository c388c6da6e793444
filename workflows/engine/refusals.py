"""Refusals raised by the engine; nothing is persisted when one is raised."""
from __future__ import annotations

from models.errors import DomainError
from workflows.definition import Workflow


class Refused(DomainError):
    code = "refused"


class GuardFailed(Refused):
    code = "guard_failed"


# Refusals of the date a step names (an extension's new deadline): the date given is wrong, not the step, so the
# CLI (exit 2) and the API (422) report them as input naming the field, as they do a day off when a round is created.
DATE_REFUSALS = frozenset({"deadline_in_past", "deadline_not_later", "deadline_not_working_day"})


def what_can_be_done(workflow: Workflow, status: str) -> str:
    """The sentence a refusal of a step ends with: the steps people can take in `status` instead (its definition's),
    or that a final state has none left; empty when the state only waits for its timers."""
    steps = workflow.staff_steps(status)
    if steps:
        return f" Ở trạng thái này có thể: {', '.join(steps)}."
    return " Đợt đã kết thúc, không còn bước nào." if workflow.state(status).final else ""
