"""A leader (read-only) audits a round: the audit tab links its downloads, and the audit CSV reads in Vietnamese
(dates dd/mm/yyyy, the actions' and details' words, units by name) beside the codes and hashes the chain seals."""
from __future__ import annotations

import csv
import io
from datetime import datetime

import openpyxl
import pytest
from fastapi.testclient import TestClient
from staff_site import leader_client, staff, template_home, trial_consultation, ykien_app  # noqa: F401

from notifications.documents.exports import UNIT_HEADER_ROW
from workflows.service.app import App
from workflows.service.views import audit_trail


@pytest.fixture
def round_id(ykien_app: App, staff: TestClient) -> int:
    created = trial_consultation(ykien_app)
    answered = staff.post(f"/rounds/{created}/respond", data={"unit": "STC", "kind": "agree", "channel": "paper",
                                                              "note": "CV 12/STC", "confirmed": "yes"})
    assert answered.status_code == 200, answered.text[:300]
    return created


@pytest.fixture
def leader(ykien_app: App) -> TestClient:
    return leader_client(ykien_app, csrf=False)


def test_the_audit_tab_links_the_audit_csv_and_the_rounds_workbook(leader: TestClient, round_id: int) -> None:
    page = leader.get(f"/rounds/{round_id}/audit").text
    assert f'href="/rounds/{round_id}/audit.csv"' in page and f'href="/rounds/{round_id}/export.xlsx"' in page
    workbook = leader.get(f"/rounds/{round_id}/export.xlsx")
    assert workbook.status_code == 200
    units = openpyxl.load_workbook(io.BytesIO(workbook.content))["Đơn vị"]
    rows = {row[1]: dict(zip([c.value for c in units[UNIT_HEADER_ROW]], row, strict=True))
            for row in units.iter_rows(min_row=UNIT_HEADER_ROW + 1, values_only=True)}
    assert rows["STC"]["Ngày trả lời"] == datetime(2025, 11, 20, 8, 30)  # who answered, and when (local time)
    assert rows["SCT"]["Ngày trả lời"] is None and rows["SCT"]["Trả lời"] == "Chưa trả lời"


def test_the_audit_csv_tells_each_event_in_vietnamese_beside_what_the_chain_seals(
        ykien_app: App, leader: TestClient, round_id: int) -> None:
    download = leader.get(f"/rounds/{round_id}/audit.csv")
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"), newline="")))
    events, broken = audit_trail(ykien_app, round_id)
    assert broken is None and len(rows) == len(events) == 3
    created, launched, answered = rows
    assert created["Hành động"] == "Tạo đợt" and "hạn: 05/12/2025" in created["Chi tiết"]
    assert launched["Hành động"] == "Phát hành" and launched["Mã hành động"] == "launch"
    assert launched["Thời gian (giờ Việt Nam)"] == "20/11/2025 08:30:00"
    assert answered["Người thực hiện"] == "Phạm Phi Long (long)" and answered["Mã hành động"] == "respond"
    assert "Ghi nhận" in answered["Hành động"]
    for words in ("đơn vị: Sở Tài chính", "kênh: văn bản giấy", "loại trả lời: Đồng ý", "ghi chú: CV 12/STC"):
        assert words in answered["Chi tiết"], answered["Chi tiết"]
    assert [row["Mã băm"] for row in rows] == [event.hash for event in events]
    assert '"unit": "STC"' in answered["Chi tiết (JSON)"]
