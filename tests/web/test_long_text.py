"""Long text through the web: a form with a text one character over its limit (models.limits) comes back filled,
the field marked with the limit, and nothing stored; the API answers 422 with the limits in its OpenAPI schema;
the longest accepted texts, sent in NFD, are taken and the documents of the round then open in python-docx."""
from __future__ import annotations

import html
import io
import re
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from test_api import create_round, error_code, login, template_home, web, ykien_app  # noqa: F401  (fixtures)
from test_staff_pages import Site, _build, _copy, _new_round

from models import limits
from workflows.service.app import App
from workflows.service.documents import round_documents
from workflows.service.views import audit_trail, list_rounds, round_view

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))

from long_text import one_line, vietnamese

# The API attaches no draft file (the web form does): its rounds are launched with the reason there is none.
NO_DRAFT = {"no_draft_reason": "Dự thảo gửi kèm công văn giấy"}


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    built = _build(tmp_path_factory.mktemp("story") / "home")
    yield built
    built.app.close()


@pytest.fixture
def site(story: Site, tmp_path: Path) -> Iterator[Site]:
    copy = _copy(story, tmp_path)
    yield copy
    copy.app.close()


def _title_of(page: str) -> str:
    found = re.search(r'name="title" value="([^"]*)"', page)
    assert found is not None
    return html.unescape(found.group(1))


# --- staff pages -------------------------------------------------------------------------------------------------

def test_a_title_one_character_too_long_comes_back_on_the_form_with_the_limit(site: Site) -> None:
    before = len(list_rounds(site.app))
    title = vietnamese(limits.TITLE + 1, "Kế hoạch", nfd=True)
    response = site.as_("canbo").post("/rounds", _new_round(title=title))
    assert response.status_code == 422
    assert "Tên dự thảo: dài 501 ký tự, tối đa 500." in response.text
    assert _title_of(response.text) == unicodedata.normalize("NFC", title)  # the form keeps what was typed
    assert len(list_rounds(site.app)) == before


def test_the_longest_title_typed_in_nfd_is_taken_and_its_letter_opens(site: Site) -> None:
    title = vietnamese(limits.TITLE, "Kế hoạch", nfd=True)
    staff = site.as_("canbo")
    response = staff.post("/rounds", _new_round(title=title, contact_name=vietnamese(limits.PERSON_NAME, "Ông"),
                                                contact_title=vietnamese(limits.JOB_TITLE, "Trưởng phòng")))
    assert response.status_code == 303, response.text
    round_id = int(re.search(r"/rounds/(\d+)/", response.headers["location"]).group(1))  # type: ignore[union-attr]
    state = round_view(site.app, round_id).state
    assert state.title == unicodedata.normalize("NFC", title)
    assert len(state.subject) <= limits.SUBJECT and state.subject.endswith(state.title)  # the kind's default
    letter = staff.get(f"/rounds/{round_id}/documents/cong-van-xin-y-kien.docx")
    assert letter.status_code == 200, letter.text
    document = docx.Document(io.BytesIO(letter.content))
    assert len(document.core_properties.title) == 255 and document.core_properties.title.endswith("…")
    body = one_line(" ".join(p.text for p in document.paragraphs))
    assert one_line(title) in body


def test_paper_answer_and_extension_over_their_limits_come_back_marked(site: Site) -> None:
    before = site.actions()
    staff = site.as_("canbo")
    comment = vietnamese(limits.COMMENT + 1, "Đề nghị bổ sung")
    answer = staff.post(f"/rounds/{site.round_id}/respond", {
        "unit": "SGDDT", "kind": "comments", "channel": "paper", "note": vietnamese(limits.ANSWER_NOTE + 1, "Số"),
        "section": ["Mục I"], "comment": [comment], "wording": [""]})
    assert answer.status_code == 422
    assert "Ý kiến số 1 (nội dung): dài 20.001 ký tự, tối đa 20.000." in answer.text
    assert "Ghi chú: dài 501 ký tự, tối đa 500." in answer.text
    assert html.escape(comment[:200], quote=False) in answer.text  # the comment typed is shown again
    extend = staff.post(f"/rounds/{site.round_id}/extend", {
        "scope": "all", "deadline_mode": "days", "deadline_days": "5",
        "reason": vietnamese(limits.REASON + 1, "Đơn vị xin thêm thời gian")})
    assert extend.status_code == 422 and "Lý do: dài 2.001 ký tự, tối đa 2.000." in extend.text
    assert site.actions() == before


# --- the API -------------------------------------------------------------------------------------------------------

def test_the_api_documents_the_limits_and_refuses_a_text_one_character_over(web: FastAPI,
                                                                             ykien_app: App) -> None:
    schema = TestClient(web).get("/api/openapi.json").json()["components"]["schemas"]
    fields = schema["NewRoundIn"]["properties"]
    assert fields["title"]["maxLength"] == limits.TITLE
    assert fields["contact_name"]["maxLength"] == limits.PERSON_NAME
    client, headers = login(web, "long")
    before = len(list_rounds(ykien_app))
    for field, limit in (("title", limits.TITLE), ("subject", limits.SUBJECT), ("contact_name", limits.PERSON_NAME)):
        answer = client.post("/api/rounds", headers=headers, json={
            **_api_round(), field: vietnamese(limit + 1, "Kế hoạch", nfd=True)})
        assert answer.status_code == 422 and error_code(answer) == "invalid_input", answer.text
        assert field in answer.json()["error"]["message"]
    assert len(list_rounds(ykien_app)) == before


def test_the_api_takes_the_longest_texts_sent_in_nfd_and_the_documents_then_open(web: FastAPI,
                                                                                  ykien_app: App) -> None:
    client, headers = login(web, "long")
    title = vietnamese(limits.TITLE, "Kế hoạch", nfd=True)
    assert len(title) > limits.TITLE  # more code points than characters: counted in NFC, it fits
    round_id = create_round(client, headers, **_api_round(title=title))
    launched = client.post(f"/api/rounds/{round_id}/launch", json=NO_DRAFT, headers=headers)
    assert launched.status_code == 200, launched.text
    comment = {"section": vietnamese(limits.SECTION, "Mục II", nfd=True),
               "text": vietnamese(limits.COMMENT, "Đề nghị", lines=True, nfd=True),
               "proposed_wording": vietnamese(limits.COMMENT, "Sửa thành", nfd=True)}
    over = client.post(f"/api/rounds/{round_id}/respond", headers=headers, json={
        "unit": "SCT", "kind": "comments", "comments": [{**comment, "text": comment["text"] + "x"}]})
    assert over.status_code == 422 and error_code(over) == "invalid_input", over.text
    answered = client.post(f"/api/rounds/{round_id}/respond", headers=headers, json={
        "unit": "SCT", "kind": "comments", "comments": [comment],
        "note": vietnamese(limits.ANSWER_NOTE, "Công văn số 812", nfd=True)})
    assert answered.status_code == 200, answered.text
    closed = client.post(f"/api/rounds/{round_id}/close", headers=headers,
                         json={"reason": vietnamese(limits.REASON, "Đủ ý kiến", nfd=True)})
    assert closed.status_code == 200, closed.text
    assert audit_trail(ykien_app, round_id)[0][-1].action == "close"
    for rendered in round_documents(ykien_app, round_id):
        if rendered.filename.endswith(".docx"):
            document = docx.Document(io.BytesIO(rendered.content))
            assert len(document.core_properties.title) <= 255


def _api_round(**changes: object) -> dict[str, object]:
    return {
        "title": vietnamese(limits.TITLE, "Kế hoạch"), "office": "TĐC", "deadline": "2025-12-05",
        "addressees": [{"groups": ["so-ban-nganh"]}],
        "subject": vietnamese(limits.SUBJECT, "xin ý kiến", nfd=True),
        "contact_name": vietnamese(limits.PERSON_NAME, "Ông Phạm Phi Long", nfd=True),
        "contact_title": vietnamese(limits.JOB_TITLE, "Trưởng phòng"), "contact_phone": "0912130290",
        "signer_name": vietnamese(limits.PERSON_NAME, "Nông Thị Thanh Huyền"),
        "signer_title": vietnamese(limits.JOB_TITLE, "GIÁM ĐỐC", nfd=True), **changes}
