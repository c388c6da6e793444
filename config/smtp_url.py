"""Where outgoing mail goes: an SMTP server described by one URL (YKIEN_SMTP_URL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from config.shown_url import without_password

TlsMode = Literal["none", "starttls", "implicit"]

_SCHEMES: dict[str, tuple[TlsMode, int]] = {
    "smtp": ("none", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("implicit", 465),
}


_EXAMPLE = "ví dụ smtp+starttls://tai-khoan:mat-khau@mail.tinh.gov.vn:587"


def _in_words(error: ValueError) -> str:
    """urllib's complaint about a URL, in Vietnamese for the usual ones."""
    text = str(error)
    if "out of range" in text:
        return "cổng phải từ 1 đến 65535"
    if "invalid literal" in text or "Port could not be cast" in text:
        return "cổng phải là một số"
    if "Invalid IPv6 URL" in text:
        return "địa chỉ IPv6 thiếu dấu ]"
    return text


class SmtpUrlError(ValueError):
    """The SMTP URL cannot be used; the message names the setting and hides the password, `problem` says what is
    wrong with the URL as shown (for a caller that names the setting itself)."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"{setting}: {problem}")
        self.problem = problem


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
    shown = without_password(url)

    def fail(problem: str) -> SmtpUrlError:
        return SmtpUrlError(setting, f'"{shown}": {problem}')

    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise fail(f"không phải địa chỉ máy chủ thư ({_in_words(exc)}); {_EXAMPLE}") from None
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        expected = ", ".join(f"{name}://" for name in _SCHEMES)
        found = f'không có giao thức "{parts.scheme}"' if parts.scheme else "thiếu giao thức"
        raise fail(f"{found} (chỉ dùng {expected}); {_EXAMPLE}")
    if not parts.hostname:
        raise fail(f"thiếu tên máy chủ; {_EXAMPLE}")
    if port == 0:
        raise fail(f"không phải địa chỉ máy chủ thư (cổng phải từ 1 đến 65535); {_EXAMPLE}")
    if parts.path not in ("", "/") or parts.fragment:
        raise fail(f"không được có đường dẫn sau tên máy chủ (chỉ viết giao thức://máy-chủ:cổng); {_EXAMPLE}")
    tls, default_port = _SCHEMES[scheme]

    timeout = 30.0
    local_hostname = None
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "timeout":
            try:
                timeout = float(value)
            except ValueError:
                raise fail(f'timeout phải là số giây, không phải "{value}"') from None
            if not timeout > 0 or timeout == float("inf"):
                raise fail(f'timeout phải là số giây lớn hơn 0, không phải "{value}"')
        elif key == "helo" and value:
            local_hostname = value
        else:
            raise fail(f'không có tùy chọn "{key}" (các tùy chọn: timeout, helo)')

    return SmtpTarget(
        host=parts.hostname,
        port=port if port is not None else default_port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        tls=tls,
        timeout=timeout,
        local_hostname=local_hostname,
    )
