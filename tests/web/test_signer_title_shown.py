"""The round page names the signer as the letter's signature block does: the title typed "KT. GIÁM ĐỐC/PHÓ GIÁM
ĐỐC" (the setting's form) reads "KT. GIÁM ĐỐC, PHÓ GIÁM ĐỐC", not with the slash."""
from __future__ import annotations

from fastapi.testclient import TestClient
from staff_site import staff, template_home, ykien_app  # noqa: F401

BODY = {"title": "Kế hoạch thử", "office": "TĐC", "deadline": "2025-12-05", "addressees": [{"units": ["SCT"]}],
        "contact_name": "Ông Phạm Phi Long", "contact_phone": "0912130290", "signer_name": "Trần Quốc Anh"}


def _round_page(staff: TestClient, title: str) -> str:
    made = staff.post("/api/rounds", json={**BODY, "signer_title": title})
    assert made.status_code == 201, made.text
    page = staff.get(f"/rounds/{made.json()['id']}")
    assert page.status_code == 200, page.text
    return page.text


def test_the_round_page_shows_a_deputy_signer_as_the_signature_block_does(staff: TestClient) -> None:
    page = _round_page(staff, "KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC")
    assert "<dt>Người ký</dt><dd>KT. GIÁM ĐỐC, PHÓ GIÁM ĐỐC Trần Quốc Anh" in page
    assert "GIÁM ĐỐC/PHÓ" not in page


def test_the_round_page_shows_the_director_as_typed(staff: TestClient) -> None:
    assert "<dt>Người ký</dt><dd>GIÁM ĐỐC Trần Quốc Anh" in _round_page(staff, "GIÁM ĐỐC")


def test_the_new_round_form_offers_the_deputy_title_as_it_is_signed(staff: TestClient) -> None:
    page = staff.get("/rounds/new")
    assert page.status_code == 200
    assert '<option value="KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC" >KT. GIÁM ĐỐC, PHÓ GIÁM ĐỐC</option>' in page.text
