"""Compose the Vietnamese emails of a round (subject, plain text, HTML) from Jinja2 templates.

Template names are "<set>/<kind>", e.g. "consultation/invitation"; see `template_names()`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

import jinja2

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

KINDS = ("invitation", "reminder_before", "reminder_overdue", "extension", "receipt")
ROLES = ("comment", "publish", "inform")
RESPONSE_KINDS = ("comments", "agree", "proposals")

COMMON_KEYS = frozenset(
    {
        "unit_name",
        "unit_code",
        "unit_contact",
        "round_title",
        "subject",
        "deadline",
        "link",
        "role",
        "issuer_name",
        "governing_body",
        "contact_name",
        "contact_title",
        "contact_phone",
        "signer_name",
        "signer_title",
        "silence_is_agreement",
        "reference",
    }
)
KIND_KEYS: Mapping[str, frozenset[str]] = {
    "invitation": frozenset(),
    "reminder_before": frozenset(),
    "reminder_overdue": frozenset({"days_overdue"}),
    "extension": frozenset({"old_deadline", "new_deadline", "reason"}),
    "receipt": frozenset({"response_kind", "comment_count", "received_at", "late", "comments"}),
}

_FORMATS = ("subject", "txt", "html")


@dataclass(frozen=True)
class ComposedEmail:
    """One rendered email: a single-line subject, a plain-text body and an HTML body (NFC)."""

    subject: str
    text: str
    html: str


class TemplateNotFound(LookupError):
    """The template name is not one of `template_names()`."""


class TemplateContextError(ValueError):
    """The context lacks a key the template needs, or holds a value it cannot use."""


def vn_date(value: date) -> str:
    """Format as "05/12/2025" (aware datetimes are first moved to Vietnam time)."""
    return _local_date(value).strftime("%d/%m/%Y")


def vn_long_date(value: date) -> str:
    """Format as "ngày 05 tháng 12 năm 2025", as in the date line of a letter."""
    day = _local_date(value)
    return f"ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def vn_datetime(value: datetime) -> str:
    """Format an aware datetime as "14:05 ngày 05/12/2025" in Asia/Ho_Chi_Minh."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"datetime {value.isoformat()} has no time zone")
    local = value.astimezone(VIETNAM_TZ)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def _local_date(value: date) -> date:
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            value = value.astimezone(VIETNAM_TZ)
        return value.date()
    return value


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("notifications", "templates"),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2",), default_for_string=False, default=False
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["vn_date"] = vn_date
    env.filters["vn_long_date"] = vn_long_date
    env.filters["vn_datetime"] = vn_datetime
    return env


@cache
def _names() -> tuple[str, ...]:
    # A template exists when its set directory holds all three files of a known kind.
    files = set(_environment().list_templates(extensions=["j2"]))
    sets = {name.split("/", 1)[0] for name in files if "/" in name and not name.startswith("_")}
    return tuple(
        f"{template_set}/{kind}"
        for template_set in sorted(sets)
        for kind in KINDS
        if all(f"{template_set}/{kind}.{fmt}.j2" in files for fmt in _FORMATS)
    )


def template_names() -> list[str]:
    """All composable templates, e.g. ["consultation/extension", ..., "proposal_call/receipt"]."""
    return list(_names())


def compose(template: str, context: Mapping[str, object]) -> ComposedEmail:
    """Render one email; raise TemplateNotFound or TemplateContextError naming the template."""
    if template not in _names():
        known = ", ".join(_names())
        raise TemplateNotFound(f"unknown email template {template!r} (known: {known})")
    _check_context(template, context)
    env = _environment()
    values = dict(context)
    try:
        subject, text, html = (
            env.get_template(f"{template}.{fmt}.j2").render(values) for fmt in _FORMATS
        )
    except jinja2.UndefinedError as exc:
        raise TemplateContextError(f"{template}: {exc}") from exc
    return ComposedEmail(
        subject=_single_line(subject), text=_tidy_text(text), html=_nfc(html).strip() + "\n"
    )


def _check_context(template: str, context: Mapping[str, object]) -> None:
    kind = template.split("/", 1)[1]
    missing = sorted((COMMON_KEYS | KIND_KEYS[kind]) - context.keys())
    if missing:
        raise TemplateContextError(f"{template}: missing context keys: {', '.join(missing)}")
    _check_choice(template, context, "role", ROLES)
    if kind == "receipt":
        _check_choice(template, context, "response_kind", RESPONSE_KINDS)


def _check_choice(
    template: str, context: Mapping[str, object], key: str, allowed: tuple[str, ...]
) -> None:
    if context[key] not in allowed:
        raise TemplateContextError(
            f"{template}: {key} must be one of {', '.join(allowed)}, got {context[key]!r}"
        )


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def _single_line(value: str) -> str:
    return " ".join(_nfc(value).split())


_BLANK_RUN = re.compile(r"\n{3,}")


def _tidy_text(value: str) -> str:
    # Templates stay readable with generous blank lines; the email gets at most one in a row.
    lines = (line.rstrip() for line in _nfc(value).splitlines())
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip() + "\n"
