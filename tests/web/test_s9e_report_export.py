"""The workbook of a report collection (seed 003), as a leader downloads it: every heading asks for "Nội dung báo
cáo", so each column is named by its heading's number and holds that heading's text, never another's; figures are
numbers Excel adds up; printed across several pages, each repeats the unit's columns."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
from fastapi.testclient import TestClient
from staff_site import STAFF, staff, template_home, ykien_app  # noqa: F401

from models.rounds import RecipientRole, ResponseChannel, ResponseKind
from workflows.engine.events import Launch, Respond
from workflows.service.app import App
from workflows.service.rounds import Addressee, NewRound, create_round, execute

REPORT = {"leadership_text": "Đã ban hành 2 kế hoạch.", "decisions_issued": "2", "budget_state": "120000000",
          "training_text": "Mở 3 lớp tập huấn ISO 9001."}


def test_each_headings_text_is_in_its_own_column_named_by_the_heading(ykien_app: App, staff: TestClient) -> None:
    new = NewRound(title="Báo cáo kết quả thực hiện Chương trình năm 2025", subject="", workflow="report_collection",
                   office="TĐC", deadline=date(2025, 12, 5),
                   addressees=(Addressee(units=("SCT", "STC"), role=RecipientRole.COMMENT),),
                   contact_name="Ông Phạm Phi Long", contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền")
    round_id = create_round(ykien_app, new, STAFF)
    execute(ykien_app, round_id, Launch(), STAFF)
    execute(ykien_app, round_id, Respond("SCT", ResponseKind.PROPOSALS, STAFF, ResponseChannel.PAPER,
                                         proposals=(REPORT,)), STAFF)
    download = staff.get(f"/rounds/{round_id}/export.xlsx")
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).worksheets[1]
    header, sct = (list(row) for row in sheet.iter_rows(max_row=2, values_only=True))
    row = dict(zip(header, sct, strict=True))
    assert row["Cơ quan, đơn vị"] == "Sở Công Thương"
    assert row["1. Nội dung báo cáo"] == "Đã ban hành 2 kế hoạch."
    assert row["2.4. Nội dung báo cáo"] == "Mở 3 lớp tập huấn ISO 9001."
    assert row["3. Kinh phí ngân sách nhà nước"] == 120000000  # figures are numbers Excel adds up
    assert row["1. Số kế hoạch, quyết định, văn bản đã ban hành"] == 2
    for empty in ("2.1. Nội dung báo cáo", "2.2. Nội dung báo cáo", "II. Nội dung báo cáo"):
        assert row[empty] is None, empty
    assert len(set(header)) == len(header), "every column names its heading"
    assert sheet.print_title_cols == "$A:$B", "printed across pages, each page repeats STT and the unit"
