"""A workshop (seed 004) end to end in Debian's chromium (Playwright, real uvicorn, a real SMTP server on loopback):
staff create the round with its workshop date and invite 20 units; the units register from their phones
(attending, a deputy, declining; a deputy without a name is refused beside the field); staff assign two tasks; one
is handed in on time with its file, the other is reminded at the SMTP server and handed in late; an RSVP sent after
the registration date is refused; the grid shows the RSVP and the tasks with the late mark, the dashboard the
kind's counts, and the attendee list downloads as XLSX. Screenshots at 1366 and 375 px go to /tmp/h3/ (looked at,
not compared); axe finds no serious violation on the new pages."""
from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from minimal_pdf import minimal_pdf

from config.clock import FrozenClock
from tests.web.conftest import (
    SCREENSHOTS,
    STAFF_NAME,
    STAFF_OFFICE,
    STAFF_PASSWORD,
    STAFF_USERNAME,
    LiveSite,
    free_socket,
    uvicorn_thread,
)
from workflows.service.registry import get_workflow

if TYPE_CHECKING:
    from notifications.testing import SmtpCapture

pytestmark = pytest.mark.timeout(300)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = Path(__file__).parents[1] / "fixtures" / "workshop_web" / "units_20.csv"
SHOTS = SCREENSHOTS / "issue9-workshop"
START = datetime(2025, 8, 4, 8, 30, tzinfo=TZ)  # Monday; registration until 13/08, the workshop on 20/08
TITLE = "Giải pháp cải thiện, nâng cao Chỉ số đổi mới sáng tạo địa phương tỉnh Cao Bằng"
EVERY_GROUP = ("trung-uong", "ubnd-tinh", "so-ban-nganh", "mttq-doan-the", "xa-phuong", "ngan-hang", "hiep-hoi",
               "doanh-nghiep", "bao-chi")
PDF = minimal_pdf()
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}
DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "vi-VN"}
T = TypeVar("T")


@pytest.fixture
def workshop_site(tmp_path: Path, capture: SmtpCapture, migrated_sqlite: Path) -> Iterator[LiveSite]:
    """A live site like conftest's, with the 20 units of the workshop's groups and the clock on 04/08/2025."""
    from sqlite_template import copy_migrated_sqlite

    from config.settings import load_settings
    from workflows.service.app import build_app
    from workflows.service.directory import import_units
    from workflows.service.staff import add_user
    from workflows.web.app import create_web_app

    home = tmp_path / "home"
    copy_migrated_sqlite(migrated_sqlite, home)
    sock = free_socket()
    host, port = sock.getsockname()[:2]
    settings = load_settings(home=home, database_url=None, now=None, calendar_file=None, smtp_url=capture.url,
                             base_url=f"http://{host}:{port}", secret_key="workshop-site-" + "k" * 40,
                             session_idle_minutes=8 * 60)
    clock = FrozenClock(START)
    app = build_app(settings, clock, create_schema=True)
    try:
        import_units(app, UNITS, STAFF_NAME, create_groups=True)
        add_user(app, STAFF_USERNAME, STAFF_NAME, "staff", STAFF_PASSWORD, STAFF_OFFICE, "test")
        with uvicorn_thread(create_web_app(app), sock) as base_url:
            yield LiveSite(base_url, app, clock, capture, home)
    finally:
        app.close()


def in_thread(work: Callable[[], T]) -> T:
    """Run a service call off the main thread: Playwright's loop runs there, and sending mail needs one."""
    result: list[T] = []
    failure: list[Exception] = []

    def run() -> None:
        try:
            result.append(work())
        except Exception as error:  # noqa: BLE001 - handed back to the test, raised in its thread
            failure.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(120)
    if failure:
        raise failure[0]
    return result[0]


def personal_links(capture: SmtpCapture) -> dict[str, str]:
    found = {}
    for message in capture.messages:
        if message["X-Ykien-Kind"] == "invitation":
            text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            link = re.search(r"https?://\S+/r/[A-Za-z0-9_-]+", text)
            if link:
                found[str(message["X-Ykien-Unit"])] = link.group(0)
    return found


def no_overflow(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in results["violations"]
            if v["impact"] in ("serious", "critical")]


def register(page: Any, link: str, attendance: str, name: str = "", position: str = "") -> None:
    page.goto(link)
    page.check(f"input[name=p_attendance][value='{attendance}']")
    if name:
        page.fill("#p_attendee_name", name)
        page.fill("#p_attendee_position", position)
    page.click("#send")
    page.wait_for_url(re.compile(r".*/sent.*"))


def test_a_workshop_with_twenty_invitations_rsvps_two_tasks_one_late_and_reminded(
        workshop_site: LiveSite, chromium: Any, tmp_path: Path) -> None:
    import docx
    import openpyxl

    site = workshop_site
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    desktop = chromium.new_context(**DESKTOP)
    staff = site.login(desktop)
    staff.on("pageerror", lambda error: errors.append(str(error)))

    # Create the round with the workshop's date, then launch it to the 20 units.
    staff.goto(site.url("/rounds/new?workflow=workshop"))
    staff.fill("input[name=title]", TITLE)
    for group in EVERY_GROUP:
        staff.check(f"input[name=g_comment][value={group}]")
    staff.check("input[name=deadline_mode][value=date]")
    staff.fill("input[name=deadline_date]", "13/08/2025")
    staff.fill("input[name=contact_name]", "Ông Phạm Phi Long")
    staff.fill("input[name=contact_phone]", "0912 130 290")
    staff.fill("input[name=signer_name]", "Trịnh Trường Huy")
    staff.fill("#date_event", "12/08/2025")  # before registration closes
    staff.click("button[name=action][value=create]")
    assert staff.locator("#err-date_event").inner_text() == ("Ngày tổ chức hội thảo 12/08/2025 trước hạn đăng ký "
                                                             "tham dự (13/08/2025).")
    assert staff.input_value("input[name=title]") == TITLE
    staff.locator("#date_event").scroll_into_view_if_needed()
    staff.screenshot(path=str(SHOTS / "new-round-date-1366.png"))
    staff.fill("#date_event", "20/08/2025")
    staff.click("button[name=action][value=create]")
    staff.wait_for_url(re.compile(r".*/rounds/\d+/preview\?ok=created$"))
    round_id = int(re.search(r"/rounds/(\d+)/", staff.url).group(1))  # type: ignore[union-attr]
    # The giấy mời the emails stand for cannot be written without its place and hour: the launch says so, nothing
    # is sent, and its link leads to where they are typed.
    staff.click("form[action$='/launch'] button[type=submit]")
    staff.wait_for_url(site.url(f"/rounds/{round_id}/launch"))
    assert "Chưa phát hành, chưa gửi thư nào: Giấy mời dự Hội thảo chưa soạn được." in staff.inner_text(".flash")
    assert "Cần địa điểm hội thảo và giờ hội thảo" in staff.inner_text("main")
    assert site.capture.messages == []
    staff.click("text=Điền thông tin cho văn bản")
    staff.wait_for_url(re.compile(rf".*/rounds/{round_id}/documents#inputs$"))
    staff.fill("#inputs input[name=venue]", "Hội trường Trung tâm Hội nghị tỉnh Cao Bằng")
    staff.fill("#inputs input[name=event_time]", "01 buổi, từ 08 giờ 00")
    staff.click("#inputs button[type=submit]")
    staff.wait_for_url(re.compile(r".*/documents.*"))
    staff.goto(site.url(f"/rounds/{round_id}/launch"))
    staff.click("form[action$='/launch'] button[type=submit]")
    staff.wait_for_url(site.url(f"/rounds/{round_id}/launch"))
    staff.click("form[action$='/launch'] button[type=submit]")
    staff.wait_for_url(re.compile(rf".*/rounds/{round_id}\?ok=launch.*"))
    site.capture.wait_for(20, timeout=30)
    links = personal_links(site.capture)
    assert len(links) == 20

    # The units register from their phones; a deputy without a name is refused beside the field.
    phone = chromium.new_context(**PHONE)
    unit = phone.new_page()
    unit.on("pageerror", lambda error: errors.append(str(error)))
    register(unit, links["SCT"], "Tham dự", "Nguyễn Văn An", "Giám đốc Sở")
    register(unit, links["SNV"], "Không tham dự")
    register(unit, links["HND"], "Tham dự", "Lê Thị Bình", "Chủ tịch Hội")
    unit.goto(links["STC"])
    unit.check("input[name=p_attendance][value='Cử người dự thay']")
    unit.click("#send")
    error = unit.locator("#p_attendee_name-error")
    assert error.is_visible() and "Họ và tên người dự" in error.inner_text()
    assert unit.get_attribute("#p_attendee_name", "aria-invalid") == "true"
    assert unit.is_checked("input[name=p_attendance][value='Cử người dự thay']")  # the choice kept
    unit.fill("#p_attendee_name", "Trần Văn Cường")
    unit.fill("#p_attendee_position", "Phó Giám đốc Sở")
    unit.click("#send")
    unit.wait_for_url(re.compile(r".*/sent.*"))

    # Staff assign two tasks: a paper to Sở Công Thương, the speech to Văn phòng UBND tỉnh.
    staff.goto(site.url(f"/rounds/{round_id}"))
    staff.click("#assignments-link")
    staff.wait_for_url(site.url(f"/rounds/{round_id}/assignments"))
    staff.select_option("#units-paper", ["SCT"])
    staff.fill("#assign-paper input[name=note]", "Trình bày 10 phút")
    staff.click("#assign-paper-send")
    staff.wait_for_url(re.compile(r".*ok=assigned.*"))
    staff.select_option("#units-speech", ["VPUB"])
    staff.click("#assign-speech-send")
    staff.wait_for_url(re.compile(r".*ok=assigned.*"))
    assert "15/08/2025" in staff.locator("#task-paper-table").inner_text()
    assert "18/08/2025" in staff.locator("#task-speech-table").inner_text()
    staff.screenshot(path=str(SHOTS / "assignments-1366.png"), full_page=True)
    staff.locator("#task-speech-table summary").click()  # the form to record a paper hand-in, opened
    staff.locator("#task-speech-table").screenshot(path=str(SHOTS / "assignments-record-1366.png"))
    assert serious_violations(staff) == []

    # Sở Công Thương hands in its paper on time, with the file.
    paper = tmp_path / "Tham luận Sở Công Thương.pdf"
    paper.write_bytes(PDF)
    unit.goto(links["SCT"])
    assert unit.locator("#task-paper-status").inner_text() == "Chưa nộp"
    unit.fill("#t_paper__paper_title", "Đổi mới sáng tạo trong công nghiệp chế biến")
    unit.set_input_files("#t_paper__paper_file", str(paper))
    unit.click("#task-paper-send")
    unit.wait_for_url(re.compile(r".*\?task=paper#task-paper$"))
    assert unit.locator("#task-paper-status").inner_text() == "Đã nộp"
    assert unit.locator("#task-paper-sent").is_visible()
    assert "Tham luận Sở Công Thương.pdf" in unit.locator("#task-paper-values").inner_text()
    no_overflow(unit)
    unit.screenshot(path=str(SHOTS / "unit-tasks-375.png"), full_page=True)
    assert serious_violations(unit) == []

    # Ủy ban MTTQ opens its page before the registration date and sends it only after: refused.
    late_unit = phone.new_page()
    late_unit.goto(links["MTTQ"])
    late_unit.check("input[name=p_attendance][value='Tham dự']")
    late_unit.fill("#p_attendee_name", "Hoàng Văn Dũng")
    late_unit.fill("#p_attendee_position", "Phó Chủ tịch")

    # The clock moves past the speech's due date (18/08): the sweep closes registration and reminds the office.
    from workflows.service.sweep import run_due

    for day in (13, 14, 15, 18, 19):  # the sweep runs every working day (every 30 s under `ykien serve`)
        site.clock.set(datetime(2025, 8, day, 9, 0, tzinfo=TZ))
        in_thread(lambda: run_due(site.app))
    reminders = [m for m in site.capture.messages if m["X-Ykien-Kind"] == "task_reminder"]
    assert [str(m["X-Ykien-Unit"]) for m in reminders] == ["VPUB", "VPUB"]  # the day before, and the day after
    assert not any(str(m["X-Ykien-Unit"]) == "SCT" for m in reminders)  # handed in: never reminded

    late_unit.click("#send")
    refusal = late_unit.locator(".flash.error, .flash.warn").first
    assert "hết hạn" in refusal.inner_text() or "kết thúc" in refusal.inner_text(), refusal.inner_text()

    # Văn phòng UBND tỉnh hands in its speech late: taken, marked late.
    speech = tmp_path / "Du thao bai phat bieu.pdf"
    speech.write_bytes(PDF)
    unit.goto(links["VPUB"])
    assert unit.locator("#task-speech-status").inner_text() == "Quá hạn, chưa nộp"
    unit.fill("#t_speech__speech_title", "Bài phát biểu khai mạc")
    unit.set_input_files("#t_speech__speech_file", str(speech))
    unit.click("#task-speech-send")
    unit.wait_for_url(re.compile(r".*\?task=speech#task-speech$"))
    assert unit.locator("#task-speech-status").inner_text() == "Nộp trễ hạn"
    unit.screenshot(path=str(SHOTS / "unit-late-375.png"), full_page=True)
    wide_unit = desktop.new_page()
    wide_unit.goto(links["VPUB"])
    wide_unit.screenshot(path=str(SHOTS / "unit-tasks-1366.png"), full_page=True)

    # The grid shows the RSVP and each task, the late one marked; the dashboard the kind's counts.
    staff = site.login(desktop)  # two weeks later: a new session
    staff.goto(site.url(f"/rounds/{round_id}"))
    headers = staff.locator("#units thead").inner_text()
    assert "Tham dự" in headers and get_workflow("workshop").assignments["paper"].column in headers
    assert "Cử người dự thay" in staff.locator("#u-STC").inner_text()
    assert "Không tham dự" in staff.locator("#u-SNV").inner_text()
    late_row = staff.locator("#u-VPUB").inner_text()
    assert "trễ" in late_row.lower(), late_row
    staff.screenshot(path=str(SHOTS / "round-grid-1366.png"), full_page=True)
    staff.goto(site.url("/"))
    summary = staff.locator("#rounds .kind-summary").all_inner_texts()
    assert "Tham dự 3 (Tham dự 2, Cử người dự thay 1) · Không tham dự 1" in summary  # who comes, summed
    assert "Nhiệm vụ: 2/2 đã nộp (1 nộp trễ)" in summary
    staff.screenshot(path=str(SHOTS / "dashboard-1366.png"), full_page=True)
    staff.goto(site.url(f"/rounds/{round_id}/assignments"))
    assert "Nộp trễ hạn" in staff.locator("#task-speech-table").inner_text()
    assert staff.locator("#task-speech-table").inner_text().count("lần") == 1
    assert "2 lần" in staff.locator("#task-speech-table").inner_text()

    # The attendee list, downloaded and read back.
    staff.goto(site.url(f"/rounds/{round_id}/documents"))
    with staff.expect_download() as download_info:
        staff.click("a[href$='danh-sach-dai-bieu.xlsx']")
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    cells = " ".join(str(c.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row
                     if c.value is not None)
    for name in ("Nguyễn Văn An", "Trần Văn Cường", "Lê Thị Bình"):
        assert name in cells, name

    # The day after the workshop: staff write its results and download the follow-up report.
    site.clock.set(datetime(2025, 8, 21, 9, 0, tzinfo=TZ))
    in_thread(lambda: run_due(site.app))
    staff = site.login(desktop)
    staff.goto(site.url(f"/rounds/{round_id}/documents"))
    staff.fill("#inputs textarea[name=event_results]", "Hội thảo thống nhất 05 nhóm giải pháp nâng cao Chỉ số PII.")
    staff.click("#inputs button[type=submit]")
    staff.wait_for_url(re.compile(r".*/documents.*"))
    with staff.expect_download() as download_info:
        staff.click("a[href$='bao-cao-ket-qua-hoi-thao.docx']")
    report = docx.Document(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    text = "\n".join(paragraph.text for paragraph in report.paragraphs)
    assert "05 nhóm giải pháp" in text, text[:2000]

    # The same pages on a phone: nothing wider than the screen.
    narrow = chromium.new_context(**PHONE)
    small = site.login(narrow)
    for path, shot in ((f"/rounds/{round_id}/assignments", "assignments-375"), (f"/rounds/{round_id}", "round-grid-375"),
                       ("/", "dashboard-375")):
        small.goto(site.url(path))
        small.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
        no_overflow(small)
    narrow.close()
    phone.close()
    desktop.close()
    assert errors == [], errors
