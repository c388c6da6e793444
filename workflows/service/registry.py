"""The names a workflow definition may use, and the kinds of round: ykien's and the department's own."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from config.settings import SettingsError, load_settings
from models.errors import DomainError
from notifications.compose import MESSAGE_KINDS as COMPOSED_MESSAGES
from workflows.definition import Problem, Registry, Workflow, WorkflowError, load_workflow
from workflows.engine.effects import EFFECTS
from workflows.engine.events import ENGINE_EVENTS
from workflows.engine.guards import GUARDS

DEFINITIONS = Path(__file__).resolve().parent.parent / "definitions"
MESSAGE_KINDS = frozenset(COMPOSED_MESSAGES)  # keys a definition's `templates:` may name; one list, in notifications
DOCUMENT_BUILDERS = frozenset({
    "request_letter", "call_letter", "reminder_letter", "synthesis_docx", "synthesis_xlsx", "submission",
    "revised_draft", "unit_list", "proposal_list_docx", "proposal_list_xlsx", "zero_response_report",
    "ministry_reply", "programme_report", "report_figures_xlsx",
    "workshop_plan", "invitation_letter", "attendee_list_xlsx", "workshop_report",
})
# The builders that tabulate one kind of answer (response.kind): a definition whose units answer otherwise is refused
BUILDER_ANSWERS = (("synthesis_docx", "comments"), ("synthesis_xlsx", "comments"),
                   ("proposal_list_docx", "proposals"), ("proposal_list_xlsx", "proposals"))


class WorkflowUnknown(DomainError):
    code = "workflow_unknown"


def engine_registry() -> Registry:
    return Registry(guards=frozenset(GUARDS), effects=frozenset(EFFECTS), events=ENGINE_EVENTS,
                    templates=MESSAGE_KINDS, builders=DOCUMENT_BUILDERS, partials=(DEFINITIONS,),
                    builder_answers=BUILDER_ANSWERS, own_folders=(DEFINITIONS,))


@dataclass(frozen=True)
class BrokenKind:
    """A department's definition file that cannot be used, with every problem found, each naming its file:line:col
    where it has one."""

    file: Path
    problems: tuple[Problem, ...]

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


@dataclass(frozen=True)
class Catalogue:
    """The kinds of round this process can run: ykien's own and the department's (its workflows folder).

    A department's file with problems does not stop the others: its problems are kept and shown when the
    kind is asked for, and `ykien workflow validate` lists them.
    """

    workflows: dict[str, Workflow]
    folders: dict[str, Path]  # where each kind's file is (its own email templates sit beside it)
    broken: dict[str, BrokenKind]  # kind (file stem) -> its file and the problems found


def department_folder() -> Path | None:
    """The folder of the department's own kinds (YKIEN_WORKFLOWS_DIR, or $YKIEN_HOME/workflows)."""
    folder = _configured_folder(tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("YKIEN_"))))
    return folder if folder is not None and folder.is_dir() else None


@lru_cache(maxsize=8)
def _configured_folder(environment: tuple[tuple[str, str], ...]) -> Path | None:
    try:
        return load_settings().workflows_dir_resolved
    except SettingsError:
        return None  # the settings error is reported by whatever builds the App


def catalogue() -> Catalogue:
    """Every kind available now; files are read again only when the folder's files change."""
    folder = department_folder()
    stamp: tuple[tuple[str, float], ...] = ()
    if folder is not None:
        stamp = tuple(sorted((p.name, p.stat().st_mtime) for p in folder.glob("*.yaml")))
    return _catalogue(folder, stamp)


@lru_cache(maxsize=8)
def _catalogue(folder: Path | None, stamp: tuple[tuple[str, float], ...]) -> Catalogue:
    registry = engine_registry()
    workflows: dict[str, Workflow] = {}
    folders: dict[str, Path] = {}
    for path in _kind_files(DEFINITIONS):
        workflows[path.stem] = load_workflow(path, registry)  # ours must load: a broken one is a bug
        folders[path.stem] = DEFINITIONS
    broken: dict[str, BrokenKind] = {}
    for path in _kind_files(folder) if folder is not None else []:
        if path.stem in workflows:
            broken[path.stem] = BrokenKind(path, (Problem(str(path), None, None, "trùng tên với quy trình có sẵn "
                                                          f"\"{path.stem}\"; hãy đặt tên khác."),))
            continue
        try:
            workflows[path.stem] = load_workflow(path, registry)
            folders[path.stem] = path.parent
        except WorkflowError as err:
            broken[path.stem] = BrokenKind(path, tuple(err.problems))
    return Catalogue(workflows, folders, broken)


def _kind_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))


def shipped_workflows() -> dict[str, Workflow]:
    """Every kind of round available (the name is kept for its many callers)."""
    return catalogue().workflows


def workflow_folder(name: str) -> Path:
    """The folder of a kind's definition file: its own templates live beside it."""
    return catalogue().folders.get(name, DEFINITIONS)


def get_workflow(name: str) -> Workflow:
    found = catalogue()
    if name in found.broken:
        raise WorkflowUnknown(f"Quy trình \"{name}\" có lỗi, chưa dùng được (chạy ykien workflow validate):\n"
                              f"{found.broken[name]}")
    if name not in found.workflows:
        raise WorkflowUnknown(f"Không có quy trình \"{name}\". Các quy trình: {', '.join(sorted(found.workflows))}.")
    return found.workflows[name]
