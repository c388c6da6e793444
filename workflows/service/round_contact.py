"""The rules for the people a round's letters name at their foot, as every place that takes them applies them (the
web's create form, the command line's create and edit): a contact and a signer with a name, a phone number that is
one. Each rule says what is wrong in the words the create form shows beside its field."""
from __future__ import annotations

import re

from models import limits
from models.errors import InvalidInput

PHONE = re.compile(rf"[0-9 +.\-()]{{6,{limits.PHONE}}}")
PHONE_RULE = "Số điện thoại chỉ gồm chữ số, khoảng trắng và + . - ( ) (ít nhất 6 ký tự)."
# The names the letters carry, by field, and whose name each is.
PERSONS = {"contact_name": "người liên hệ", "signer_name": "người ký"}


def name_problem(field: str, name: str) -> str | None:
    """Why `name` cannot stand for the person `field` names (contact_name, signer_name), or None."""
    return None if name.strip() else f"Nhập họ tên {PERSONS[field]}."


def phone_problem(phone: str) -> str | None:
    """Why `phone` is not a phone number a letter can print, or None."""
    phone = phone.strip()
    return None if PHONE.fullmatch(phone) and any(c.isdigit() for c in phone) else PHONE_RULE


def check_contact(given: dict[str, str]) -> None:
    """`given` (field -> text, of contact_name, signer_name and contact_phone: those typed) as the create form
    checks them; InvalidInput naming the first wrong field ("contact_phone: …")."""
    for field, value in given.items():
        problem = phone_problem(value) if field == "contact_phone" else name_problem(field, value)
        if problem is not None:
            shown = f" \"{value}\" không phải số điện thoại." if field == "contact_phone" and value.strip() else ""
            raise InvalidInput(f"{field}:{shown} {problem}", "bad_phone" if field == "contact_phone"
                               else "missing_field")
