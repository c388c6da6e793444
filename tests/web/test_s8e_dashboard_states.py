"""The dashboard's state filter reads as the rows do: a state that kinds title differently ("Dự thảo" in a
consultation, "Bản nháp" in a call) is an entry under each kind in that kind's words, and choosing one lists that
kind's rounds in that state; an address with the state's name alone still lists every kind's. Real web app on a real
SQLite database. (tests/web/test_s10b_dashboard_state_filter.py: two kinds sharing a title.)"""
from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from test_round_kinds import TITLE, department, launch, staff, template_home, ykien_app  # noqa: F401

from models.rounds import RecipientRole
from workflows.service.app import App
from workflows.service.registry import shipped_workflows
from workflows.service.rounds import Addressee, NewRound, create_round
from workflows.web.routes.dashboard import state_groups


def draft(app: App, workflow: str) -> int:
    """A round created, not launched: in its kind's first state."""
    return create_round(app, NewRound(title=TITLE, subject="", workflow=workflow, office="TĐC", deadline=date(2025, 12, 5),
                                      addressees=(Addressee(groups=("so-ban-nganh",), role=RecipientRole.COMMENT),),
                                      contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290",
                                      signer_name="Nông Thị Thanh Huyền"),
                        "Phạm Phi Long (TĐC)")


def options(page: str) -> dict[str, str]:
    """value -> title of every entry of the state filter, whatever its kind's group."""
    select = re.search(r'<select name="status">(.*?)</select>', page, re.S)
    assert select is not None
    return dict(re.findall(r'<option value="([a-z_]+:[a-z_]+)"[^>]*>([^<]+)</option>', select.group(1)))


def rows(page: str) -> dict[str, str]:
    """round number -> the state title its row shows."""
    found = re.findall(r'<td data-label="Số">(\d+)</td>.*?<span class="status s-[a-z_]+">([^<]+)</span>', page, re.S)
    return dict(found)


def test_a_state_titled_differently_by_kinds_is_offered_under_each_kind_in_its_words(
        ykien_app: App, staff: TestClient) -> None:
    consultation, call = draft(ykien_app, "consultation"), draft(ykien_app, "proposal_call")
    launched = launch(ykien_app, "proposal_call")
    offered = options(staff.get("/").text)
    assert (offered["consultation:draft"], offered["proposal_call:draft"]) == ("Dự thảo", "Bản nháp")
    assert (offered["consultation:circulating"], offered["proposal_call:circulating"]) == ("Đang lấy ý kiến",
                                                                                          "Đang nhận đề xuất")
    assert not any(value.startswith("workshop:") for value in offered)  # a kind without rounds offers nothing

    assert rows(staff.get("/", params={"status": "consultation:draft"}).text) == {str(consultation): "Dự thảo"}
    assert rows(staff.get("/", params={"status": "proposal_call:draft"}).text) == {str(call): "Bản nháp"}
    drafts = rows(staff.get("/", params={"status": "draft"}).text)  # an address from before: every kind's
    assert drafts == {str(consultation): "Dự thảo", str(call): "Bản nháp"}
    assert rows(staff.get("/", params={"status": "proposal_call:circulating"}).text) == {
        str(launched): "Đang nhận đề xuất"}


def test_every_state_of_every_kind_is_one_entry_in_its_kinds_group() -> None:
    kinds = list(shipped_workflows().values())
    entries = state_groups(kinds)
    assert [title for title, _ in entries] == [kind.title for kind in kinds]
    for kind, (_, choices) in zip(kinds, entries, strict=True):
        assert choices == [(f"{kind.name}:{name}", state.title) for name, state in kind.states.items()]


def test_a_state_no_kind_has_lists_no_round(ykien_app: App, staff: TestClient) -> None:
    draft(ykien_app, "consultation")
    page = staff.get("/", params={"status": "khong-co"})
    assert page.status_code == 200 and rows(page.text) == {}
