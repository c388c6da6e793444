"""A draft kept with a contact the rules now refuse (a phone "abc" saved before them) says so: the edit form shows
the rule's words beside the field as a warning (not an error: the draft's other fields still save), and the draft's
round page says it beside the contact it lists. A value the rules take, or a launched round, shows no warning."""
from __future__ import annotations

import html
import re

from staff_site import staff, template_home, ykien_app  # noqa: F401
from test_draft_rounds import Site, _form, _post, site  # noqa: F401

from workflows.engine.events import Launch
from workflows.service.rounds import execute

PHONE_RULE = "Số điện thoại chỉ gồm chữ số, khoảng trắng và + . - ( ) (từ 6 đến 40 ký tự)."
WARNING = f"Giá trị đang lưu không theo quy định và sẽ được in nguyên như vậy trên công văn: {PHONE_RULE}"
NAME_WARNING = "Giá trị đang lưu không theo quy định và sẽ được in nguyên như vậy trên công văn: Nhập họ tên người ký."


def _keep(site: Site, **fields: str) -> None:
    """The contact as a round made before the rules kept it."""
    with site.app.uow() as uow:
        uow.draft_rounds.update(site.draft_id, fields)
        uow.commit()


def _warnings(page: str) -> dict[str, str]:
    return {name: html.unescape(said) for name, said in
            re.findall(r'<span class="field-warning" id="warn-([a-z_]+)">([^<]*)</span>', page)}


def test_the_edit_form_warns_beside_a_kept_phone_and_still_saves_the_rest(site: Site) -> None:
    _keep(site, contact_phone="abc")
    browser = site.as_("canbo")
    url = f"/rounds/{site.draft_id}/edit"
    form = browser.get(url)
    assert form.status_code == 200
    assert _warnings(form.text) == {"contact_phone": WARNING}, form.text
    phone_input = re.search(r'<input name="contact_phone"[^>]*>', form.text)
    assert phone_input is not None and 'aria-describedby="warn-contact_phone"' in phone_input.group(0)
    assert 'aria-invalid' not in phone_input.group(0) and "Biểu mẫu còn lỗi" not in form.text
    values = _form(form.text)
    figures = _post(browser, url, values, action="preview")  # "Tính hạn": the page again, the warning kept
    assert figures.status_code == 200 and _warnings(figures.text) == {"contact_phone": WARNING}
    retyped = _post(browser, url, values, action="save", contact_phone="xyz")  # a new bad value: an error only
    assert retyped.status_code == 422 and "contact_phone" not in _warnings(retyped.text)
    assert 'id="err-contact_phone"' in retyped.text and PHONE_RULE in html.unescape(retyped.text)
    saved = _post(browser, url, values, action="save", title="Kế hoạch đã sửa tên")
    assert saved.status_code == 303, saved.text
    assert site.title() == "Kế hoạch đã sửa tên"


def test_the_round_page_warns_beside_the_contact_it_lists(site: Site) -> None:
    _keep(site, contact_phone="abc", signer_name=" ")
    page = site.as_("canbo").get(f"/rounds/{site.draft_id}")
    assert page.status_code == 200
    assert _warnings(page.text) == {"contact_phone": WARNING, "signer_name": NAME_WARNING}, page.text
    form = site.as_("canbo").get(f"/rounds/{site.draft_id}/edit")
    assert _warnings(form.text) == {"contact_phone": WARNING, "signer_name": NAME_WARNING}


def test_a_phone_the_rule_takes_or_a_launched_round_shows_no_warning(site: Site) -> None:
    browser = site.as_("canbo")
    assert _warnings(browser.get(f"/rounds/{site.draft_id}/edit").text) == {}
    assert _warnings(browser.get(f"/rounds/{site.draft_id}").text) == {}
    _keep(site, contact_phone="abc")
    execute(site.app, site.draft_id, Launch(no_draft_reason="Thử"), "Phạm Phi Long (TĐC)")
    launched = browser.get(f"/rounds/{site.draft_id}")
    assert launched.status_code == 200 and _warnings(launched.text) == {} and "abc" in launched.text
