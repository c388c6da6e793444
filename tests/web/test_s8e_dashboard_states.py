"""The dashboard's state filter reads as the rows do: a state that kinds title differently ("Dự thảo" in a
consultation, "Bản nháp" in a call) is one entry naming every title, and choosing it still lists each kind's
rounds in that state. Real web app on a real SQLite database."""
from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from test_round_kinds import TITLE, department, launch, staff, template_home, ykien_app  # noqa: F401

from models.rounds import RecipientRole
from workflows.service.app import App
from workflows.service.registry import shipped_workflows
from workflows.service.rounds import Addressee, NewRound, create_round
from workflows.web.routes.dashboard import state_choices


def draft(app: App, workflow: str) -> int:
    """A round created, not launched: in its kind's first state."""
    return create_round(app, NewRound(title=TITLE, subject="", workflow=workflow, office="TĐC", deadline=date(2025, 12, 5),
                                      addressees=(Addressee(groups=("so-ban-nganh",), role=RecipientRole.COMMENT),),
                                      contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290",
                                      signer_name="Nông Thị Thanh Huyền"),
                        "Phạm Phi Long (TĐC)")


def options(page: str) -> dict[str, str]:
    select = re.search(r'<select name="status">(.*?)</select>', page, re.S)
    assert select is not None
    return dict(re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]+)</option>', select.group(1)))


def rows(page: str) -> dict[str, str]:
    """round number -> the state title its row shows."""
    found = re.findall(r'<td data-label="Số">(\d+)</td>.*?<span class="status s-[a-z_]+">([^<]+)</span>', page, re.S)
    return dict(found)


def test_a_state_titled_differently_by_kinds_is_offered_under_every_title_and_finds_every_kinds_rounds(
        ykien_app: App, staff: TestClient) -> None:
    consultation, call = draft(ykien_app, "consultation"), draft(ykien_app, "proposal_call")
    launched = launch(ykien_app, "proposal_call")
    offered = options(staff.get("/").text)
    assert offered["draft"] == "Bản nháp / Dự thảo"
    for title in ("Đang lấy ý kiến", "Đang nhận đề xuất", "Đang thu thập báo cáo", "Đang mời và nhận đăng ký"):
        assert title in offered["circulating"].split(" / ")
    assert len(offered) == len(set(offered.values()))  # one entry per state

    drafts = rows(staff.get("/", params={"status": "draft"}).text)
    assert drafts == {str(consultation): "Dự thảo", str(call): "Bản nháp"}
    for title in drafts.values():
        assert title in offered["draft"].split(" / ")  # what the rows say, the entry says
    assert rows(staff.get("/", params={"status": "circulating"}).text) == {str(launched): "Đang nhận đề xuất"}


def test_every_title_a_kind_gives_a_state_is_in_its_entry_once() -> None:
    titled = [(name, state.title) for kind in shipped_workflows().values() for name, state in kind.states.items()]
    entries = state_choices(titled + titled)
    for name, title in titled:
        assert entries[name].split(" / ").count(title) == 1
    assert list(entries.values()) == sorted(entries.values())


def test_a_state_no_kind_has_lists_no_round(ykien_app: App, staff: TestClient) -> None:
    draft(ykien_app, "consultation")
    page = staff.get("/", params={"status": "khong-co"})
    assert page.status_code == 200 and rows(page.text) == {}
