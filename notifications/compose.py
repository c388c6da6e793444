"""Compose the Vietnamese emails of a round (subject, plain text, HTML) from Jinja2 templates.

One generic set (templates/_generic) serves every kind of round; the kind's words come in the
context as `terms`, and a kind may override any template in its own folder: see templates/README.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from config.file_words import not_utf8
from config.os_words import os_reason
from notifications.documents.data import signature_lines

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

MESSAGE_KINDS = ("invitation", "reminder_before", "reminder_overdue", "extension", "receipt", "task_reminder",
                 "task_receipt")
# The message that opens a unit's conversation in a round; every later message to the unit in the round (a reminder,
# an extension, a receipt, a task's mail) answers it (In-Reply-To, References), so that its mail program threads them.
OPENING_KIND = "invitation"
# The messages no person sends (a timer's reminder, the receipt of an answer, the staff's digest): they go out marked
# Auto-Submitted, so that out-of-office replies stay away. An invitation or an extension is the Sở's act, sent when
# staff launch or extend a round: a unit's auto-reply to it ("nghỉ phép đến …") is worth reading.
AUTOMATIC_KINDS = frozenset(
    {"reminder_before", "reminder_overdue", "receipt", "task_reminder", "task_receipt", "digest"}
)
ROLES = ("comment", "publish", "inform")
RESPONSE_KINDS = ("comments", "agree", "proposals")
PARTS = ("subject", "txt", "html")
GENERIC_SET = "_generic"

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
        "terms",
        "silence",
        "reference",
    }
)
# Keys a context may leave out, with the value templates then see: `letter` ("Công văn số 12/SKHCN-TĐC ngày
# 10/11/2025") is None until the round's letter has a number.
# dates: the named dates of the round's kind, (title, day) pairs ("Ngày tổ chức hội thảo", 20/8/2025)
# contact_email: the Sở's contact mailbox (YKIEN_REPLY_TO), where a reply to the email goes too; None when unset.
# draft_file: the name of the draft's file the unit downloads at its link, signed_letter: (title, file name) of the
# round's signed letter there; both None when the link offers none (an email names only what is there).
# invited_on: the day the unit's invitation of the round went, which a later email cites as the request when the
# round's letter has no number; None for the invitation itself, or when the unit has none.
# letter_title: the title of the kind's letter ("Công văn xin ý kiến"), by which a later email names the request to a
# unit whose invitation failed while the letter has no number; None for a kind without a letter.
OPTIONAL_KEYS: Mapping[str, object] = {"letter": None, "dates": (), "contact_email": None, "draft_file": None,
                                       "signed_letter": None, "invited_on": None, "letter_title": None}
MESSAGE_KEYS: Mapping[str, frozenset[str]] = {
    "invitation": frozenset(),
    "reminder_before": frozenset(),
    "reminder_overdue": frozenset({"days_overdue"}),
    "extension": frozenset({"old_deadline", "new_deadline", "reason"}),
    "receipt": frozenset({"response_kind", "comment_count", "received_at", "late", "comments"}),
    # a preparatory task assigned to the unit (workflows/service/assignments.py): its title and own due date
    "task_reminder": frozenset({"task_title", "task_due", "days_overdue"}),
    "task_receipt": frozenset({"task_title", "task_due", "received_at", "late"}),
}
# The terms each generic message reads; those in BY_ROLE are mappings read at the unit's role,
# `received` at the response kind.
TERMS_USED: Mapping[str, tuple[str, ...]] = {
    "invitation": ("request", "response", "deadline_label", "link_hint"),
    "reminder_before": ("awaited", "purpose", "link_hint"),
    "reminder_overdue": ("awaited", "purpose", "link_hint"),
    "extension": ("awaited", "link_hint"),
    "receipt": ("received", "verb"),
    "task_reminder": ("purpose",),
    "task_receipt": (),
}
BY_ROLE = frozenset({"request", "link_hint", "awaited"})

_SET_NAME = re.compile(r"^[a-z][a-z0-9_]*$")  # a kind's name; "_generic", "_layout" are not sets


@dataclass(frozen=True)
class ComposedEmail:
    """One rendered email: a single-line subject, a plain-text body and an HTML body (NFC)."""

    subject: str
    text: str
    html: str


class TemplateNotFound(LookupError):
    """The message kind is not one of MESSAGE_KINDS, or the template set is not a kind's name."""


class TemplateContextError(ValueError):
    """The context lacks a key or a term the template needs, or holds a value it cannot use."""


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


@lru_cache(maxsize=16)
def _environment(own: tuple[str, tuple[Path, ...]] | None = None) -> jinja2.Environment:
    """ykien's templates, with a kind's own folders (`own`: its name and folders) mapped in front of
    templates/<kind>/. ykien's files are read once; a department's are checked for edits on use."""
    loader: jinja2.BaseLoader = jinja2.PackageLoader("notifications", "templates")
    if own is not None:
        template_set, folders = own
        kind_loader = jinja2.FileSystemLoader([str(folder) for folder in folders])
        loader = jinja2.ChoiceLoader([jinja2.PrefixLoader({template_set: kind_loader}), loader])
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2",), default_for_string=False, default=False
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=own is not None,
    )
    env.filters["vn_date"] = vn_date
    env.filters["vn_long_date"] = vn_long_date
    env.filters["vn_datetime"] = vn_datetime
    env.filters["signature_lines"] = signature_lines  # "KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC" as the letter signs it
    return env


def compose(
    message: str,
    context: Mapping[str, object],
    *,
    template_set: str | None = None,
    search_path: Iterable[Path] = (),
) -> ComposedEmail:
    """Render one email of `message` kind (invitation, ..., receipt).

    Each part (subject, txt, html) is the first found of: <message>.<part>.j2 in the folders of
    `search_path` (a department's kind keeps its own there), templates/<template_set>/, templates/_generic/.
    Raise TemplateNotFound for an unknown message or set name, TemplateContextError naming what is missing.
    """
    if message not in MESSAGE_KINDS:
        raise TemplateNotFound(
            f"unknown message kind {message!r} (known: {', '.join(MESSAGE_KINDS)})"
        )
    if template_set is not None and not _SET_NAME.match(template_set):
        raise TemplateNotFound(f"{message}: template set {template_set!r} is not a kind's name")
    folders = tuple(Path(folder) for folder in search_path)
    if folders and template_set is None:
        raise TemplateNotFound(f"{message}: a search path holds a kind's own templates: name the kind")
    where = f"{template_set}/{message}" if template_set else message
    _check_context(where, message, context)
    values = {**OPTIONAL_KEYS, **context}
    try:
        subject, text, html = (
            _template(template_set, message, part, folders).render(values) for part in PARTS
        )
    except jinja2.UndefinedError as exc:
        raise TemplateContextError(f"{where}: {exc}") from exc
    return ComposedEmail(
        subject=_single_line(subject), text=_tidy_text(text), html=_nfc(html).strip() + "\n"
    )


def _template(
    template_set: str | None, message: str, part: str, folders: tuple[Path, ...]
) -> jinja2.Template:
    if template_set is None or not folders:
        return _shipped_template(template_set, message, part)
    # A department's folder: looked up on every email, so a file added there is used at once.
    return _environment((template_set, folders)).select_template(
        _candidates(template_set, message, part)
    )


@lru_cache(maxsize=256)
def _shipped_template(template_set: str | None, message: str, part: str) -> jinja2.Template:
    # ykien's own files do not change while it runs: resolve each name once, not per email.
    return _environment().select_template(_candidates(template_set, message, part))


def _candidates(template_set: str | None, message: str, part: str) -> list[str]:
    names = [f"{GENERIC_SET}/{message}.{part}.j2"]
    if template_set is not None:
        names.insert(0, f"{template_set}/{message}.{part}.j2")
    return names


def check_template_set(folder: Path) -> list[str]:
    """Problems of a kind's template folder: files not named <message>.<part>.j2, syntax errors.

    For `workflow validate`: a misspelt file name would otherwise be ignored without a word.
    """
    problems: list[str] = []
    env = _environment()
    for path in sorted(Path(folder).glob("*")):
        message, _, rest = path.name.partition(".")
        if message not in MESSAGE_KINDS or rest not in {f"{part}.j2" for part in PARTS}:
            problems.append(
                f"{path}: không phải mẫu thư: hãy đặt tên <thư>.subject.j2, <thư>.txt.j2 hoặc <thư>.html.j2,"
                f" với <thư> là một trong: {', '.join(MESSAGE_KINDS)}"
            )
            continue
        try:
            env.parse(path.read_text(encoding="utf-8"), path.name, str(path))
        except jinja2.TemplateSyntaxError as exc:
            problems.append(f"{path}:{exc.lineno}: lỗi cú pháp mẫu Jinja: {exc.message}")
        except UnicodeDecodeError as exc:
            problems.append(f"{path}: {not_utf8(exc.start + 1)}")
        except OSError as exc:
            problems.append(f"{path}: không đọc được tệp: {os_reason(exc)}")
    return problems


def _check_context(where: str, message: str, context: Mapping[str, object]) -> None:
    missing = sorted((COMMON_KEYS | MESSAGE_KEYS[message]) - context.keys())
    if missing:
        raise TemplateContextError(f"{where}: missing context keys: {', '.join(missing)}")
    _check_choice(where, context, "role", ROLES)
    if message == "receipt":
        _check_choice(where, context, "response_kind", RESPONSE_KINDS)
    silence = context["silence"]
    if silence is not None and not isinstance(silence, str):
        raise TemplateContextError(f"{where}: silence must be the sentence or None, got {silence!r}")
    _check_terms(where, message, context)


def _check_terms(where: str, message: str, context: Mapping[str, object]) -> None:
    terms = context["terms"]
    if not isinstance(terms, Mapping):
        raise TemplateContextError(f"{where}: terms must be a mapping, got {type(terms).__name__}")
    for name in TERMS_USED[message]:
        if name not in terms:
            raise TemplateContextError(f"{where}: missing term {name!r} (terms: of the definition)")
        key = _term_key(name, context)
        if key is not None and (not isinstance(terms[name], Mapping) or key not in terms[name]):
            raise TemplateContextError(f"{where}: missing term '{name}.{key}' (terms: of the definition)")


def _term_key(name: str, context: Mapping[str, object]) -> object:
    """The entry of a mapping term this email reads: the unit's role, or the kind of its answer."""
    if name in BY_ROLE:
        return context["role"]
    if name == "received":
        return context["response_kind"]
    return None


def _check_choice(
    where: str, context: Mapping[str, object], key: str, allowed: tuple[str, ...]
) -> None:
    if context[key] not in allowed:
        raise TemplateContextError(
            f"{where}: {key} must be one of {', '.join(allowed)}, got {context[key]!r}"
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
