"""An email address as ykien keeps it, and why one is refused, in Vietnamese: the directory's CSV import, a unit's
page and a staff member's digest address all check an address here (email_validator, with its English reasons
translated from a table)."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from email_validator import EmailNotValidError, validate_email


class EmailRefused(ValueError):
    """An address email_validator refuses; `why` follows the address in a sentence: ": không có gì sau dấu @", or
    an example address when the reason is not one the table knows."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def normalized_email(text: str) -> str:
    """The address as kept (email_validator's normal form, the domain in ASCII), for the CSV import and the unit's
    page alike; raises EmailRefused. Mail goes out with an ASCII envelope, as most servers of the provinces take it:
    an accented name before the @ ("nguyễn@…", SMTPUTF8) would be refused at every sending, so it is refused here,
    and a Vietnamese domain ("sở.vn") is kept as the IDNA form mail servers use ("xn--s-lym.vn")."""
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        problem = email_problem(exc)
        raise EmailRefused(f": {problem}" if problem else " (ví dụ vanthu@caobang.gov.vn)") from None
    return checked.ascii_email or checked.normalized


_MARKS = {"period": "dấu chấm", "hyphen": "dấu gạch ngang"}
_PARTS = {None: "địa chỉ", "before": "phần trước dấu @", "after": "phần sau dấu @"}
_NOT_A_DOMAIN = "phần sau dấu @ không phải tên miền hợp lệ"
_ONLY_THE_ADDRESS = "chỉ ghi địa chỉ email, không ghi kèm tên hay dấu < >"


def _too_many(message: str) -> str:
    """ " (thừa 3 ký tự)" from email_validator's "(3 characters too many)"."""
    found = re.search(r"\((\d+(?:-\d+)?) (character|byte)s? too many", message)
    if not found:
        return ""
    return f" (thừa {found.group(1)} {'ký tự' if found.group(2) == 'character' else 'byte'})"


def _characters(listing: str | None) -> str:
    """email_validator's list of characters ("'ế', 'ở'", "SPACE", "NO-BREAK SPACE") as ": 'ế', 'ở'", ": dấu cách",
    ": U+00A0"; the characters themselves are kept, their English names become code points."""
    if not listing:
        return ""
    shown = []
    for item in listing.split(", "):
        if len(item) >= 3 and item[0] == item[-1] and item[0] in "'\"":
            shown.append(item)
            continue
        try:
            char = unicodedata.lookup(item)
        except KeyError:
            shown.append(item)  # "U+0085": a code point already
            continue
        shown.append("dấu cách" if char == " " else f"U+{ord(char):04X}")
    return ": " + ", ".join(shown)


# email_validator's reasons (version 2.x) in Vietnamese: the pattern, and what to say from its match.
_EMAIL_REASONS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"There must be something after the @-sign\."), lambda m: "không có gì sau dấu @"),
    (re.compile(r"There must be something before the @-sign\."), lambda m: "không có gì trước dấu @"),
    (re.compile(r"An email address must have an @-sign\."), lambda m: "thiếu dấu @"),
    (re.compile(r'The email address has the "full-width" at-sign.*'), lambda m: "có dấu ＠ (toàn khổ) thay cho dấu @"),
    (re.compile(r'The email address has the "small commercial at".*'), lambda m: "có dấu ﹫ thay cho dấu @"),
    (re.compile(r"(A display name|The display name|An open angle bracket|There can't be anything after).*"),
     lambda m: _ONLY_THE_ADDRESS),
    (re.compile(r"(Quoting the part before|Extra character\(s\) found after close quote|"
                r"The email address contains invalid characters in quotes).*"),
     lambda m: "không được đặt phần trước dấu @ trong ngoặc kép"),
    (re.compile(r"(A bracketed IP address|The address in brackets|The IPv6 address in brackets|"
                r"The part after the @-sign (in brackets|contains (invalid characters in brackets|an invalid "
                r"address literal))).*"),
     lambda m: "sau dấu @ phải là tên miền, không phải địa chỉ IP"),
    (re.compile(r"The email address is too long(?: (before|after) the @-sign)?.*"),
     lambda m: f"{_PARTS[m.group(1)]} dài quá giới hạn{_too_many(m.group(0))}"),
    (re.compile(r"After the @-sign, periods cannot be separated by so many characters.*"),
     lambda m: f"sau dấu @, mỗi phần giữa hai dấu chấm chỉ được dài tối đa 63 ký tự{_too_many(m.group(0))}"),
    (re.compile(r"Internationalized characters before the @-sign are not supported(?:: (.*))?\."),
     lambda m: f"phần trước dấu @ không được có chữ có dấu hay ký tự ngoài bảng mã ASCII{_characters(m.group(1))}"),
    (re.compile(r"The email address contains invalid characters before the @-sign(?:: (.*))?\."),
     lambda m: f"phần trước dấu @ có ký tự không hợp lệ{_characters(m.group(1))}"),
    (re.compile(r"The part after the @-sign contains invalid characters(?: after Unicode normalization)?"
                r"(?:: (.*)\.| \(.*\)\.|\.)"),
     lambda m: f"phần sau dấu @ có ký tự không hợp lệ{_characters(m.group(1))}"),
    (re.compile(r"The email address contains invalid characters after the @-sign after IDNA encoding\."),
     lambda m: "phần sau dấu @ có ký tự không hợp lệ"),
    (re.compile(r"The email address contains an invalid character\."), lambda m: "có ký tự không hợp lệ"),
    (re.compile(r"The email address contains unsafe characters: (.*)\."),
     lambda m: f"có ký tự không được dùng trong địa chỉ email{_characters(m.group(1))}"),
    (re.compile(r"The email address is not valid ASCII\."), lambda m: "có ký tự ngoài bảng mã ASCII"),
    (re.compile(r"An email address cannot start with a (period|hyphen)\."),
     lambda m: f"không được bắt đầu bằng {_MARKS[m.group(1)]}"),
    (re.compile(r"An email address cannot end with a (period|hyphen)\."),
     lambda m: f"không được kết thúc bằng {_MARKS[m.group(1)]}"),
    (re.compile(r"An email address cannot have a (period|hyphen) immediately (before|after) the @-sign\."),
     lambda m: f"không được có {_MARKS[m.group(1)]} ngay {'trước' if m.group(2) == 'before' else 'sau'} dấu @"),
    (re.compile(r"An email address cannot have two periods in a row\."), lambda m: "có hai dấu chấm liền nhau"),
    (re.compile(r"An email address cannot have a period and a hyphen next to each other\."),
     lambda m: "có dấu chấm và dấu gạch ngang đứng liền nhau"),
    (re.compile(r"An email address cannot have two letters followed by two dashes.*"),
     lambda m: "sau dấu @ hoặc sau dấu chấm không được có hai chữ cái rồi hai dấu gạch ngang (--), "
               "trừ tên miền dạng Punycode (xn--)"),
    (re.compile(r"The part after the @-sign is not valid\. It should have a period\."),
     lambda m: "phần sau dấu @ thiếu dấu chấm (ví dụ caobang.gov.vn)"),
    (re.compile(r"The part after the @-sign is not valid\. It is not within a valid top-level domain\."),
     lambda m: "phần sau dấu @ không có đuôi tên miền hợp lệ (như .vn, .com)"),
    (re.compile(r"The part after the @-sign is a special-use or reserved name.*"),
     lambda m: "phần sau dấu @ là tên miền dành riêng, không dùng được cho thư điện tử"),
    (re.compile(r"The part after the @-sign (is not valid IDNA|is invalid|became invalid).*"), lambda m: _NOT_A_DOMAIN),
    (re.compile(r"After Unicode normalization: (.*)"),
     lambda m: f"sau khi chuẩn hóa Unicode, {email_problem(m.group(1)) or 'địa chỉ không hợp lệ'}"),
]


def email_problem(error: EmailNotValidError | str) -> str | None:
    """Why email_validator refused an address, in Vietnamese ("không có gì sau dấu @"); None for a reason this
    table does not know yet (a newer email_validator), which the caller says without its English."""
    message = str(error)
    for pattern, say in _EMAIL_REASONS:
        found = pattern.fullmatch(message)
        if found:
            return say(found)
    return None
