"""Text that is no date is refused in one wording everywhere (config.calendar_words.not_a_date): the forms, the
command line and the API said it eight ways, with example dates of a year gone."""
from __future__ import annotations

import re
from pathlib import Path

from config.calendar_words import not_a_date

ROOT = Path(__file__).resolve().parents[2]


def test_the_wording_names_the_field_quotes_what_was_typed_and_shows_the_form_of_a_date() -> None:
    assert not_a_date("31/02/2026", "Hạn nộp") == \
        'Hạn nộp: "31/02/2026" không phải ngày; viết ngày/tháng/năm, ví dụ 08/12/2026.'
    assert not_a_date("mai") == '"mai" không phải ngày; viết ngày/tháng/năm, ví dụ 08/12/2026.'
    assert not_a_date("x", "--deadline", iso_too=True).endswith("ví dụ 08/12/2026 hoặc 2026-12-08.")


def test_long_text_is_quoted_by_its_first_characters() -> None:
    said = not_a_date("ngày " * 10_000, "Ngày tổ chức hội thảo")
    assert len(said) < 150 and '…" không phải ngày' in said


def test_no_module_words_it_on_its_own() -> None:
    own = [str(path.relative_to(ROOT)) for folder in ("workflows", "models", "config", "notifications")
           for path in (ROOT / folder).rglob("*.py")
           if path.name != "calendar_words.py" and re.search(r"không phải ngày(?! làm việc| giờ)",
                                                             path.read_text(encoding="utf-8"))]
    assert own == []
