"""The audit CSV, a file kept for the record, names every unit of a long list (the units reminded), where the audit
tab shows the first eight and how many there are."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from models.audit import AuditEvent
from workflows.service.audit_view import audit_lines
from workflows.service.registry import get_workflow

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CODES = [f"U{i}" for i in range(12)]


def _reminded(whole_lists: bool) -> str:
    event = AuditEvent(round_id=1, seq=1, at=datetime(2025, 12, 1, 9, tzinfo=TZ), actor="hệ thống", action="remind",
                       details={"reminded": CODES}, prev_hash="", hash="0" * 64)
    line = audit_lines([event], get_workflow("consultation"), {c: f"Đơn vị {c}" for c in CODES}, TZ,
                       whole_lists=whole_lists)[0]
    return {d.label: d.value for d in line.details}["được đôn đốc"]


def test_whole_lists_name_every_unit_and_the_tab_keeps_its_short_form() -> None:
    assert _reminded(True) == ", ".join(f"Đơn vị {c}" for c in CODES)
    assert _reminded(False).startswith("12 đơn vị: Đơn vị U0") and _reminded(False).endswith("Đơn vị U7, …")
