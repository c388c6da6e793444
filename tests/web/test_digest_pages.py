"""The daily digest on the web: each staff member opts in on their own page (/account/password), admins on an account's
page; a bad address is refused with 422, the form refilled and nothing saved. On the security tests' site."""
from __future__ import annotations

from tests.web import test_security
from tests.web.test_security import Site
from workflows.service.digest import digest_choice

template = test_security.template
site = test_security.site
ADDRESS = "long.pp@skhcn.caobang.gov.vn"


def test_staff_opt_in_on_their_own_page_and_a_bad_address_comes_back_filled(site: Site) -> None:
    canbo = site.staff("canbo")
    page = canbo.get("/account/password").text
    assert "Thư tổng hợp hằng ngày" in page and 'name="digest" value="1">' in page  # unchecked
    refused = canbo.post("/account/digest", {"digest": "1", "digest_email": "long.pp@"})
    assert refused.status_code == 422
    assert 'aria-invalid="true" aria-describedby="err-digest_email"' in refused.text
    assert "long.pp@&#34; không phải địa chỉ thư hợp lệ" in refused.text
    assert 'value="long.pp@"' in refused.text and 'name="digest" value="1" checked' in refused.text
    assert not digest_choice(site.app, "canbo").on
    empty = canbo.post("/account/digest", {"digest": "1", "digest_email": "  "})
    assert empty.status_code == 422 and "hãy nhập địa chỉ thư" in empty.text
    saved = canbo.post("/account/digest", {"digest": "1", "digest_email": ADDRESS})
    assert saved.status_code == 303 and saved.headers["location"] == "/account/password?ok=digest_on"
    assert digest_choice(site.app, "canbo").email == ADDRESS
    shown = canbo.get("/account/password?ok=digest_on").text
    assert "bạn sẽ nhận thư tổng hợp" in shown and f'value="{ADDRESS}"' in shown
    assert 'name="digest" value="1" checked' in shown
    off = canbo.post("/account/digest", {"digest_email": ADDRESS})  # the box unticked
    assert off.status_code == 303 and not digest_choice(site.app, "canbo").on


def test_admins_set_an_accounts_digest_and_others_cannot(site: Site) -> None:
    assert site.staff("canbo").post("/accounts/admin/digest", {"digest": "1", "digest_email": ADDRESS}
                                    ).status_code == 403
    admin = site.staff("admin")
    refused = admin.post("/accounts/canbo/digest", {"digest": "1", "digest_email": "khong phai thu"})
    assert refused.status_code == 422 and 'value="khong phai thu"' in refused.text
    assert "Chưa lưu được" in refused.text and not digest_choice(site.app, "canbo").on
    saved = admin.post("/accounts/canbo/digest", {"digest": "1", "digest_email": ADDRESS})
    assert saved.status_code == 303 and saved.headers["location"] == "/accounts/canbo?ok=digest_on"
    assert "Đã lưu: canbo nhận thư tổng hợp hằng ngày." in admin.get(saved.headers["location"]).text
    assert digest_choice(site.app, "canbo").email == ADDRESS
    assert "Đổi thư tổng hợp hằng ngày" in admin.get("/accounts").text  # the account audit lists the change
    assert admin.post("/accounts/khong-co-ai/digest", {"digest": "1", "digest_email": ADDRESS}).status_code == 404
