"""Process settings read from `YKIEN_*` environment variables (pydantic-settings)."""

from __future__ import annotations

import difflib
import math
import os
import re
import ssl
import stat
import unicodedata
from datetime import datetime, time
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.os_words import os_reason
from config.pkcs11_library import pkcs11_library_problem
from config.shown_url import without_password
from config.single_line import single_line_problem
from config.smtp_url import SmtpUrlError, parse_smtp_url
from config.symbol_code import is_symbol_code
from config.validation_words import said_in_vietnamese

ENV_PREFIX = "YKIEN_"

# Deliberately looser than email_validator: the default sender uses the reserved
# `.localhost` domain, which email_validator refuses as a special-use name.
_EMAIL_SHAPE = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)


_CLOCK_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


def parse_digest_time(text: str) -> time:
    """"07:30" -> time(7, 30): YKIEN_DIGEST_TIME's form. ValueError in Vietnamese for anything else."""
    found = _CLOCK_TIME.fullmatch(text.strip())
    if found is None:
        raise ValueError(f'"{text.strip()}" không phải giờ dạng HH:MM (từ 00:00 đến 23:59), ví dụ 07:30')
    return time(int(found.group(1)), int(found.group(2)))


NOW_YEARS = (1900, 2999)  # what YKIEN_NOW may freeze the clock at
SHORTEST_SECRET_KEY = 32
LONGEST_ISSUER_CODE = 20
# The names that head every letter ("UBND TỈNH BÀ RỊA - VŨNG TÀU" is 27 characters): a longer one is a value pasted
# by mistake, which would be printed across the letter's header.
LONGEST_BODY_NAME = 120
LONGEST_ADDRESS = 300  # as a round's own department_address (models.limits.DOCUMENT_TEXT)
_NAME_EXAMPLES = {"issuer_name": "Sở Khoa học và Công nghệ", "governing_body": "UBND tỉnh Cao Bằng",
                  "place_name": "Cao Bằng"}


DEFAULT_HOME = Path("~/.ykien")


KEPT_AS_TYPED = ("pkcs11_token", "pkcs11_key")
_QUOTE_PAIRS = {('"', '"'), ("'", "'"), ("\u201c", "\u201d"), ("\u2018", "\u2019")}  # also Word's curly quotes
_READ_ONLY_FOLDERS = ("workflows_dir", "trust_roots")  # folders ykien reads and never makes
_FOLDER_EXAMPLES = {"home": "/srv/ykien", "workflows_dir": "/srv/ykien/workflows",
                    "trust_roots": "/srv/ykien/trust-roots (thư mục chứa các tệp .pem, .crt, .cer, .der)"}


def quoted_value_problem(value: str, echo: bool = True) -> str | None:
    """What is wrong with an environment variable's value wrapped in quotes, as its message says it (the value shown
    with any password masked, or not at all unless `echo`); None for a value without them."""
    text = value.strip()
    if len(text) < 2 or (text[0], text[-1]) not in _QUOTE_PAIRS:
        return None
    if not echo:
        return "nằm trong dấu nháy; hãy bỏ dấu nháy ở hai đầu (dấu nháy được đọc là một phần của giá trị)"
    return (f"{without_password(text)} nằm trong dấu nháy; hãy bỏ dấu nháy ở hai đầu, ghi "
            f"{without_password(text[1:-1].strip())} (tệp --env-file của docker hay giá trị trong YAML giữ dấu nháy "
            "như một phần của giá trị)")


def _mode_of(path: Path) -> int | None:
    """The file type bits of `path`, None when nothing is there; ValueError, in Vietnamese, when the system cannot
    look it up (a name too long, a folder ykien may not enter)."""
    try:
        return path.stat().st_mode
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ValueError(f'"{path}": không dùng được đường dẫn này ({os_reason(error)})') from None


class SettingsError(ValueError):
    """A setting has a bad value; the message names the environment variable."""


class Settings(BaseSettings):
    """Everything a ykien process needs to know about its environment.

    Build it with `load_settings()`, which turns validation errors into `SettingsError`.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, populate_by_name=True, extra="forbid", frozen=True
    )

    home: Path = DEFAULT_HOME
    database_url: str | None = None
    smtp_url: str | None = None
    from_address: str = Field("ykien@skhcn.localhost", validation_alias=f"{ENV_PREFIX}FROM")
    # The Sở's contact mailbox, read by a person: the Reply-To of every letter to units (a clerk's reply with a
    # question or comments reaches it, not the sending address) and the address the letters give for questions
    reply_to: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    timezone: str = "Asia/Ho_Chi_Minh"
    now: datetime | None = None
    calendar_file: Path | None = None
    workflows_dir: Path | None = None
    smtp_connections: int = 8
    # PEM file of the CA certificates the SMTP server's TLS certificate is checked against (smtp+starttls://,
    # smtps://); unset means the system's trust store. A certificate that does not verify keeps mail waiting.
    smtp_ca_file: Path | None = None
    # Replicas (several `ykien serve` on one database): due rows are claimed this many at a time, so that replicas
    # share a fan-out; each process renews its heartbeat row every heartbeat_seconds, and one silent for
    # stale_after_seconds (on the app's clock) is dead: another process takes its claimed rows over.
    claim_size: int = Field(50, ge=1, le=2000)
    heartbeat_seconds: float = Field(5.0, gt=0, le=600, allow_inf_nan=False)
    stale_after_seconds: float = Field(20.0, gt=0, le=3600, allow_inf_nan=False)
    issuer_name: str = "Sở Khoa học và Công nghệ"
    # Where units send what a letter asks for on paper ("địa chỉ: tầng 6 tòa nhà C …"): the call for proposals and
    # the report request say it, with YKIEN_REPLY_TO as the mailbox, unless a round's document inputs give their own
    issuer_address: str | None = None
    governing_body: str = "UBND tỉnh Cao Bằng"
    place_name: str = "Cao Bằng"
    issuer_code: str = "SKHCN"
    secret_key: str | None = None
    max_upload_mb: int = Field(20, ge=1, le=200)
    # Threads of one web process that run requests' blocking work (database, SMTP): anyio's default of 40 only adds
    # switching on a small server, and 8 cost a sixth more CPU per answer than 4 on 2 cores (benchmarks, 3 December
    # 2026); a request beyond them waits its turn
    request_threads: int = Field(4, ge=1, le=200)
    session_idle_minutes: int = Field(60, ge=5, le=24 * 60)
    session_hours: int = Field(10, ge=1, le=7 * 24)
    trusted_proxy_header: str | None = None
    # Ký số: the root certificates (PEM or DER) replies are checked against, and an RFC 3161 timestamp server
    trust_roots: Path | None = None
    timestamp_url: str | None = None
    # The USB token plugged into the server that signs from the web (its driver, token and key labels); the PIN is
    # typed in the form each time, never stored
    pkcs11_library: Path | None = None
    pkcs11_token: str | None = None
    pkcs11_key: str | None = None
    # The local time after which each working day's digest goes to the staff who asked for it (HH:MM)
    digest_time: str = "07:30"
    # How `ykien serve` and `ykien worker` write their log lines on stderr: "text" (one readable line each) or
    # "json" (one JSON object a line, for a log collector)
    log_format: Literal["text", "json"] = "text"
    # The Prefect work pool `ykien serve` submits the step flow runs to and `ykien worker` pulls them from (when
    # PREFECT_API_URL is set)
    work_pool: str = "ykien"

    @field_validator("database_url", "smtp_url", "calendar_file", "workflows_dir", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("database_url", mode="after")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value is not None:
            check_database_url(value)
        return value

    @field_validator("smtp_url", mode="after")
    @classmethod
    def _check_smtp_url(cls, value: str | None) -> str | None:
        # Checked whole here, not first where mail is sent: a typo stops every command at once, naming the setting,
        # instead of surfacing as mail that waits (or as a traceback) after a round went out.
        if value is not None:
            try:
                parse_smtp_url(value)
            except SmtpUrlError as error:
                raise ValueError(error.problem) from None
        return value

    @field_validator("smtp_ca_file", mode="before")
    @classmethod
    def _blank_ca_file_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("smtp_ca_file", mode="after")
    @classmethod
    def _check_ca_file(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        value = _absolute(value)
        if not stat.S_ISREG(_mode_of(value) or 0):
            raise ValueError(f'"{value}" không phải một tệp; hãy ghi đường dẫn tệp PEM chứa chứng chỉ của CA đã cấp '
                             "chứng chỉ cho máy chủ thư")
        try:  # a file that holds no certificate failed only when mail went out, in OpenSSL's English
            ssl.create_default_context(cafile=str(value))
        except ssl.SSLError:
            raise ValueError(f'"{value}": không có chứng chỉ nào đọc được trong tệp này; hãy ghi tệp PEM (bắt đầu '
                             "bằng -----BEGIN CERTIFICATE-----) của CA đã cấp chứng chỉ cho máy chủ thư") from None
        except OSError as error:
            raise ValueError(f'"{value}": không đọc được tệp này ({os_reason(error)})') from None
        return value

    @field_validator("home", "workflows_dir", "trust_roots", mode="after")
    @classmethod
    def _folder_if_there(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        # absolute, so that workers started elsewhere agree on where the home is. A folder not there yet is fine
        # (`ykien init` makes the home); a file there is a wrong path, which would otherwise surface later as an
        # error naming no setting, or as the department's kinds or roots missing
        if value is None:
            return None
        value = _absolute(value)
        mode = _mode_of(value)
        if mode is not None and not stat.S_ISDIR(mode):
            raise ValueError(f'"{value}" không phải thư mục; hãy ghi đường dẫn một thư mục, ví dụ '
                             f"{_FOLDER_EXAMPLES[str(info.field_name)]}")
        if mode is None and info.field_name in _READ_ONLY_FOLDERS:
            # nothing makes these folders: a typo in the name meant, silently, no department kinds or no trust roots
            raise ValueError(f'"{value}": không có thư mục này; hãy tạo thư mục đó hoặc sửa đường dẫn, ví dụ '
                             f"{_FOLDER_EXAMPLES[str(info.field_name)]}")
        return value

    @field_validator("calendar_file", mode="after")
    @classmethod
    def _file_if_there(cls, value: Path | None) -> Path | None:
        # a file not there yet is fine: `ykien init` writes the example there, and the calendar says when it is missing
        if value is None:
            return None
        value = _absolute(value)
        mode = _mode_of(value)
        if mode is not None and not stat.S_ISREG(mode):
            raise ValueError(f'"{value}" không phải tệp; hãy ghi đường dẫn tệp lịch YAML, ví dụ '
                             "/srv/ykien/calendar.yaml")
        if mode is None and _mode_of(value.parent) is None:  # `ykien init` would migrate, then fail to write it
            raise ValueError(f'"{value}": không có thư mục "{value.parent}"; hãy tạo thư mục đó hoặc sửa đường dẫn, '
                             "ví dụ /srv/ykien/calendar.yaml")
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _log_format_as_typed(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value  # spaces around: _without_spaces_around

    @field_validator("digest_time", mode="before")
    @classmethod
    def _check_digest_time(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            parse_digest_time(value)
        return value

    @field_validator("work_pool", mode="after")
    @classmethod
    def _check_work_pool(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}", value):
            raise ValueError(f'"{value}" không phải tên work pool hợp lệ; chỉ dùng chữ cái không dấu, chữ số, dấu '
                             '"-", "_" hoặc ".", tối đa 100 ký tự, ví dụ ykien')
        return value

    @field_validator("trusted_proxy_header", mode="before")
    @classmethod
    def _check_header_name(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if not re.fullmatch(r"[A-Za-z0-9-]{1,60}", value):
                raise ValueError(f'"{value}" không phải tên tiêu đề HTTP; chỉ gồm chữ cái không dấu, chữ số và dấu -, '
                                 "ví dụ X-Forwarded-For hoặc X-Real-IP")
        return value

    @field_validator("trust_roots", "timestamp_url", "pkcs11_library", "pkcs11_token", "pkcs11_key", mode="before")
    @classmethod
    def _blank_signing_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("trust_roots", mode="after")
    @classmethod
    def _expand_trust_roots(cls, value: Path | None) -> Path | None:
        return _absolute(value) if value is not None else None

    @field_validator("pkcs11_library", mode="after")
    @classmethod
    def _check_pkcs11_library(cls, value: Path | None) -> Path | None:
        # Checked here, as the other paths are: a wrong one failed only when staff signed, in PKCS11's English
        if value is None:
            return None
        value = _absolute(value)
        problem = pkcs11_library_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @property
    def signing_token(self) -> tuple[Path, str, str] | None:
        """The server's USB token (driver, token label, key label) when all three are set, else None."""
        if self.pkcs11_library is None or not self.pkcs11_token or not self.pkcs11_key:
            return None
        return self.pkcs11_library, self.pkcs11_token, self.pkcs11_key

    @field_validator("home", mode="before")
    @classmethod
    def _blank_home_is_default(cls, value: Any) -> Any:
        # a blank YKIEN_HOME is unset, as the other paths are: read as a path, it was the working directory
        return DEFAULT_HOME if isinstance(value, str) and not value.strip() else value

    @field_validator("from_address", mode="before")
    @classmethod
    def _check_email_shape(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            if not _EMAIL_SHAPE.fullmatch(value):
                raise ValueError(f'"{value}" không phải địa chỉ email; hãy viết như ykien@skhcn.caobang.gov.vn')
        return value

    @field_validator("reply_to", mode="before")
    @classmethod
    def _check_reply_to(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = unicodedata.normalize("NFC", value.strip())
            if not value:
                return None
            if "<" in value or ">" in value or " " in value:
                raise ValueError(f'"{value}": chỉ ghi địa chỉ email, không kèm tên hay dấu < > (tên hiện ra là '
                                 "YKIEN_ISSUER_NAME), ví dụ tdc.skhcn@caobang.gov.vn")
            if not _EMAIL_SHAPE.fullmatch(value) or value.lower().endswith((".localhost", ".local", ".invalid")):
                raise ValueError(f'"{value}" không phải địa chỉ email nhận được thư; hãy ghi hộp thư do cán bộ của '
                                 "Sở đọc, ví dụ tdc.skhcn@caobang.gov.vn")
        return value

    @field_validator("base_url", mode="before")
    @classmethod
    def _check_base_url(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            example = "http://127.0.0.1:8000 hoặc https://ykien.skhcn.caobang.gov.vn"
            check_web_address(value, example)
            # every personal link is this address + "/r/<token>": after a ? or a # the token would be read as part of
            # the query or never sent to the server (…/?ref=mail#top/r/<token> was mailed to a unit)
            parts = urlsplit(value)
            if parts.username is not None:  # it would be mailed to every unit
                raise ValueError(f'"{without_password(value)}": không ghi tên đăng nhập hay mật khẩu trong địa chỉ gốc '
                                 f"(địa chỉ này được gửi cho mọi đơn vị); hãy viết như {example}")
            if parts.query or parts.fragment or "?" in value or "#" in value:
                kept = f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")
                raise ValueError(f'"{value}": địa chỉ gốc không được có phần sau dấu ? hay dấu #, vì đường dẫn riêng '
                                 f"gửi cho đơn vị được nối vào sau nó (/r/…); hãy ghi {kept}")
            value = value.rstrip("/")
        return value

    @field_validator("timezone", mode="before")
    @classmethod
    def _check_timezone(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long to look up as a file
                raise ValueError(f'"{value}" không phải tên múi giờ; hãy viết như Asia/Ho_Chi_Minh'
                                 ) from None
        return value

    @field_validator("now", mode="before")
    @classmethod
    def _parse_now(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            try:
                return datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(f'"{text}" không phải ngày giờ dạng ISO; hãy viết như 2025-12-05T17:00') from None
        return value

    @field_validator("smtp_connections", mode="before")
    @classmethod
    def _check_connections(cls, value: Any) -> Any:
        number = value
        if isinstance(value, str):
            try:
                number = int(value.strip())
            except ValueError:
                raise ValueError(f'"{value}": phải là một số nguyên') from None
        if isinstance(number, int) and not isinstance(number, bool) and not 1 <= number <= 32:
            raise ValueError(f'"{value}": phải từ 1 đến 32')
        return number

    @field_validator("stale_after_seconds", mode="after")
    @classmethod
    def _stale_after_several_heartbeats(cls, value: float, info: ValidationInfo) -> float:
        # `heartbeat_seconds` is declared before, so it is already validated here (if valid).
        heartbeat = info.data.get("heartbeat_seconds")
        if heartbeat is not None and value < 2 * heartbeat:
            raise ValueError(f'"{value:g}": phải ít nhất gấp đôi YKIEN_HEARTBEAT_SECONDS ({heartbeat:g}); nhỏ hơn '
                             "thì một tiến trình đang chạy bị coi là đã chết giữa hai lần báo còn sống")
        return value

    @field_validator("issuer_name", "governing_body", "place_name", mode="after")
    @classmethod
    def _nfc(cls, value: str, info: ValidationInfo) -> str:
        value = unicodedata.normalize("NFC", value.strip())
        if not value:  # it heads every letter: a blank one would be signed as it is
            raise ValueError(f"không được để trống; ví dụ {_NAME_EXAMPLES[str(info.field_name)]}")
        # a line break made every letter fail (the sender's name in the From header is one line) and put a line of
        # its own in the letterhead; an ESC or a bidi override would print as it is
        problem = single_line_problem(value)
        if problem is not None:
            raise ValueError(f"{problem}; ví dụ {_NAME_EXAMPLES[str(info.field_name)]}")
        if len(value) > LONGEST_BODY_NAME:
            raise ValueError(f"dài {len(value)} ký tự, quá {LONGEST_BODY_NAME} ký tự của một tên đứng đầu văn bản; "
                             f"ví dụ {_NAME_EXAMPLES[str(info.field_name)]}")
        return value

    @field_validator("issuer_address", mode="after")
    @classmethod
    def _check_issuer_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = unicodedata.normalize("NFC", value.strip())
        if not value:
            return None
        example = "tầng 6 tòa nhà C, trụ sở làm việc các sở, ban, ngành tỉnh, phường Thục Phán, tỉnh Cao Bằng"
        problem = single_line_problem(value)
        if problem is not None:
            raise ValueError(f"{problem}; ví dụ {example}")
        if len(value) > LONGEST_ADDRESS:
            raise ValueError(f"dài {len(value)} ký tự, quá {LONGEST_ADDRESS} ký tự; ví dụ {example}")
        return value

    @field_validator("issuer_code", mode="after")
    @classmethod
    def _check_issuer_code(cls, value: str) -> str:
        value = unicodedata.normalize("NFC", value.strip())
        if len(value) > LONGEST_ISSUER_CODE or not is_symbol_code(value):
            raise ValueError(f'"{value}" không phải mã cơ quan dùng trong số ký hiệu văn bản (…/SKHCN-TĐC): chỉ gồm '
                             f"chữ, số và & . _ -, không có khoảng trắng hay dấu /, tối đa {LONGEST_ISSUER_CODE} "
                             "ký tự, ví dụ SKHCN")
        return value

    @field_validator("secret_key", mode="after")
    @classmethod
    def _check_secret_key(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if len(value) < SHORTEST_SECRET_KEY:  # personal links are signed with it: a short key can be guessed
            raise ValueError(f"ngắn quá ({len(value)} ký tự): cần ít nhất {SHORTEST_SECRET_KEY} ký tự ngẫu nhiên, "
                             "ví dụ kết quả của lệnh python3 -c \"import secrets; print(secrets.token_urlsafe(48))\"; "
                             "hoặc bỏ trống để ykien tự tạo khóa trong tệp $YKIEN_HOME/secret_key")
        return value

    @field_validator("timestamp_url", mode="after")
    @classmethod
    def _check_timestamp_url(cls, value: str | None) -> str | None:
        if value is not None:
            value = value.strip()
            check_web_address(value, "http://timestamp.example.vn/tsa (địa chỉ do nhà cung cấp chứng thư số cho)")
        return value

    @field_validator("now", mode="after")
    @classmethod
    def _attach_timezone(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        # `timezone` is declared before `now`, so it is already validated here (if valid).
        if value is not None and value.tzinfo is None and "timezone" in info.data:
            value = value.replace(tzinfo=ZoneInfo(info.data["timezone"]))
        if value is not None and not NOW_YEARS[0] <= value.year <= NOW_YEARS[1]:
            # near year 1 or 9999 the clock's UTC, local time or next day would not exist
            raise ValueError(f'"{value.date().isoformat()}": năm phải từ {NOW_YEARS[0]} đến {NOW_YEARS[1]}')
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _without_spaces_around(cls, value: Any, info: ValidationInfo) -> Any:
        # Copied with a space or a tab around it, " /srv/ykien" was a folder " " under the working directory and
        # " postgresql+psycopg://…" "not a database address"; a token's labels are kept as typed (PKCS#11 pads them)
        if isinstance(value, str) and info.field_name not in KEPT_AS_TYPED:
            return value.strip()
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _no_quotes_around(cls, value: Any, info: ValidationInfo) -> Any:
        # Declared last so that it runs before every other check: a docker --env-file or a YAML value keeps the
        # quotes of YKIEN_HOME="/srv/ykien", which made a folder named `"` in the working directory and numbers
        # refused as "phải là một số nguyên" with the number plainly there.
        if isinstance(value, str):
            problem = quoted_value_problem(value, echo=info.field_name != "secret_key")
            if problem is not None:
                raise ValueError(problem)
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The local time zone in which dates and deadlines are read."""
        return ZoneInfo(self.timezone)

    @property
    def database_url_resolved(self) -> str:
        """`database_url`, or the SQLite file in the home directory."""
        return self.database_url or f"sqlite:///{self.home}/ykien.db"

    @property
    def database_setting(self) -> str:
        """The variable to change to point ykien at another database: YKIEN_DATABASE_URL, or YKIEN_HOME whose
        ykien.db is the default."""
        return env_name("database_url") if self.database_url is not None else env_name("home")

    @property
    def calendar_file_resolved(self) -> Path:
        """`calendar_file`, or `calendar.yaml` in the home directory."""
        return self.calendar_file if self.calendar_file is not None else self.home / "calendar.yaml"

    @property
    def calendar_file_named_by(self) -> str | None:
        """The variable that chose the calendar file (YKIEN_CALENDAR_FILE), which must then exist; None for the
        home's calendar.yaml, which may be missing (no extra days)."""
        return env_name("calendar_file") if self.calendar_file is not None else None

    @property
    def workflows_dir_resolved(self) -> Path:
        """`workflows_dir`, or `workflows/` in the home directory: the department's own kinds of round."""
        return self.workflows_dir if self.workflows_dir is not None else self.home / "workflows"

    @property
    def trust_roots_resolved(self) -> Path:
        """`trust_roots`, or `trust-roots/` in the home directory: the VGCA roots the Sở holds."""
        return self.trust_roots if self.trust_roots is not None else self.home / "trust-roots"


def env_name(field: str) -> str:
    """The environment variable that sets `field` (e.g. from_address -> YKIEN_FROM)."""
    info = Settings.model_fields.get(field)
    if info is not None and isinstance(info.validation_alias, str):
        return info.validation_alias
    return f"{ENV_PREFIX}{field.upper()}"


def _absolute(path: Path) -> Path:
    """`path` with ~ or ~user expanded, made absolute; ValueError (said in Vietnamese) for a ~user that does not
    exist on this machine."""
    try:
        return path.expanduser().absolute()
    except RuntimeError:  # pathlib's word for "no such user"
        user = str(path).split("/", 1)[0]
        raise ValueError(f'"{path}": không có người dùng {user.removeprefix("~")} trên máy này để thay cho {user}; '
                         "hãy ghi đường dẫn đầy đủ") from None


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment; keyword overrides win. Raises `SettingsError`."""
    names = {env_name(field).upper() for field in Settings.model_fields}
    for name, value in os.environ.items():
        # bytes that are not UTF-8 reach Python as lone surrogates, which pydantic cannot read (UnicodeEncodeError)
        if name.upper() in names and any("\ud800" <= char <= "\udfff" for char in value):
            shown = value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise SettingsError(f'{name}: "{shown}" không phải văn bản UTF-8 hợp lệ; hãy viết lại bằng bảng mã UTF-8 '
                                "(Unicode)")
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


DATABASE_BACKENDS = ("postgresql", "sqlite")
DATABASE_URL_EXAMPLES = "postgresql+psycopg://ykien@localhost/ykien hoặc sqlite:////srv/ykien/ykien.db"
LONGEST_SQLITE_TIMEOUT = 3600.0  # seconds a SQLite writer may be told to wait for the lock (?timeout=)


def check_web_address(value: str, example: str) -> None:
    """Raise ValueError, in Vietnamese with `example`, unless `value` is an http:// or https:// address with a host
    and, if any, a port from 1 to 65535 (a link to port 99999 or to "[::1" cannot be opened)."""
    if not re.fullmatch(r"https?://[^\s/?#]+([/?#]\S*)?", value) or single_line_problem(value) is not None:
        raise ValueError(f'"{value}" không phải địa chỉ http:// hay https://; hãy viết như {example}')
    try:
        parts = urlsplit(value)
        port, host = parts.port, parts.hostname
    except ValueError:  # "[::1" (a bracket never closed), a port that is not a number or past 65535
        port, host = -1, None
    if not host or port == -1 or port == 0:
        raise ValueError(f'"{value}": tên máy hoặc cổng không hợp lệ (cổng là số từ 1 đến 65535); hãy viết như '
                         f"{example}")


def check_database_url(value: str) -> None:
    """Raise ValueError, in Vietnamese and naming what to write instead, unless `value` is a URL of a PostgreSQL
    (with an installed driver) or SQLite database ykien can keep its data in."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    shown = f'"{without_password(value)}"'
    try:
        url = make_url(value)
        backend = url.get_backend_name()
    except (ArgumentError, ValueError):
        hint = (" (SQLite: sqlite:/// rồi đường dẫn tệp; đường dẫn tuyệt đối có bốn dấu /)"
                if value.lower().startswith("sqlite:") else "")
        raise ValueError(f"{shown} không phải địa chỉ cơ sở dữ liệu; hãy viết như {DATABASE_URL_EXAMPLES}{hint}"
                         ) from None
    if backend not in DATABASE_BACKENDS:
        close = difflib.get_close_matches(backend.lower(), DATABASE_BACKENDS, n=1, cutoff=0.6)
        if close:
            meant = "postgresql+psycopg://" if close[0] == "postgresql" else "sqlite:///"
            raise ValueError(f'{shown}: không có loại cơ sở dữ liệu "{backend}"; có phải {meant}…? Hãy viết như '
                             f"{DATABASE_URL_EXAMPLES}")
        raise ValueError(f'{shown}: ykien không dùng được "{backend}"; chỉ dùng PostgreSQL hoặc SQLite, ví dụ '
                         f"{DATABASE_URL_EXAMPLES}")
    try:
        dialect = url.get_dialect()
        dialect.import_dbapi()
    except (NoSuchModuleError, ImportError) as error:
        raise ValueError(f'{shown}: chưa cài trình điều khiển "{url.drivername}" ({error}); với PostgreSQL hãy viết '
                         "postgresql+psycopg://…") from None
    if backend == "postgresql" and url.port is not None and not 1 <= url.port <= 65535:
        raise ValueError(f'{shown}: cổng "{url.port}" không hợp lệ (từ 1 đến 65535)')
    if backend == "postgresql":
        _check_postgres_options(list(url.query), shown)
    if backend == "sqlite":
        if sqlite_file(value) is None:
            raise ValueError(f"{shown} là cơ sở dữ liệu trong bộ nhớ, mất khi lệnh kết thúc; hãy ghi đường dẫn tệp, "
                             "ví dụ sqlite:////srv/ykien/ykien.db")
        timeout = url.query.get("timeout")
        if timeout is not None:
            try:
                seconds = float(timeout if isinstance(timeout, str) else timeout[-1])
            except ValueError:
                seconds = math.nan
            if not 0 <= seconds <= LONGEST_SQLITE_TIMEOUT:  # also False for nan
                raise ValueError(f'{shown}: timeout "{timeout}" không hợp lệ; số giây chờ khóa phải từ 0 đến '
                                 f"{LONGEST_SQLITE_TIMEOUT:.0f}")


def _check_postgres_options(names: list[str], shown: str) -> None:
    """Each option after "?" in a PostgreSQL URL is one the installed libpq knows: a typo ("sslmod") is named here,
    where every command stops, rather than by psycopg's English at the first connection. Their values are libpq's to
    judge when it connects (workflows/service/database_errors.py says its refusal in Vietnamese)."""
    from psycopg import pq

    known = sorted(option.keyword.decode() for option in pq.Conninfo.get_defaults())
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.6)
            meant = f' (có phải "{close[0]}"?)' if close else ""
            raise ValueError(f'{shown}: PostgreSQL không có tùy chọn "{name}"{meant}. Các tùy chọn sau dấu ? là của '
                             "libpq, ví dụ sslmode=require, connect_timeout=10, application_name=ykien")


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (also `sqlite:///file:PATH?mode=ro&uri=true`); None for an in-memory database or a URL
    of another database."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if parsed.query.get("uri") == "true" and database.startswith("file:"):
        if parsed.query.get("mode") == "memory":
            return None
        database = unquote(urlsplit(database).path)
    if database in ("", ":memory:"):
        return None
    return Path(database)


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "?"
        name = env_name(field) if field in Settings.model_fields else field
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, ValueError):
            message = str(cause)
        elif error["type"] == "extra_forbidden":
            message = "không có thiết lập này"
        else:
            message = f'"{error.get("input")}": {said_in_vietnamese(error)}{_hint(field, error)}'
        lines.append(f"{name}: {message}")
    return "\n".join(lines)


_NUMBER_WITH_UNIT = re.compile(r"\s*([0-9]+(?:[.,][0-9]+)?)\s*[^\W\d_]+\.?\s*")  # "10s", "20 MB", "5 phút"


def _hint(field: str, error: Any) -> str:
    """What to write instead of a number pydantic could not read, when the admin's intent is plain: a unit after the
    number ("10s"), or a blank value meant as "the default" (a .env template's `YKIEN_CLAIM_SIZE=`)."""
    typed = error.get("input")
    if not isinstance(typed, str) or error.get("type") not in ("int_parsing", "float_parsing", "literal_error"):
        return ""
    if error.get("type") == "float_parsing" and re.fullmatch(r"\s*[0-9]+,[0-9]+\s*", typed):  # Vietnamese 2,5
        return f"; dùng dấu chấm thập phân, ví dụ {typed.strip().replace(',', '.')}"
    with_unit = _NUMBER_WITH_UNIT.fullmatch(typed)
    if with_unit is not None and error.get("type") != "literal_error":
        return f"; ghi số không kèm đơn vị, ví dụ {with_unit.group(1).replace(',', '.')}"
    info = Settings.model_fields.get(field)
    if not typed.strip() and info is not None and info.default is not None:
        return f"; hoặc bỏ hẳn biến {env_name(field)} để dùng mặc định ({info.default})"
    return ""
