"""Staff record a paper answer with the files sent with it (in-process, a real App on SQLite): the staff form has a
file input per file field; the first post checks the files with the form and stores them only when nothing is
wrong; the confirmation lists them and carries them sealed to the round, the unit and the session, so a forged id,
one of another round or unit, or a page posted from another session is refused with the field named, the form
refilled and nothing saved; confirming ties them to the answer (downloadable by staff), cancelling or a refusal
removes them, and a file left unconfirmed for a day goes when the unit's next one is stored."""
from __future__ import annotations

import html
import re
import unicodedata
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import test_attachments_pages as pages
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from test_attachments_pages import ANSWER, BAD_FILES, PDF, launch, staff_client, stored_count, xlsx
from test_recipient_page import links

from config.clock import FrozenClock
from models.db.tables_attachments import AttachmentRow
from notifications.testing import SmtpCapture
from workflows.service.app import App
from workflows.service.attachments import parse_ref
from workflows.service.recipients import recipient_page
from workflows.service.registry import get_workflow
from workflows.service.views import round_view

# The kind with two file fields (plan_file required, budget_file not), a 1 MB limit, and the App on SQLite.
department, template_home, ykien_app = pages.department, pages.template_home, pages.ykien_app

Parts = dict[str, tuple[str, bytes]]
DROPPED = "Các tệp vừa chọn chưa được lưu: vui lòng chọn lại tệp."


def typed(unit: str = "SCT", **changes: str) -> dict[str, str]:
    return {"unit": unit, "kind": "proposals", "channel": "paper", "note": "Công văn số 12/SCT",
            **{f"p_{k}": v for k, v in {**ANSWER, **changes}.items()}}


def first_post(client: TestClient, round_id: int, files: Parts, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    parts = {f"p_{key}": (name, content, "application/octet-stream") for key, (name, content) in files.items()}
    return client.post(f"/rounds/{round_id}/respond", data=typed() if data is None else data,
                       files=parts or None, follow_redirects=False)


def hidden_fields(page: str) -> list[tuple[str, str]]:
    return [(html.unescape(n), html.unescape(v))
            for n, v in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page) if n != "csrf_token"]


def confirm(client: TestClient, round_id: int, fields: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    body = [(n, v) for n, v in fields if n != "confirmed"] + [("confirmed", "yes")]
    return client.post(f"/rounds/{round_id}/respond", content=_encoded(body),
                       headers={"Content-Type": "application/x-www-form-urlencoded"}, follow_redirects=False)


def _encoded(pairs: list[tuple[str, str]]) -> str:
    return urlencode(pairs)


def untied_count(app: App) -> int:
    with app.uow(read_only=True) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(AttachmentRow)
                                      .where(AttachmentRow.response_id.is_(None))) or 0)


def revisions(app: App, capture: SmtpCapture, unit: str = "SCT") -> int:
    return len(recipient_page(app, links(capture)[unit]).revisions)


def test_the_staff_form_has_a_file_input_per_file_field_with_the_types_and_limit_said(
        ykien_app: App, capture: SmtpCapture) -> None:
    round_id = launch(ykien_app)
    staff = staff_client(ykien_app, "long")
    for page in (staff.get(f"/rounds/{round_id}/respond?unit=SCT").text, staff.get(f"/rounds/{round_id}").text):
        assert f'<form method="post" action="/rounds/{round_id}/respond" class="stack" ' \
               'enctype="multipart/form-data">' in page
        for name in ("p_plan_file", "p_budget_file"):
            assert f'<input id="{name}" name="{name}" type="file" accept=".pdf,.doc,.docx,.xls,.xlsx,.odt,' in page
            assert (f'<span class="hint" id="{name}-hint">Nhận tệp PDF, DOC/DOCX, XLS/XLSX, ODT/ODS, JPG/PNG hoặc '
                    "ZIP, tối đa 1 MB.</span>") in page
        assert "--attach" not in page


def test_files_are_stored_on_the_first_post_listed_on_the_confirmation_and_tied_to_the_answer_on_confirm(
        ykien_app: App, capture: SmtpCapture) -> None:
    round_id = launch(ykien_app)
    staff = staff_client(ykien_app, "long")
    table = xlsx()
    nfd = unicodedata.normalize("NFD", "C:\\Users\\van-thu\\Bảng kê kinh phí.xlsx")
    page = first_post(staff, round_id, {"plan_file": ("ke-hoach.pdf", PDF), "budget_file": (nfd, table)})
    assert page.status_code == 200, page.text[:800]
    assert f"Tệp gửi kèm: ke-hoach.pdf ({len(PDF)} B) — Kế hoạch triển khai." in page.text
    assert "Tệp gửi kèm: Bảng kê kinh phí.xlsx (" in page.text  # NFC, without its path
    answer = get_workflow(round_view(ykien_app, round_id).state.workflow).terms.answer
    assert f"Ghi nhận {answer} của " in page.text and "Ghi nhận ý kiến của" not in page.text  # the kind's word
    assert 'name="cancel"' in page.text
    fields = hidden_fields(page.text)
    assert len([v for n, v in fields if n == "pending_file"]) == 2
    assert untied_count(ykien_app) == 2 and revisions(ykien_app, capture) == 0

    done = confirm(staff, round_id, fields)
    assert done.status_code == 303, done.text[:800]
    assert done.headers["location"].startswith(f"/rounds/{round_id}?ok=respond")
    current = recipient_page(ykien_app, links(capture)["SCT"]).current
    assert current is not None and current.channel == "paper" and current.note == "Công văn số 12/SCT"
    plan, budget = parse_ref(current.proposals[0]["plan_file"]), parse_ref(current.proposals[0]["budget_file"])
    assert plan is not None and plan.name == "ke-hoach.pdf"
    assert budget is not None and budget.name == "Bảng kê kinh phí.xlsx"
    assert untied_count(ykien_app) == 0 and stored_count(ykien_app) == 2
    download = staff.get(f"/rounds/{round_id}/attachments/{budget.attachment_id}")
    assert download.status_code == 200 and download.content == table
    assert staff.get(f"/rounds/{round_id}/attachments/{plan.attachment_id}").content == PDF
    responses = staff.get(f"/rounds/{round_id}/responses").text
    assert f'href="/rounds/{round_id}/attachments/{plan.attachment_id}"' in responses

    again = confirm(staff, round_id, fields)  # the same confirmation posted twice: the files are taken
    assert again.status_code == 422
    assert "Kế hoạch triển khai: tệp gửi kèm không còn chờ xác nhận" in again.text
    assert revisions(ykien_app, capture) == 1 and stored_count(ykien_app) == 2


@pytest.mark.parametrize(("files", "status", "said"), [*BAD_FILES, pytest.param(
    {"plan_file": ("ke-hoach.pdf", PDF), "budget_file": ("bang-ke.xlsx", b"PK\x03\x04 not a zip")}, 422,
    "Bảng kê kinh phí: tệp &#34;bang-ke.xlsx&#34; có đuôi .xlsx nhưng nội dung không phải Excel (XLSX).",
    id="xlsx-not-zip")])
def test_a_bad_file_is_refused_beside_its_field_with_the_form_refilled_and_nothing_stored(
        ykien_app: App, capture: SmtpCapture, files: Parts, status: int, said: str) -> None:
    round_id = launch(ykien_app)
    refused = first_post(staff_client(ykien_app, "long"), round_id, files)
    assert refused.status_code == status, refused.text[:500]
    assert said in refused.text
    assert 'id="p_plan_file" name="p_plan_file" type="file"' in refused.text
    name = "p_budget_file" if said.startswith("Bảng kê") else "p_plan_file"
    assert 'aria-invalid="true"' in refused.text.split(f'<input id="{name}"')[1].split(">")[0]
    assert 'value="Truy xuất nguồn gốc"' in refused.text and "Chè, hồi, quế</textarea>" in refused.text
    assert 'value="Công văn số 12/SCT"' in refused.text
    if files:
        assert DROPPED in refused.text
    assert stored_count(ykien_app) == 0 and revisions(ykien_app, capture) == 0


def test_a_body_far_over_the_limit_is_refused_before_reading(ykien_app: App, capture: SmtpCapture) -> None:
    round_id = launch(ykien_app)
    refused = first_post(staff_client(ykien_app, "long"), round_id,
                         {"plan_file": ("ke-hoach.pdf", b"%PDF-" + b"0" * (3 * 1024 * 1024 + 10))})
    assert refused.status_code == 413
    assert "vượt quá giới hạn 1 MB; không có gì được lưu" in refused.text
    assert stored_count(ykien_app) == 0 and revisions(ykien_app, capture) == 0


def test_good_files_with_a_mistake_elsewhere_are_not_stored(ykien_app: App, capture: SmtpCapture) -> None:
    round_id = launch(ykien_app)
    nfd_unit = unicodedata.normalize("NFD", "Truy xuất")
    refused = first_post(staff_client(ykien_app, "long"), round_id, {"plan_file": ("ke-hoach.pdf", PDF)},
                         typed(budget="nhiều tiền", need=nfd_unit))
    assert refused.status_code == 422
    assert "Kinh phí dự kiến: &#34;nhiều tiền&#34; phải là số tiền (đồng)" in refused.text
    assert DROPPED in refused.text
    assert stored_count(ykien_app) == 0 and revisions(ykien_app, capture) == 0


def _tampered(fields: list[tuple[str, str]], how: str) -> list[tuple[str, str]]:
    def seal(value: str) -> str:
        name, attachment_id, mac = value.split(":")
        if how == "forged-id":
            return f"{name}:{int(attachment_id) + 1}:{mac}"
        if how == "forged-mac":
            return f"{name}:{attachment_id}:{'0' * len(mac)}"
        if how == "other-field":
            return f"p_budget_file:{attachment_id}:{mac}"
        return value
    changed = [(n, seal(v) if n == "pending_file" else v) for n, v in fields]
    if how == "other-unit":
        changed = [(n, "SNV" if n == "unit" else v) for n, v in changed]
    if how == "typed-name":
        changed = [(n, v) for n, v in changed if n != "pending_file"] + [("p_plan_file", "ke-hoach.pdf")]
    return changed


@pytest.mark.parametrize(("how", "said"), [
    ("forged-id", "Kế hoạch triển khai: tệp gửi kèm không thuộc đợt, đơn vị hoặc phiên làm việc này"),
    ("forged-mac", "Kế hoạch triển khai: tệp gửi kèm không thuộc đợt, đơn vị hoặc phiên làm việc này"),
    ("other-field", "Bảng kê kinh phí: tệp gửi kèm không thuộc đợt, đơn vị hoặc phiên làm việc này"),
    ("other-unit", "Kế hoạch triển khai: tệp gửi kèm không thuộc đợt, đơn vị hoặc phiên làm việc này"),
    ("typed-name", "Kế hoạch triển khai: chỉ nhận tệp chọn để tải lên"),
])
def test_a_tampered_confirmation_is_refused_with_the_field_named_and_nothing_saved(
        ykien_app: App, capture: SmtpCapture, how: str, said: str) -> None:
    round_id = launch(ykien_app)
    staff = staff_client(ykien_app, "long")
    fields = hidden_fields(first_post(staff, round_id, {"plan_file": ("ke-hoach.pdf", PDF)}).text)
    refused = confirm(staff, round_id, _tampered(fields, how))
    assert refused.status_code == 422, refused.text[:500]
    assert said in refused.text
    assert 'value="Truy xuất nguồn gốc"' in refused.text
    assert (DROPPED in refused.text) is (how != "typed-name")  # no file carried, none to choose again
    assert revisions(ykien_app, capture) == 0 and revisions(ykien_app, capture, "SNV") == 0
    assert stored_count(ykien_app) == 1 and untied_count(ykien_app) == 1  # the real one waits (or the day's end)


def test_a_confirmation_posted_to_another_round_or_from_another_session_is_refused(
        ykien_app: App, capture: SmtpCapture) -> None:
    round_id = launch(ykien_app)
    other_round = launch(ykien_app)
    staff = staff_client(ykien_app, "long")
    fields = hidden_fields(first_post(staff, round_id, {"plan_file": ("ke-hoach.pdf", PDF)}).text)
    elsewhere = confirm(staff, other_round, fields)
    assert elsewhere.status_code == 422
    assert "Kế hoạch triển khai: tệp gửi kèm không thuộc đợt, đơn vị hoặc phiên làm việc này" in elsewhere.text
    colleague = confirm(staff_client(ykien_app, "long"), round_id, fields)  # the same person, another session
    assert colleague.status_code == 422
    assert "Kế hoạch triển khai: tệp gửi kèm không thuộc đợt, đơn vị hoặc phiên làm việc này" in colleague.text
    other_office = confirm(staff_client(ykien_app, "khoa"), round_id, fields)
    assert other_office.status_code == 403
    assert stored_count(ykien_app) == 1 and untied_count(ykien_app) == 1
    assert len(recipient_page(ykien_app, links(capture)["SCT"]).revisions) == 0
    assert confirm(staff, round_id, fields).status_code == 303  # the page itself still confirms


def test_staff_of_another_office_store_nothing(ykien_app: App, capture: SmtpCapture) -> None:
    round_id = launch(ykien_app)
    refused = first_post(staff_client(ykien_app, "khoa"), round_id, {"plan_file": ("ke-hoach.pdf", PDF)})
    assert refused.status_code == 403
    assert stored_count(ykien_app) == 0


def test_cancelling_or_a_refused_confirmation_removes_the_files(ykien_app: App, capture: SmtpCapture) -> None:
    round_id = launch(ykien_app)
    staff = staff_client(ykien_app, "long")
    fields = hidden_fields(first_post(staff, round_id, {"plan_file": ("ke-hoach.pdf", PDF)}).text)
    cancelled = staff.post(f"/rounds/{round_id}/respond", content=_encoded([*fields, ("cancel", "1")]),
                           headers={"Content-Type": "application/x-www-form-urlencoded"}, follow_redirects=False)
    assert cancelled.status_code == 303 and cancelled.headers["location"] == f"/rounds/{round_id}"
    assert stored_count(ykien_app) == 0
    late = confirm(staff, round_id, fields)
    assert late.status_code == 422 and "Kế hoạch triển khai: tệp gửi kèm không còn chờ xác nhận" in late.text

    fields = hidden_fields(first_post(staff, round_id, {"plan_file": ("ke-hoach.pdf", PDF)}).text)
    changed = [(n, "rất nhiều" if n == "p_budget" else v) for n, v in fields]
    refused = confirm(staff, round_id, changed)
    assert refused.status_code == 422 and "Kinh phí dự kiến: &#34;rất nhiều&#34;" in refused.text
    assert DROPPED in refused.text
    assert stored_count(ykien_app) == 0 and revisions(ykien_app, capture) == 0


def test_a_file_left_unconfirmed_for_a_day_goes_when_the_units_next_file_is_stored(
        ykien_app: App, capture: SmtpCapture, clock: FrozenClock) -> None:
    round_id = launch(ykien_app)
    staff = staff_client(ykien_app, "long")
    first_post(staff, round_id, {"plan_file": ("ke-hoach.pdf", PDF)})
    other = first_post(staff, round_id, {"plan_file": ("ke-hoach.pdf", PDF)}, typed(unit="SNV"))
    assert other.status_code == 200 and stored_count(ykien_app) == 2
    clock.advance(timedelta(hours=12))
    staff = staff_client(ykien_app, "long")  # a session lasts less than a day
    assert first_post(staff, round_id, {"plan_file": ("ke-hoach.pdf", PDF)}).status_code == 200
    assert stored_count(ykien_app) == 3  # half a day: kept
    clock.advance(timedelta(hours=13))
    staff = staff_client(ykien_app, "long")
    fields = hidden_fields(first_post(staff, round_id, {"plan_file": ("ke-hoach-moi.pdf", PDF)}).text)
    assert stored_count(ykien_app) == 3  # SCT's day-old file went; SNV's stays until SNV stores one
    with ykien_app.uow(read_only=True) as uow:
        names = set(uow.session.scalars(select(AttachmentRow.filename)))
    assert names == {"ke-hoach.pdf", "ke-hoach-moi.pdf"}
    assert confirm(staff, round_id, fields).status_code == 303
