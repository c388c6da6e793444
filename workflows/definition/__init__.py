"""Declarative workflow definitions: time-spec grammar, strict YAML loading, schema, validation, diagrams."""

from __future__ import annotations

from workflows.definition.errors import Problem, WorkflowError
from workflows.definition.mermaid import to_mermaid
from workflows.definition.schema import (
    END_OF_DAY,
    Capability,
    DocumentDef,
    PackageDef,
    RecipientRole,
    ResponseField,
    ResponseSpec,
    SilenceRule,
    StateDef,
    Terms,
    TimerDef,
    TransitionDef,
    Workflow,
    fill_terms,
)
from workflows.definition.timespec import (
    Anchor,
    DayKind,
    TimeSpec,
    TimeSpecError,
    parse_relative_days,
    parse_timespec,
)
from workflows.definition.validate import Registry, load_workflow, load_workflow_text, validate_file

__all__ = [
    "END_OF_DAY",
    "Anchor",
    "Capability",
    "DayKind",
    "DocumentDef",
    "PackageDef",
    "Problem",
    "RecipientRole",
    "Registry",
    "ResponseField",
    "ResponseSpec",
    "SilenceRule",
    "StateDef",
    "Terms",
    "TimeSpec",
    "TimeSpecError",
    "TimerDef",
    "TransitionDef",
    "Workflow",
    "WorkflowError",
    "fill_terms",
    "load_workflow",
    "load_workflow_text",
    "parse_relative_days",
    "parse_timespec",
    "to_mermaid",
    "validate_file",
]
