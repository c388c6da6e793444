"""Account administration on the web (issue 10 item 3): admins add, disable and enable accounts, reset
passwords and change roles and offices, every step audited; others cannot; everyone changes their own password.
Runs the real app on the security tests' site (SQLite, loopback SMTP)."""
from __future__ import annotations

import re

from sqlalchemy import select

from models.db.tables import AuditRow
from tests.web import test_security
from tests.web.test_security import PASSWORD, Site, Visitor
from workflows.service.accounts import account
from workflows.service.staff import add_user

# The security tests' site: a directory, an admin and a TĐC staff member, two launched rounds.
template = test_security.template
site = test_security.site


def _secret(page: str) -> str:
    found = re.search(r'<code class="secret">([^<]+)</code>', page)
    assert found, "the new password is shown"
    return found.group(1)


def _account_actions(site: Site) -> list[str]:
    with site.app.uow() as uow:
        return list(uow.session.scalars(select(AuditRow.action).where(AuditRow.round_id.is_(None))
                                        .order_by(AuditRow.seq)))


def test_only_admins_reach_the_account_pages(site: Site) -> None:
    add_user(site.app, "lanhdao", "Lãnh đạo Sở", "leader", PASSWORD, None, "test")
    for username in ("canbo", "lanhdao"):
        visitor = site.staff(username)
        assert 'href="/accounts"' not in visitor.get("/").text
        for url in ("/accounts", "/accounts/canbo"):
            assert visitor.get(url).status_code == 403, (username, url)
        refused = visitor.post("/accounts/admin/active", {"active": "0"})
        assert refused.status_code == 403 and account(site.app, "admin").active
    admin = site.staff("admin")
    assert 'href="/accounts"' in admin.get("/").text
    page = admin.get("/accounts").text
    assert 'id="u-canbo"' in page and "Cán bộ phòng" in page and "Hoạt động" in page
    assert admin.get("/accounts/khong-co-ai").status_code == 404
    assert admin.get("/accounts/" + "x" * 300).status_code == 404


def test_an_admin_adds_an_account_whose_password_is_shown_once_and_works(site: Site) -> None:
    admin = site.staff("admin")
    added = admin.post("/accounts", {"username": "NguyenVanA", "display_name": "Nguyễn Văn A",
                                     "role": "staff", "office": "QLKH"})
    assert added.status_code == 200 and "Đã thêm tài khoản nguyenvana." in added.text
    password = _secret(added.text)
    assert password not in admin.get("/accounts").text, "shown once"
    assert Visitor(site.client()).login("nguyenvana", password).get("/").status_code == 200
    assert _account_actions(site)[-1] == "user_added"


def test_a_bad_account_form_comes_back_filled_with_the_error_at_its_field(site: Site) -> None:
    admin = site.staff("admin")
    typed = {"username": "Có Dấu", "display_name": "Nguyễn Văn B", "role": "staff", "office": ""}
    refused = admin.post("/accounts", typed)
    assert refused.status_code == 422 and 'value="Nguyễn Văn B"' in refused.text
    assert "chỉ gồm chữ thường không dấu" in refused.text
    no_office = admin.post("/accounts", {**typed, "username": "nguyenvanb"})
    assert no_office.status_code == 422 and "cán bộ phòng phải thuộc một phòng" in no_office.text
    control = admin.post("/accounts", {**typed, "username": "nguyenvanb", "office": "T\x00C"})
    assert control.status_code == 422 and "ký tự điều khiển" in control.text
    bad_role = admin.post("/accounts", {**typed, "username": "nguyenvanb", "office": "TĐC", "role": "root"})
    assert bad_role.status_code == 422 and "không hợp lệ" in bad_role.text
    taken = admin.post("/accounts", {**typed, "username": "canbo", "office": "TĐC"})
    assert taken.status_code == 422 and "đã có" in taken.text
    assert _account_actions(site).count("user_added") == 2, "only the template's two accounts"


def test_disabling_ends_the_sessions_at_once_and_enabling_lets_the_user_back(site: Site) -> None:
    staff = site.staff("canbo")
    admin = site.staff("admin")
    page = admin.get("/accounts/canbo").text
    assert "Khóa tài khoản" in page
    done = admin.post("/accounts/canbo/active", {"active": "0"})
    assert done.status_code == 303 and "Đã khóa tài khoản canbo" in admin.get(done.headers["location"]).text
    assert staff.get("/").status_code == 303, "the open session ended"
    assert site.anonymous().post("/login", {"username": "canbo", "password": PASSWORD}).status_code == 401
    assert admin.post("/accounts/canbo/active", {"active": "1"}).status_code == 303
    assert site.staff("canbo").get("/").status_code == 200
    assert admin.post("/accounts/canbo/active", {"active": "maybe"}).status_code == 422
    own = admin.get("/accounts/admin").text
    assert 'action="/accounts/admin/active"' not in own, "no button to lock oneself out"
    refused = admin.post("/accounts/admin/active", {"active": "0"})
    assert refused.status_code == 409 and "Không thể tự khóa" in refused.text
    assert _account_actions(site)[-2:] == ["user_disabled", "user_enabled"]


def test_a_reset_password_is_shown_once_and_ends_the_accounts_sessions(site: Site) -> None:
    staff = site.staff("canbo")
    admin = site.staff("admin")
    reset = admin.post("/accounts/canbo/password")
    assert reset.status_code == 200 and "Đã đặt lại mật khẩu của canbo" in reset.text
    password = _secret(reset.text)
    assert "no-store" in reset.headers["cache-control"]
    assert staff.get("/").status_code == 303
    assert site.anonymous().post("/login", {"username": "canbo", "password": PASSWORD}).status_code == 401
    assert Visitor(site.client()).login("canbo", password).get("/").status_code == 200
    with site.app.uow() as uow:
        details = uow.session.scalars(select(AuditRow.details).where(AuditRow.action == "password_reset")).one()
    assert password not in str(details) and details["sessions_ended"] == 1


def test_a_role_and_office_change_applies_at_the_next_request_and_the_last_admin_stays(site: Site) -> None:
    staff = site.staff("canbo")
    admin = site.staff("admin")
    assert staff.get("/rounds/new").status_code == 200
    moved = admin.post("/accounts/canbo/role", {"role": "leader", "office": ""})
    assert moved.status_code == 303 and "Đã đổi vai trò, phòng của canbo" in admin.get(moved.headers["location"]).text
    assert staff.get("/rounds/new").status_code == 403, "a leader now: read only"
    missing_office = admin.post("/accounts/canbo/role", {"role": "staff", "office": " "})
    assert missing_office.status_code == 422 and "phải thuộc một phòng" in missing_office.text
    last = admin.post("/accounts/admin/role", {"role": "staff", "office": "TĐC"})
    assert last.status_code == 422 or last.status_code == 409
    assert "quản trị cuối cùng" in last.text and account(site.app, "admin").user.role.value == "admin"
    events = admin.get("/accounts").text
    assert "Đổi vai trò, phòng" in events and "Cán bộ phòng → Lãnh đạo (chỉ xem)" in events


def test_staff_change_their_own_password_and_every_session_of_theirs_ends(site: Site) -> None:
    office_pc, home_pc = site.staff("canbo"), site.staff("canbo")
    assert 'href="/account/password"' in office_pc.get("/").text
    wrong = office_pc.post("/account/password", {"current": "sai-mat-khau", "new_password": "mat-khau-moi-dai",
                                                 "again": "mat-khau-moi-dai"})
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng." in wrong.text
    mismatch = office_pc.post("/account/password", {"current": PASSWORD, "new_password": "mat-khau-moi-dai",
                                                    "again": "mat-khau-khac-dai"})
    assert mismatch.status_code == 422 and "không khớp" in mismatch.text
    short = office_pc.post("/account/password", {"current": PASSWORD, "new_password": "ngan", "again": "ngan"})
    assert short.status_code == 422 and "ít nhất 10 ký tự" in short.text
    done = office_pc.post("/account/password", {"current": PASSWORD, "new_password": "mat-khau-moi-dai",
                                                "again": "mat-khau-moi-dai"})
    assert done.status_code == 303 and done.headers["location"] == "/login?changed=1"
    assert "Đã đổi mật khẩu" in office_pc.get("/login?changed=1").text
    assert office_pc.get("/").status_code == 303 and home_pc.get("/").status_code == 303
    assert Visitor(site.client()).login("canbo", "mat-khau-moi-dai").get("/").status_code == 200
    assert _account_actions(site)[-1] == "password_changed"
