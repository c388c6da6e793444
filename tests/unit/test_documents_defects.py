"""Issue 11 item 2, the renderers' side: a department's copy of a wording file made before the fixes keeps working,
group labels are spelled out, "ban hành" is said once, the tờ trình names only the handlings it used.

The documents of a whole round are read back in tests/integration/test_document_defects.py.
"""
from __future__ import annotations

import io
import sys
from dataclasses import replace
from pathlib import Path

import docx
import pytest

# The seeds' documents as renderer input live with the other fixtures.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "documents"))

import document_seeds as seed_data

from notifications.documents.data import UnitDeadline, UnitGroup
from notifications.documents.letters import render_reminder_letter, render_submission
from notifications.documents.synthesis import render_synthesis_docx
from notifications.documents.vietnamese import roman, spelled_out
from notifications.documents.wording import default_wording_path, load_wording
from workflows.service.documents import issued_title

# The consultation's tờ trình is its own wording (the shared submission.yaml speaks in any kind's words).
CONSULTATION_WORDING = Path(__file__).resolve().parents[2] / "workflows" / "definitions" / "consultation" / "documents"


def texts(content: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(content)).paragraphs if p.text.strip()]


def test_a_synthesis_wording_copied_before_the_four_columns_still_loads(tmp_path: Path) -> None:
    shipped = default_wording_path("synthesis").read_text(encoding="utf-8")
    old = "\n".join(line for line in shipped.splitlines() if not line.startswith("proposed_label:"))
    (tmp_path / "synthesis.yaml").write_text(old + '\ncolumn_explanation: "Giải trình"\n', encoding="utf-8")
    wording = load_wording("synthesis", tmp_path)
    assert wording.text("proposed_label", {}) == "Đề xuất sửa thành:"  # the text ykien supplies
    document = docx.Document(io.BytesIO(render_synthesis_docx(seed_data.synthesis(), wording_dir=tmp_path)))
    header = next(t for t in document.tables if t.rows[0].cells[0].text == "STT").rows[0].cells
    assert len(header) == 4


def test_a_reminder_wording_copied_before_the_attached_list_still_renders_it(tmp_path: Path) -> None:
    (tmp_path / "reminder_letter.yaml").write_text(
        'body:\n  - "Đề nghị quý cơ quan, đơn vị gửi ý kiến chậm nhất trong ngày {{ new_deadline | date }}."\n',
        encoding="utf-8")
    data = replace(seed_data.reminder_letter(), addressees=[],
                   attached_units=[UnitGroup("Ủy ban nhân dân các xã, phường", ["Ủy ban nhân dân xã Hòa An"])])
    body = texts(render_reminder_letter(data, wording_dir=tmp_path))
    assert "Kính gửi: Các cơ quan, đơn vị có tên tại danh sách kèm theo." in body
    assert "DANH SÁCH CƠ QUAN, ĐƠN VỊ CHƯA GỬI Ý KIẾN GÓP Ý" in body


def test_reminder_names_the_units_whose_recorded_deadline_differs() -> None:
    data = replace(seed_data.reminder_letter(), new_deadline=seed_data.reminder_letter().first_deadline,
                   other_deadlines=[UnitDeadline("Sở Y tế", seed_data.reminder_letter().new_deadline)])
    body = " ".join(texts(render_reminder_letter(data)))
    assert ("đúng thời hạn nêu trên, chậm nhất trong ngày 05/12/2025 (riêng Sở Y tế: chậm nhất trong ngày "
            "12/12/2025).") in body


@pytest.mark.parametrize(("label", "spelled"), [
    ("Ủy ban MTTQ và các đoàn thể tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam và các đoàn thể tỉnh"),
    ("Hiệp hội, Liên minh HTX", "Hiệp hội, Liên minh Hợp tác xã"),
    ("UBND tỉnh và Văn phòng UBND tỉnh", "Ủy ban nhân dân tỉnh và Văn phòng Ủy ban nhân dân tỉnh"),
    ("Các sở, ban, ngành, đoàn thể tỉnh", "Các sở, ban, ngành, đoàn thể tỉnh"),
    ("Sở KH&CN các tỉnh", "Sở khoa học và công nghệ các tỉnh"),
    ("Nhóm UBNDX", "Nhóm UBNDX"),  # a longer word that starts like an abbreviation stays
])
def test_group_labels_are_spelled_out_in_letters(label: str, spelled: str) -> None:
    assert spelled_out(label) == spelled


@pytest.mark.parametrize(("title", "issued"), [
    ("Quyết định ban hành Quy chế quản lý nhiệm vụ", "Quy chế quản lý nhiệm vụ"),
    ("Kế hoạch hỗ trợ doanh nghiệp giai đoạn 2026 – 2030", "Kế hoạch hỗ trợ doanh nghiệp giai đoạn 2026 – 2030"),
    ("quyết định  ban hành Quy định về ...", "Quy định về ..."),
])
def test_what_ubnd_is_asked_to_issue_never_repeats_ban_hanh(title: str, issued: str) -> None:
    assert issued_title(title) == issued


def test_submission_names_only_the_handlings_it_used_and_numbers_its_parts_in_order() -> None:
    data = replace(seed_data.submission(), comments_partly_accepted=0, comments_noted=2, necessity=[],
                   purpose=["Mục đích của Kế hoạch."], main_contents=["Bố cục của dự thảo."])
    body = texts(render_submission(data, wording_dir=CONSULTATION_WORDING))
    assert any("Trên cơ sở 04 ý kiến góp ý, Sở Khoa học và Công nghệ đã tiếp thu 01 ý kiến, không tiếp thu 01 ý kiến,"
               " ghi nhận 02 ý kiến (có giải trình" in text for text in body)
    assert [text for text in body if text[:3] in ("I. ", "II.", "III", "IV.")] == [
        "I. MỤC ĐÍCH, YÊU CẦU", "II. QUÁ TRÌNH XÂY DỰNG VÀ LẤY Ý KIẾN GÓP Ý DỰ THẢO",
        "III. NỘI DUNG CHÍNH CỦA DỰ THẢO KẾ HOẠCH", "IV. ĐỀ XUẤT, KIẾN NGHỊ"]
    assert [roman(n) for n in (1, 4, 9, 14)] == ["I", "IV", "IX", "XIV"]
