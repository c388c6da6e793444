"""GET /api/rounds/<id> of a draft names the groups its letter will miss, in the words and fields of the create answer
(`empty_groups`); once the round has gone out the list is empty."""
from __future__ import annotations

from fastapi.testclient import TestClient
from staff_site import staff, template_home, ykien_app  # noqa: F401  (fixtures)
from test_s9a_empty_groups_pages import EMPTY, REASON, _create


def test_the_round_view_of_a_draft_names_the_empty_group_as_the_create_answer_does(staff: TestClient) -> None:
    created = _create(staff, "so-ban-nganh", "trung-uong")
    viewed = staff.get(f"/api/rounds/{created['id']}")
    assert viewed.status_code == 200
    assert viewed.json()["empty_groups"] == created["empty_groups"]
    [group] = viewed.json()["empty_groups"]
    assert (group["code"], group["label"], group["units_now"]) == ("trung-uong", "Cơ quan trung ương", 0)
    assert group["notice"].startswith(EMPTY)
    one_per_page = staff.get(f"/api/rounds/{created['id']}", params={"per_page": 1, "page": 3})
    assert one_per_page.json()["empty_groups"] == created["empty_groups"]  # of the round, not of the page


def test_the_round_view_says_nothing_once_sent_or_when_every_group_has_units(staff: TestClient) -> None:
    full = _create(staff, "so-ban-nganh", "xa-phuong")["id"]
    assert staff.get(f"/api/rounds/{full}").json()["empty_groups"] == []
    round_id = _create(staff, "so-ban-nganh", "trung-uong")["id"]
    sent = staff.post(f"/rounds/{round_id}/launch", data={**REASON, "confirmed": "yes"}, follow_redirects=False)
    assert sent.status_code == 303
    assert staff.get(f"/api/rounds/{round_id}").json()["empty_groups"] == []


def test_the_openapi_schema_documents_the_field_on_the_round_view(staff: TestClient) -> None:
    schemas = staff.get("/api/openapi.json").json()["components"]["schemas"]
    assert schemas["RoundOut"]["properties"]["empty_groups"]["items"] == {"$ref": "#/components/schemas/EmptyGroupOut"}
