"""Migration 0010 on SQLite and PostgreSQL: the list of offices is filled from the offices rounds and accounts
already use (an NFD spelling folded to NFC, "TDC" kept beside "TĐC" for an admin to merge), a database with none
starts with the seed letters' two offices, and the downgrade removes the table."""
from __future__ import annotations

import unicodedata

from sqlalchemy import inspect, text

from workflows.service.app import App

ROUND = ("INSERT INTO rounds (workflow, status, title, subject, office, silence_is_agreement, contact_name, "
         "contact_phone, signer_name, signer_title, draft_version, timer_overrides, addressees, legal_bases, "
         "document_inputs, tasks, outcome, created_at, created_by, version) VALUES ('consultation', 'draft', 't', "
         "'s', :office, false, 'c', '0912130290', 'n', 'GIÁM ĐỐC', 1, '{}', '[]', '[]', '{}', '[]', '{}', "
         ":at, 'test', 1)")
USER = ("INSERT INTO users (username, display_name, role, office, password_hash, active, created_at) "
        "VALUES (:username, 'Tên', 'staff', :office, 'x', true, :at)")


def _migrate(app: App, revision: str, down: bool = False) -> None:
    from models.db.database import run_migrations

    run_migrations(app.engine, revision, down)


def _offices(app: App) -> dict[str, str]:
    with app.engine.connect() as connection:
        return dict(connection.execute(text("SELECT code, name FROM offices")).all())  # type: ignore[arg-type]


def test_0010_fills_the_offices_from_rounds_and_accounts_and_goes_down(app: App) -> None:
    assert _offices(app) == {"TĐC": "Phòng Quản lý Tiêu chuẩn Đo lường Chất lượng", "QLKH": "Phòng Quản lý Khoa học"}
    _migrate(app, "0009", down=True)
    with app.engine.connect() as connection:
        assert "offices" not in inspect(connection).get_table_names()
    at = app.clock.now()
    with app.engine.begin() as connection:
        connection.execute(text(ROUND), {"office": "TDC", "at": at})
        connection.execute(text(ROUND), {"office": "KHTC", "at": at})
        connection.execute(text(USER), {"username": "a", "office": unicodedata.normalize("NFD", "TĐC"), "at": at})
        connection.execute(text(USER), {"username": "b", "office": None, "at": at})
    _migrate(app, "0010")
    assert _offices(app) == {"TDC": "TDC", "KHTC": "KHTC", "TĐC": "TĐC"}
    with app.engine.connect() as connection:
        assert connection.execute(text("SELECT office FROM users WHERE username = 'a'")).scalar() == "TĐC"
    _migrate(app, "0009", down=True)
    with app.engine.connect() as connection:
        assert "offices" not in inspect(connection).get_table_names()
    _migrate(app, "head")
