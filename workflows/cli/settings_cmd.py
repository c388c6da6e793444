"""`ykien settings`: every setting in force, its value and where it came from."""
from __future__ import annotations

import os
from typing import Any

import typer

from config.shown_url import MASK, without_password
from workflows.cli.common import JSON_OPTION, console, guarded, print_json

DEFAULT_SOURCE = "mặc định"


def register(app: typer.Typer) -> None:
    app.command("settings")(settings)



def settings_in_force() -> list[dict[str, Any]]:
    """One row per setting: field, variable, value (secrets masked), source. Raises `SettingsError`."""
    from config.settings import Settings, env_name, load_settings

    current = load_settings()
    # pydantic-settings reads the variables whatever their case; a blank one counts as unset for these fields
    environment = {name.upper(): value for name, value in os.environ.items()}
    blank_is_unset = {"home", "database_url", "smtp_url", "calendar_file", "workflows_dir", "now",
                      "trusted_proxy_header", "reply_to"}
    resolved = {"database_url": current.database_url_resolved, "calendar_file": current.calendar_file_resolved,
                "workflows_dir": current.workflows_dir_resolved}
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
    return rows


def _given(raw: str | None, blank_is_unset: bool) -> bool:
    return raw is not None and not (blank_is_unset and not raw.strip())


def settings(as_json: bool = JSON_OPTION) -> None:
    """Các thiết lập đang dùng (biến môi trường YKIEN_*), giá trị và nguồn; mật khẩu, khóa bí mật được che."""
    with guarded(as_json):
        rows = settings_in_force()
    if as_json:
        print_json({"settings": rows})
        return
    width = max(len(row["variable"]) for row in rows)
    for row in rows:
        value = "(chưa đặt)" if row["value"] is None else row["value"]
        console.print(f"{row['variable']:<{width}}  {value}  [{row['source']}]", markup=False)
