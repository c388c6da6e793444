"""The name a draft uploaded on the web is kept and offered under: in NFC with its Vietnamese marks (a Mac sends the
name decomposed), and, long in characters of three bytes (Han, or Vietnamese letters with two marks), within the 255
bytes the file system takes: never a 500 "File name too long"."""
from __future__ import annotations

import io
import unicodedata

import docx
from fastapi.testclient import TestClient
from staff_site import log_in, template_home, ykien_app  # noqa: F401

from workflows.service.app import App
from workflows.service.views import list_rounds
from workflows.web.app import create_web_app
from workflows.web.forms.draft_upload import NAME_BYTES, safe_filename

# Within the 120 characters of a kept stem, but over 255 bytes: a Han character, as "ễ", takes three.
LONG_NAME = "Dự thảo Kế hoạch " + "关于征求意见稿的通知" * 11 + ".docx"
NEW_ROUND = {"action": "create", "title": "Kế hoạch thử", "workflow": "consultation", "office": "TĐC",
             "g_comment": "so-ban-nganh", "deadline_mode": "days", "deadline_days": "10",
             "timer_remind_before": "on", "timer_remind_before_days": "2", "contact_name": "Ông Phạm Phi Long",
             "contact_phone": "0912130290", "signer_name": "Nông Thị Thanh Huyền", "signer_title": "GIÁM ĐỐC"}


def _docx() -> bytes:
    document = docx.Document()
    document.add_heading("I. MỤC ĐÍCH, YÊU CẦU", 1)
    document.add_paragraph("Nâng cao năng suất.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_name_sent_decomposed_keeps_its_vietnamese_letters() -> None:
    assert safe_filename(unicodedata.normalize("NFD", "Dự thảo Kế hoạch.docx"), "docx") == "Dự thảo Kế hoạch.docx"
    assert safe_filename("C:\\Tài liệu\\Dự thảo.pdf", "pdf") == "Dự thảo.pdf"


def test_a_draft_named_in_nfd_is_kept_and_shown_in_nfc(ykien_app: App) -> None:
    staff = log_in(TestClient(create_web_app(ykien_app), raise_server_exceptions=False))
    name = unicodedata.normalize("NFD", "Dự thảo Kế hoạch.docx")
    answer = staff.post("/rounds", data=NEW_ROUND, files={"draft": (name, _docx(), "application/octet-stream")},
                        follow_redirects=False)
    assert answer.status_code == 303, answer.text[:300]
    [created] = list_rounds(ykien_app)
    [kept] = (ykien_app.settings.home / "drafts" / str(created.id)).rglob("*.docx")
    assert kept.name == "Dự thảo Kế hoạch.docx"
    assert "Dự thảo Kế hoạch.docx" in staff.get(f"/rounds/{created.id}/preview").text


def test_a_kept_name_fits_the_file_system_with_room_for_its_cache_beside_it() -> None:
    kept = safe_filename(LONG_NAME, "docx")
    assert len(kept.encode()) <= NAME_BYTES and kept.endswith(".docx") and kept.startswith("Dự thảo Kế hoạch 关于征求")
    assert len(safe_filename(LONG_NAME, "docx").encode()) < len(LONG_NAME[:120].encode())
    assert len(f".{kept}.html.json.partial".encode()) <= 255


def test_a_draft_named_past_255_bytes_creates_the_round(ykien_app: App) -> None:
    staff = log_in(TestClient(create_web_app(ykien_app), raise_server_exceptions=False))
    answer = staff.post("/rounds", data=NEW_ROUND, files={"draft": (LONG_NAME, _docx(), "application/octet-stream")},
                        follow_redirects=False)
    assert answer.status_code == 303, answer.text[:300]
    [created] = list_rounds(ykien_app)
    [kept] = (ykien_app.settings.home / "drafts" / str(created.id)).rglob("*.docx")
    assert kept.name.startswith("Dự thảo Kế hoạch 关于") and kept.read_bytes().startswith(b"PK")
