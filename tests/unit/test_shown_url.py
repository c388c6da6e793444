"""One masking of a URL's password for every place that shows one (settings, `ykien settings`, `ykien db check`, the
messages that quote a bad YKIEN_SMTP_URL or YKIEN_DATABASE_URL back)."""
from __future__ import annotations

import pytest

from config.shown_url import without_password


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql+psycopg://ykien:mat-khau@db.local:5432/ykien", "postgresql+psycopg://ykien:***@db.local:5432/ykien"),
    ("smtps://thu:p@ss@mail.gov.vn:465", "smtps://thu:***@mail.gov.vn:465"),  # an @ in the password
    ("postgresql://ykien@db.local/ykien", "postgresql://ykien@db.local/ykien"),  # no password: nothing to hide
    ("sqlite:////srv/ykien/ykien.db", "sqlite:////srv/ykien/ykien.db"),
    ("smtp//user:secret@host", "smtp//user:***@host"),  # mistyped, still hidden
    ("db.local:5432", "db.local:5432"),
    ("", ""),
])
def test_the_password_and_only_the_password_is_hidden(url: str, shown: str) -> None:
    assert without_password(url) == shown
