"""The rules for the people a round's letters name at their foot: a contact and a signer with a name, a phone number
that is one. Every create and edit applies them in rounds.check_new_round (the command line, the API, the web); the
web's form asks them of each field too, to show every mistake beside its field. Each rule says what is wrong in the
words the create form shows there."""
from __future__ import annotations

import re
from collections.abc import Mapping

from models import limits
from models.errors import InvalidInput
from models.text import grouped

PHONE = re.compile(rf"[0-9 +.\-()]{{6,{limits.PHONE}}}")
PHONE_RULE = f"Số điện thoại chỉ gồm chữ số, khoảng trắng và + . - ( ) (từ 6 đến {limits.PHONE} ký tự)."
# The names the letters carry, by field, and whose name each is.
PERSONS = {"contact_name": "người liên hệ", "signer_name": "người ký"}
CONTACT_FIELDS = ("contact_name", "contact_phone", "signer_name")  # the fields these rules hold to
KEPT_WARNING = "Giá trị đang lưu không theo quy định và sẽ được in nguyên như vậy trên công văn: {rule}"


def name_problem(field: str, name: str) -> str | None:
    """Why `name` cannot stand for the person `field` names (contact_name, signer_name), or None."""
    return None if name.strip() else f"Nhập họ tên {PERSONS[field]}."


def phone_problem(phone: str) -> str | None:
    """Why `phone` is not a phone number a letter can print, or None."""
    phone = phone.strip()
    return None if PHONE.fullmatch(phone) and any(c.isdigit() for c in phone) else PHONE_RULE


def rule_problem(field: str, value: str) -> str | None:
    """The words of the rule `value` breaks for `field` (one of CONTACT_FIELDS), or None."""
    return phone_problem(value) if field == "contact_phone" else name_problem(field, value)


def kept_warnings(kept: Mapping[str, str | None]) -> dict[str, str]:
    """field -> a warning, for each contact field a draft keeps (`kept`) that the rules now refuse: a phone "abc"
    saved before them. Said beside the field, it does not stop the draft's other fields being saved."""
    warnings = {}
    for field in CONTACT_FIELDS:
        if field in kept and (problem := rule_problem(field, kept[field] or "")) is not None:
            warnings[field] = KEPT_WARNING.format(rule=problem)
    return warnings


def check_contact(given: dict[str, str]) -> None:
    """`given` (field -> text, of contact_name, signer_name and contact_phone: those typed) as the create form
    checks them; InvalidInput naming the first wrong field ("contact_phone: …")."""
    for field, value in given.items():
        problem = rule_problem(field, value)
        if problem is not None:
            shown = f" {_quoted(value)} không phải số điện thoại." if field == "contact_phone" and value.strip() else ""
            raise InvalidInput(f"{field}:{shown} {problem}", "bad_phone" if field == "contact_phone"
                               else "missing_field")


def _quoted(value: str) -> str:
    """The phone typed, in quotes; its start and length when it is far longer than a phone can be (a paste)."""
    length = limits.length_of(value)
    return f'"{value}"' if length <= 2 * limits.PHONE else f'"{value[:limits.PHONE]}…" ({grouped(length)} ký tự)'


def check_round_contact(given: Mapping[str, str], kept: Mapping[str, str | None] | None = None) -> None:
    """The contact fields of a round being saved (`given`: field -> text, all of CONTACT_FIELDS) as check_contact
    checks them, except those equal to what `kept` holds: the values the round already has (a draft's edit) or
    carries over from the round it follows. Those were taken when that round was made, maybe before these rules; a
    draft saved with a phone "abc" stays editable (its title, say), and a follow-up is not refused over a field
    nobody typed in it."""
    check_contact({name: given[name] for name in _changed(given, kept)})


def contact_problems(given: Mapping[str, str], kept: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """field -> the words of the rule it breaks, for each field of `given` (all of CONTACT_FIELDS) that
    check_round_contact checks and refuses: every mistake at once, as a form shows them beside their fields."""
    return {name: problem for name in _changed(given, kept) if (problem := rule_problem(name, given[name])) is not None}


def _changed(given: Mapping[str, str], kept: Mapping[str, str | None] | None) -> list[str]:
    """The fields of CONTACT_FIELDS whose value in `given` is not the one `kept` holds (all of them without `kept`)."""
    return [name for name in CONTACT_FIELDS if kept is None or given[name].strip() != (kept.get(name) or "").strip()]
