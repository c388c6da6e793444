"""Who proposes is data: a call's form names it in its own field (Mẫu A1-ĐXNV, "Tên tổ chức/cá nhân đề xuất";
proposal_call.yaml `proposer: "organisation"`), and the list forwarded to the Ministry shows it in its "Tổ chức đề
xuất" column, with the unit that sent the form beside it when that is another body; the XLSX puts it right after
the sending unit. A list whose form names no proposer shows the sending unit, as before."""
from __future__ import annotations

import io
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "documents"))

import document_seeds as seed_data

from notifications.documents.data import Proposal
from notifications.documents.proposals import render_proposal_list_docx, render_proposal_list_xlsx
from workflows.definition import WorkflowError, load_workflow_text
from workflows.service.registry import engine_registry, get_workflow

BUSINESS = "Công ty TNHH Chè Phia Đén"


def forwarded() -> list[Proposal]:
    """The seed's proposals, the first one a business's sent on by the association of businesses."""
    first, *rest = seed_data.PROPOSALS
    fields = [replace(f, value=BUSINESS) if f.key == "organisation" else f for f in first.fields]
    return [Proposal(first.unit, fields), *rest]


def unit_column(content: bytes) -> list[str]:
    table = next(t for t in Document(io.BytesIO(content)).tables if t.rows[0].cells[0].text == "STT")
    return [row.cells[2].text for row in table.rows[1:-1]]  # the last row: the totals


def test_the_call_names_its_proposer_field() -> None:
    response = get_workflow("proposal_call").response
    assert response.proposer == "organisation"
    assert next(f.label for f in response.fields if f.key == response.proposer) == "Tên tổ chức/cá nhân đề xuất"


def test_the_docx_list_names_who_proposes_and_the_unit_that_sent_it_when_another() -> None:
    data = replace(seed_data.proposal_list(), proposals=forwarded(), proposer_key="organisation")
    assert unit_column(render_proposal_list_docx(data)) == [
        f"{BUSINESS} (qua Hiệp hội doanh nghiệp tỉnh)",
        "Sở Nông nghiệp và Môi trường tỉnh Cao Bằng",  # the sending unit itself, named in full
        "Sở Khoa học và Công nghệ tỉnh Cao Bằng (qua Phòng Quản lý Tiêu chuẩn Đo lường Chất lượng)",
    ]
    without = replace(data, proposer_key=None)  # a form with no proposer field: the sending unit
    assert unit_column(render_proposal_list_docx(without))[0] == "Hiệp hội doanh nghiệp tỉnh"


def test_the_xlsx_list_puts_who_proposes_after_the_sending_unit_once() -> None:
    data = replace(seed_data.proposal_list(), proposals=forwarded(), proposer_key="organisation")
    sheet = load_workbook(io.BytesIO(render_proposal_list_xlsx(data))).active
    rows = list(sheet.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert list(rows[0][:4]) == ["STT", "Cơ quan, đơn vị gửi đề xuất", "Tên tổ chức/cá nhân đề xuất", "Tên nhiệm vụ"]
    assert list(rows[0]).count("Tên tổ chức/cá nhân đề xuất") == 1
    assert rows[1][1:3] == ("Hiệp hội doanh nghiệp tỉnh", BUSINESS)
    assert sheet.freeze_panes == "D2"  # type: ignore[union-attr]


def test_a_proposer_that_is_not_a_field_of_the_form_is_refused_naming_it() -> None:
    source = (Path(__file__).resolve().parents[2] / "workflows" / "definitions" / "proposal_call.yaml").read_text(
        encoding="utf-8")
    with pytest.raises(WorkflowError) as refused:
        load_workflow_text(source.replace('proposer: "organisation"', 'proposer: "to_chuc"'), "proposal_call.yaml",
                           engine_registry())
    assert 'proposer "to_chuc" không phải khóa của một trường trong phiếu' in str(refused.value)
