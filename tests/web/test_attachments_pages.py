"""Files units attach to the file fields of a form, through their page (in-process, a real App on SQLite): each
file field is a file input; a file too large, empty, of a refused type or whose content lies about its type is
refused beside its field (the field named in Vietnamese, everything typed kept, nothing stored); names are kept
in NFC without their path; an answer sent again keeps its files unless others are chosen; a unit downloads only
its own files, staff of another office none; the JSON API and the command line say how files are sent."""
from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from minimal_pdf import minimal_pdf
from minimal_xlsx import minimal_xlsx as xlsx
from staff_site import ykien_app  # noqa: F401 (the per-test copy of template_home)
from test_recipient_page import links
from test_round_kinds import FIXTURES, PASSWORD, STAFF, SURVEY, local, log_in, settings_for

from config.clock import FrozenClock
from notifications.testing import SmtpCapture, smtp_capture
from workflows.engine.events import Launch
from workflows.service.app import App, build_app
from workflows.service.attachments import parse_ref
from workflows.service.directory import import_units
from workflows.service.recipients import recipient_page
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.staff import add_user
from workflows.service.steps import run_step
from workflows.web.app import create_web_app
from workflows.web.security import link_csrf

KIND = "survey_files"
FILE_FIELDS = ('    - { key: "plan_file", label: "Kế hoạch triển khai", required: true, kind: "file" }\n'
               '    - { key: "budget_file", label: "Bảng kê kinh phí", kind: "file" }\n')
ANSWER = {"need": "Truy xuất nguồn gốc", "details": "Chè, hồi, quế", "budget": "200.000.000",
          "email": "sct@caobang.example.vn", "field": "Nông nghiệp"}
PDF = minimal_pdf()


@pytest.fixture(autouse=True)
def department(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A department's kind whose form has two file fields (one required), as YKIEN_WORKFLOWS_DIR names it."""
    folder = tmp_path_factory.mktemp("kinds")
    text = SURVEY.read_text(encoding="utf-8").replace('name: "survey_grace"', f'name: "{KIND}"')
    text = text.replace('    - key: "level"\n', FILE_FIELDS + '    - key: "level"\n')
    (folder / f"{KIND}.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("YKIEN_WORKFLOWS_DIR", str(folder))
    monkeypatch.setenv("YKIEN_MAX_UPLOAD_MB", "1")
    return folder


@pytest.fixture(scope="module")
def template_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("attachments-template")
    with smtp_capture() as capture:
        app = build_app(settings_for(home, capture), FrozenClock(local("2025-11-20T08:30")), create_schema=True)
        import_units(app, FIXTURES / "units_12.csv", STAFF)
        add_user(app, "long", "Phạm Phi Long", "staff", PASSWORD, "TĐC", "test")
        add_user(app, "khoa", "Lê Văn Khoa", "staff", PASSWORD, "QLKH", "test")
        add_user(app, "lanhdao", "Nông Thị Thanh Huyền", "leader", PASSWORD, None, "test")
        app.close()
    return home


@pytest.fixture
def unit(ykien_app: App) -> TestClient:
    return TestClient(create_web_app(ykien_app))


def staff_client(app: App, username: str) -> TestClient:
    client = TestClient(create_web_app(app))
    answer = client.post("/api/session", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


def launch(app: App) -> int:
    new = NewRound(title="Khảo sát nhu cầu 2026", subject="", workflow=KIND, office="TĐC", deadline=date(2025, 12, 5),
                   addressees=(Addressee(groups=("so-ban-nganh",)),), contact_name="Ông Phạm Phi Long",
                   contact_phone="0912 130 290", signer_name="Nông Thị Thanh Huyền")
    round_id = create_round(app, new, STAFF)
    execute(app, round_id, Launch(), STAFF)
    run_step(app, "circulate", round_id=round_id)
    return round_id


def post(client: TestClient, app: App, token: str, files: dict[str, tuple[str, bytes]],
         values: dict[str, str] | None = None) -> object:
    data = {"csrf_token": link_csrf(app, token), "action": "send", "answer": "proposals",
            **{f"p_{k}": v for k, v in (ANSWER if values is None else values).items()}}
    parts = {f"p_{key}": (name, content, "application/octet-stream") for key, (name, content) in files.items()}
    return client.post(f"/r/{token}", data=data, files=parts or None, follow_redirects=False)


def stored_count(app: App) -> int:
    from sqlalchemy import func, select

    from models.db.tables_attachments import AttachmentRow

    with app.uow(read_only=True) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(AttachmentRow)) or 0)


def test_each_file_field_is_a_file_input_with_the_types_and_limit_said(
        ykien_app: App, unit: TestClient, capture: SmtpCapture) -> None:
    launch(ykien_app)
    page = unit.get(f"/r/{links(capture)['SCT']}").text
    for name in ("p_plan_file", "p_budget_file"):
        assert f'<input id="{name}" name="{name}" type="file" accept=".pdf,.doc,.docx,.xls,.xlsx,.odt,.ods,' in page
        assert (f'<span class="hint" id="{name}-hint">Nhận tệp PDF, DOC/DOCX, XLS/XLSX, ODT/ODS, JPG/PNG hoặc ZIP, '
                "tối đa 1 MB.</span>") in page
    assert 'name="p_plan_file" type="file" accept' in page and "tên tệp gửi kèm" not in page.lower()


# Files the form refuses, with the status and the message beside the field; the unit's page and the staff's paper
# form (test_staff_attachments) each add a broken office file of their own.
BAD_FILES = [
    pytest.param({"plan_file": ("ke-hoach.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 10))}, 413,
                 "Kế hoạch triển khai: tệp 1,0 MB, vượt giới hạn 1 MB. Hãy chọn tệp nhỏ hơn.", id="too-large"),
    pytest.param({"plan_file": ("ke-hoach.pdf", b"")}, 422,
                 "Kế hoạch triển khai: tệp &#34;ke-hoach.pdf&#34; rỗng (0 byte).", id="empty"),
    pytest.param({"plan_file": ("cai-dat.exe", b"MZ" * 50)}, 422,
                 "Kế hoạch triển khai: không nhận tệp &#34;cai-dat.exe&#34;", id="exe"),
    pytest.param({"plan_file": ("ke-hoach.pdf", b"<html>")}, 422,
                 "Kế hoạch triển khai: tệp &#34;ke-hoach.pdf&#34; có đuôi .pdf nhưng nội dung không phải PDF.",
                 id="pdf-not-pdf"),
    pytest.param({}, 422, "Kế hoạch triển khai: chưa chọn tệp (bắt buộc).", id="required-missing"),
]


@pytest.mark.parametrize(("files", "status", "said"), [*BAD_FILES, pytest.param(
    {"plan_file": ("ke-hoach.pdf", PDF), "budget_file": ("bang-ke.docx", b"not a zip")}, 422,
    "Bảng kê kinh phí: tệp &#34;bang-ke.docx&#34; có đuôi .docx nhưng nội dung không phải Word (DOCX).",
    id="docx-not-zip")])
def test_a_bad_file_is_refused_beside_its_field_with_everything_typed_kept_and_nothing_stored(
        ykien_app: App, unit: TestClient, capture: SmtpCapture, files: dict[str, tuple[str, bytes]], status: int,
        said: str) -> None:
    launch(ykien_app)
    token = links(capture)["SCT"]
    refused = post(unit, ykien_app, token, files)
    assert refused.status_code == status, refused.text[:500]  # type: ignore[attr-defined]
    text = refused.text  # type: ignore[attr-defined]
    assert said in text
    assert 'aria-invalid="true"' in text
    assert 'value="Truy xuất nguồn gốc"' in text and "Chè, hồi, quế</textarea>" in text  # typed text kept
    if files:
        assert "Các tệp gửi kèm vừa chọn chưa được lưu: vui lòng chọn lại tệp trước khi gửi." in text
    assert recipient_page(ykien_app, token).revisions == []
    assert stored_count(ykien_app) == 0


def test_two_files_are_stored_with_clean_names_shown_to_staff_and_kept_when_the_answer_is_sent_again(
        ykien_app: App, unit: TestClient, capture: SmtpCapture) -> None:
    round_id = launch(ykien_app)
    token = links(capture)["SCT"]
    nfd = unicodedata.normalize("NFD", "Bảng kê kinh phí.xlsx")
    table = xlsx()
    sent = post(unit, ykien_app, token, {"plan_file": ("../../ke-hoach.pdf", PDF), "budget_file": (nfd, table)})
    assert sent.status_code == 303, sent.text[:800]  # type: ignore[attr-defined]
    first = recipient_page(ykien_app, token).current
    assert first is not None
    plan, budget = parse_ref(first.proposals[0]["plan_file"]), parse_ref(first.proposals[0]["budget_file"])
    assert plan is not None and plan.name == "ke-hoach.pdf"
    assert budget is not None and budget.name == "Bảng kê kinh phí.xlsx"  # NFC
    assert stored_count(ykien_app) == 2

    leader = staff_client(ykien_app, "lanhdao")
    responses = leader.get(f"/rounds/{round_id}/responses").text
    assert f'<a href="/rounds/{round_id}/attachments/{budget.attachment_id}" class="r-attachment" download>' \
           f"Bảng kê kinh phí.xlsx ({budget.size})</a>" in responses
    download = leader.get(f"/rounds/{round_id}/attachments/{budget.attachment_id}")
    assert download.status_code == 200 and download.content == table
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"Bang ke kinh phi.xlsx\"; "
        "filename*=UTF-8''B%E1%BA%A3ng%20k%C3%AA%20kinh%20ph%C3%AD.xlsx")

    page = unit.get(f"/r/{token}").text
    assert (f'Đã gửi: <a href="/r/{token}/attachments/{plan.attachment_id}" download>ke-hoach.pdf ({plan.size})</a>'
            " — chọn tệp khác để thay") in page
    assert 'name="p_plan_file" type="file" accept' in page and 'aria-required="true"' not in \
        page.split('id="p_plan_file"')[1].split(">")[0]  # a file already sent: choosing one again is not required
    again = post(unit, ykien_app, token, {}, {**ANSWER, "details": "Chè, hồi, quế, thạch đen"})
    assert again.status_code == 303
    second = recipient_page(ykien_app, token).current
    assert second is not None and second.revision == first.revision + 1
    assert second.proposals[0]["plan_file"] == first.proposals[0]["plan_file"]
    assert second.proposals[0]["budget_file"] == first.proposals[0]["budget_file"]
    replaced = post(unit, ykien_app, token, {"budget_file": ("bang-ke-moi.pdf", PDF)})
    assert replaced.status_code == 303
    third = recipient_page(ykien_app, token).current
    assert third is not None and third.proposals[0]["plan_file"] == first.proposals[0]["plan_file"]
    assert (parse_ref(third.proposals[0]["budget_file"]) or plan).name == "bang-ke-moi.pdf"
    assert stored_count(ykien_app) == 3


def test_a_unit_downloads_its_own_files_only_and_staff_of_another_office_none(
        ykien_app: App, unit: TestClient, capture: SmtpCapture) -> None:
    round_id = launch(ykien_app)
    tokens = links(capture)
    assert post(unit, ykien_app, tokens["SCT"], {"plan_file": ("ke-hoach.pdf", PDF)}).status_code == 303
    current = recipient_page(ykien_app, tokens["SCT"]).current
    assert current is not None
    ref = parse_ref(current.proposals[0]["plan_file"])
    assert ref is not None
    own = unit.get(f"/r/{tokens['SCT']}/attachments/{ref.attachment_id}")
    assert own.status_code == 200 and own.content == PDF
    assert own.headers["cache-control"] == "no-store" and own.headers["x-content-type-options"] == "nosniff"
    other_unit = next(code for code in tokens if code != "SCT")
    assert unit.get(f"/r/{tokens[other_unit]}/attachments/{ref.attachment_id}").status_code == 404
    assert unit.get(f"/r/{tokens['SCT']}/attachments/{ref.attachment_id + 100}").status_code == 404
    assert unit.get(f"/rounds/{round_id}/attachments/{ref.attachment_id}", follow_redirects=False).status_code in (
        302, 303, 307)  # staff's route wants a login
    other_office = staff_client(ykien_app, "khoa").get(f"/rounds/{round_id}/attachments/{ref.attachment_id}")
    assert other_office.status_code == 403 and "chỉ cán bộ phòng TĐC" in other_office.text
    own_office = staff_client(ykien_app, "long")
    assert own_office.get(f"/rounds/{round_id}/attachments/{ref.attachment_id}").content == PDF
    assert own_office.get(f"/rounds/{round_id + 1}/attachments/{ref.attachment_id}").status_code == 404


def test_the_json_api_refuses_a_file_field_it_cannot_carry(ykien_app: App, capture: SmtpCapture) -> None:
    round_id = launch(ykien_app)
    api = log_in(TestClient(create_web_app(ykien_app)))
    body = {"unit": "SCT", "kind": "proposals", "channel": "paper",
            "proposals": [{**ANSWER, "plan_file": "ke-hoach.pdf"}]}
    refused = api.post(f"/api/rounds/{round_id}/respond", json=body)
    assert refused.status_code == 422, refused.text
    assert "Kế hoạch triển khai: chỉ nhận tệp chọn để tải lên" in refused.text
    assert "--attach" in refused.text
    assert stored_count(ykien_app) == 0


def test_a_file_chosen_for_a_draft_saved_unsent_is_not_stored_and_the_page_says_so(
        ykien_app: App, unit: TestClient, capture: SmtpCapture) -> None:
    launch(ykien_app)
    token = links(capture)["SCT"]
    data = {"csrf_token": link_csrf(ykien_app, token), "action": "save", "answer": "proposals",
            **{f"p_{k}": v for k, v in ANSWER.items()}}
    saved = unit.post(f"/r/{token}", data=data, files={"p_plan_file": ("ke-hoach.pdf", PDF, "application/pdf")},
                      follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"/r/{token}?saved=1&file=1"
    assert "Tệp đã chọn không được lưu cùng bản nháp: vui lòng chọn lại khi gửi." in unit.get(
        saved.headers["location"]).text
    assert stored_count(ykien_app) == 0
