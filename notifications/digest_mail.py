"""Render the staff's daily digest (models.digest.Digest) from templates/_digest: subject, plain text, HTML."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import jinja2

from models.digest import NAME_SEPARATOR, Digest
from notifications.compose import ComposedEmail, _nfc, _single_line, _tidy_text, vn_date, vn_datetime


@dataclass(frozen=True)
class DigestWording:
    """What the digest says around its rounds: the sender's names and the links it gives."""

    issuer_name: str
    issuer_code: str
    governing_body: str
    scope: str  # "của phòng TĐC", "đang chạy"
    account_link: str  # where the staff member stops it or changes the address
    digest_time: str  # "07:30"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("notifications", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["vn_date"] = vn_date
    env.filters["vn_datetime"] = vn_datetime
    return env


def render_digest(digest: Digest, wording: DigestWording, until: datetime) -> ComposedEmail:
    """The digest as an email; `until` is the instant its content was read up to."""
    values = {"digest": digest, "until": until, "issuer_name": wording.issuer_name,
              "issuer_code": wording.issuer_code, "governing_body": wording.governing_body, "scope": wording.scope,
              "account_link": wording.account_link, "digest_time": wording.digest_time,
              "name_separator": NAME_SEPARATOR}
    env = _environment()
    subject, text, html = (env.get_template(f"_digest/digest.{part}.j2").render(values)
                           for part in ("subject", "txt", "html"))
    return ComposedEmail(subject=_single_line(subject), text=_tidy_text(text), html=_nfc(html).strip() + "\n")
