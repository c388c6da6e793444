"""The dashboard's state filter is one entry per state of each kind, grouped by the kind's title: two kinds that
give their states the same words ("Bản nháp": a call's `draft`, and here an appraisal's `preparing`) are two entries,
each under its kind and each finding only its kind's rounds; two kinds whose states share a name but not their words
(`preparing`: "Chuẩn bị hồ sơ", "Chuẩn bị hội thảo") are no longer one entry "Chuẩn bị hồ sơ / Chuẩn bị hội thảo"
listing the other kind's rounds. An address written before (`?status=draft`) still finds that state in every kind.
Real web app on a real SQLite database."""
from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest
from department_kinds import APPRAISAL, first_state_round, kinds_folder
from fastapi.testclient import TestClient
from staff_site import staff, template_home, ykien_app  # noqa: F401

from workflows.service.app import App


@pytest.fixture(autouse=True)
def department(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The appraisal kind, its first state titled as a call's first state is: "Bản nháp"."""
    folder = kinds_folder(tmp_path_factory, monkeypatch, APPRAISAL)
    definition = folder / "appraisal.yaml"
    text = definition.read_text(encoding="utf-8")
    assert text.count('title: "Chuẩn bị hồ sơ"') == 1
    definition.write_text(text.replace('title: "Chuẩn bị hồ sơ"', 'title: "Bản nháp"'), encoding="utf-8")
    return folder


def draft(app: App, workflow: str) -> int:
    """A round created, not launched: in its kind's first state."""
    return first_state_round(app, workflow, dates={"event": date(2025, 12, 19)} if workflow == "workshop" else None)


def groups(page: str) -> dict[str, list[tuple[str, str]]]:
    """kind's title -> [(value, title)] of the state filter's entries."""
    select = re.search(r'<select name="status">(.*?)</select>', page, re.S)
    assert select is not None
    found = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select.group(1), re.S)
    return {html.unescape(kind): [(value, html.unescape(title)) for value, title in
                                  re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', options)]
            for kind, options in found}


def rows(page: str) -> dict[str, str]:
    """round number -> the state title its row shows."""
    return dict(re.findall(r'<td data-label="Số">(\d+)</td>.*?<span class="status s-[a-z_]+">([^<]+)</span>', page,
                           re.S))


def note(page: str) -> str:
    found = re.search(r'<p class="filter-note" id="filter-note">(.*?)</p>', page, re.S)
    assert found is not None
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).split())


def test_two_kinds_sharing_a_state_title_are_two_entries_each_finding_its_own_rounds(
        ykien_app: App, staff: TestClient) -> None:
    appraisal, call, workshop = draft(ykien_app, "appraisal"), draft(ykien_app, "proposal_call"), draft(
        ykien_app, "workshop")
    offered = groups(staff.get("/").text)
    assert list(offered) == ["Đề xuất nhiệm vụ khoa học và công nghệ", "Tổ chức hội thảo",  # as the create form
                             "Thẩm định hồ sơ"]  # lists the kinds; only those with rounds
    assert offered["Thẩm định hồ sơ"] == [("appraisal:preparing", "Bản nháp"),
                                          ("appraisal:under_appraisal", "Đang thẩm định"),
                                          ("appraisal:appraised", "Đã nhận ý kiến thẩm định"),
                                          ("appraisal:result_sent", "Đã gửi kết quả thẩm định")]  # in its course
    assert ("proposal_call:draft", "Bản nháp") in offered["Đề xuất nhiệm vụ khoa học và công nghệ"]
    for entries in offered.values():
        assert all(" / " not in title for _, title in entries)  # one state's words, never several joined

    chosen = staff.get("/", params={"status": "appraisal:preparing"}).text
    assert rows(chosen) == {str(appraisal): "Bản nháp"}  # not the call's "Bản nháp"
    assert note(chosen).startswith("Đang lọc: trạng thái Bản nháp (Thẩm định hồ sơ) (1 đợt).")
    assert 'value="appraisal:preparing" selected' in chosen
    assert rows(staff.get("/", params={"status": "proposal_call:draft"}).text) == {str(call): "Bản nháp"}
    prepared = staff.get("/", params={"status": "workshop:preparing"}).text
    assert rows(prepared) == {}  # the workshop's round is in its draft, and the appraisal's `preparing` is not its
    assert rows(staff.get("/", params={"status": "workshop:draft"}).text) == {str(workshop): "Bản nháp"}


def test_an_address_with_a_states_name_alone_finds_it_in_every_kind(ykien_app: App, staff: TestClient) -> None:
    call, workshop = draft(ykien_app, "proposal_call"), draft(ykien_app, "workshop")
    consultation = draft(ykien_app, "consultation")
    page = staff.get("/", params={"status": "draft"}).text
    assert rows(page) == {str(call): "Bản nháp", str(workshop): "Bản nháp", str(consultation): "Dự thảo"}
    assert note(page).startswith("Đang lọc: trạng thái Bản nháp / Dự thảo (3 đợt).")
    assert '<option value="draft" selected>Bản nháp / Dự thảo</option>' in page  # the list says what is in use


@pytest.mark.parametrize("typed", ["appraisal:khong_co", "khong_co:draft", "khong-co", ":", "appraisal:"])
def test_a_filter_no_kind_has_lists_no_round_and_says_so(ykien_app: App, staff: TestClient, typed: str) -> None:
    draft(ykien_app, "appraisal")
    page = staff.get("/", params={"status": typed})
    assert page.status_code == 200 and rows(page.text) == {}
    assert "Không có đợt nào khớp bộ lọc" in page.text
