"""`ykien settings`: every setting in force, its value and where it came from, with the two of Prefect's that ykien
reads (PREFECT_API_URL, PREFECT_HOME)."""
from __future__ import annotations

import os
from typing import Any

import typer

from config.shown_url import MASK, without_password
from workflows.cli.common import JSON_OPTION, console, guarded, print_json

DEFAULT_SOURCE = "mặc định"
# What a setting left unset means, where that is not a value of its own (shown beside "chưa đặt").
UNSET_MEANS = {
    "smtp_url": "hộp thư nội bộ, thư được lưu trong cơ sở dữ liệu",
    "reply_to": "thư không có Reply-To",
    "issuer_address": "mỗi đợt tự ghi địa chỉ nhận văn bản trả lời",
    "now": "đồng hồ của máy",
    "smtp_ca_file": "kho chứng chỉ của hệ thống",
    "trusted_proxy_header": "địa chỉ của máy kết nối tới",
    "timestamp_url": "chữ ký PAdES B-B, không có dấu thời gian",
    "pkcs11_library": "trang web chỉ ký bằng tệp khóa",
    "PREFECT_API_URL": "ykien serve tự chạy các bước, không qua Prefect; ykien worker không chạy được",
}


def register(app: typer.Typer) -> None:
    app.command("settings")(settings)



def settings_in_force() -> list[dict[str, Any]]:
    """One row per setting: field, variable, value (secrets masked), source; then Prefect's variables ykien reads
    (field None). Raises `SettingsError`."""
    from config.settings import Settings, env_name, load_settings

    current = load_settings()
    # pydantic-settings reads the variables whatever their case; a blank one counts as unset for these fields
    environment = {name.upper(): value for name, value in os.environ.items()}
    blank_is_unset = {"home", "database_url", "smtp_url", "calendar_file", "workflows_dir", "now",
                      "trusted_proxy_header", "reply_to", "issuer_address"}
    resolved = {"database_url": current.database_url_resolved, "calendar_file": current.calendar_file_resolved,
                "workflows_dir": current.workflows_dir_resolved, "trust_roots": current.trust_roots_resolved}
    rows = []
    for field in Settings.model_fields:
        variable = env_name(field)
        value: Any = getattr(current, field)
        if value is None and field in resolved:
            value = resolved[field]
        if field == "secret_key":
            value = MASK if value else f"(tệp {current.home / 'secret_key'})"
        elif field in ("smtp_url", "database_url") and isinstance(value, str):
            value = without_password(value)
        if value is not None and not isinstance(value, (str, int)):
            value = value.isoformat() if hasattr(value, "isoformat") else str(value)
        rows.append({"field": field, "variable": variable, "value": value,
                     "source": variable if _given(environment.get(variable.upper()), field in blank_is_unset)
                     else DEFAULT_SOURCE})
    return rows + prefect_settings(current.home)


def prefect_settings(home: Any) -> list[dict[str, Any]]:
    """PREFECT_API_URL as serve and worker read it (spaces dropped, a password hidden) and PREFECT_HOME (serve and
    worker default it to the home's prefect/ folder). Prefect's profile (`prefect config set`) is not read."""
    from config.prefect_api import PREFECT_API_URL, PREFECT_HOME, configured_prefect_api

    url = configured_prefect_api()
    prefect_home = os.environ.get(PREFECT_HOME, "")
    return [{"field": None, "variable": PREFECT_API_URL, "value": without_password(url) if url else None,
             "source": PREFECT_API_URL if url else DEFAULT_SOURCE},
            {"field": None, "variable": PREFECT_HOME, "value": prefect_home or str(home / "prefect"),
             "source": PREFECT_HOME if prefect_home else DEFAULT_SOURCE}]


def _given(raw: str | None, blank_is_unset: bool) -> bool:
    return raw is not None and not (blank_is_unset and not raw.strip())


def shown_value(row: dict[str, Any]) -> str:
    """A row's value as `ykien settings` prints it: an unset one says what that means ("chưa đặt: …")."""
    if row["value"] is not None:
        return str(row["value"])
    means = UNSET_MEANS.get(row["field"] or row["variable"])
    return f"(chưa đặt: {means})" if means else "(chưa đặt)"


def settings(as_json: bool = JSON_OPTION) -> None:
    """Các thiết lập đang dùng (biến môi trường YKIEN_*, và PREFECT_API_URL, PREFECT_HOME), giá trị và nguồn; mật
    khẩu, khóa bí mật được che."""
    with guarded(as_json):
        rows = settings_in_force()
    if as_json:
        print_json({"settings": rows})
        return
    width = max(len(row["variable"]) for row in rows)
    for row in rows:
        console.print(f"{row['variable']:<{width}}  {shown_value(row)}  [{row['source']}]", markup=False)
