"""Where outgoing mail goes: an SMTP server described by one URL (YKIEN_SMTP_URL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

TlsMode = Literal["none", "starttls", "implicit"]

_SCHEMES: dict[str, tuple[TlsMode, int]] = {
    "smtp": ("none", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("implicit", 465),
}


class SmtpUrlError(ValueError):
    """The SMTP URL cannot be used; the message names the setting and hides the password."""


@dataclass(frozen=True)
class SmtpTarget:
    """An SMTP server to deliver to, with optional login and the TLS mode to use."""

    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: TlsMode = "none"
    timeout: float = 30
    # EHLO name; None means the machine's fully qualified name.
    local_hostname: str | None = None
    # PEM file of the CA certificates the server's TLS certificate is checked against (YKIEN_SMTP_CA_FILE);
    # None means the system's trust store. Never used to skip the check.
    ca_file: str | None = None


def parse_smtp_url(url: str, *, setting: str = "YKIEN_SMTP_URL") -> SmtpTarget:
    """Parse smtp://, smtp+starttls:// or smtps://[user[:password]@]host[:port][?timeout=S&helo=NAME]."""
    shown = _without_password(url)

    def fail(problem: str) -> SmtpUrlError:
        return SmtpUrlError(f"{setting}: {problem} in {shown!r}")

    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise fail(f"malformed URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        expected = ", ".join(f"{name}://" for name in _SCHEMES)
        raise fail(f"unknown scheme {parts.scheme!r} (expected {expected})")
    if not parts.hostname:
        raise fail("missing host name")
    if parts.path not in ("", "/") or parts.fragment:
        raise fail("unexpected path (write only scheme://host:port)")
    tls, default_port = _SCHEMES[scheme]

    timeout = 30.0
    local_hostname = None
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "timeout":
            try:
                timeout = float(value)
            except ValueError:
                raise fail(f"timeout must be a number of seconds, got {value!r}") from None
            if timeout <= 0:
                raise fail(f"timeout must be positive, got {value!r}")
        elif key == "helo" and value:
            local_hostname = value
        else:
            raise fail(f"unknown option {key!r} (known: timeout, helo)")

    return SmtpTarget(
        host=parts.hostname,
        port=port if port is not None else default_port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        tls=tls,
        timeout=timeout,
        local_hostname=local_hostname,
    )


def _without_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    userinfo, at, hostpart = rest.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:***@{hostpart}"
