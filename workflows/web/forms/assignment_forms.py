"""Read and check the forms of assigned tasks (the definition's `assignments`): a unit handing in its task on its
personal page, staff assigning a task to units and recording a hand-in received on paper.

Readers keep the raw text for re-display; checkers collect every problem as `field -> Vietnamese message`
(FormErrors). Field names of a task's form are t_<task>__<key>, so several tasks' forms live on one page beside the
unit's answer form (p_<key>) without a clash. `unit_task_section` reads the unit's own assignments (one query) for
its page; everything else here is pure.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from config.calendar_words import not_a_date
from models import limits
from models.assignments import ASSIGNMENT_LABELS, Assignment, AssignmentStatus
from models.text import capfirst
from workflows.definition import ResponseField, Workflow
from workflows.definition.schema import Capability
from workflows.service.answer_input import Problem
from workflows.service.app import App
from workflows.service.assignments import for_unit
from workflows.service.attachments import check_upload
from workflows.service.deadlines import read_date
from workflows.service.errors import FormErrors
from workflows.service.registry import get_workflow
from workflows.service.views import round_brief

FormValues = Mapping[str, Sequence[str]]
NOTE_LABEL = "Ghi chú nhiệm vụ"
_FIELD_PREFIX = re.compile(r"^(?P<field>[a-z_]+): (?P<text>.+)$", re.DOTALL)
LATE_STATUSES = frozenset({AssignmentStatus.OVERDUE, AssignmentStatus.DONE_LATE})


def task_input(task: str, key: str, prefix: str = "t") -> str:
    """The form name (and element id) of field `key` of task `task`'s form; the staff page, with a form per
    assignment, gives each its own prefix (a<id>)."""
    return f"{prefix}_{task}__{key}"


def _clean(value: str | None) -> str:
    return unicodedata.normalize("NFC", value or "").strip()


def _first(values: FormValues, name: str) -> str:
    given = values.get(name) or []
    return _clean(given[0]) if given else ""


# --- the unit's page -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TaskView:
    """One assignment as the unit's page (and the staff page) shows it: what to hand in, by when, where it stands."""

    assignment: Assignment
    title: str
    fields: tuple[ResponseField, ...]
    status: AssignmentStatus
    values: dict[str, str]  # what was typed (the form came back) or, else, what was handed in

    @property
    def task(self) -> str:
        return self.assignment.task

    @property
    def status_label(self) -> str:
        return ASSIGNMENT_LABELS[self.status]

    @property
    def late(self) -> bool:
        return self.status in LATE_STATUSES

    def input_name(self, key: str, prefix: str = "t") -> str:
        return task_input(self.task, key, prefix)


@dataclass(frozen=True)
class TaskSection:
    """The unit's tasks on its page; `open` when the round's state takes hand-ins; a task that came back refused
    carries its typed values and the problems (by input name)."""

    tasks: tuple[TaskView, ...] = ()
    open: bool = False
    messages: dict[str, str] = field(default_factory=dict)  # input name -> what is wrong with it
    refused_task: str | None = None
    flash: str | None = None  # a refusal not tied to one field (round closed meanwhile, not assigned)
    sent_task: str | None = None  # the task just handed in (the page's "sent" notice)

    def __bool__(self) -> bool:
        return bool(self.tasks or self.flash)


def task_fields(workflow: Workflow, task: str) -> tuple[ResponseField, ...]:
    spec = workflow.assignments.get(task)
    return tuple(spec.fields) if spec is not None else ()


def task_title(workflow: Workflow, task: str) -> str:
    spec = workflow.assignments.get(task)
    return spec.title if spec is not None else task


def task_views(workflow: Workflow, assignments: Iterable[Assignment], today: date,
               typed: Mapping[str, dict[str, str]] | None = None) -> tuple[TaskView, ...]:
    """Each assignment with its definition's title and fields, its status on `today`, and the values to show."""
    typed = typed or {}
    views = []
    for a in sorted(assignments, key=lambda a: (a.due, list(workflow.assignments).index(a.task)
                                                if a.task in workflow.assignments else 0, a.task)):
        values = {**{k: str(v) for k, v in a.values.items() if v is not None}, **typed.get(a.task, {})}
        views.append(TaskView(a, task_title(workflow, a.task), task_fields(workflow, a.task), a.status(today),
                              values))
    return tuple(views)


def tasks_open(workflow: Workflow, status: str) -> bool:
    """Whether a round in `status` takes hand-ins (the definition's `tasks` capability)."""
    return workflow.allows(status, Capability.TASKS)


def unit_task_section(app: App, round_id: int, unit_code: str,
                      typed: Mapping[str, dict[str, str]] | None = None, messages: dict[str, str] | None = None,
                      refused_task: str | None = None, flash: str | None = None,
                      sent_task: str | None = None) -> TaskSection:
    """The unit's own tasks for its page: one query for its assignments (and, when it has some, one for the
    round's kind and state), with what to say about a hand-in just posted (refused or sent)."""
    assignments = for_unit(app, round_id, unit_code)
    if not assignments:  # a refusal still said (a task posted by a unit not given it)
        return TaskSection(flash=flash, refused_task=refused_task)
    brief = round_brief(app, round_id)
    workflow = get_workflow(brief.workflow)
    today = app.clock.now().astimezone(app.tz).date()
    return TaskSection(task_views(workflow, assignments, today, typed), tasks_open(workflow, brief.status),
                       messages or {}, refused_task, flash, sent_task)


def read_task_values(values: FormValues, task: str, fields: Iterable[ResponseField],
                     prefix: str = "t") -> dict[str, str]:
    """The task's fields as typed (t_<task>__<key>), blank ones included so the form comes back as it was."""
    return {f.key: _first(values, task_input(task, f.key, prefix)) for f in fields}


def split_field(message: str) -> tuple[str, str]:
    """A use case's refusal "due: hạn 12/08/2025 đã qua ..." as (the field it names, the sentence for people);
    ("", message) when it names none."""
    found = _FIELD_PREFIX.match(message)
    if found is None:
        return "", message
    text = found["text"]
    return found["field"], capfirst(text)


def task_messages(task: str, problems: Iterable[Problem], prefix: str = "t") -> dict[str, str]:
    """The hand-in's problems by the input they belong to: the service names a field p_<key> (the answer form's
    name) or by its key; anything else stays on the task's first field."""
    messages: dict[str, str] = {}
    for problem in problems:
        key = problem.field.removeprefix("p_")
        name = task_input(task, key, prefix) if key and key.replace("_", "").isalnum() else f"task-{task}"
        messages[name] = f"{messages[name]} {problem.message}" if name in messages else problem.message
    return messages


def checked_task_files(task: str, fields: Iterable[ResponseField], chosen: Mapping[str, tuple[str, bytes]],
                       sizes: Mapping[str, int], limit_mb: int, prefix: str = "t") -> list[Problem]:
    """The mistakes of the files chosen for a task's file fields (type, size, empty), each on its input."""
    problems = []
    for item in fields:
        if item.key not in chosen:
            continue
        name = task_input(task, item.key, prefix)
        filename, content = chosen[item.key]
        problem = check_upload(f"p_{item.key}", item.label, filename, content, limit_mb, sizes.get(name))
        if problem is not None:
            problems.append(problem)
    return problems


def kept_files(fields: Iterable[ResponseField], assignment: Assignment | None) -> dict[str, str]:
    """field key -> the file a task handed in earlier holds: handed in again, it keeps it unless replaced."""
    if assignment is None:
        return {}
    return {f.key: str(assignment.values[f.key]) for f in fields
            if f.kind == "file" and str(assignment.values.get(f.key) or "").strip()}


# --- staff: assign a task ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AssignForm:
    """The assign form as typed."""

    task: str = ""
    units: tuple[str, ...] = ()
    due: str = ""
    note: str = ""


@dataclass(frozen=True)
class AssignRequest:
    """A checked assign form: what to pass to the service (due None: the definition's default)."""

    task: str
    units: tuple[str, ...]
    due: date | None
    note: str | None


def read_assign_form(values: FormValues) -> AssignForm:
    units = tuple(dict.fromkeys(u for u in (_clean(v) for v in values.get("unit") or []) if u))
    return AssignForm(task=_first(values, "task"), units=units, due=_first(values, "due"),
                      note=_first(values, "note"))


def check_assign_form(form: AssignForm, workflow: Workflow, eligible: Mapping[str, Mapping[str, str]]
                      ) -> AssignRequest:
    """The assignment the form asks for; `eligible` is task -> {unit code: name} of the round's units that may be
    given it. FormErrors names the field: task, unit, due, note."""
    errors: dict[str, str] = {}
    if form.task not in workflow.assignments:
        errors["task"] = "Chọn một nhiệm vụ trong danh sách."
    allowed = eligible.get(form.task, {})
    if not form.units:
        errors["unit"] = "Chưa chọn đơn vị nào để giao nhiệm vụ."
    elif "task" not in errors:
        strangers = [u for u in form.units if u not in allowed]
        if strangers:
            shown = ", ".join(s[:limits.UNIT_CODE] for s in strangers[:5])
            errors["unit"] = (f"Đơn vị {shown} không thuộc thành phần được giao nhiệm vụ "
                              f"\"{task_title(workflow, form.task)}\" của đợt này.")
    due: date | None = None
    if form.due:
        due = read_date(form.due)
        if due is None:
            errors["due"] = not_a_date(form.due, "Hạn nộp")
    if problem := limits.too_long(NOTE_LABEL, form.note, limits.ANSWER_NOTE):
        errors["note"] = problem
    if errors:
        raise FormErrors(errors)
    return AssignRequest(form.task, form.units, due, form.note or None)


def eligible_units(workflow: Workflow, recipients: Mapping[str, str], groups_of: Mapping[str, str]
                   ) -> dict[str, dict[str, str]]:
    """task -> {code: name} of the round's recipients in the groups of the task's participants."""
    by_key = {p.key: set(p.groups) for p in workflow.participants}
    result: dict[str, dict[str, str]] = {}
    for task, spec in workflow.assignments.items():
        groups = by_key.get(spec.participants, set())
        result[task] = {code: name for code, name in recipients.items() if groups_of.get(code) in groups}
    return result
