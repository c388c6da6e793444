"""The names a workflow definition may use, and loading the definitions shipped with ykien."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from models.errors import DomainError
from workflows.definition import Registry, Workflow, load_workflow
from workflows.engine.effects import EFFECTS
from workflows.engine.events import ENGINE_EVENTS
from workflows.engine.guards import GUARDS

DEFINITIONS = Path(__file__).resolve().parent.parent / "definitions"
MESSAGE_KINDS = frozenset({"invitation", "reminder_before", "reminder_overdue", "extension", "receipt"})
DOCUMENT_BUILDERS = frozenset({
    "request_letter", "call_letter", "reminder_letter", "synthesis_docx", "synthesis_xlsx", "submission",
    "revised_draft", "unit_list", "proposal_list_docx", "proposal_list_xlsx", "zero_response_report",
    "ministry_reply",
})


class WorkflowUnknown(DomainError):
    code = "workflow_unknown"


def engine_registry() -> Registry:
    return Registry(guards=frozenset(GUARDS), effects=frozenset(EFFECTS), events=ENGINE_EVENTS,
                    templates=MESSAGE_KINDS, builders=DOCUMENT_BUILDERS, partials=(DEFINITIONS,))


@lru_cache(maxsize=1)
def shipped_workflows() -> dict[str, Workflow]:
    registry = engine_registry()
    loaded = [load_workflow(path, registry) for path in sorted(DEFINITIONS.glob("*.yaml"))
              if not path.name.startswith("_")]
    return {wf.name: wf for wf in loaded}


def get_workflow(name: str) -> Workflow:
    workflows = shipped_workflows()
    if name not in workflows:
        raise WorkflowUnknown(f"Không có quy trình \"{name}\". Các quy trình: {', '.join(sorted(workflows))}.")
    return workflows[name]
