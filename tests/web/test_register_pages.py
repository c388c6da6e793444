"""The register page (/register) through the real app (TestClient) on SQLite: a year's numbers, the forms that take,
enter and cancel a number with their errors beside the field, the XLSX export, and who may do what."""
from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlite_template import copy_home_database
from test_security import PASSWORD, UNITS_CSV, Site, Visitor, settings_for

from config.clock import FrozenClock
from notifications.testing import SmtpCapture, smtp_capture
from workflows.service import register
from workflows.service.app import build_app
from workflows.service.directory import import_units
from workflows.service.rounds import Addressee, NewRound, create_round
from workflows.service.staff import add_user
from workflows.service.views import audit_trail
from workflows.web.app import create_web_app

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2025, 11, 20, 8, 30, tzinfo=TZ)
STAFF = "Phạm Phi Long (TĐC)"
TITLE = "Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất giai đoạn 2026 – 2030"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Accounts (an admin, staff of TĐC and of QLKH, a leader) and one draft round of TĐC, made once."""
    home = tmp_path_factory.mktemp("register-template")
    with smtp_capture() as capture:
        app = build_app(settings_for(home, capture), FrozenClock(START), create_schema=True)
        import_units(app, UNITS_CSV, STAFF)
        add_user(app, "admin", "Quản trị", "admin", PASSWORD, None, "test")
        add_user(app, "canbo", "Cán bộ TĐC", "staff", PASSWORD, "TĐC", "test")
        add_user(app, "canbo2", "Cán bộ QLKH", "staff", PASSWORD, "QLKH", "test")
        add_user(app, "lanhdao", "Lãnh đạo Sở", "leader", PASSWORD, None, "test")
        create_round(app, NewRound(
            title=TITLE, subject="", workflow="consultation", office="TĐC", deadline=date(2025, 12, 5),
            addressees=(Addressee(groups=("so-ban-nganh",)),), contact_name="Ông Phạm Phi Long",
            contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền"), STAFF)
        app.close()
    return home


@pytest.fixture
def site(template: Path, tmp_path: Path, capture: SmtpCapture) -> Iterator[Site]:
    copy_home_database(template, tmp_path)
    app = build_app(settings_for(tmp_path, capture), FrozenClock(START + timedelta(hours=1)))
    yield Site(app, create_web_app(app), capture, {})
    app.close()


def flash(page: str) -> str:
    found = re.search(r'<p class="flash[^"]*" role="status">(.*?)</p>', page, re.S)
    return found.group(1).strip() if found else ""


def test_the_top_bar_links_the_register_and_the_page_lists_the_year_newest_first(site: Site) -> None:
    register.take_number(site.app, 1, "request_letter", STAFF, issued_on=date(2025, 11, 20))
    register.enter_number(site.app, 1, "submission", "7/TTr-SKHCN", date(2025, 11, 20), STAFF)
    staff = site.staff()
    page = staff.get("/register").text
    assert '<a href="/register">Sổ văn bản đi</a>' in staff.get("/").text
    assert "Sổ văn bản đi năm 2025" in page
    assert page.index("07/TTr-SKHCN") < page.index("01/SKHCN-TĐC")
    assert "Tờ trình UBND tỉnh: " + TITLE in page
    assert 'href="/register/export.xlsx?year=2025"' in page
    assert staff.get("/register?year=2024").status_code == 200
    assert "Chưa có số nào trong năm 2024" in staff.get("/register?year=2024").text
    assert staff.get("/register?year=99999").status_code == 422


def test_staff_take_a_number_and_enter_one_through_the_forms(site: Site) -> None:
    staff = site.staff()
    page = staff.get("/register").text
    assert 'value="1:request_letter"' in page
    taken = staff.post("/register/take", {"document": "1:request_letter", "date": "2025-11-20",
                                           "recipients": "Các sở, ban, ngành tỉnh"})
    assert taken.status_code == 303
    shown = staff.get(taken.headers["location"]).text
    assert flash(shown) == "Đã cấp số 01/SKHCN-TĐC cho &#34;Công văn xin ý kiến&#34;."
    entered = staff.post("/register/enter", {"document": "1:submission", "number": "Số: 04/TTr-SKHCN",
                                             "date": "20/11/2025", "summary": "Đề nghị ban hành Kế hoạch"})
    assert entered.status_code == 303
    assert "Đã ghi số 04/TTr-SKHCN" in flash(staff.get(entered.headers["location"]).text)
    entries = register.register_year(site.app, 2025).entries
    assert [(e.full_number, e.created_by, e.recipients) for e in entries] == [
        ("04/TTr-SKHCN", "Cán bộ TĐC (canbo)", "Ủy ban nhân dân tỉnh Cao Bằng"),  # left blank: the Kính gửi
        ("01/SKHCN-TĐC", "Cán bộ TĐC (canbo)", "Các sở, ban, ngành tỉnh")]
    assert [e.action for e in audit_trail(site.app, 1)[0]][-2:] == ["number_taken", "number_entered"]


def test_a_number_entered_out_of_date_order_is_shown_again_naming_the_neighbour(site: Site) -> None:
    register.enter_number(site.app, 1, "request_letter", "5/SKHCN-TĐC", date(2025, 11, 20), STAFF)
    site.app.clock.set(START + timedelta(days=1))  # type: ignore[attr-defined]
    response = site.staff().post("/register/enter", {"document": "1:request_letter", "number": "4/SKHCN-TĐC",
                                                     "date": "21/11/2025", "again": "1"})
    assert response.status_code == 422
    assert "ngày 21/11/2025 sau ngày của số 05/SKHCN-TĐC (20/11/2025)" in response.text
    assert 'class="field-error"' in response.text
    assert [e.full_number for e in register.register_year(site.app, 2025).entries] == ["05/SKHCN-TĐC"]


@pytest.mark.parametrize(("form", "data", "status", "field", "words"), [
    ("enter", {"document": "1:request_letter", "number": "5/SKHCN-QLKH", "date": "2025-11-20"}, 422, "number",
     "SKHCN-TĐC"),
    ("enter", {"document": "1:request_letter", "number": "5/SKHCN-TDC", "date": "2025-11-20"}, 422, "number",
     "chữ Đ và chữ D"),
    ("enter", {"document": "1:request_letter", "number": "năm", "date": "2025-11-20"}, 422, "number", "không phải số"),
    ("enter", {"document": "1:request_letter", "number": "5/SKHCN-TĐC", "date": ""}, 422, "date", "cần ghi ngày"),
    ("enter", {"document": "1:request_letter", "number": "5/SKHCN-TĐC", "date": "31/02/2025"}, 422, "date",
     "không phải ngày"),
    ("take", {"document": "1:request_letter", "date": "2025-11-21"}, 422, "date", "chưa đến"),
    ("take", {"document": "1:request_letter", "date": "1999-01-01"}, 422, "date", "2000"),
    ("take", {"document": "1:request_letter", "date": "2025-11-19"}, 422, "date", "trước ngày lập đợt 1 (20/11/2025)"),
    ("take", {"document": "", "date": ""}, 422, "document", "chọn văn bản"),
    ("take", {"document": "1:synthesis_docx"}, 422, "document", "không phải văn bản được cấp số"),
    ("take", {"document": "999:request_letter"}, 422, "document", "Không tìm thấy đợt"),
    ("take", {"document": "99999999999:request_letter"}, 422, "document", "chọn văn bản"),
    ("take", {"document": "1:submission"}, 409, "form", "Dự thảo"),
    ("take", {"document": "1:request_letter", "summary": "x" * 1001}, 422, "summary", "tối đa 1.000"),
])
def test_a_bad_form_is_shown_again_with_the_problem_and_nothing_is_written(
        site: Site, form: str, data: dict[str, str], status: int, field: str, words: str) -> None:
    staff = site.staff()
    response = staff.post(f"/register/{form}", data)
    assert response.status_code == status, response.text[:2000]
    assert words in response.text.replace("&#34;", '"')
    if field != "form":
        assert 'class="field-error"' in response.text
    assert register.register_year(site.app, 2025).entries == []


def test_a_used_number_is_refused_and_the_typed_values_stay_in_the_form(site: Site) -> None:
    register.take_number(site.app, 1, "request_letter", STAFF)
    staff = site.staff()
    response = staff.post("/register/enter", {"document": "1:request_letter", "number": "01/SKHCN-TĐC",
                                              "date": "2025-11-20", "again": "1"})
    assert response.status_code == 409
    assert "số 01/SKHCN-TĐC năm 2025 đã có trong sổ" in response.text
    assert 'value="01/SKHCN-TĐC"' in response.text and 'value="1:request_letter" selected' in response.text
    again = staff.post("/register/take", {"document": "1:request_letter"})
    assert again.status_code == 409 and "Cấp thêm số" in again.text
    assert staff.post("/register/take", {"document": "1:request_letter", "again": "1"}).status_code == 303
    assert [e.number for e in register.register_year(site.app, 2025).entries] == [2, 1]


def test_a_cancelled_number_is_struck_through_with_its_reason_and_needs_one(site: Site) -> None:
    entry = register.take_number(site.app, 1, "request_letter", STAFF)
    staff = site.staff()
    assert f'action="/register/{entry.id}/cancel"' in staff.get("/register").text
    missing = staff.post(f"/register/{entry.id}/cancel", {"reason": "  "})
    assert missing.status_code == 422 and "cần ghi lý do hủy số" in missing.text
    assert not register.get_entry(site.app, entry.id).cancelled
    done = staff.post(f"/register/{entry.id}/cancel", {"reason": "Văn bản không ban hành"})
    assert done.status_code == 303
    page = staff.get(done.headers["location"]).text
    assert "Đã hủy số 01/SKHCN-TĐC" in flash(page)
    assert "<s>01/SKHCN-TĐC</s>" in page and "Lý do: Văn bản không ban hành" in page
    assert f'action="/register/{entry.id}/cancel"' not in page
    twice = staff.post(f"/register/{entry.id}/cancel", {"reason": "Lần nữa"})
    assert twice.status_code == 409 and "đã hủy" in twice.text
    assert staff.post("/register/999/cancel", {"reason": "x"}).status_code == 404


def test_leaders_and_other_offices_read_the_register_but_cannot_number_or_cancel(site: Site) -> None:
    entry = register.take_number(site.app, 1, "request_letter", STAFF)
    for username in ("lanhdao", "canbo2"):
        visitor: Visitor = site.staff(username)
        page = visitor.get("/register").text
        assert "01/SKHCN-TĐC" in page
        assert 'action="/register/take"' not in page and 'action="/register/enter"' not in page
        assert f'action="/register/{entry.id}/cancel"' not in page
        assert visitor.post("/register/take", {"document": "1:request_letter", "again": "1"}).status_code == 403
        assert visitor.post("/register/enter", {"document": "1:submission", "number": "3/TTr-SKHCN",
                                                "date": "2025-11-20"}).status_code == 403
        assert visitor.post(f"/register/{entry.id}/cancel", {"reason": "x"}).status_code == 403
        assert visitor.get("/register/export.xlsx").status_code == 200
    admin = site.staff("admin")
    assert 'value="1:request_letter"' in admin.get("/register").text
    assert admin.post(f"/register/{entry.id}/cancel", {"reason": "Quản trị hủy"}).status_code == 303
    assert [e.number for e in register.register_year(site.app, 2025).entries] == [1]


def test_the_export_link_gives_the_years_register_as_xlsx(site: Site) -> None:
    register.take_number(site.app, 1, "request_letter", STAFF)
    staff = site.staff()
    response = staff.get("/register/export.xlsx?year=2025")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="so-van-ban-di-2025.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None and sheet.cell(2, 1).value == "SỔ ĐĂNG KÝ VĂN BẢN ĐI — NĂM 2025"
    assert sheet.cell(6, 1).value == "01/SKHCN-TĐC"
    assert staff.get("/register/export.xlsx?year=99999").status_code == 422
    assert site.anonymous().get("/register/export.xlsx").status_code == 303
