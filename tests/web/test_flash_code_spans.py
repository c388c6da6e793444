"""A notice written once for the API and the pages shows its command as code on a page, and nothing else of it as
markup."""
from __future__ import annotations

from workflows.web.templating import ENV


def _shown(text: str) -> str:
    return str(ENV.from_string("{{ text | code_spans }}").render(text=text))


def test_a_command_between_backticks_is_shown_as_code() -> None:
    assert _shown("Người quản trị cần chạy `ykien worker` với YKIEN_WORK_POOL=ykien.") == (
        "Người quản trị cần chạy <code>ykien worker</code> với YKIEN_WORK_POOL=ykien.")


def test_markup_in_a_notice_is_escaped_inside_and_outside_the_code() -> None:
    assert _shown('Pool "<b>x</b>": chạy `ykien worker <b>`') == (
        "Pool &#34;&lt;b&gt;x&lt;/b&gt;&#34;: chạy <code>ykien worker &lt;b&gt;</code>")


def test_a_lone_backtick_stays_as_typed() -> None:
    assert _shown("một dấu ` lẻ") == "một dấu ` lẻ"
