"""The round's audit trail as a CSV file: each event in the words of the audit tab, beside what the hash chain
seals (the stored code, details and hash), so a leader reads it in Excel and an auditor can still check it."""
from __future__ import annotations

from models.text import capfirst
from notifications.documents.exports import AuditWords, audit_csv
from workflows.service.app import App
from workflows.service.audit_view import audit_lines
from workflows.service.registry import get_workflow
from workflows.service.views import audit_trail, round_brief, unit_names


def audit_export(app: App, round_id: int) -> bytes:
    """The whole trail of the round (UTF-8 with BOM, for Excel); NotFound for an unknown round."""
    events, _ = audit_trail(app, round_id)
    workflow = get_workflow(round_brief(app, round_id).workflow)
    lines = audit_lines(events, workflow, unit_names(app, round_id), app.tz, whole_lists=True)  # every unit reminded
    words = [AuditWords(capfirst(line.action), "; ".join(f"{d.label}: {d.value}" for d in line.details))
             for line in lines]
    return audit_csv(events, words)
