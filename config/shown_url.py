"""A URL as it may be shown in a message, a page or a log: its password, if any, replaced by ***."""
from __future__ import annotations

MASK = "***"


def without_password(url: str) -> str:
    """"postgresql://ykien:***@db/ykien" for "postgresql://ykien:secret@db/ykien"; the user stays, to say which
    account is meant. Works on text that is not a valid URL too: it is what bad-value messages quote back."""
    scheme, separator, rest = url.partition("://")
    if not separator:  # "postgresql//ykien:secret@db": mistyped, yet its password is no less secret
        scheme, rest = "", url
    userinfo, at, host = rest.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    return f"{scheme}{separator}{userinfo.split(':', 1)[0]}:{MASK}@{host}"
