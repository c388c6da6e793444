"""The create form calls a round's title in its kind's words (terms.title_label): "Tên hội thảo" for a workshop,
"Tên dự thảo" still for a consultation; the dashboard, where kinds mix, heads the column "Tên đợt"."""
from __future__ import annotations

from fastapi.testclient import TestClient
from test_workshop_pages import staff, template_home, workshop_clock, ykien_app  # noqa: F401  (fixtures)


def test_the_create_form_names_the_title_in_the_words_of_the_kind(staff: TestClient) -> None:
    workshop = staff.get("/rounds/new?workflow=workshop").text
    assert "<label>Tên hội thảo <input" in workshop and "ghi tiếp tên hội thảo." in workshop
    assert "Tên dự thảo" not in workshop and "ghi tiếp tên dự thảo" not in workshop
    assert "<label>Tên nhiệm vụ, chương trình đề nghị đề xuất <input" in staff.get(
        "/rounds/new?workflow=proposal_call").text
    assert "<label>Tên dự thảo <input" in staff.get("/rounds/new?workflow=consultation").text


def test_the_dashboard_heads_the_titles_of_every_kind_as_rounds(staff: TestClient) -> None:
    page = staff.get("/").text
    assert "<th scope=\"col\">Tên đợt</th>" in page and "Tên dự thảo" not in page


def test_the_create_form_names_the_file_in_the_words_of_the_kind(staff: TestClient) -> None:
    workshop = staff.get("/rounds/new?workflow=workshop").text
    assert "Tệp kế hoạch tổ chức Hội thảo (DOCX hoặc PDF, tối đa" in workshop and "không bắt buộc)" in workshop
    assert "Tệp dự thảo" not in workshop
    consultation = staff.get("/rounds/new?workflow=consultation").text
    assert "Tệp dự thảo (DOCX hoặc PDF, tối đa" in consultation and "không bắt buộc)" not in consultation.split(
        "Tệp dự thảo")[1].split("</label>")[0]
