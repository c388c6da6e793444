"""YKIEN_HOME left blank is the default home, as a blank path setting is unset everywhere else: read as a path it
was the working directory, where `ykien init` then made a database. A path starting with ~user for a user this
machine does not have is a SettingsError naming the variable, not a RuntimeError traceback."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from config.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.upper().startswith("YKIEN_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_home_is_the_default_home_not_the_working_directory(monkeypatch: pytest.MonkeyPatch,
                                                                    clean_env: Path, blank: str) -> None:
    monkeypatch.setenv("YKIEN_HOME", blank)
    assert load_settings().home == clean_env / ".ykien"


@pytest.mark.parametrize("variable", ["YKIEN_HOME", "YKIEN_CALENDAR_FILE", "YKIEN_WORKFLOWS_DIR",
                                      "YKIEN_TRUST_ROOTS"])
def test_a_home_of_a_user_that_does_not_exist_is_named(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.setenv(variable, "~khong-co-nguoi-nay/ykien")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value).startswith(f'{variable}: "~khong-co-nguoi-nay/ykien": không có người dùng '
                                        "khong-co-nguoi-nay trên máy này"), raised.value
