"""The pages after the deadline (triage, draft versions, documents, submission, UBND decision, follow-up,
exports) through the real web app on a real SQLite database, for each role."""
from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from minimal_pdf import minimal_pdf
from openpyxl import load_workbook

from models.rounds import ResponseKind
from tests.web.test_staff_pages import Site as StaffSite
from tests.web.test_staff_pages import _open
from workflows.demo import UNITS_CSV, seed_round
from workflows.engine.events import Close, Command, CommentInput, Extend, Launch, Respond
from workflows.service.consolidation import handle_comments, triage_items
from workflows.service.directory import import_units
from workflows.service.drafts import add_version, versions
from workflows.service.rounds import create_round, execute
from workflows.service.staff import add_user
from workflows.service.submission import submission_packages, submit_round
from workflows.service.views import audit_trail, round_view
from workflows.web.app import create_web_app

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PASSWORD = "matkhau-rat-dai"
STAFF = "Phạm Phi Long (TĐC)"
USERS = {"admin": ("admin", None), "canbo": ("staff", "TĐC"), "khac": ("staff", "QLKH"), "lanhdao": ("leader", None)}
SAME = "Đề nghị bổ sung chỉ tiêu số doanh nghiệp áp dụng ISO 9001."
SCRIPT = "<script>alert(1)</script> Kinh phí cần tách nguồn."
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@dataclass
class Site(StaffSite):
    """The staff pages' site, with what the consolidation tests ask of the round."""

    def status(self, round_id: int | None = None) -> str:
        return round_view(self.app, round_id or self.round_id).state.status

    def comment_ids(self) -> list[int]:
        return [i.comment_id for i in triage_items(self.app, self.round_id)]

QUOTE = "Mục tiêu: 30 doanh nghiệp <b>ISO</b>"  # a paragraph of the draft, as a unit chose it


def _build(home: Path) -> Site:
    """Seed 000 launched on 20/11/2025: Sở Công Thương sends two comments, Sở Tài chính the same comment as
    its first, Sở Tư pháp agrees; closed on 08/12/2025 (consolidating). A second round is still a draft."""
    app, clock = _open(home, local("2025-11-20T08:30"))
    for username, (role, office) in USERS.items():
        add_user(app, username, username.title(), role, PASSWORD, office, "test")
    import_units(app, UNITS_CSV, STAFF)
    round_id = create_round(app, seed_round(), STAFF)
    clock.set(local("2025-11-20T09:00"))
    execute(app, round_id, Launch(), STAFF)
    clock.set(local("2025-11-26T10:00"))
    execute(app, round_id, Respond("SCT", ResponseKind.COMMENTS, "SCT", comments=(
        CommentInput(SAME, "Mục II.2", "Phấn đấu 50 doanh nghiệp."), CommentInput(SCRIPT, "Mục IV"))), "SCT")
    execute(app, round_id, Respond("STC", ResponseKind.COMMENTS, "STC", comments=(
        CommentInput(SAME, "Mục II.2", quote=QUOTE),)), "STC")
    execute(app, round_id, Respond("STP", ResponseKind.AGREE, STAFF), STAFF)
    clock.set(local("2025-12-08T09:00"))
    execute(app, round_id, Close("Đã hết hạn"), STAFF)
    draft_id = create_round(app, replace(seed_round(), deadline=date(2025, 12, 19)), STAFF)
    site = Site(app, clock, create_web_app(app), round_id, draft_id)
    for username in USERS:
        site.as_(username)
    return site


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The story, built once: tests that only read (or are refused) use it; the others a copy."""
    site = _build(tmp_path_factory.mktemp("shared") / "home")
    yield site
    site.app.close()


def _copy(shared: Site, tmp_path: Path, max_upload_mb: int = 20) -> Site:
    source = shared.app.settings.home
    shared.app.engine.dispose()  # SQLite folds its WAL into the file once the last connection closes
    shutil.copytree(source, tmp_path / "home")
    app, clock = _open(tmp_path / "home", shared.clock.now(), max_upload_mb)
    return Site(app, clock, create_web_app(app), shared.round_id, shared.draft_id, shared.sessions)


@pytest.fixture
def site(shared: Site, tmp_path: Path) -> Iterator[Site]:
    copy = _copy(shared, tmp_path)
    yield copy
    copy.app.close()


def _docx(text: str = "Dự thảo đã chỉnh lý") -> bytes:
    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pdf(folder: Path) -> Path:
    path = folder / "du-thao-chinh-ly.pdf"
    path.write_bytes(minimal_pdf())
    return path


def _handle_all(site: Site) -> None:
    first, script, same = site.comment_ids()
    handle_comments(site.app, site.round_id, [first, same], "accepted", None, STAFF)
    handle_comments(site.app, site.round_id, [script], "not_accepted",
                    "<script>alert('giải trình')</script> Kinh phí bố trí theo dự toán.", STAFF)


def _consolidated(site: Site) -> None:
    _handle_all(site)
    execute(site.app, site.round_id, Command("consolidate"), STAFF)


def _submitted(site: Site, tmp_path: Path) -> None:
    _consolidated(site)
    add_version(site.app, site.round_id, _pdf(tmp_path), ["Mục I", "Mục II"], "đã chỉnh lý", STAFF)
    submit_round(site.app, site.round_id, STAFF)


def _returned(site: Site, tmp_path: Path) -> None:
    _submitted(site, tmp_path)
    execute(site.app, site.round_id, Command("decide_returned", {"reason": "Bổ sung kinh phí"}), STAFF)


def _pages(site: Site) -> list[str]:
    r, d = site.round_id, site.draft_id
    return [f"/rounds/{r}/consolidation", f"/rounds/{r}/consolidation?show=unhandled", f"/rounds/{r}/drafts",
            f"/rounds/{r}/documents", f"/rounds/{d}/consolidation", f"/rounds/{d}/drafts", f"/rounds/{d}/documents"]


def _posts(site: Site) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    r = site.round_id
    ids = [str(i) for i in site.comment_ids()]
    return [
        (f"/rounds/{r}/consolidation/handle", {"comment": ids, "decision": "accepted"}),
        (f"/rounds/{r}/consolidation/complete", {"confirmed": "yes"}),
        (f"/rounds/{r}/submission", {"confirmed": "yes"}),
        (f"/rounds/{r}/decision", {"outcome": "returned", "reason": "x", "confirmed": "yes"}),
        (f"/rounds/{r}/revise", {"confirmed": "yes"}),
        (f"/rounds/{r}/follow-up", {"unit": "SCT", "deadline_mode": "days", "deadline_days": "5", "confirmed": "yes"}),
    ]


# --- every page, every role ----------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["admin", "canbo", "lanhdao"])
def test_every_page_renders_for_each_role_and_leaders_only_read(shared: Site, username: str) -> None:
    browser = shared.as_(username)
    for url in _pages(shared):
        response = browser.get(url)
        assert response.status_code == 200, (url, response.text[-800:])
    r = shared.round_id
    triage = browser.get(f"/rounds/{r}/consolidation").text
    drafts = browser.get(f"/rounds/{r}/drafts").text
    assert "Tổng hợp ý kiến" in triage and "Dự thảo" in triage and "Văn bản" in triage  # the tabs
    forms = [f'action="/rounds/{r}/consolidation/handle"', f'action="/rounds/{r}/consolidation/complete"']
    if username == "lanhdao":
        assert not any(form in triage for form in forms) and "chế độ chỉ đọc" in triage
        assert f'action="/rounds/{r}/drafts"' not in drafts and "chế độ chỉ đọc" in drafts
        assert 'name="comment"' not in triage
    else:
        assert all(form in triage for form in forms) and "chế độ chỉ đọc" not in triage
        assert f'action="/rounds/{r}/drafts"' in drafts
    assert "Chọn cách" not in triage  # no error shown on a first display
    for url in (f"/rounds/{r}/export.xlsx", f"/rounds/{r}/audit.csv"):
        assert browser.get(url).status_code == 200


def test_the_round_tabs_link_to_the_new_pages(shared: Site) -> None:
    page = shared.as_("canbo").get(f"/rounds/{shared.round_id}").text
    for href in ("/consolidation", "/drafts", "/documents"):
        assert f'href="/rounds/{shared.round_id}{href}"' in page


def test_triage_table_shows_each_comment_with_section_wording_and_the_unit_lists(shared: Site) -> None:
    page = shared.as_("canbo").get(f"/rounds/{shared.round_id}/consolidation").text
    rows = re.findall(r'<tr id="c-(\d+)" class="(\w+)">(.*?)</tr>', page, re.S)
    assert [cls for _, cls, _ in rows] == ["unhandled"] * 3
    assert "Sở Công Thương" in rows[0][2] and "Mục II.2" in rows[0][2] and "Phấn đấu 50 doanh nghiệp." in rows[0][2]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rows[1][2] and "<script>alert" not in page
    assert "Sở Tài chính" in rows[2][2]
    # The passage of the draft the unit chose on its page, escaped, beside its section
    assert re.search(r'Mục II.2<blockquote class="c-quote"><span class="muted">Đoạn dự thảo:</span> '
                     r'Mục tiêu: 30 doanh nghiệp &lt;b&gt;ISO&lt;/b&gt;</blockquote>', rows[2][2])
    assert "c-quote" not in rows[0][2]
    assert "Chưa xử lý: 3" in page
    agreed = re.search(r"Đồng ý / không có ý kiến \((\d+)\)</h3>\s*<p>(.*?)</p>", page, re.S)
    assert agreed and agreed.group(1) == "1" and "Sở Tư pháp" in agreed.group(2)
    silent = re.search(r"Không trả lời \((\d+)\)(.*?)</section>", page, re.S)
    assert silent and silent.group(1) == "35" and "được hiểu là thống nhất" in silent.group(0)
    assert "Sở Y tế" in silent.group(2)
    assert silent.group(2).count("<li>") == 35  # a long list in columns, not one paragraph
    # With comments unhandled, completing is not the page's primary action, and says what to do first
    assert re.search(r'<button type="submit" class="secondary" aria-describedby="unhandled-note">Hoàn thành', page)
    assert 'id="unhandled-note">Còn <strong>3</strong> ý kiến chưa xử lý' in page
    not_asked = re.search(r"Không cần trả lời \((\d+)\)</h3>(.*?)</section>", page, re.S)
    assert not_asked and not_asked.group(1) == "1" and "(đăng tải)" in not_asked.group(2)


def test_a_unit_whose_extension_runs_past_the_close_is_listed_pending_not_taken_to_agree(
        shared: Site, tmp_path: Path) -> None:
    site = _copy(shared, tmp_path)
    execute(site.app, site.round_id, Extend(date(2025, 12, 12), "SYT", "Đơn vị đề nghị"), STAFF)  # reopens it
    execute(site.app, site.round_id, Close("Đủ ý kiến"), STAFF)  # closed early: SYT's extension still runs
    handle_comments(site.app, site.round_id, site.comment_ids(), "accepted", "", STAFF)
    execute(site.app, site.round_id, Command("consolidate"), STAFF)  # answers are no longer taken
    page = site.as_("canbo").get(f"/rounds/{site.round_id}/consolidation").text
    silent = re.search(r"Không trả lời \((\d+)\)(.*?)</section>", page, re.S)
    assert silent and silent.group(1) == "34" and "Sở Y tế" not in silent.group(2)
    # Answers are no longer taken: the unit is not "còn hạn" (within its time), the round closed before its deadline
    assert "còn hạn" not in page
    pending = re.search(r"Chưa trả lời, đợt đóng trước hạn của đơn vị \((\d+)\)</h3>(.*?)</section>", page, re.S)
    assert pending and pending.group(1) == "1" and "Sở Y tế" in pending.group(2)
    assert "không trả lời của họ không được hiểu là thống nhất" in pending.group(2)


def test_anonymous_is_sent_to_login_and_cannot_post(shared: Site) -> None:
    anonymous = shared.as_(None)
    r = shared.round_id
    for url in [*_pages(shared), f"/rounds/{r}/export.xlsx", f"/rounds/{r}/audit.csv", f"/rounds/{r}/drafts/1",
                f"/rounds/{r}/documents/cong-van-xin-y-kien.docx"]:
        response = anonymous.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), url
    before = shared.actions()
    for url, data in [*_posts(shared), (f"/rounds/{r}/drafts", {})]:
        response = anonymous.post(url, data)
        assert response.status_code in (303, 403), url
        assert response.status_code == 403 or response.headers["location"].startswith("/login"), url
    assert shared.actions() == before


@pytest.mark.parametrize("username", ["lanhdao", "khac"])
def test_leaders_and_another_office_are_refused_every_change(shared: Site, username: str) -> None:
    browser = shared.as_(username)
    before = shared.actions()
    for url, data in _posts(shared):
        response = browser.post(url, data)
        assert response.status_code == 403, url
        assert "TĐC" in response.text, url
    upload = browser.post(f"/rounds/{shared.round_id}/drafts", {}, files={"draft": ("v.docx", _docx(), DOCX)})
    assert upload.status_code == 403
    assert shared.actions() == before and versions(shared.app, shared.round_id) == []
    assert all(i.decision is None for i in triage_items(shared.app, shared.round_id))


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(shared: Site) -> None:
    admin = shared.as_("admin")
    before = shared.actions()
    for url, data in _posts(shared):
        assert admin.post(url, data, csrf=False).status_code == 403, url
        assert admin.post(url, {**data, "csrf_token": "forged"}, csrf=False).status_code == 403, url
    upload = admin.post(f"/rounds/{shared.round_id}/drafts", {}, csrf=False, files={"draft": ("v.docx", _docx(), DOCX)})
    assert upload.status_code == 403
    assert shared.actions() == before and versions(shared.app, shared.round_id) == []


# --- triage ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("decision,label", [("not_accepted", "Không tiếp thu"),
                                            ("partly_accepted", "Tiếp thu một phần")])
def test_handling_that_needs_an_explanation_is_refused_without_one(shared: Site, decision: str, label: str) -> None:
    before = shared.actions()
    ids = [str(i) for i in shared.comment_ids()]
    response = shared.as_("canbo").post(f"/rounds/{shared.round_id}/consolidation/handle",
                                        {"comment": ids[1], "decision": decision, "explanation": "   "})
    assert response.status_code == 422
    assert f"&#34;{label}&#34; phải có nội dung giải trình." in response.text
    assert f'name="comment" value="{ids[1]}" aria-label="Chọn ý kiến số 2" checked' in response.text  # kept
    assert f'<option value="{decision}" selected>' in response.text
    assert shared.actions() == before
    assert all(i.decision is None for i in triage_items(shared.app, shared.round_id))


def test_handling_with_nothing_ticked_or_no_decision_is_refused(shared: Site) -> None:
    staff = shared.as_("canbo")
    url = f"/rounds/{shared.round_id}/consolidation/handle"
    nothing = staff.post(url, {"decision": "accepted"})
    assert nothing.status_code == 422 and "Chưa chọn ý kiến nào" in nothing.text
    no_decision = staff.post(url, {"comment": str(shared.comment_ids()[0]), "decision": "<b>"})
    assert no_decision.status_code == 422 and "Chọn cách xử lý" in no_decision.text
    stale = staff.post(url, {"comment": "999999", "decision": "accepted"})
    assert stale.status_code == 422 and "tải lại trang" in stale.text
    assert all(i.decision is None for i in triage_items(shared.app, shared.round_id))


def test_not_accepted_with_an_explanation_is_recorded_with_who_and_when(site: Site) -> None:
    staff = site.as_("canbo")
    script_comment = site.comment_ids()[1]
    response = staff.post(f"/rounds/{site.round_id}/consolidation/handle", {
        "comment": str(script_comment), "decision": "not_accepted",
        "explanation": "Kinh phí bố trí theo dự toán hằng năm <b>đậm</b>."})
    assert response.status_code == 303
    assert response.headers["location"] == f"/rounds/{site.round_id}/consolidation?ok=handled&n=1"
    item = triage_items(site.app, site.round_id)[1]
    assert item.decision is not None and item.decision.value == "not_accepted"
    assert item.explanation == "Kinh phí bố trí theo dự toán hằng năm <b>đậm</b>."
    assert item.decided_by == "Canbo (canbo)"
    page = staff.get(response.headers["location"]).text
    assert "Đã ghi cách xử lý cho 1 ý kiến." in page
    row = re.search(rf'<tr id="c-{script_comment}" class="handled">(.*?)</tr>', page, re.S)
    assert row and "Không tiếp thu" in row.group(1) and "&lt;b&gt;đậm&lt;/b&gt;" in row.group(1)
    assert "Canbo (canbo) · 09:00 08/12/2025" in row.group(1)
    event = audit_trail(site.app, site.round_id)[0][-1]
    assert event.action == "comments_handled" and event.details["comments"] == [script_comment]
    assert "Chưa xử lý: 2" in page
    unhandled = staff.get(f"/rounds/{site.round_id}/consolidation?show=unhandled").text
    assert f'id="c-{script_comment}"' not in unhandled and len(re.findall(r'<tr id="c-', unhandled)) == 2


def test_identical_comments_of_two_units_share_one_handling(site: Site) -> None:
    first, _, same = site.comment_ids()
    response = site.as_("admin").post(f"/rounds/{site.round_id}/consolidation/handle",
                                      {"comment": [str(first), str(same)], "decision": "accepted"})
    assert response.status_code == 303 and "n=2" in response.headers["location"]
    items = triage_items(site.app, site.round_id)
    assert items[0].handling_id == items[2].handling_id is not None
    assert {items[0].unit_code, items[2].unit_code} == {"SCT", "STC"}
    page = site.as_("admin").get(f"/rounds/{site.round_id}/consolidation").text
    assert "Xử lý chung với ý kiến số 3" in page and "Xử lý chung với ý kiến số 1" in page
    assert len(re.findall(r'<span class="tag h-accepted">Tiếp thu</span>', page)) == 2


def test_consolidation_is_refused_with_the_unhandled_comments_then_completes(site: Site) -> None:
    staff = site.as_("canbo")
    url = f"/rounds/{site.round_id}/consolidation/complete"
    before = site.actions()
    for data in ({}, {"confirmed": "yes"}):
        refused = staff.post(url, data)
        assert refused.status_code == 409
        assert "Còn 3 ý kiến chưa được xử lý" in refused.text
        listed = re.search(r'<section class="card c-refusal" id="unhandled".*?</section>', refused.text, re.S)
        assert listed is not None
        assert re.findall(r'href="#c-(\d+)"', listed.group(0)) == [str(i) for i in site.comment_ids()]
    assert site.actions() == before and site.status() == "consolidating"

    first, script, same = site.comment_ids()
    handle_comments(site.app, site.round_id, [first, same], "accepted", None, STAFF)
    still = staff.post(url, {"confirmed": "yes"})
    assert still.status_code == 409 and re.findall(r'href="#c-(\d+)"', still.text) == [str(script)]
    handle_comments(site.app, site.round_id, [script], "noted", None, STAFF)
    ready = staff.get(f"/rounds/{site.round_id}/consolidation").text
    assert '<button type="submit">Hoàn thành tổng hợp…</button>' in ready and "unhandled-note" not in ready

    done = staff.confirm(url, {})
    assert done.status_code == 303 and done.headers["location"] == f"/rounds/{site.round_id}/documents?ok=consolidated"
    assert site.status() == "consolidated" and site.actions()[-1] == "consolidate"
    page = staff.get(f"/rounds/{site.round_id}/consolidation").text
    assert f'action="/rounds/{site.round_id}/consolidation/handle"' not in page and "Đã hoàn thành tổng hợp" in page
    late = staff.post(f"/rounds/{site.round_id}/consolidation/handle", {"comment": str(first), "decision": "noted"})
    assert late.status_code == 409 and "Đã tổng hợp" in late.text
    assert triage_items(site.app, site.round_id)[0].decision.value == "accepted"  # type: ignore[union-attr]


# --- draft versions --------------------------------------------------------------------------------------

def test_a_new_draft_version_is_uploaded_listed_and_downloaded_and_never_overwrites(site: Site) -> None:
    staff = site.as_("canbo")
    url = f"/rounds/{site.round_id}/drafts"
    content = _docx()
    response = staff.post(url, {"sections": "Mục I\nMục II.3\n\n  Mục <III>  ", "note": "đã chỉnh lý"},
                          files={"draft": ("Dự thảo v2.docx", content, DOCX)})
    assert response.status_code == 303 and response.headers["location"] == f"{url}?ok=uploaded&n=2"
    page = staff.get(response.headers["location"]).text
    assert "Đã lưu dự thảo phiên bản 2" in page
    row = re.search(r'<tr id="v-2">(.*?)</tr>', page, re.S)
    assert row and "<li>Mục II.3</li>" in row.group(1) and "<li>Mục &lt;III&gt;</li>" in row.group(1)
    assert "Canbo (canbo)" in row.group(1) and "đã chỉnh lý" in row.group(1)
    download = staff.get(f"{url}/2")
    assert download.status_code == 200 and download.content == content
    assert download.headers["content-type"] == DOCX and "attachment" in download.headers["content-disposition"]

    second = staff.post(url, {}, files={"draft": ("v3.pdf", minimal_pdf(b"v3"), "application/pdf")})
    assert second.status_code == 303 and second.headers["location"].endswith("n=3")
    assert [v.version for v in versions(site.app, site.round_id)] == [2, 3]
    assert staff.get(f"{url}/2").content == content  # the older version is still there
    assert staff.get(f"{url}/3").headers["content-type"] == "application/pdf"
    assert staff.get(f"{url}/9").status_code == 404
    assert site.actions()[-2:] == ["draft_uploaded", "draft_uploaded"]


@pytest.mark.parametrize("name,content,message", [
    ("du-thao.docx", b"not a docx at all", "không phải DOCX hoặc PDF"),
    ("du-thao.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 10), "lớn hơn giới hạn 1 MB"),
    ("du-thao.docx", b"", "rỗng"),
])
def test_a_bad_draft_upload_is_refused_and_stores_nothing(shared: Site, tmp_path: Path, name: str, content: bytes,
                                                          message: str) -> None:
    site = _copy(shared, tmp_path, max_upload_mb=1)
    try:
        before = site.actions()
        response = site.as_("canbo").post(f"/rounds/{site.round_id}/drafts", {"sections": "Mục I", "note": "x"},
                                          files={"draft": (name, content, "application/octet-stream")})
        assert response.status_code == 422 and message in response.text
        assert "Mục I</textarea>" in response.text  # the form comes back with what was typed
        assert versions(site.app, site.round_id) == [] and site.actions() == before
        assert not (site.app.settings.home / "drafts" / str(site.round_id)).exists()
    finally:
        site.app.close()


def test_upload_without_a_file_says_so(shared: Site) -> None:
    response = shared.as_("canbo").post(f"/rounds/{shared.round_id}/drafts", {"sections": "Mục I"})
    assert response.status_code == 422 and "Chọn tệp dự thảo" in response.text


# --- documents, submission, decision ---------------------------------------------------------------------

def _links(page: str, round_id: int) -> list[str]:
    return re.findall(rf'href="(/rounds/{round_id}/documents/[^"]+)"', page)


def _opens(response) -> str:  # type: ignore[no-untyped-def]
    """Open a downloaded document as staff would; the text of it."""
    kind = response.headers["content-type"]
    if kind == DOCX:
        document = Document(io.BytesIO(response.content))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if kind == XLSX:
        book = load_workbook(io.BytesIO(response.content))
        return "\n".join(str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row
                         if c.value is not None)
    assert kind == "application/zip", kind
    return "\n".join(zipfile.ZipFile(io.BytesIO(response.content)).namelist())


def test_documents_while_consolidating_are_the_definitions_that_can_be_built(shared: Site) -> None:
    """consultation.yaml offers the request letter, the synthesis table and the unit list while consolidating
    (the reminder letter only while circulating); the table waits for every comment to be handled."""
    browser = shared.as_("lanhdao")
    page = browser.get(f"/rounds/{shared.round_id}/documents").text
    links = _links(page, shared.round_id)
    assert [link.rsplit("/", 1)[1] for link in links] == ["cong-van-xin-y-kien.docx", "danh-sach-don-vi.xlsx"]
    letter = browser.get(links[0])
    assert letter.status_code == 200 and letter.headers["content-type"] == DOCX
    assert 'filename="' in letter.headers["content-disposition"]
    assert "Kính gửi" in _opens(letter)
    units = browser.get(links[1])
    assert units.status_code == 200 and "Sở Tư pháp" in _opens(units)
    waiting = re.search(r'<section class="c-waiting" id="waiting">(.*?)</section>', page, re.S)
    assert waiting and "Bảng tổng hợp, tiếp thu, giải trình ý kiến góp ý (DOCX)" in waiting.group(1) and "Còn 3 ý kiến chưa xử lý" in waiting.group(1)
    assert browser.get(f"/rounds/{shared.round_id}/documents/bang-tong-hop-y-kien.docx").status_code == 404
    assert browser.get(f"/rounds/{shared.round_id}/documents/cong-van-don-doc.docx").status_code == 404
    assert browser.get(f"/rounds/{shared.round_id}/documents/..%2F..%2Fykien.db").status_code == 404


def test_every_document_downloads_and_opens_once_consolidated(site: Site) -> None:
    _consolidated(site)
    browser = site.as_("canbo")
    page = browser.get(f"/rounds/{site.round_id}/documents").text
    names = [link.rsplit("/", 1)[1] for link in _links(page, site.round_id)]
    assert names == ["cong-van-xin-y-kien.docx", "bang-tong-hop-y-kien.docx", "bang-tong-hop-y-kien.xlsx",
                     "to-trinh.docx", "danh-sach-don-vi.xlsx"]  # consultation.yaml's documents of the state
    texts = {}
    for link in _links(page, site.round_id):
        response = browser.get(link)
        assert response.status_code == 200
        assert response.headers["content-disposition"] == f'attachment; filename="{link.rsplit("/", 1)[1]}"'
        texts[link.rsplit("/", 1)[1]] = _opens(response)
    assert "Không tiếp thu" in texts["bang-tong-hop-y-kien.docx"] and SCRIPT in texts["bang-tong-hop-y-kien.docx"]
    assert "Không tiếp thu" in texts["bang-tong-hop-y-kien.xlsx"]
    assert "TỜ TRÌNH" in texts["to-trinh.docx"]


def test_staff_write_the_submissions_necessity_purpose_and_main_contents_on_the_documents_tab(site: Site) -> None:
    _consolidated(site)
    staff = site.as_("canbo")
    page = staff.get(f"/rounds/{site.round_id}/documents").text
    for key in ("necessity", "purpose", "main_contents"):
        assert re.search(rf'<textarea name="{key}"', page), key
    typed = {"necessity": "Cụ thể hóa Quyết định số 36/QĐ-TTg của Thủ tướng Chính phủ.\nĐáp ứng yêu cầu thực tiễn.",
             "purpose": "Nâng cao năng suất, chất lượng của doanh nghiệp.",
             "main_contents": "Dự thảo gồm 05 phần."}
    done = staff.post(f"/rounds/{site.round_id}/document-inputs", typed)
    assert done.status_code == 303, done.text[-800:]
    again = staff.get(f"/rounds/{site.round_id}/documents").text
    assert "Đáp ứng yêu cầu thực tiễn.</textarea>" in again
    submission = _opens(staff.get(f"/rounds/{site.round_id}/documents/to-trinh.docx"))
    for text in ("Cụ thể hóa Quyết định số 36/QĐ-TTg", "Đáp ứng yêu cầu thực tiễn.", "Nâng cao năng suất",
                 "Dự thảo gồm 05 phần."):
        assert text in submission, text
    too_long = staff.post(f"/rounds/{site.round_id}/document-inputs", {"purpose": "x" * 5000})
    assert too_long.status_code == 422 and "tối đa" in too_long.text


def test_submit_needs_a_revised_draft_then_builds_the_package_once(site: Site, tmp_path: Path) -> None:
    _consolidated(site)
    staff = site.as_("canbo")
    url = f"/rounds/{site.round_id}/submission"
    missing = staff.post(url, {"confirmed": "yes"})
    assert missing.status_code == 409 and "Chưa có tệp dự thảo đã chỉnh lý" in missing.text
    assert site.status() == "consolidated"
    add_version(site.app, site.round_id, _pdf(tmp_path), ["Mục I"], None, STAFF)

    confirm = staff.post(url, {})
    assert confirm.status_code == 200 and "phiên bản 2 (du-thao-chinh-ly.pdf)" in confirm.text
    assert site.status() == "consolidated" and submission_packages(site.app, site.round_id) == []
    done = staff.post(url, {"confirmed": "yes"})
    assert done.status_code == 303 and done.headers["location"] == f"/rounds/{site.round_id}/documents?ok=submitted"
    assert site.status() == "submitted"
    page = staff.get(done.headers["location"]).text
    assert "Đã lập hồ sơ trình" in page
    packages = page[page.index('id="packages"'):page.index("</table>", page.index('id="packages"'))]
    assert "không gửi kèm dự thảo" in packages and "phiên bản 1" not in packages  # the round went out without one
    package = submission_packages(site.app, site.round_id)[0]
    zipped = staff.get(f"/rounds/{site.round_id}/documents/{package.filename}")
    assert zipped.status_code == 200 and zipped.headers["content-type"] == "application/zip"
    assert _opens(zipped).split("\n") == ["to-trinh.docx", "du-thao-v2.pdf", "bang-tong-hop-y-kien.docx",
                                          "bang-tong-hop-y-kien.xlsx", "danh-sach-don-vi.xlsx"]
    assert f'action="/rounds/{site.round_id}/submission"' not in page
    assert f'action="/rounds/{site.round_id}/decision"' in page

    again = staff.post(url, {"confirmed": "yes"})
    assert again.status_code == 409 and "đã được trình; không trình lại lần thứ hai" in again.text
    assert len(submission_packages(site.app, site.round_id)) == 1
    assert len(list(package.path.parent.iterdir())) == 1


def test_the_packages_table_names_the_draft_version_the_units_were_sent(site: Site, tmp_path: Path) -> None:
    consulted = tmp_path / "du-thao.docx"
    consulted.write_bytes(_docx("Dự thảo gửi lấy ý kiến"))
    site.clock.set(local("2025-12-08T09:30"))
    round_id = create_round(site.app, replace(seed_round(), deadline=date(2025, 12, 19), draft_path=consulted), STAFF)
    execute(site.app, round_id, Launch(), STAFF)
    execute(site.app, round_id, Close("Đã đủ ý kiến"), STAFF)
    execute(site.app, round_id, Command("consolidate"), STAFF)
    add_version(site.app, round_id, _pdf(tmp_path), ["Mục I"], None, STAFF)
    submit_round(site.app, round_id, STAFF)
    page = site.as_("canbo").get(f"/rounds/{round_id}/documents").text
    packages = page[page.index('id="packages"'):page.index("</table>", page.index('id="packages"'))]
    assert "phiên bản 1" in packages and "không gửi kèm" not in packages


def test_decision_form_errors_are_shown_and_nothing_is_recorded(site: Site, tmp_path: Path) -> None:
    _submitted(site, tmp_path)
    staff = site.as_("canbo")
    url = f"/rounds/{site.round_id}/decision"
    before = site.actions()
    no_reason = staff.post(url, {"outcome": "returned", "reason": " ", "confirmed": "yes"})
    assert no_reason.status_code == 422 and "Nhập lý do UBND tỉnh trả lại" in no_reason.text
    bad = staff.post(url, {"outcome": "issued", "number": "", "date": "31/02/2025", "confirmed": "yes"})
    assert bad.status_code == 422 and "Nhập số văn bản ban hành" in bad.text and "không phải ngày" in bad.text
    assert 'value="31/02/2025"' in bad.text
    today = site.clock.now().date()
    tomorrow = f"{today + timedelta(days=1):%d/%m/%Y}"
    future = staff.post(url, {"outcome": "issued", "number": "1/KH-UBND", "date": tomorrow, "confirmed": "yes"})
    assert future.status_code == 422, future.status_code
    # beside the date field, in the words `round decide --date` uses (one check, workflows.service.followup)
    assert (f'<span class="field-error" id="err-date" role="alert">Ngày {tomorrow} chưa đến (hôm nay là '
            f'{today:%d/%m/%Y}); ghi quyết định của UBND tỉnh khi văn bản đã ban hành hoặc đã trả lại.</span>'
            in future.text), future.text
    assert f'name="date" value="{tomorrow}" aria-invalid="true"' in future.text
    assert site.actions() == before and site.status() == "submitted"
    issued_today = staff.confirm(url, {"outcome": "issued", "number": "1/KH-UBND", "date": f"{today:%d/%m/%Y}"})
    assert issued_today.status_code == 303 and site.status() == "issued"


def test_issued_is_recorded_with_number_and_date(site: Site, tmp_path: Path) -> None:
    _submitted(site, tmp_path)
    site.clock.set(local("2025-12-22T10:00"))
    staff = site.as_("admin")
    done = staff.confirm(f"/rounds/{site.round_id}/decision",
                         {"outcome": "issued", "number": "123/KH-UBND", "date": "20/12/2025"})
    assert done.status_code == 303 and done.headers["location"].endswith("?ok=issued")
    state = round_view(site.app, site.round_id).state
    assert state.status == "issued" and state.outcome["decided_number"] == "123/KH-UBND"
    assert state.outcome["decided_date"] == "2025-12-20"
    page = staff.get(done.headers["location"]).text
    assert "UBND tỉnh đã ban hành" in page and "Số 123/KH-UBND, ngày 20/12/2025" in page
    assert f'action="/rounds/{site.round_id}/decision"' not in page


def test_returned_then_a_new_draft_version_is_opened(site: Site, tmp_path: Path) -> None:
    _submitted(site, tmp_path)
    staff = site.as_("canbo")
    done = staff.confirm(f"/rounds/{site.round_id}/decision",
                         {"outcome": "returned", "reason": "Bổ sung <i>kinh phí</i> thực hiện"})
    assert done.status_code == 303 and site.status() == "returned"
    page = staff.get(done.headers["location"]).text
    assert "Lý do: Bổ sung &lt;i&gt;kinh phí&lt;/i&gt; thực hiện" in page
    assert f'action="/rounds/{site.round_id}/revise"' in page and f'action="/rounds/{site.round_id}/follow-up"' in page
    assert f'action="/rounds/{site.round_id}/revise"' not in site.as_("lanhdao").get(done.headers["location"]).text

    version = round_view(site.app, site.round_id).state.draft_version
    bad = staff.post(f"/rounds/{site.round_id}/revise", {"new_deadline": "on", "deadline_mode": "date",
                                                         "deadline_date": "2025-12-13", "confirmed": "yes"})
    assert bad.status_code == 422 and "không phải ngày làm việc" in bad.text and site.status() == "returned"
    revised = staff.confirm(f"/rounds/{site.round_id}/revise",
                            {"new_deadline": "on", "deadline_mode": "days", "deadline_days": "10"})
    assert revised.status_code == 303
    state = round_view(site.app, site.round_id).state
    assert state.status == "draft" and state.draft_version == version + 1
    assert state.deadline == date(2025, 12, 22)
    assert revised.headers["location"] == f"/rounds/{site.round_id}/drafts?ok=revised&n={version + 1}"
    assert f"phiên bản {version + 1}" in staff.get(revised.headers["location"]).text


def test_follow_up_round_to_a_subset_of_units_opens_the_new_round(site: Site, tmp_path: Path) -> None:
    _returned(site, tmp_path)
    staff = site.as_("canbo")
    url = f"/rounds/{site.round_id}/follow-up"
    page = staff.get(f"/rounds/{site.round_id}/documents").text
    assert page.count('name="unit" value=') == 39
    nobody = staff.post(url, {"deadline_mode": "days", "deadline_days": "10"})
    assert nobody.status_code == 422 and "Chọn ít nhất một cơ quan, đơn vị" in nobody.text
    stranger = staff.post(url, {"unit": ["SCT", "KHONGCO"], "deadline_mode": "days", "deadline_days": "10"})
    assert stranger.status_code == 422 and "KHONGCO" in stranger.text
    data = {"unit": ["SCT", "STC"], "deadline_mode": "days", "deadline_days": "10"}
    confirm = staff.post(url, data)
    assert "Gửi 2 cơ quan, đơn vị: Sở Công Thương, Sở Tài chính." in confirm.text
    assert "Hạn trả lời: 22/12/2025" in confirm.text
    done = staff.post(url, {**data, "confirmed": "yes"})
    assert done.status_code == 303
    created = re.fullmatch(r"/rounds/(\d+)/preview\?ok=created", done.headers["location"])
    assert created is not None
    new_id = int(created.group(1))
    assert new_id not in (site.round_id, site.draft_id)
    new = round_view(site.app, new_id)
    assert sorted(u.unit_code for u in new.units) == ["SCT", "STC"] and new.state.status == "draft"
    assert new.state.deadline == date(2025, 12, 22)
    assert site.actions()[-1] == "follow_up_round"
    assert staff.get(done.headers["location"]).status_code == 200


def test_follow_up_is_refused_before_ubnd_returns_the_draft(shared: Site) -> None:
    before = shared.actions()
    response = shared.as_("canbo").post(f"/rounds/{shared.round_id}/follow-up", {
        "unit": "SCT", "deadline_mode": "days", "deadline_days": "5", "confirmed": "yes"})
    assert response.status_code == 409 and "trả lại" in response.text
    assert shared.actions() == before


# --- exports ---------------------------------------------------------------------------------------------

def test_exports_download_and_keep_a_script_comment_literal(site: Site) -> None:
    _handle_all(site)
    browser = site.as_("lanhdao")
    workbook = browser.get(f"/rounds/{site.round_id}/export.xlsx")
    assert workbook.status_code == 200 and workbook.headers["content-type"] == XLSX
    assert workbook.headers["content-disposition"] == f'attachment; filename="dot-{site.round_id}.xlsx"'
    text = _opens(workbook)
    assert SCRIPT in text and "Sở Tư pháp" in text

    audit = browser.get(f"/rounds/{site.round_id}/audit.csv")
    assert audit.status_code == 200 and audit.headers["content-type"] == "text/csv; charset=utf-8"
    assert audit.headers["content-disposition"] == f'attachment; filename="dot-{site.round_id}-nhat-ky.csv"'
    assert audit.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(audit.content.decode("utf-8-sig"))))
    assert len(rows) == len(site.actions()) + 1
    assert any("<script>alert('giải trình')</script>" in cell for row in rows for cell in row)


def test_a_call_with_no_proposals_offers_the_zero_response_report_and_submits_it(site: Site) -> None:
    call = create_round(site.app, replace(seed_round(), workflow="proposal_call", deadline=date(2025, 12, 19),
                                          title="Đề xuất nhiệm vụ KH&CN cấp quốc gia năm 2027"), STAFF)
    execute(site.app, call, Launch(), STAFF)
    execute(site.app, call, Close("Không có đề xuất"), STAFF)
    assert site.status(call) == "no_proposals"
    staff = site.as_("canbo")
    no_triage = staff.get(f"/rounds/{call}/consolidation")  # a form kind has no comments to handle one by one
    assert no_triage.status_code == 409 and "không có bước tiếp thu, giải trình từng ý kiến" in no_triage.text
    page = staff.get(f"/rounds/{call}/documents").text
    names = [link.rsplit("/", 1)[1] for link in _links(page, call)]
    assert "bao-cao-khong-co-de-xuat.docx" in names and "du-thao-cong-van-tra-loi-bo.docx" in names
    report = staff.get(f"/rounds/{call}/documents/bao-cao-khong-co-de-xuat.docx")
    assert "không đề xuất" in _opens(report)
    confirm = staff.post(f"/rounds/{call}/submission", {})
    assert "báo cáo UBND tỉnh (không có đề xuất)" in confirm.text
    assert staff.post(f"/rounds/{call}/submission", {"confirmed": "yes"}).status_code == 303
    assert site.status(call) == "reported"
    package = submission_packages(site.app, call)[0]
    zipped = staff.get(f"/rounds/{call}/documents/{package.filename}")
    assert _opens(zipped).split("\n") == ["bao-cao-khong-co-de-xuat.docx", "du-thao-cong-van-tra-loi-bo.docx"]


def test_the_documents_tab_takes_the_inputs_its_documents_read(site: Site) -> None:
    call = create_round(site.app, replace(seed_round(), workflow="proposal_call", deadline=date(2025, 12, 19),
                                          title="Đề xuất nhiệm vụ KH&CN cấp quốc gia năm 2027"), STAFF)
    execute(site.app, call, Launch(), STAFF)
    execute(site.app, call, Close("Không có đề xuất"), STAFF)
    staff = site.as_("canbo")
    page = staff.get(f"/rounds/{call}/documents").text
    form = re.search(r'<section class="card" id="inputs">(.*?)</section>', page, re.S)
    assert form and f'action="/rounds/{call}/document-inputs"' in form.group(1)
    assert 'name="considerations"' in form.group(1) and 'name="call_letter_number"' in form.group(1)
    # The consultation's documents of this state read no input (its tờ trình, offered later, reads three).
    assert 'id="inputs"' not in staff.get(f"/rounds/{site.round_id}/documents").text
    assert 'document-inputs' not in site.as_("lanhdao").get(f"/rounds/{call}/documents").text

    before = audit_trail(site.app, call)[0]
    bad = staff.post(f"/rounds/{call}/document-inputs", {"ministry_letter_index": "7", "call_letter_number": "x/y",
                                                         "considerations": "Lý do một"})
    assert bad.status_code == 422 and "chọn số từ 1 đến 2" in bad.text and "không phải số văn bản" in bad.text
    assert "Lý do một</textarea>" in bad.text  # what was typed comes back
    assert audit_trail(site.app, call)[0] == before
    done = staff.post(f"/rounds/{call}/document-inputs", {
        # the round's own V/v is "đề xuất nhiệm vụ KH&CN cấp quốc gia năm 2027" (its title, not said twice): the
        # report to the Ministry has its own
        "report_subject": "kết quả đề xuất nhiệm vụ KH&CN cấp quốc gia năm 2027", "ministry_letter_index": "2",
        "call_letter_number": "45/SKHCN-QLKH", "considerations": "Lý do một\n\nLý do <b>hai</b>"})
    assert done.status_code == 303 and done.headers["location"] == f"/rounds/{call}/documents?ok=inputs#inputs"
    page = staff.get(done.headers["location"]).text
    assert "Đã lưu thông tin cho văn bản." in page and "Lý do <b>hai</b>" not in page
    report = _opens(staff.get(f"/rounds/{call}/documents/bao-cao-khong-co-de-xuat.docx"))
    assert "Lý do <b>hai</b>" in report and "45/SKHCN-QLKH" in report
    assert audit_trail(site.app, call)[0][-1].action == "document_inputs_set"
