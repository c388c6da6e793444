"""An administrator adding an account whose login is taken (in any case) gets the refusal beside the login field, as
the flash above the form says ("xem lỗi ghi dưới từng mục"), and no account is added."""
from __future__ import annotations

from tests.web import test_security
from tests.web.test_security import Site
from workflows.service.accounts import accounts

template = test_security.template
site = test_security.site


def test_a_taken_login_is_said_at_the_login_field(site: Site) -> None:
    before = [a.user.username for a in accounts(site.app)]
    refused = site.staff("admin").post("/accounts", {"username": "CanBo", "display_name": "Người khác",
                                                     "role": "leader", "office": ""})
    assert refused.status_code == 422
    assert ('<span class="field-error" id="err-username" role="alert">tài khoản &#34;canbo&#34; đã có; chọn tên '
            'đăng nhập khác.</span>') in refused.text
    assert 'id="err-form"' not in refused.text
    assert [a.user.username for a in accounts(site.app)] == before
