"""The signed letter is downloaded under a readable name (session 12, helper b, item 4): the kind's document name and
the round ("giay-moi-hoi-thao-dot-3.pdf"), no hash; "-v2" only once the same letter is signed again. It is stored
under a unique name of its own, which nobody sees; a letter signed before names were shown apart (stored and
recorded under its old hashed name) still opens at the unit's link and on the staff's page, under that name.
The letter's key and file name are the definition's; no kind's name is used to decide anything."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from debian_tools import require_tools
from fastapi.testclient import TestClient
from minimal_pdf import minimal_pdf
from signing_ca import PASSWORD, make_ca
from test_s10c_first_mail_truth import CASES, _downloads, _round
from test_workshop_pages import (  # noqa: F401
    STAFF,
    START,
    staff,
    template_home,
    unit_client,
    workshop_clock,
    ykien_app,
)

from notifications.signing import Pkcs12Signer
from notifications.testing import SmtpCapture
from workflows.engine.events import Launch
from workflows.service.app import App
from workflows.service.documents import set_document_inputs
from workflows.service.registry import get_workflow
from workflows.service.rounds import execute
from workflows.service.signed_documents import SIGNED_ACTION, signed_documents, signed_letter
from workflows.service.signing import sign_round_document
from workflows.service.steps import run_step
from workflows.service.sweep import run_due

CASE = CASES["workshop"]  # the kind whose letter the units download signed
HASHED = re.compile(r"[0-9a-f]{12}")


def _sign(app: App, round_id: int, key: str, folder: Path) -> None:
    ca = make_ca()
    roots = app.settings.home / "trust-roots"
    roots.mkdir(exist_ok=True)
    (roots / "vgca.pem").write_bytes(ca.root.cert_pem)
    sign_round_document(app, round_id, key, Pkcs12Signer(ca.pkcs12(folder), PASSWORD), STAFF)


def _link_page(app: App, client: TestClient, capture: SmtpCapture, unit: str) -> str:
    mail = next(m for m in capture.messages if str(m["X-Ykien-Unit"]) == unit and str(m["X-Ykien-Kind"]) == "invitation")
    body = mail.get_body(("plain",))
    assert body is not None
    link = re.search(r"https?://\S+/r/[A-Za-z0-9_-]+", body.get_content())
    assert link is not None
    response = client.get(link.group(0).replace(app.settings.base_url, ""))
    assert response.status_code == 200
    return response.text


def test_the_signed_letter_is_named_after_the_document_and_the_round_and_again_with_v2(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture, tmp_path: Path) -> None:
    require_tools("soffice")
    workflow = get_workflow(CASE.workflow)
    key = workflow.letter
    assert key is not None
    stem = Path(workflow.documents[key].filename).stem
    round_id = _round(ykien_app, CASE, tmp_path)
    set_document_inputs(ykien_app, round_id, {"venue": "Hội trường Trung tâm Hội nghị tỉnh Cao Bằng",
                                              "event_time": "01 buổi, từ 08 giờ 00"}, STAFF)
    _sign(ykien_app, round_id, key, tmp_path)
    first = signed_letter(ykien_app, round_id, key)
    assert first is not None
    assert first.name == f"{stem}-dot-{round_id}.pdf"
    assert HASHED.search(first.file) and first.file != first.name  # stored apart, under a unique name

    execute(ykien_app, round_id, Launch(), STAFF)
    run_step(ykien_app, "circulate", round_id=round_id)
    run_due(ykien_app)
    mail = next(m for m in capture.messages if str(m["X-Ykien-Kind"]) == "invitation")
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"(tệp {first.name})" in " ".join(text.split()) and not HASHED.search(text.split("Kính gửi")[1])
    page = _link_page(ykien_app, unit_client, capture, str(mail["X-Ykien-Unit"]))
    assert first.name in page and first.file not in page
    offered = _downloads(unit_client, page)
    assert hashlib.sha256(offered[first.name][1]).hexdigest() == first.sha256

    # Signed again (a corrected letter): the latest is offered, told apart by "-v2"; the first keeps its name.
    (tmp_path / "again").mkdir()
    _sign(ykien_app, round_id, key, tmp_path / "again")
    again = signed_letter(ykien_app, round_id, key)
    assert again is not None and again.name == f"{stem}-dot-{round_id}-v2.pdf"
    assert [r.name for r in signed_documents(ykien_app, round_id)] == [first.name, again.name]
    page = _link_page(ykien_app, unit_client, capture, str(mail["X-Ykien-Unit"]))
    offered = _downloads(unit_client, page)
    assert hashlib.sha256(offered[again.name][1]).hexdigest() == again.sha256


def test_a_letter_stored_under_its_old_hashed_name_still_opens_under_that_name(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture, tmp_path: Path) -> None:
    workflow = get_workflow(CASE.workflow)
    key = workflow.letter
    assert key is not None
    round_id = _round(ykien_app, CASE, tmp_path)
    content = minimal_pdf()
    digest = hashlib.sha256(content).hexdigest()
    old = f"{Path(workflow.documents[key].filename).stem}-ky-{digest[:12]}.pdf"  # as it was stored before
    folder = ykien_app.settings.home / "signed" / str(round_id)
    folder.mkdir(parents=True)
    (folder / old).write_bytes(content)
    with ykien_app.uow() as uow:  # its record, as signing wrote it then: no name apart from the file
        uow.rounds.row(round_id, lock=True)
        uow.audit.append(round_id, START, STAFF, [(SIGNED_ACTION, {
            "document_key": key, "title": workflow.documents[key].title, "file": old, "sha256": digest,
            "number": None, "copy": False, "signer": "Trịnh Trường Huy", "organisation": None,
            "timestamped": False})])
        uow.commit()
    record = signed_letter(ykien_app, round_id, key)
    assert record is not None and record.name == old == record.file

    execute(ykien_app, round_id, Launch(), STAFF)
    run_step(ykien_app, "circulate", round_id=round_id)
    run_due(ykien_app)
    unit = next(str(m["X-Ykien-Unit"]) for m in capture.messages if str(m["X-Ykien-Kind"]) == "invitation")
    offered = _downloads(unit_client, _link_page(ykien_app, unit_client, capture, unit))
    assert offered[old][1] == content


def test_staff_download_a_signed_letter_under_its_shown_name_and_never_a_file_the_trail_lacks(
        ykien_app: App, staff: TestClient, tmp_path: Path) -> None:
    require_tools("soffice")
    workflow = get_workflow(CASE.workflow)
    key = workflow.letter
    assert key is not None
    round_id = _round(ykien_app, CASE, tmp_path)
    set_document_inputs(ykien_app, round_id, {"venue": "Hội trường Trung tâm Hội nghị tỉnh Cao Bằng",
                                              "event_time": "01 buổi, từ 08 giờ 00"}, STAFF)
    _sign(ykien_app, round_id, key, tmp_path)
    record = signed_letter(ykien_app, round_id, key)
    assert record is not None
    response = staff.get(f"/rounds/{round_id}/signed/{record.file}")
    assert response.status_code == 200 and hashlib.sha256(response.content).hexdigest() == record.sha256
    assert f'filename="{record.name}"' in response.headers["content-disposition"]
    (ykien_app.settings.home / "signed" / str(round_id) / "lac-loai.pdf").write_bytes(minimal_pdf())
    assert staff.get(f"/rounds/{round_id}/signed/lac-loai.pdf").status_code == 404
    assert staff.get(f"/rounds/{round_id}/signed/{record.name}").status_code == 404  # not a stored name
