"""The web directory page lists the groups and lets the directory's managers add and rename them (with the
CSRF token, like every other form); an upload may create the groups it names."""
from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlite_template import copy_migrated_sqlite

from config.clock import FrozenClock
from config.settings import load_settings
from workflows.service.app import App, build_app
from workflows.service.directory import import_units
from workflows.service.directory_edit import list_groups
from workflows.service.staff import add_user
from workflows.web.app import create_web_app

UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
PASSWORD = "matkhau-rat-dai"


@pytest.fixture
def app(tmp_path: Path, migrated_sqlite: Path) -> Iterator[App]:
    home = tmp_path / "home"
    copy_migrated_sqlite(migrated_sqlite, home)  # the session's migrated SQLite file: no alembic upgrade per test
    settings = load_settings(home=home, database_url=f"sqlite:///{home}/ykien.db", smtp_url=None, now=None,
                             calendar_file=None)
    ykien = build_app(settings, FrozenClock(datetime(2025, 11, 20, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))),
                      create_schema=True)
    add_user(ykien, "admin", "Admin", "admin", PASSWORD, None, "test")
    add_user(ykien, "lanhdao", "Lãnh đạo", "leader", PASSWORD, None, "test")
    import_units(ykien, UNITS_CSV, "test")
    yield ykien
    ykien.close()


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def _login(app: App, username: str) -> tuple[TestClient, str]:
    client = TestClient(create_web_app(app))
    csrf = _csrf(client.get("/login").text)
    done = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    return client, _csrf(client.get("/directory").text)


def _labels(app: App) -> dict[str, str]:
    return {g.code: g.label for g in list_groups(app)}


def test_the_page_lists_the_groups_and_an_admin_adds_and_renames_one(app: App) -> None:
    client, csrf = _login(app, "admin")
    page = html.unescape(client.get("/directory").text)
    assert 'action="/directory/groups"' in page
    assert 'action="/directory/groups/bao-chi"' in page
    added = client.post("/directory/groups", data={"code": "ban-qlda", "label": "Ban Quản lý dự án",
                                                   "csrf_token": csrf}, follow_redirects=False)
    assert added.status_code == 303
    assert "Đã thêm nhóm ban-qlda" in client.get(added.headers["location"]).text
    renamed = client.post("/directory/groups/ban-qlda", data={"label": "Ban QLDA tỉnh", "csrf_token": csrf},
                          follow_redirects=False)
    assert renamed.status_code == 303
    assert _labels(app)["ban-qlda"] == "Ban QLDA tỉnh"
    assert "Ban QLDA tỉnh" in client.get("/directory").text


def test_bad_group_input_is_shown_and_changes_nothing(app: App) -> None:
    client, csrf = _login(app, "admin")
    before = _labels(app)
    for url, data in [("/directory/groups", {"code": "Ban QLDA", "label": "Ban"}),
                      ("/directory/groups", {"code": "bao-chi", "label": "Báo"}),
                      ("/directory/groups", {"code": "moi", "label": " "}),
                      ("/directory/groups/bao-chi", {"label": "Cơ quan trung ương"})]:
        response = client.post(url, data={**data, "csrf_token": csrf}, follow_redirects=False)
        assert response.status_code == 422, (url, data)
    assert client.post("/directory/groups/khong-co", data={"label": "X", "csrf_token": csrf}).status_code == 404
    assert _labels(app) == before


def test_group_forms_need_the_csrf_token_and_a_manager(app: App) -> None:
    client, _ = _login(app, "admin")
    assert client.post("/directory/groups", data={"code": "moi", "label": "Mới"}).status_code == 403
    assert client.post("/directory/groups/bao-chi", data={"label": "Báo", "csrf_token": "forged"}).status_code == 403
    leader, csrf = _login(app, "lanhdao")
    assert 'action="/directory/groups"' not in leader.get("/directory").text
    assert leader.post("/directory/groups", data={"code": "moi", "label": "Mới", "csrf_token": csrf}).status_code == 403
    assert "moi" not in _labels(app)


def test_an_upload_creates_the_groups_it_names_only_when_asked(app: App) -> None:
    client, csrf = _login(app, "admin")
    content = (b"code,name,group,email\nBQLDA,Ban QLDA,ban-qlda,a@caobang.example.vn\n"
               b"BQLDA2,Ban QLDA 2,ban-qlda,b@caobang.example.vn\n")
    refused = client.post("/directory/import", data={"csrf_token": csrf},
                          files={"file": ("danh-ba.csv", content, "text/csv")}, follow_redirects=False)
    assert refused.status_code == 422
    assert html.unescape(refused.text).count('không có nhóm "ban-qlda"') == 1
    done = client.post("/directory/import", data={"csrf_token": csrf, "create_groups": "1"},
                       files={"file": ("danh-ba.csv", content, "text/csv")}, follow_redirects=False)
    assert done.status_code == 303
    assert _labels(app)["ban-qlda"] == "ban-qlda"
