"""Three staff pages that said too much or too little: the versions page of a round without a file says so once;
every column of the register has a heading (the cancel column only for staff who may cancel); the dashboard writes
out the state filter in use in full, as a closed select on a phone cuts a state's joined titles. Real web app on a
real SQLite database."""
from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from test_register_pages import STAFF as REGISTER_STAFF
from test_register_pages import site, template  # noqa: F401
from test_round_kinds import launch, staff, template_home, ykien_app  # noqa: F401
from test_s8e_drafts_page_no_file import created
from test_security import Site

from workflows.service import register
from workflows.service.app import App


def test_a_round_without_a_file_says_it_has_none_once_and_shows_no_empty_table(
        ykien_app: App, staff: TestClient) -> None:
    page = staff.get(f"/rounds/{created(ykien_app, 'consultation')}/drafts").text
    assert page.count("chưa có tệp") == 1 and "Đợt chưa có tệp dự thảo." in page
    assert 'id="versions"' not in page


def headings(page: str) -> list[str]:
    table = re.search(r'<table class="grid responsive g-register">.*?</thead>', page, re.S)
    assert table is not None
    return re.findall(r"<th[^>]*>(.*?)</th>", table.group(0), re.S)


def test_every_column_of_the_register_has_a_heading_and_the_cancel_column_is_for_who_may_cancel(
        site: Site) -> None:
    register.take_number(site.app, 1, "request_letter", REGISTER_STAFF, issued_on=date(2025, 11, 20))
    may_cancel = headings(site.staff().get("/register").text)
    assert may_cancel[-1] == "Thao tác" and all(h.strip() for h in may_cancel)
    leader = site.staff("lanhdao").get("/register").text
    assert "Thao tác" not in headings(leader) and all(h.strip() for h in headings(leader))
    assert "Hủy số" not in leader


def test_the_state_filter_in_use_is_written_out_in_full_beside_the_rounds_it_found(
        ykien_app: App, staff: TestClient) -> None:
    launched = launch(ykien_app, "proposal_call")
    page = staff.get("/", params={"status": "circulating"}).text
    note = re.search(r'<p class="filter-note" id="filter-note">(.*?)</p>', page, re.S)
    assert note is not None
    titles = re.search(r"<strong>(.*?)</strong>", note.group(1))
    assert titles is not None and "Đang nhận đề xuất" in titles.group(1).split(" / ")
    assert "Đang lấy ý kiến" in titles.group(1).split(" / ") and "(1 đợt)" in note.group(1)
    assert f'<a href="/rounds/{launched}">' in page
    assert 'id="filter-note"' not in staff.get("/").text  # no filter, nothing to say
    nothing = staff.get("/", params={"status": "draft", "office": "QLKH"}).text
    assert "(0 đợt)." in nothing and "Bỏ lọc" not in nothing  # the empty table's own link takes them back
