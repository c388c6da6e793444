"""The dashboard's line of each round in its kind's own words, from the definition: the units per option of a
choice field the grid shows as a column ("Tham dự 12 · Cử người dự thay 3 · Không tham dự 2"), the headings of a
report form filled ("Mục đã báo cáo: 42/66 (6 đơn vị đã báo cáo)") and the assigned
tasks ("Nhiệm vụ: 3/5 đã nộp, 1 quá hạn"). SQL aggregates for all rounds listed: one query per such field and one
for the tasks, whatever the rounds' sizes."""
from __future__ import annotations

from collections.abc import Iterable

from workflows.definition import ResponseField, Workflow
from workflows.service.app import App
from workflows.service.registry import get_workflow


def _choice_line(workflow: Workflow, item: ResponseField, counts: dict[str, int]) -> str:
    """The units per option given ("Tham dự 12 · Cử người dự thay 3 · Không tham dự 2"); when the field tells a
    refusal (response.decline), the units that accept summed under the kind's word, those options after it:
    "Tham dự 15 (Tham dự 12, Cử người dự thay 3) · Không tham dự 2"."""
    given = [(option, counts[option]) for option in item.options if counts.get(option)]
    decline = workflow.response.decline
    if decline is None or decline.field != item.key:
        return " · ".join(f"{option} {count}" for option, count in given)
    accepting = [(option, count) for option, count in given if option not in decline.values]
    declining = sum(count for option, count in given if option in decline.values)
    parts = []
    if accepting:
        detail = ", ".join(f"{option} {count}" for option, count in accepting)
        total = sum(count for _, count in accepting)
        only_the_word = [option for option, _ in accepting] == [decline.accepted_label]
        parts.append(f"{decline.accepted_label} {total}" + ("" if only_the_word else f" ({detail})"))
    if declining:
        parts.append(f"{decline.label} {declining}")
    return " · ".join(parts)


def kind_summaries(app: App, rounds: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    """round id -> the lines to show under its title, for (round id, workflow name) pairs."""
    listed = list(rounds)
    by_field: dict[str, list[int]] = {}
    with_tasks: list[int] = []
    by_kind: dict[str, list[int]] = {}  # kinds whose form has headings: their rounds
    for round_id, name in listed:
        workflow = get_workflow(name)
        if workflow.response.answering_sections():
            by_kind.setdefault(name, []).append(round_id)
        for item in workflow.response.fields:
            if item.column and item.kind == "choice":
                by_field.setdefault(item.key, []).append(round_id)
        if workflow.assignments:
            with_tasks.append(round_id)
    if not by_field and not with_tasks and not by_kind:
        return {}
    today = app.clock.now().astimezone(app.tz).date()
    with app.uow(read_only=True) as uow:
        choices = {key: uow.kind_summaries.choice_counts(ids, key) for key, ids in by_field.items()}
        tasks = uow.kind_summaries.assignment_counts(with_tasks, today)
        headings: dict[int, tuple[int, int]] = {}
        for name, ids in by_kind.items():
            keys = [[f.key for f in section.fields] for section in get_workflow(name).response.answering_sections()]
            headings |= uow.kind_summaries.section_counts(ids, keys)
    lines: dict[int, list[str]] = {}
    for round_id, name in listed:
        workflow = get_workflow(name)
        for item in workflow.response.fields:
            if not (item.column and item.kind == "choice"):
                continue
            counts = choices.get(item.key, {}).get(round_id, {})
            if counts:
                lines.setdefault(round_id, []).append(_choice_line(workflow, item, counts))
        if round_id in headings:
            units, filled = headings[round_id]
            total = len(workflow.response.answering_sections())
            lines.setdefault(round_id, []).append(
                f"Mục đã báo cáo: {filled}/{units * total} ({units} đơn vị đã {workflow.terms.verb})")
        if round_id in tasks:
            total, handed, late, overdue = tasks[round_id]
            text = f"Nhiệm vụ: {handed}/{total} đã nộp"
            text += f" ({late} nộp trễ)" if late else ""
            text += f", {overdue} quá hạn" if overdue else ""
            lines.setdefault(round_id, []).append(text)
    return lines
