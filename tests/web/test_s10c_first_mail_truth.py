"""The first email of each kind says only what is true of it, read at the SMTP server: no email carries an attachment,
so none says a thing is sent with it ("gửi kèm", "đính kèm"); each file it says the unit downloads at its link is
offered there under that name and downloads; every link in it opens. A workshop whose giấy mời is signed says the
signed giấy mời is at the link, and it is, byte for byte; a round whose letter is numbered but not signed cites the
letter without claiming to send it. Each later email names that invitation (In-Reply-To, References)."""
from __future__ import annotations

import hashlib
import html as html_lib
import re
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from debian_tools import require_tools
from fastapi.testclient import TestClient
from signing_ca import PASSWORD, make_ca
from test_workshop_pages import (  # noqa: F401
    STAFF,
    START,
    template_home,
    unit_client,
    workshop_clock,
    ykien_app,
)

from config.clock import FrozenClock
from models.rounds import RecipientRole, ResponseChannel, ResponseKind
from notifications.signing import Pkcs12Signer
from notifications.testing import SmtpCapture
from workflows.engine.events import Launch, Remind, Respond
from workflows.service import register
from workflows.service.app import App
from workflows.service.assignments import assign
from workflows.service.documents import set_document_inputs
from workflows.service.registry import get_workflow
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.signed_documents import signed_letter
from workflows.service.signing import sign_round_document
from workflows.service.steps import run_step
from workflows.service.sweep import run_due

TITLE = "Giải pháp cải thiện Chỉ số đổi mới sáng tạo tỉnh Cao Bằng"
# What an email may not say when it carries no attachment: a thing sent with it.
CLAIMS_ATTACHED = re.compile(r"(gửi|đính) kèm|kèm theo (thư|công văn|giấy mời|văn bản)", re.IGNORECASE)
NO_ATTACHMENT = "Thư này không đính kèm tệp"
FILE_NAMED = re.compile(r"\(tệp ([^()]+)\)")
LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Case:
    workflow: str
    draft: str | None  # the file given with the round, read at the link in the kind's word
    numbered: bool  # the letter has its number before launch
    signed: bool  # and its signed PDF is kept


CASES = {
    "consultation": Case("consultation", "du-thao-ke-hoach.pdf", numbered=True, signed=False),
    # launched without its draft (staff gave the reason): the mail may not send the unit to read a draft
    "consultation_without_draft": Case("consultation", None, numbered=False, signed=False),
    "proposal_call": Case("proposal_call", None, numbered=False, signed=False),
    "report_collection": Case("report_collection", None, numbered=True, signed=False),
    "workshop": Case("workshop", "ke-hoach-to-chuc-hoi-thao.pdf", numbered=True, signed=True),
}


def _round(app: App, case: Case, folder: Path) -> int:
    workflow = get_workflow(case.workflow)
    draft_path = None
    if case.draft is not None:
        from minimal_pdf import minimal_pdf

        draft_path = folder / case.draft
        draft_path.write_bytes(minimal_pdf())
    addressees = [Addressee(groups=("so-ban-nganh",))]
    if RecipientRole.INFORM.value in workflow.recipient_roles:
        addressees.append(Addressee(units=("BAOCB",), role=RecipientRole.INFORM))
    if RecipientRole.PUBLISH.value in workflow.recipient_roles:
        addressees.append(Addressee(units=("VPUB",), role=RecipientRole.PUBLISH))
    new = NewRound(title=TITLE, subject="", workflow=case.workflow, office="TĐC", deadline=date(2025, 8, 13),
                   dates={"event": date(2025, 8, 20)} if "event" in workflow.dates else {},
                   addressees=tuple(addressees), contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290",
                   signer_name="Trịnh Trường Huy", draft_path=draft_path)
    return create_round(app, new, STAFF)


def _issue_letter(app: App, round_id: int, case: Case, folder: Path) -> None:
    letter = get_workflow(case.workflow).letter
    assert letter is not None
    if case.numbered:
        register.take_number(app, round_id, letter, STAFF)
    if case.signed:
        require_tools("soffice")
        set_document_inputs(app, round_id, {"venue": "Hội trường Trung tâm Hội nghị tỉnh Cao Bằng",
                                            "event_time": "01 buổi, từ 08 giờ 00"}, STAFF)
        ca = make_ca()
        roots = app.settings.home / "trust-roots"
        roots.mkdir(exist_ok=True)
        (roots / "vgca.pem").write_bytes(ca.root.cert_pem)
        sign_round_document(app, round_id, letter, Pkcs12Signer(ca.pkcs12(folder), PASSWORD), STAFF)


def _parts(message: EmailMessage) -> tuple[str, str]:
    plain, rich = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and rich is not None
    return plain.get_content(), rich.get_content()


def _visible(markup: str) -> str:
    """The HTML's words, a line break for a paragraph or <br>, other tags taken out (a name in <strong> reads whole)."""
    text = re.sub(r"<(br|/p)[^>]*>", "\n", markup.split("</head>")[-1])
    return html_lib.unescape(re.sub(r"<[^>]+>", "", text))


def _downloads(client: TestClient, page: str) -> dict[str, tuple[str, bytes]]:
    """The files the unit's page offers: the name each downloads under -> (its path, its bytes)."""
    found = {}
    for path in sorted(set(re.findall(r'href="(/r/[A-Za-z0-9_-]+/(?:draft|letter))"', page))):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        disposition = response.headers["content-disposition"]
        name = re.search(r'filename="([^"]+)"', disposition)
        assert name is not None, disposition
        found[name.group(1)] = (path, response.content)
    return found


@pytest.mark.parametrize("workflow", sorted(CASES))
def test_what_the_first_mail_says_is_attached_or_linked_is_there(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture, tmp_path: Path, workflow: str) -> None:
    case = CASES[workflow]
    workflow = case.workflow
    round_id = _round(ykien_app, case, tmp_path)
    _issue_letter(ykien_app, round_id, case, tmp_path)
    execute(ykien_app, round_id, Launch(), STAFF)
    run_step(ykien_app, "circulate", round_id=round_id)
    run_due(ykien_app)
    invitations = [m for m in capture.messages if str(m["X-Ykien-Kind"]) == "invitation"]
    roles = {str(m["X-Ykien-Unit"]) for m in invitations}
    assert "SCT" in roles and len(invitations) >= 2
    signed = signed_letter(ykien_app, round_id, get_workflow(workflow).letter)
    assert (signed is not None) == case.signed

    for message in invitations:
        unit = str(message["X-Ykien-Unit"])
        text, markup = _parts(message)
        shown = _visible(markup)
        assert list(message.iter_attachments()) == [], unit
        for body in (text, shown):
            assert not CLAIMS_ATTACHED.search(body.replace(NO_ATTACHMENT, "")), (unit, body)
        if case.numbered and not case.signed:  # the letter is cited, never said to be sent
            assert "Thư này thông báo đến quý cơ quan, đơn vị nội dung" in text
        links = set(LINK.findall(text))
        assert links and links == set(LINK.findall(markup)), unit  # the same links in both parts
        pages = {}
        for link in links:
            response = unit_client.get(link.replace(ykien_app.settings.base_url, ""))
            assert response.status_code == 200, (unit, link)
            pages[link] = response.text
        (page,) = pages.values()
        offered = _downloads(unit_client, page)
        named = FILE_NAMED.findall(text)
        assert named == FILE_NAMED.findall(shown), unit
        assert set(named) <= set(offered), (unit, named, sorted(offered))  # each file named downloads by that name
        expected = [name for name in (case.draft, signed.name if signed is not None else None) if name]
        assert named == expected, unit
        assert (NO_ATTACHMENT in text) == bool(expected), unit
        if signed is not None:
            assert "bản ký số của văn bản tải tại đường dẫn riêng dưới đây" in text
            path, content = offered[signed.name]
            assert path.endswith("/letter") and content.startswith(b"%PDF")
            assert hashlib.sha256(content).hexdigest() == signed.sha256
            assert f"Giấy mời dự Hội thảo, bản ký số (tệp {signed.name})" in text
        said = text.lower().split("kính gửi:", 1)[1]
        if "giấy mời" in said:  # a giấy mời spoken of is one the unit can open
            assert any(path.endswith("/letter") for path, _ in offered.values()), unit
        if re.search(r"(?<!đăng )\b(xem|tải)\b[^.]{0,20} dự thảo", said):  # a draft to read is one the unit can download
            assert any(path.endswith("/draft") for path, _ in offered.values()), unit


def test_a_later_mail_of_the_workshop_answers_its_invitation(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture, workshop_clock: FrozenClock,
        tmp_path: Path) -> None:
    """The reminder, the receipt of the RSVP and the reminder of the paper the unit was given all thread under the
    unit's invitation of the workshop."""
    round_id = _round(ykien_app, CASES["workshop"], tmp_path)
    execute(ykien_app, round_id, Launch(), STAFF)
    run_step(ykien_app, "circulate", round_id=round_id)
    run_due(ykien_app)
    invitation = next(str(m["Message-ID"]) for m in capture.messages if str(m["X-Ykien-Unit"]) == "SCT")
    assign(ykien_app, round_id, "paper", ["SCT"], None, None, STAFF)
    execute(ykien_app, round_id, Remind(("SCT",)), STAFF)
    execute(ykien_app, round_id, Respond("SCT", ResponseKind.PROPOSALS, entered_by=STAFF,
                                         channel=ResponseChannel.PAPER,
                                         proposals=({"attendance": "Không tham dự"},)), STAFF)
    run_due(ykien_app)
    workshop_clock.set(datetime(2025, 8, 13, 8, 0, tzinfo=START.tzinfo))  # 2 working days before the paper's 15/08
    run_due(ykien_app)
    later = [m for m in capture.messages if str(m["X-Ykien-Kind"]) != "invitation"]
    assert sorted(str(m["X-Ykien-Kind"]) for m in later if str(m["X-Ykien-Unit"]) == "SCT") == \
        ["receipt", "reminder_before", "task_reminder"]
    for message in later:
        unit = str(message["X-Ykien-Unit"])
        own = next(str(m["Message-ID"]) for m in capture.messages
                   if str(m["X-Ykien-Unit"]) == unit and str(m["X-Ykien-Kind"]) == "invitation")
        assert (str(message["In-Reply-To"]), str(message["References"])) == (own, own), unit
    assert any(str(m["In-Reply-To"]) == invitation for m in later)


def test_the_letter_link_of_a_round_without_a_signed_letter_or_of_a_bad_token_says_so_in_vietnamese(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture, tmp_path: Path) -> None:
    round_id = _round(ykien_app, CASES["proposal_call"], tmp_path)
    execute(ykien_app, round_id, Launch(), STAFF)
    run_step(ykien_app, "circulate", round_id=round_id)
    run_due(ykien_app)
    text, _ = _parts(next(m for m in capture.messages if str(m["X-Ykien-Unit"]) == "SCT"))
    found = re.search(r"/r/([A-Za-z0-9_-]+)", text)
    assert found is not None
    page = unit_client.get(f"/r/{found.group(1)}").text
    assert "/letter" not in page  # nothing signed: nothing offered
    missing = unit_client.get(f"/r/{found.group(1)}/letter")
    assert missing.status_code == 404 and "Không có văn bản ký số" in missing.text
    assert "chưa có văn bản ký số để tải" in missing.text and "Traceback" not in missing.text
    for token in ("khong-co-that", "a" * 300, "x%00y"):
        response = unit_client.get(f"/r/{token}/letter")
        assert response.status_code in (404, 410), (token, response.status_code)
        assert "Traceback" not in response.text and "Đường dẫn" in response.text, token
