"""The API's create refuses a phone longer than a phone can be (models.limits.PHONE) in the phone rule's words, 422
bad_phone with the field named, as it refuses a phone "abc"; not with the schema's length message. Nothing is
created."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from staff_site import staff, template_home, ykien_app  # noqa: F401

PHONE_RULE = "Số điện thoại chỉ gồm chữ số, khoảng trắng và + . - ( ) (từ 6 đến 40 ký tự)."
BODY = {"title": "Kế hoạch thử", "office": "TĐC", "deadline": "2025-12-05", "addressees": [{"units": ["SCT"]}],
        "contact_name": "Ông Phạm Phi Long", "contact_phone": "0912130290", "signer_name": "Nông Thị Thanh Huyền"}


@pytest.mark.parametrize(("phone", "said"), [
    ("0" * 41, f'contact_phone: "{"0" * 41}" không phải số điện thoại. {PHONE_RULE}'),
    ("0912 130 290 " * 4, f'contact_phone: "{("0912 130 290 " * 4).strip()}" không phải số điện thoại. {PHONE_RULE}'),
    ("0" * 81, f'contact_phone: "{"0" * 40}…" (81 ký tự) không phải số điện thoại. {PHONE_RULE}'),
    ("9" * 5000, f'contact_phone: "{"9" * 40}…" (5.000 ký tự) không phải số điện thoại. {PHONE_RULE}'),
    ("abc", f'contact_phone: "abc" không phải số điện thoại. {PHONE_RULE}'),
], ids=["41-digits", "51-with-spaces", "81-digits", "5000-digits", "letters"])
def test_a_phone_too_long_is_refused_by_the_phone_rule(staff: TestClient, phone: str, said: str) -> None:
    answer = staff.post("/api/rounds", json={**BODY, "contact_phone": phone})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == {"code": "bad_phone", "message": said}
    assert staff.get("/api/rounds").json() == []


def test_a_phone_of_forty_characters_is_taken(staff: TestClient) -> None:
    answer = staff.post("/api/rounds", json={**BODY, "contact_phone": "0" * 40})
    assert answer.status_code == 201, answer.text
