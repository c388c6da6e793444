"""The grid's own columns of a kind (Workflow.grid_columns): what each one shows for the units of one page of the
grid. How many headings a unit reported (a report form), the unit's value of a form field the definition marks with
`column` (the RSVP's "Tham dự"), and where each kind of assigned task stands for the unit ("Đã nộp 15/8"). One
query per source for the page, none when the kind has no columns of its own.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from models.assignments import Assignment
from models.db.report_repository import UnitForm
from workflows.definition import ResponseSpec, Workflow
from workflows.service.app import App

FIELD_PREFIX = "field:"  # GridColumn keys the definition derives: field:<key>, task:<key>
TASK_PREFIX = "task:"


def _sections_reported(spec: ResponseSpec, forms: list[UnitForm]) -> dict[str, str]:
    total = len(spec.answering_sections())
    return {form.unit_code: f"{len(spec.sections_filled(form.values))}/{total}" for form in forms}


# What each fixed column a definition may ask for holds, from the units' latest forms.
COLUMN_VALUES: dict[str, Callable[[ResponseSpec, list[UnitForm]], dict[str, str]]] = {
    "sections_reported": _sections_reported,
}


def _field_values(key: str, forms: list[UnitForm]) -> dict[str, str]:
    return {form.unit_code: str(form.values.get(key) or "") for form in forms}


def _task_values(task: str, assignments: list[Assignment], today: date, app: App) -> dict[str, str]:
    return {a.unit_code: a.label(today, app.tz) for a in assignments if a.task == task}


def grid_column_values(app: App, round_id: int, workflow: Workflow, unit_codes: Sequence[str]
                       ) -> dict[str, dict[str, str]]:
    """column key -> unit code -> what the grid shows, for the units of one page of the grid."""
    columns = workflow.grid_columns()
    if not columns:
        return {}
    keys = [column.key for column in columns]
    today = app.clock.now().astimezone(app.tz).date()
    with app.uow(read_only=True) as uow:
        forms: list[UnitForm] = []
        if any(not key.startswith(TASK_PREFIX) for key in keys):
            version = uow.rounds.row(round_id).draft_version
            forms = uow.reports.latest_forms(round_id, version, unit_codes)
        assignments = (uow.assignments.of_units(round_id, unit_codes)
                       if any(key.startswith(TASK_PREFIX) for key in keys) else [])
    values: dict[str, dict[str, str]] = {}
    for key in keys:
        if key.startswith(FIELD_PREFIX):
            values[key] = _field_values(key.removeprefix(FIELD_PREFIX), forms)
        elif key.startswith(TASK_PREFIX):
            values[key] = _task_values(key.removeprefix(TASK_PREFIX), assignments, today, app)
        else:
            values[key] = COLUMN_VALUES[key](workflow.response, forms)
    return values
