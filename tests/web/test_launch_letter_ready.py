"""A round is not launched before the letter its emails stand for can be written: a call for proposals went out to
every unit while its Công văn lacked the Sở's address and mailbox (review-c, item 14). The launch page says what is
missing and links where it is typed; the confirmed form and the API refuse; nothing is queued or sent."""
from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from staff_site import STAFF, staff, template_home, ykien_app  # noqa: F401

from models.db.tables import OutboxRow
from models.rounds import RecipientRole
from notifications.testing import SmtpCapture
from workflows.service.app import App
from workflows.service.documents import set_document_inputs
from workflows.service.rounds import Addressee, NewRound, create_round

MISSING = ("Cần địa chỉ và thư điện tử của Sở Khoa học và Công nghệ để ghi nơi nhận phiếu đề xuất (mục \"Thông tin "
           "cho văn bản\" của đợt, hoặc YKIEN_ISSUER_ADDRESS và YKIEN_REPLY_TO cho mọi đợt).")


def draft_call(app: App) -> int:
    return create_round(app, NewRound(
        title="năm 2027", subject="", workflow="proposal_call", office="TĐC", deadline=date(2025, 12, 5),
        addressees=(Addressee(units=("SCT", "STC"), role=RecipientRole.COMMENT),), contact_name="Ông Phạm Phi Long",
        contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền"), STAFF)


def queued(app: App) -> int:
    with app.uow(read_only=True) as uow:
        return int(uow.session.scalar(select(func.count(OutboxRow.id))) or 0)


def test_the_launch_page_and_the_api_refuse_a_call_whose_letter_lacks_the_sos_address(
        ykien_app: App, staff: TestClient, capture: SmtpCapture) -> None:
    round_id = draft_call(ykien_app)
    form = staff.get(f"/rounds/{round_id}/launch").text
    assert MISSING.replace('"', "&#34;") in form
    assert f'<a href="/rounds/{round_id}/documents#inputs">Điền thông tin cho văn bản</a>' in form
    assert f'action="/rounds/{round_id}/launch"' not in form  # no launch form to press

    refused = staff.post(f"/rounds/{round_id}/launch", data={"confirmed": "yes"})
    assert refused.status_code == 409
    assert "Chưa phát hành, chưa gửi thư nào: Công văn đề nghị đề xuất nhiệm vụ chưa soạn được." in refused.text

    api = staff.post(f"/api/rounds/{round_id}/launch")
    assert api.status_code == 409
    error = api.json()["error"]
    assert error["code"] == "letter_not_ready"
    assert error["message"] == (
        f"Chưa phát hành đợt số {round_id}, chưa gửi thư nào: thư gửi các cơ quan, đơn vị đi theo Công văn đề nghị đề "
        f"xuất nhiệm vụ, mà văn bản này chưa soạn được. {MISSING} Mục này ở trang Văn bản của đợt "
        f"(/rounds/{round_id}/documents); điền xong hãy phát hành lại.")
    assert staff.get(f"/api/rounds/{round_id}").json()["status"] == "draft"
    assert queued(ykien_app) == 0 and capture.messages == []

    set_document_inputs(ykien_app, round_id, {"department_address": "Số 077, phố Hoàng Đình Giong, Cao Bằng",
                                              "department_email": "vanthu@skhcn.caobang.gov.vn"}, STAFF)
    assert "Điền thông tin cho văn bản" not in staff.get(f"/rounds/{round_id}/launch").text
    launched = staff.post(f"/api/rounds/{round_id}/launch")
    assert launched.status_code == 200 and launched.json()["messages"] == 2
