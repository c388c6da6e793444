"""`ykien db backup` and `ykien db restore` on the default SQLite database: a consistent copy taken beside a
running ykien, a copy put back only while nothing runs (the heartbeats say), the database replaced kept beside it;
bad files, an existing target and a PostgreSQL database refused in one line."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from config.settings import load_settings
from models.errors import DomainError
from workflows.service.app import build_app
from workflows.service.backup import backup

CREATE = ("round", "create", "--title", "Kế hoạch sao lưu thử", "--office", "TĐC", "--deadline", "05/12/2025",
          "--group", "so-ban-nganh", "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290",
          "--signer-name", "Nông Thị Thanh Huyền", "--json")


def titles(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        return [row[0] for row in connection.execute("SELECT title FROM rounds ORDER BY id")]


def test_a_backup_is_restored_and_the_replaced_database_kept(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    saved = tmp_path / "ykien-2025-11-20.db"
    made = cli("db", "backup", str(saved), "--json").json
    assert made["file"] == str(saved) and made["bytes"] == saved.stat().st_size > 0
    assert titles(saved) == ["Kế hoạch sao lưu thử"]
    cli(*CREATE[:3], "Kế hoạch sau khi sao lưu", *CREATE[4:])
    assert len(titles(cli.database)) == 2

    done = cli("db", "restore", str(saved), "--json").json
    assert titles(cli.database) == ["Kế hoạch sao lưu thử"]
    previous = Path(done["previous"])
    assert previous.parent == cli.database.parent and titles(previous)[-1] == "Kế hoạch sau khi sao lưu"
    assert cli("round", "show", "1", "--json").json["title"] == "Kế hoạch sao lưu thử"  # ykien works on it
    assert "Đã sao lưu" in cli("db", "backup", str(tmp_path / "lan-2.db")).out


def test_restore_is_refused_while_a_ykien_process_beats(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    saved = tmp_path / "sao-luu.db"
    cli("db", "backup", str(saved))
    with sqlite3.connect(cli.database) as connection:  # what ykien serve writes every few seconds
        connection.execute("INSERT INTO instances (id, host, pid, started_at, heartbeat_at) VALUES "
                           "('may-chu:4242:abcd1234', 'may-chu', 4242, '2025-11-20 01:59:00.000000', "
                           "'2025-11-20 01:59:55.000000')")
    before = cli.database.read_bytes()
    refused = cli("db", "restore", str(saved), "--json", expect=1).json["error"]
    assert refused["code"] == "database_in_use" and "may-chu (pid 4242)" in refused["message"]
    assert cli.database.read_bytes() == before
    cli.at("2025-11-20T09:05")  # five minutes later the heartbeat is stale: that process is gone
    cli("db", "restore", str(saved))


@pytest.mark.parametrize("make, words", [
    (lambda folder: folder / "khong-co.db", "không có tệp"),
    (lambda folder: (folder / "rac.db").write_bytes(b"khong phai SQLite" * 100) and folder / "rac.db",
     "không phải bản sao lưu"),
], ids=["missing", "not-sqlite"])
def test_restore_refuses_what_is_not_a_backup_and_changes_nothing(cli, tmp_path: Path, make, words: str) -> None:  # type: ignore[no-untyped-def]
    before = cli.database.read_bytes()
    refused = cli("db", "restore", str(make(tmp_path)), expect=2)
    assert words in refused.err and refused.err.count("\n") == 1
    assert cli.database.read_bytes() == before


def test_restore_refuses_a_backup_of_another_schema_and_backup_never_overwrites(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    saved = tmp_path / "cu.db"
    cli("db", "backup", str(saved))
    with sqlite3.connect(saved) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0003'")
    refused = cli("db", "restore", str(saved), expect=2)
    assert "cấu trúc phiên bản 0003" in refused.err
    assert "đã có" in cli("db", "backup", str(saved), expect=2).err


def test_postgresql_is_pointed_at_its_own_tools(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path, database_url="postgresql+psycopg://ykien@127.0.0.1:1/ykien", now=None,
                             calendar_file=None, smtp_url=None)
    with pytest.raises(DomainError, match="pg_dump") as refused:
        backup(build_app(settings), tmp_path / "x.db")
    assert refused.value.code == "not_sqlite"


def test_a_backup_into_a_missing_folder_makes_it_as_the_readme_says(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """It said `thư mục ".../bk" không tồn tại` although the README's "Files written where you say" lists db backup:
    "A missing folder is made"."""
    target = tmp_path / "sao-luu" / "2025" / "ykien.db"
    cli("db", "backup", str(target))
    assert sorted(p.name for p in target.parent.iterdir()) == ["ykien.db"]


@pytest.mark.parametrize(("target", "reason"), [
    ("/proc/ykien-sao-luu.db", "không có tệp hoặc thư mục này"),
    ("/proc/self/khong-co/ykien-sao-luu.db", None),
    ("/sys/ykien-sao-luu.db", None),
], ids=["proc", "proc-folder", "sys"])
def test_a_backup_where_no_file_can_be_made_is_one_line_in_vietnamese_and_leaves_nothing(
        cli, target: str, reason: str | None) -> None:  # type: ignore[no-untyped-def]
    """`db backup /sys/b.db` ended in a traceback: sqlite3.OperationalError: unable to open database file."""
    if not Path("/" + target.split("/")[1]).is_dir():
        pytest.skip(f"no /{target.split('/')[1]} here")
    refused = cli("db", "backup", target, expect=2)
    lines = [line for line in refused.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Lỗi: FILE: không "), refused.err
    assert "Chưa ghi gì." in lines[0] and "unable" not in lines[0] and "Traceback" not in refused.err, refused.err
    if reason is not None:
        assert f"({reason})" in lines[0], lines[0]
    assert not Path(target).exists()
