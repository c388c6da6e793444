"""The page of a round's file versions says which version the round uses only when it has a file: a round created
without one says it has none, in the kind's words; a version in use without a file says so; a file uploaded is the
version in use. Real web app, real SQLite database."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import docx
from fastapi.testclient import TestClient
from test_round_kinds import STAFF, TITLE, department, launch, staff, template_home, ykien_app  # noqa: F401

from models.rounds import RecipientRole
from workflows.service.app import App
from workflows.service.drafts import add_version
from workflows.service.rounds import Addressee, NewRound, create_round


def created(app: App, workflow: str) -> int:
    return create_round(app, NewRound(title=TITLE, subject="", workflow=workflow, office="TĐC",
                                      deadline=date(2025, 12, 5),
                                      addressees=(Addressee(groups=("so-ban-nganh",), role=RecipientRole.COMMENT),),
                                      contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290",
                                      signer_name="Nông Thị Thanh Huyền"), STAFF)


def a_docx(folder: Path) -> Path:
    document = docx.Document()
    document.add_heading("I. MỤC ĐÍCH, YÊU CẦU", 1)
    buffer = io.BytesIO()
    document.save(buffer)
    path = folder / "Kế hoạch.docx"
    path.write_bytes(buffer.getvalue())
    return path


def in_use(page: str) -> str:
    start = page.index('<p class="muted" id="in-use">')
    return page[start:page.index("</p>", start)].removeprefix('<p class="muted" id="in-use">')


def test_a_round_without_a_file_says_it_has_none_in_its_kinds_words(ykien_app: App, staff: TestClient) -> None:
    call, consultation = created(ykien_app, "proposal_call"), created(ykien_app, "consultation")
    said = in_use(staff.get(f"/rounds/{call}/drafts").text)
    assert said.startswith("Đợt chưa có tệp nội dung đề nghị đề xuất.") and "phiên bản 1" not in said
    assert in_use(staff.get(f"/rounds/{consultation}/drafts").text).startswith("Đợt chưa có tệp dự thảo.")


def test_a_file_uploaded_is_the_version_in_use_and_one_added_after_sending_is_not(
        ykien_app: App, staff: TestClient, tmp_path: Path) -> None:
    consultation = created(ykien_app, "consultation")
    add_version(ykien_app, consultation, a_docx(tmp_path), [], None, STAFF)
    assert in_use(staff.get(f"/rounds/{consultation}/drafts").text).startswith("Đợt đang dùng dự thảo phiên bản 1.")

    call = launch(ykien_app, "proposal_call")  # sent without a file; a file uploaded now is a later version
    add_version(ykien_app, call, a_docx(tmp_path), [], None, STAFF)
    assert in_use(staff.get(f"/rounds/{call}/drafts").text).startswith(
        "Đợt đang dùng phiên bản 1 của nội dung đề nghị đề xuất, phiên bản này chưa có tệp.")
