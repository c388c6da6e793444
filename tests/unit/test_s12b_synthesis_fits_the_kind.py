"""The synthesis table (tổng hợp, tiếp thu, giải trình) fits the kind that writes it (session 12, helper b, item 2).

A kind whose units answer with forms (a call for proposals, a report collection: seeds 001 and 003) never writes it:
its answers are listed (danh mục đề xuất) or consolidated heading by heading, and a definition that names the
synthesis builder for such a kind is refused with its line. A kind answering with comments writes the table in its
own words: its verb and the name of its text head the columns and the summary ("Nội dung phản biện", "thống nhất
với đề cương"), the consultation's still reading "Nội dung góp ý", "thống nhất với dự thảo". Kinds are told apart by
their definitions only (response.kind, terms), never by name.
"""
from __future__ import annotations

import io
import re
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import docx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "documents"))
import document_seeds as seed_data

from notifications.documents.synthesis import render_synthesis_docx, render_synthesis_xlsx
from workflows.definition import validate_file
from workflows.service.registry import BUILDER_ANSWERS, DEFINITIONS, engine_registry, shipped_workflows

COMMENT_TABLES = {builder for builder, kind in BUILDER_ANSWERS if kind == "comments"}


def test_only_a_kind_answering_with_comments_writes_a_synthesis_table() -> None:
    kinds = shipped_workflows()
    for workflow in kinds.values():
        tables = [key for key, document in workflow.documents.items() if document.builder in COMMENT_TABLES]
        assert not tables or workflow.response.kind == "comments", (workflow.name, tables)
    assert any(w.response.kind != "comments" for w in kinds.values())  # the check above is not empty
    assert any(w.response.kind == "comments" and any(d.builder in COMMENT_TABLES for d in w.documents.values())
               for w in kinds.values())


def test_a_synthesis_table_for_a_kind_answering_with_forms_is_refused_at_its_line(tmp_path: Path) -> None:
    forms = next(w for w in shipped_workflows().values() if w.response.kind != "comments")
    text = (DEFINITIONS / f"{forms.name}.yaml").read_text(encoding="utf-8")
    added = ('documents:\n  bang_tong_hop:\n    title: "Bảng tổng hợp, tiếp thu, giải trình"\n'
             '    builder: "synthesis_docx"\n    filename: "bang-tong-hop.docx"\n    states: ["draft"]\n')
    assert text.count("\ndocuments:\n") == 1
    path = tmp_path / f"{forms.name}.yaml"
    path.write_text(text.replace("\ndocuments:\n", "\n" + added, 1), encoding="utf-8")
    if (DEFINITIONS / forms.name).is_dir():
        shutil.copytree(DEFINITIONS / forms.name, tmp_path / forms.name)
    line = path.read_text(encoding="utf-8").splitlines().index('    builder: "synthesis_docx"') + 1
    problems = [str(p) for p in validate_file(path, engine_registry())]
    fitting = ", ".join(sorted(b for b, kind in BUILDER_ANSWERS if kind == forms.response.kind))
    assert problems == [
        f'{path}:{line}:14: bộ dựng "synthesis_docx" lập bảng từ ý kiến theo từng mục (tiếp thu, giải trình từng ý '
        f'kiến), nhưng đơn vị của quy trình này trả lời bằng phiếu (các trường của response) (response.kind: '
        f'"{forms.response.kind}"); hãy dùng {fitting} hoặc unit_list'], problems


def _docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows[:1] for cell in row.cells)
    return "\n".join(parts)


def test_the_table_speaks_the_kinds_verb_and_names_its_text_the_consultations_unchanged() -> None:
    consultation = _docx_text(render_synthesis_docx(seed_data.synthesis()))
    assert "BẢNG TỔNG HỢP, TIẾP THU, GIẢI TRÌNH Ý KIẾN GÓP Ý" in consultation
    assert re.search(r"Đối với dự thảo .* \(dự thảo lần 1\)", consultation)
    assert "Nội dung góp ý" in consultation
    assert "thống nhất với dự thảo, không có ý kiến góp ý" in consultation

    review = replace(seed_data.synthesis(), verb="phản biện", document="đề cương",
                     draft_title="Nghiên cứu ứng dụng công nghệ sinh học trong sản xuất giống lúa")
    text = _docx_text(render_synthesis_docx(review))
    assert "BẢNG TỔNG HỢP, TIẾP THU, GIẢI TRÌNH Ý KIẾN PHẢN BIỆN" in text
    assert "Đối với đề cương Nghiên cứu ứng dụng công nghệ sinh học trong sản xuất giống lúa (đề cương lần 1)" in text
    assert "Nội dung phản biện" in text
    assert "thống nhất với đề cương, không có ý kiến phản biện" in text
    assert "được hiểu là thống nhất với đề cương" in text
    assert "nhận đề cương để đăng tải hoặc để biết, không đề nghị phản biện" in text
    assert "góp ý" not in text and "dự thảo" not in text

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(render_synthesis_xlsx(review))).active
    assert sheet is not None
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("Nội dung phản biện" in c for c in cells) and not any("Nội dung góp ý" in c for c in cells)

