"""The recipient roles of a round that is not a consultation, in its kind's words on the staff pages: the preview
of a workshop's invitation says "được mời", never the consultation's "góp ý", and the create form offers only the
roles the kind has (a workshop's units are invited or informed, never asked to publish)."""
from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from test_workshop_pages import EVERY_GROUP, STAFF, TITLE, staff, template_home, workshop_clock, ykien_app  # noqa: F401

from workflows.service.app import App
from workflows.service.documents import set_document_inputs
from workflows.service.rounds import Addressee, NewRound, create_round


def draft_workshop(app: App) -> int:
    """A workshop round not launched yet, to every group of the directory (the press "để biết")."""
    new = NewRound(title=TITLE, subject="", workflow="workshop", office="TĐC", deadline=date(2025, 8, 13),
                   dates={"event": date(2025, 8, 20)}, addressees=(Addressee(groups=EVERY_GROUP),),
                   contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290", signer_name="Trịnh Trường Huy")
    round_id = create_round(app, new, STAFF)
    set_document_inputs(app, round_id, {"venue": "Hội trường Trung tâm Hội nghị tỉnh Cao Bằng",  # the giấy mời's
                                        "event_time": "01 buổi, từ 08 giờ 00"}, STAFF)
    return round_id


def test_preview_names_the_roles_in_the_words_of_the_kind(ykien_app: App, staff: TestClient) -> None:
    page = staff.get(f"/rounds/{draft_workshop(ykien_app)}/preview").text
    assert "được mời " in page and "· Được mời" in page
    assert "góp ý" not in page.lower()


def test_new_round_form_offers_only_the_roles_of_the_kind(staff: TestClient) -> None:
    workshop = staff.get("/rounds/new?workflow=workshop").text
    assert 'name="g_comment"' in workshop and 'name="g_inform"' in workshop
    assert 'name="g_publish"' not in workshop and 'name="u_publish"' not in workshop
    assert "Đăng tải" not in workshop and 'data-role-count="publish"' not in workshop
    consultation = staff.get("/rounds/new?workflow=consultation").text
    assert 'name="g_publish"' in consultation and "Đăng tải" in consultation
