"""A kind whose rounds send no draft (`draft: "optional"`: a call for proposals, a report collection, a workshop) is not
told of one: its first state is "Bản nháp", not "Dự thảo"; the tab and page of the file its rounds may send are named
by its terms.document ("Nội dung đề nghị đề xuất", "Kế hoạch tổ chức Hội thảo"), without a draft's sections, and a bad
upload there is refused in the same words. A consultation reads as before."""
from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from test_workshop_pages import (  # noqa: F401  (fixtures)
    EVERY_GROUP,
    STAFF,
    TITLE,
    staff,
    template_home,
    workshop_clock,
    ykien_app,
)

from workflows.service.app import App
from workflows.service.registry import get_workflow
from workflows.service.rounds import Addressee, NewRound, create_round
from workflows.web.templating import round_tabs


@pytest.mark.parametrize(("kind", "first_state", "tab"), [
    ("consultation", "Dự thảo", "Dự thảo"),
    ("proposal_call", "Bản nháp", "Nội dung đề nghị đề xuất"),
    ("report_collection", "Bản nháp", "Nội dung đề nghị báo cáo"),
    ("workshop", "Bản nháp", "Kế hoạch tổ chức Hội thảo"),
])
def test_the_first_state_and_the_files_tab_speak_the_kinds_words(kind: str, first_state: str, tab: str) -> None:
    workflow = get_workflow(kind)
    assert workflow.state_title(workflow.initial) == first_state
    assert dict((key, label) for key, label, _ in round_tabs(kind))["drafts"] == tab
    if not workflow.needs_draft:
        assert not any("dự thảo" in state.title.lower() for state in workflow.states.values())


def draft_workshop(app: App) -> int:
    new = NewRound(title=TITLE, subject="", workflow="workshop", office="TĐC", deadline=date(2025, 8, 13),
                   dates={"event": date(2025, 8, 20)}, addressees=(Addressee(groups=EVERY_GROUP),),
                   contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290", signer_name="Trịnh Trường Huy")
    return create_round(app, new, STAFF)


def visible(page: str) -> str:
    main = page[page.index("<main"):]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_a_workshop_not_yet_sent_is_a_bản_nháp_and_its_file_page_says_kế_hoạch(
        ykien_app: App, staff: TestClient) -> None:
    round_id = draft_workshop(ykien_app)
    page = staff.get(f"/rounds/{round_id}").text
    assert '<span class="status s-draft">Bản nháp</span>' in page
    assert "dự thảo" not in visible(page).lower()
    files = staff.get(f"/rounds/{round_id}/drafts").text
    assert "Các phiên bản kế hoạch tổ chức Hội thảo" in files and "Tệp kế hoạch tổ chức Hội thảo (DOCX" in files
    assert 'name="sections"' not in files and "<th>Các mục</th>" not in files
    assert "dự thảo" not in visible(files).lower()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', files)
    assert csrf is not None
    refused = staff.post(f"/rounds/{round_id}/drafts", data={"csrf_token": csrf.group(1), "note": ""},
                         files={"draft": ("ke-hoach.docx", b"not a document", "application/octet-stream")})
    assert refused.status_code == 422
    assert "Chưa lưu được kế hoạch tổ chức Hội thảo:" in refused.text and "dự thảo" not in visible(refused.text).lower()
