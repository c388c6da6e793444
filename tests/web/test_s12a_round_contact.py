"""The contact and signer of a round are held to one rule wherever a round is made (service/round_contact.py, applied
in rounds.check_new_round): the API's create refuses a blank name or a phone that is not one with 422, the field named
in the words the CLI and the web form say, and creates nothing. A draft kept with a phone the rule now refuses (made
before it) stays editable: an edit checks the contact fields it changes, on the web form and in the service, and a
round that carries the contact over from the one it follows is not refused over a field nobody typed."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from fastapi.testclient import TestClient
from staff_site import staff, template_home, ykien_app  # noqa: F401
from test_draft_rounds import Site, _form, _post, site  # noqa: F401

from models.errors import InvalidInput
from workflows.demo import seed_round
from workflows.service.app import App
from workflows.service.draft_rounds import edit_round
from workflows.service.rounds import create_round

PHONE_RULE = "Số điện thoại chỉ gồm chữ số, khoảng trắng và + . - ( ) (từ 6 đến 40 ký tự)."
BODY = {"title": "Kế hoạch thử", "office": "TĐC", "deadline": "2025-12-05", "addressees": [{"units": ["SCT"]}],
        "contact_name": "Ông Phạm Phi Long", "contact_phone": "0912130290", "signer_name": "Nông Thị Thanh Huyền"}


@pytest.mark.parametrize(("change", "code", "said"), [
    ({"contact_phone": "abc"}, "bad_phone", f'contact_phone: "abc" không phải số điện thoại. {PHONE_RULE}'),
    ({"contact_phone": "12345"}, "bad_phone", f'contact_phone: "12345" không phải số điện thoại. {PHONE_RULE}'),
    ({"contact_phone": "(---)"}, "bad_phone", f'contact_phone: "(---)" không phải số điện thoại. {PHONE_RULE}'),
    ({"contact_phone": "   "}, "bad_phone", f"contact_phone: {PHONE_RULE}"),
    ({"contact_phone": ""}, "bad_phone", f"contact_phone: {PHONE_RULE}"),
    ({"contact_name": ""}, "missing_field", "contact_name: Nhập họ tên người liên hệ."),
    ({"contact_name": " \u00a0 "}, "missing_field", "contact_name: Nhập họ tên người liên hệ."),
    ({"signer_name": ""}, "missing_field", "signer_name: Nhập họ tên người ký."),
    ({"signer_name": "  "}, "missing_field", "signer_name: Nhập họ tên người ký."),
], ids=["phone-letters", "phone-short", "phone-no-digit", "phone-spaces", "phone-empty", "contact-empty",
        "contact-spaces", "signer-empty", "signer-spaces"])
def test_the_api_refuses_the_contact_the_cli_and_the_web_form_refuse(staff: TestClient, change: dict[str, str],
                                                                     code: str, said: str) -> None:
    answer = staff.post("/api/rounds", json={**BODY, **change})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == {"code": code, "message": said}
    assert staff.get("/api/rounds").json() == []


def test_the_api_keeps_a_phone_the_rule_takes_trimmed(ykien_app: App, staff: TestClient) -> None:
    answer = staff.post("/api/rounds", json={**BODY, "contact_phone": " +84 (206) 3852.202 ",
                                             "contact_name": "  Ông Phạm Phi Long "})
    assert answer.status_code == 201, answer.text
    with ykien_app.uow(read_only=True) as uow:
        kept = uow.rounds.details(answer.json()["id"])
    assert (kept.contact_name, kept.contact_phone) == ("Ông Phạm Phi Long", "+84 (206) 3852.202"), kept


def test_the_api_still_bounds_the_contact_fields_and_requires_them(staff: TestClient) -> None:
    too_long = staff.post("/api/rounds", json={**BODY, "contact_phone": "0" * 200})
    assert too_long.status_code == 422 and "contact_phone" in too_long.json()["error"]["message"], too_long.text
    missing = {key: value for key, value in BODY.items() if key != "signer_name"}
    answer = staff.post("/api/rounds", json=missing)
    assert answer.status_code == 422 and "signer_name" in answer.json()["error"]["message"], answer.text
    assert staff.get("/api/rounds").json() == []


def _keep_phone(app: App, round_id: int, phone: str) -> None:
    """The phone as a round made before the rule kept it (the API took "abc")."""
    with app.uow() as uow:
        uow.draft_rounds.update(round_id, {"contact_phone": phone})
        uow.commit()


def _phone(app: App, round_id: int) -> str:
    with app.uow(read_only=True) as uow:
        return uow.rounds.details(round_id).contact_phone


def test_a_draft_kept_with_a_bad_phone_is_edited_on_the_web_and_a_new_bad_value_is_refused(site: Site) -> None:
    _keep_phone(site.app, site.draft_id, "abc")
    staff = site.as_("canbo")
    url = f"/rounds/{site.draft_id}/edit"
    values = _form(staff.get(url).text)
    assert values["contact_phone"] == ["abc"]
    for changes, said in (({"contact_phone": "xyz"}, f"{PHONE_RULE}"),
                          ({"contact_name": "  "}, "Nhập họ tên người liên hệ."),
                          ({"signer_name": ""}, "Nhập họ tên người ký.")):
        bad = _post(staff, url, values, action="save", **changes)
        assert bad.status_code == 422 and said in bad.text, changes
    assert site.title() == seed_round().title
    done = _post(staff, url, values, action="save", title="Kế hoạch đã sửa tên")
    assert done.status_code == 303, done.text
    assert site.title() == "Kế hoạch đã sửa tên" and _phone(site.app, site.draft_id) == "abc"
    fixed = _post(staff, url, values, action="save", contact_phone="0206 3852 202")
    assert fixed.status_code == 303 and _phone(site.app, site.draft_id) == "0206 3852 202"


def test_the_service_checks_on_edit_only_the_contact_fields_that_change(site: Site) -> None:
    app, round_id = site.app, site.draft_id
    _keep_phone(app, round_id, "abc")
    new = replace(seed_round(), deadline=date(2025, 12, 19), deadline_working_days=None, contact_phone="abc")
    assert edit_round(app, round_id, replace(new, title="Tên mới"), "test") == ["subject", "title"]
    with pytest.raises(InvalidInput) as refused:
        edit_round(app, round_id, replace(new, contact_phone="không có"), "test")
    assert (refused.value.code, refused.value.message) == (
        "bad_phone", f'contact_phone: "không có" không phải số điện thoại. {PHONE_RULE}')
    with pytest.raises(InvalidInput) as refused:
        edit_round(app, round_id, replace(new, signer_name=" "), "test")
    assert refused.value.message == "signer_name: Nhập họ tên người ký."
    assert _phone(app, round_id) == "abc"


def test_a_round_made_from_another_takes_its_contact_over_but_a_new_one_is_checked(site: Site) -> None:
    new = replace(seed_round(), deadline=date(2025, 12, 19), deadline_working_days=None, contact_phone="abc")
    with pytest.raises(InvalidInput) as refused:
        create_round(site.app, new, "test")
    assert refused.value.code == "bad_phone"
    kept = {"contact_name": new.contact_name, "contact_phone": "abc", "signer_name": new.signer_name}
    made = create_round(site.app, new, "test", carried=kept)
    assert _phone(site.app, made) == "abc"
    with pytest.raises(InvalidInput):  # a name changed on the way is a name typed: checked
        create_round(site.app, replace(new, signer_name=""), "test", carried=kept)
