"""The words the other kinds write, read beside their seeds (session 14, helper b).

- The report collection's letter asks for the report "theo các nội dung sau" (seed 003's request, Công văn số
  955/SKHCN-TĐC): no email or letter to a unit calls those headings "đề cương", the product's word for them.
- The workshop report says how the invited units registered in one sentence an official would write ("03 đơn vị
  đăng ký tham dự (trong đó 01 đơn vị cử người dự thay), 01 đơn vị không tham dự"), not "tham dự: 03 (…)"; the
  sentence is the workshop_report wording's, which a department may rewrite.
- The consolidated programme report never leaves a heading bare: one with figures nobody gave says "Không phát
  sinh nội dung này." as one with text only does.
"""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from test_workshop_documents_render import _report, _texts

from models.db.report_repository import UnitForm
from notifications.documents.data import Issuer, LetterHead, LetterRef, Signer
from notifications.documents.programme_report import render_programme_report
from notifications.documents.wording import WordingError, default_wording_path
from notifications.documents.workshop import Attendance, render_workshop_report
from workflows.service.registry import get_workflow
from workflows.service.report_sections import (
    NOTHING_TO_REPORT,
    ReportExtras,
    ReportSource,
    programme_report_data,
)

INTERNAL_WORD = "đề cương"
ATTENDANCE = [Attendance("Đại biểu Trung ương", 2, (("Tham dự", 1), ("Cử người dự thay", 0), ("Không tham dự", 1))),
              Attendance("Đại biểu tỉnh", 10, (("Tham dự", 2), ("Cử người dự thay", 1), ("Không tham dự", 0)))]
DECLINING = {"declining": ("Không tham dự",), "attending_label": "Tham dự"}


def _unit_facing_terms() -> list[str]:
    """Every text of the report collection's terms a unit reads (emails, the letter's asks, the reminder letter)."""
    terms = get_workflow("report_collection").terms
    texts = [terms.response, terms.purpose, terms.subject, terms.topic or "", terms.document]
    for role_texts in (terms.request, terms.link_hint, terms.awaited):
        for value in role_texts.values():
            texts.extend(value if isinstance(value, list) else [value])
    texts.extend(terms.received.values())
    return texts


def test_the_report_collection_never_calls_its_headings_de_cuong_to_a_unit() -> None:
    said = [text for text in _unit_facing_terms() if INTERNAL_WORD in text.lower()]
    assert said == []
    assert get_workflow("report_collection").terms.response == "báo cáo kết quả thực hiện"


def test_the_report_collection_wording_files_never_say_de_cuong() -> None:
    folder = Path(__file__).parents[2] / "workflows" / "definitions" / "report_collection" / "documents"
    for path in folder.glob("*.yaml"):
        body = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
        assert INTERNAL_WORD not in body.lower(), path


def test_the_workshop_report_says_who_registers_as_an_official_writes_it() -> None:
    texts = _texts(render_workshop_report(_report(attendance=ATTENDANCE, **DECLINING)))
    assert ("Hội thảo mời 12 cơ quan, đơn vị; 04 đơn vị đăng ký tham dự (trong đó 01 đơn vị cử người dự thay), 01 "
            "đơn vị không tham dự, 07 đơn vị chưa đăng ký.") in texts
    assert not any("tham dự: " in text for text in texts)


def test_the_workshop_report_leaves_out_the_ways_nobody_took_and_says_when_nobody_comes() -> None:
    everyone = [Attendance("Đại biểu tỉnh", 3, (("Tham dự", 3), ("Cử người dự thay", 0), ("Không tham dự", 0)))]
    assert "Hội thảo mời 03 cơ quan, đơn vị; 03 đơn vị đăng ký tham dự." in _texts(
        render_workshop_report(_report(attendance=everyone, **DECLINING)))
    nobody = [Attendance("Đại biểu tỉnh", 3, (("Tham dự", 0), ("Cử người dự thay", 0), ("Không tham dự", 1)))]
    assert ("Hội thảo mời 03 cơ quan, đơn vị; không có đơn vị nào đăng ký tham dự, 01 đơn vị không tham dự, 02 đơn vị "
            "chưa đăng ký.") in _texts(render_workshop_report(_report(attendance=nobody, **DECLINING)))


def _copy_of_report_wording(folder: Path, attendance: str | None) -> Path:
    """A department's copy of the workshop report's wording in `folder`: its title keys, and `attendance` if given."""
    folder.mkdir()
    kept = [line for line in default_wording_path("workshop_report").read_text(encoding="utf-8").splitlines()
            if line.startswith(("title:", "about:", "number_type:"))]
    if attendance is not None:
        kept.append(f"attendance: \"{attendance}\"")
    (folder / "workshop_report.yaml").write_text("\n".join(kept) + "\n", encoding="utf-8")
    return folder


def test_a_department_copy_rewrites_the_sentence_and_an_older_copy_keeps_the_shipped_one(tmp_path: Path) -> None:
    own = _copy_of_report_wording(tmp_path / "own", "Số đơn vị được mời: {{ invited }}; tham dự: {{ attending }}.")
    texts = _texts(render_workshop_report(_report(attendance=ATTENDANCE, **DECLINING), wording_dir=own))
    assert "Số đơn vị được mời: 12; tham dự: 4." in texts
    older = _copy_of_report_wording(tmp_path / "older", None)
    texts = _texts(render_workshop_report(_report(attendance=ATTENDANCE, **DECLINING), wording_dir=older))
    assert any(text.startswith("Hội thảo mời 12 cơ quan, đơn vị; 04 đơn vị đăng ký tham dự") for text in texts)


def test_a_department_sentence_naming_an_unknown_figure_is_refused_with_its_file_and_line(tmp_path: Path) -> None:
    folder = _copy_of_report_wording(tmp_path / "copy", "Tham dự: {{ attendees }}.")
    with pytest.raises(WordingError) as refused:
        render_workshop_report(_report(attendance=ATTENDANCE, **DECLINING), wording_dir=folder)
    assert "workshop_report.yaml:4:" in str(refused.value) and 'không có biến "attendees"' in str(refused.value)


def _programme_report(values: dict[str, str]) -> list[str]:
    workflow = get_workflow("report_collection")
    forms = [UnitForm("SCT", "Sở Công Thương", False, values)]
    source = ReportSource(workflow, "Chương trình 1322 năm 2025", (), forms, [], ReportExtras({}))
    data = programme_report_data(
        source, Issuer(governing_body="UBND TỈNH CAO BẰNG", issuer="SỞ KHOA HỌC VÀ CÔNG NGHỆ", issuer_short="SKHCN",
                       place="Cao Bằng"), LetterHead("TĐC", "Báo cáo", drafted_on=date(2025, 12, 10)),
        LetterRef(date(2025, 11, 20), "812"), ["Sở Công Thương"], Signer(title="GIÁM ĐỐC", name="Nông Thị Thanh Huyền"),
        "Cao Bằng")
    return [p.text for p in Document(io.BytesIO(render_programme_report(data))).paragraphs]


def _under(texts: list[str], heading_number: str) -> str:
    """The paragraph right after the heading numbered `heading_number`."""
    at = next(i for i, text in enumerate(texts) if text.startswith(f"{heading_number} "))
    return texts[at + 1]


def test_a_heading_whose_figures_nobody_gave_says_nothing_arose_not_a_bare_title() -> None:
    sections = {s.key: s for s in get_workflow("report_collection").response.sections}
    counted = next(s for s in sections.values() if s.fields and any(f.figure for f in s.fields)
                   and s.number and s.number.count(".") == 2)  # a "2.x." heading with a figure
    texts = _programme_report({"leadership_text": "Kế hoạch số 41/KH-UBND.", "decisions_issued": "3"})
    assert _under(texts, counted.number or "") == NOTHING_TO_REPORT
    leadership = sections["leadership"]
    assert _under(texts, leadership.number or "") == "Sở Công Thương: Kế hoạch số 41/KH-UBND."


def test_a_heading_with_only_a_figure_given_shows_its_table_and_no_nothing_arose() -> None:
    sections = {s.key: s for s in get_workflow("report_collection").response.sections}
    texts = _programme_report({"trainings_held": "2"})
    training = sections["training"]
    assert _under(texts, training.number or "") != NOTHING_TO_REPORT




def test_the_workshop_plan_closes_every_line_it_writes_itself_with_a_full_stop() -> None:
    from test_workshop_documents_render import _plan

    from notifications.documents.workshop import render_workshop_plan

    texts = _texts(render_workshop_plan(_plan(contents=[], requirements=[], organiser_duties=[])))
    bullets = [text for text in texts if text.startswith("- ")]
    assert bullets and [text for text in bullets if not text.endswith((".", ";"))] == []
    assert any(text.startswith("- Nội dung: ") and text.endswith(".") for text in bullets)
    typed = _texts(render_workshop_plan(_plan(requirements=["Phối hợp chặt chẽ;", "Bảo đảm đúng thời gian"])))
    assert "- Phối hợp chặt chẽ;" in typed and "- Bảo đảm đúng thời gian." in typed


def test_the_workshop_report_says_the_tasks_were_all_handed_in_not_that_0_are_missing() -> None:
    from notifications.documents.workshop import TaskResult

    given = date(2025, 8, 18)
    on_time = TaskResult("Sở Công Thương", "Chuẩn bị tham luận", given, date(2025, 8, 17), result="x")
    late = TaskResult("Sở Tài chính", "Chuẩn bị tham luận", given, date(2025, 8, 19), late=True, result="y")
    missing = TaskResult("Sở Y tế", "Chuẩn bị tham luận", given)

    def said(tasks: list[TaskResult]) -> str:
        texts = _texts(render_workshop_report(_report(tasks=tasks)))
        return next(text for text in texts if text.startswith("Các cơ quan, đơn vị được giao"))

    assert said([on_time, late]) == ("Các cơ quan, đơn vị được giao 02 nhiệm vụ chuẩn bị; đã nộp đủ (trong đó 01 nộp "
                                     "trễ hạn).")
    assert said([on_time, late, missing]) == ("Các cơ quan, đơn vị được giao 03 nhiệm vụ chuẩn bị; đã nộp 02 (trong đó "
                                              "01 nộp trễ hạn), chưa nộp 01.")
    assert said([missing]) == "Các cơ quan, đơn vị được giao 01 nhiệm vụ chuẩn bị; chưa có nhiệm vụ nào được nộp."
