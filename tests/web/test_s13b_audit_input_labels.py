"""The audit tab and its CSV tell the document inputs staff changed by the labels of the kind's forms ("Địa điểm hội
thảo: …"), each on its own line, never by their keys ("thông tin đã đổi: venue: …"); a key the kind's definition no longer reads keeps its key (session 13,
helper b, item 2). The kinds and their inputs come from the catalogue, never from a kind's name."""
from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, date, datetime

from department_kinds import first_state_round, visible
from fastapi.testclient import TestClient
from staff_site import STAFF, staff, template_home, ykien_app  # noqa: F401

from models.audit import AuditEvent
from workflows.definition import Workflow
from workflows.service.app import App
from workflows.service.audit_view import audit_lines
from workflows.service.documents import InputSpec, inputs_of, set_document_inputs
from workflows.service.registry import DEFINITIONS, catalogue


def kinds_with_text_inputs() -> list[tuple[Workflow, InputSpec]]:
    """Each shipped kind whose documents read an input of one text, with the first such input."""
    found = catalogue()
    chosen = []
    for name, workflow in sorted(found.workflows.items()):
        texts = [spec for spec in inputs_of(workflow) if not spec.paragraphs and not spec.key.endswith("_index")
                 and "email" not in spec.key and "number" not in spec.key]
        if found.folders.get(name, DEFINITIONS) == DEFINITIONS and texts:
            chosen.append((workflow, texts[0]))
    return chosen


def test_document_inputs_in_the_audit_are_told_by_the_kinds_labels_and_an_unknown_key_by_itself() -> None:
    kinds = kinds_with_text_inputs()
    assert kinds
    for workflow, spec in kinds:
        event = AuditEvent(seq=2, round_id=1, at=datetime(2025, 11, 20, 2, tzinfo=UTC), actor="canbo",
                           action="document_inputs_set",
                           details={"changed": {spec.key: "Trung tâm Hội nghị tỉnh", "retired_input": ["Đoạn 1"],
                                                "removed": None}},
                           prev_hash="", hash="x")
        [line] = audit_lines([event], workflow, {}, UTC)
        assert line.action == "cập nhật thông tin văn bản"
        assert [(d.label, d.value) for d in line.details] == [
            (spec.label, "Trung tâm Hội nghị tỉnh"), ("retired_input", "Đoạn 1"), ("removed", "(đã xóa)")], workflow.name


def test_the_audit_tab_and_its_csv_name_the_changed_inputs_by_their_labels(
        ykien_app: App, staff: TestClient) -> None:
    workflow, spec = kinds_with_text_inputs()[0]
    round_id = first_state_round(ykien_app, workflow.name, {key: date(2025, 12, 20) for key in workflow.dates})
    set_document_inputs(ykien_app, round_id, {spec.key: "Trung tâm Hội nghị tỉnh Cao Bằng"}, STAFF)

    page = staff.get(f"/rounds/{round_id}/audit")
    assert page.status_code == 200, page.text[:2000]
    seen = " ".join(html.unescape(visible(page.text)).split())
    assert re.search(rf"{re.escape(spec.label)}\s*:\s*Trung tâm Hội nghị tỉnh Cao Bằng", seen), seen[-600:]
    assert not re.search(rf"\b{spec.key}\b", seen), spec.key

    export = staff.get(f"/rounds/{round_id}/audit.csv")
    assert export.status_code == 200
    header, *rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    told = header.index("Chi tiết")  # the details in words; "Chi tiết (JSON)" keeps the keys for machines
    text = "\n".join(row[told] for row in rows)
    assert f"{spec.label}: Trung tâm Hội nghị tỉnh Cao Bằng" in text
    assert not re.search(rf"\b{spec.key}\b", text), spec.key
