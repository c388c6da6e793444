"""A database ykien cannot use, met by several commands: each prints one line naming the problem and the setting to
change (YKIEN_DATABASE_URL, YKIEN_HOME or the file), exits 2, claims nothing and changes nothing.

Commands run through `workflows.cli.main.main`, as the `ykien` script does, in this process (tests/cli_in_process.py,
typer's CliRunner isolation: a subprocess would cost 1-2 s a command). The databases are real: a SQLite file opened read-only
(`?mode=ro`, which also holds for root, who ignores file permissions), held under another connection's
BEGIN EXCLUSIVE, filled with random bytes, stamped with a schema revision from the future; and the session's
throwaway PostgreSQL cluster with a password-protected role, a missing database and a read-only one.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cli_in_process import run

if TYPE_CHECKING:
    from pg import PostgresCluster

START = "2025-11-20T08:30"
CREATE = ["round", "create", "--title", "Kế hoạch thử nghiệm", "--office", "TĐC", "--deadline", "05/12/2025",
          "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290",
          "--signer-name", "Nông Thị Thanh Huyền", "--group", "so-ban-nganh"]
# The commands each case is met with: those that write (the health check writes too), three that read.
WRITERS = (("init",), ("tick",), ("db", "check"), ("db", "new-installation-id"))
READERS = (("round", "list"), ("round", "show", "1"), ("register", "list"), ("round", "comments", "1"))
COMMANDS = WRITERS + READERS
# Commands that never open the database: they work whatever it is.
NO_DATABASE = (("serve", "--help"), ("settings",), ("db", "--help"))
LOCK_WAIT = "0.1"  # seconds a SQLite writer waits for the lock in these tests (?timeout=)


@dataclass(frozen=True)
class Outcome:
    args: tuple[str, ...]
    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"ykien {' '.join(self.args)} exited {self.code}\nstdout:\n{self.out}\nstderr:\n{self.err}"


def ykien(*args: str, url: str | None, home: Path) -> Outcome:
    """`ykien ARGS` with YKIEN_DATABASE_URL=url (None: the home's default file). An exception that is not an exit
    is the traceback a person would see, and fails the test."""
    env: dict[str, str | None] = {key: None for key in os.environ if key.startswith("YKIEN_")}
    env.update({"YKIEN_HOME": str(home), "YKIEN_NOW": START, "YKIEN_ACTOR": "Phạm Phi Long (TĐC)",
                "YKIEN_DATABASE_URL": url, "COLUMNS": "200"})
    done = run(list(args), env)
    if done.error is not None:
        raise AssertionError(f"a traceback escaped\n{done.describe()}")
    return Outcome(args, done.code, done.stdout, done.stderr)  # type: ignore[arg-type]


def refused(outcome: Outcome, code: str, *named: str) -> str:
    """Exit 2, nothing on stdout, one line on stderr naming `named`; the same with --json gives `code`."""
    assert outcome.code == 2, outcome
    assert outcome.out == "", outcome
    lines = outcome.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi: "), outcome
    for word in named:
        assert word in lines[0], f"{word!r} not named\n{outcome}"
    return lines[0]


def refused_everywhere(commands: tuple[tuple[str, ...], ...], code: str, *named: str, url: str | None,
                       home: Path) -> list[str]:
    """Each command refused in one line; the first also with --json, whose error has `code`."""
    lines = [refused(ykien(*command, url=url, home=home), code, *named) for command in commands]
    shown = ykien(*commands[0], "--json", url=url, home=home)
    assert shown.code == 2, shown
    assert json.loads(shown.out)["error"]["code"] == code, shown
    return lines


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def template(initialised_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An initialised home (the 12-unit directory) with round 1, a draft."""
    home = tmp_path_factory.mktemp("database-errors") / "home"
    shutil.copytree(initialised_home, home)
    created = ykien(*CREATE, url=None, home=home)
    assert created.code == 0, created
    return home


@pytest.fixture
def home(template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(template, copy)
    return copy


# ---------------------------------------------------------------------------------------------------------------
# SQLite


def test_a_read_only_database_refuses_every_writing_command_and_still_reads(home: Path) -> None:
    database = home / "ykien.db"
    url = f"sqlite:///file:{database}?mode=ro&uri=true"
    before = digest(database)
    lines = refused_everywhere(WRITERS, "database_read_only", str(database), "YKIEN_DATABASE_URL", url=url,
                               home=home)
    assert all("chỉ cho đọc" in line for line in lines)
    for command in READERS[:1] + READERS[2:]:
        assert ykien(*command, url=url, home=home).code == 0
    shown = ykien("round", "show", "1", "--json", url=url, home=home)
    assert shown.code == 0 and json.loads(shown.out)["id"] == 1, shown
    assert digest(database) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions; the ?mode=ro test covers the same "
                                              "refusal for root")
def test_a_database_file_and_folder_without_write_permission_refuse_the_writing_commands(home: Path) -> None:
    database = home / "ykien.db"
    database.chmod(stat.S_IRUSR)
    home.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        for command in WRITERS:
            outcome = ykien(*command, url=None, home=home)
            assert outcome.code == 2 and outcome.out == "", outcome
            assert str(database) in outcome.err and "YKIEN_HOME" in outcome.err, outcome
            assert len(outcome.err.strip().splitlines()) == 1, outcome
    finally:
        home.chmod(stat.S_IRWXU)
        database.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_a_database_in_a_folder_that_does_not_exist_is_named_and_the_folder_is_not_made(tmp_path: Path) -> None:
    database = tmp_path / "khong-co" / "ykien.db"
    url = f"sqlite:///{database}"
    refused_everywhere(WRITERS[:1], "database_missing", str(database.parent), "YKIEN_DATABASE_URL",
                       url=url, home=tmp_path / "home")
    refused_everywhere(WRITERS[1:] + READERS, "not_initialised", str(database), "ykien init", "YKIEN_DATABASE_URL",
                       url=url, home=tmp_path / "home")
    assert not database.parent.exists()


def test_a_database_locked_by_another_process_refuses_writers_after_the_busy_timeout(home: Path) -> None:
    database = home / "ykien.db"
    url = f"sqlite:///{database}?timeout={LOCK_WAIT}"
    holder = sqlite3.connect(database, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        lines = refused_everywhere(WRITERS, "database_locked", str(database), "YKIEN_DATABASE_URL", url=url,
                                   home=home)
        assert all("khóa" in line for line in lines)
        # WAL: readers read the last committed state beside a writer
        assert ykien("round", "show", "1", url=url, home=home).code == 0
        assert ykien("round", "comments", "1", url=url, home=home).code == 0  # the numbers shown are not kept
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert ykien("tick", url=url, home=home).code == 0


def test_a_database_in_rollback_journal_mode_locked_exclusively_refuses_readers_too(home: Path) -> None:
    database = home / "ykien.db"
    url = f"sqlite:///{database}?timeout={LOCK_WAIT}"
    holder = sqlite3.connect(database, isolation_level=None)
    try:
        holder.execute("PRAGMA journal_mode=DELETE")  # as a backup tool may leave it
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("UPDATE alembic_version SET version_num = version_num")
        refused_everywhere(READERS, "database_locked", str(database), url=url, home=home)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_file_that_is_not_a_database_is_refused_by_every_command_and_left_as_it_was(tmp_path: Path) -> None:
    database = tmp_path / "ykien.db"
    database.write_bytes(bytes(range(256)) * 16 + os.urandom(4096))
    before = digest(database)
    lines = refused_everywhere(COMMANDS, "database_corrupt", str(database), "YKIEN_DATABASE_URL",
                               url=f"sqlite:///{database}", home=tmp_path / "home")
    assert all("không phải cơ sở dữ liệu SQLite" in line for line in lines)
    assert digest(database) == before


def test_a_schema_newer_than_the_code_is_refused_by_every_command_even_init(home: Path) -> None:
    database = home / "ykien.db"
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    connection.close()
    before = digest(database)
    lines = refused_everywhere(COMMANDS, "schema_too_new", "0099", "YKIEN_HOME", url=None, home=home)
    assert all("mới hơn" in line for line in lines)
    assert digest(database) == before


def test_an_empty_database_file_asks_for_ykien_init_which_then_makes_it_usable(tmp_path: Path) -> None:
    database = tmp_path / "rong.db"
    database.touch()
    url = f"sqlite:///{database}"
    refused_everywhere(COMMANDS[1:], "not_initialised", "`ykien init`", str(database), url=url,
                       home=tmp_path / "home")
    assert ykien("init", url=url, home=tmp_path / "home").code == 0
    assert ykien("db", "check", url=url, home=tmp_path / "home").code == 0


def test_an_older_schema_asks_for_ykien_init_which_upgrades_it(tmp_path: Path) -> None:
    from alembic import command

    from models.db.database import SCHEMA_REVISION, alembic_config

    database = tmp_path / "cu.db"
    url = f"sqlite:///{database}"
    older = f"{int(SCHEMA_REVISION) - 1:04d}"
    command.upgrade(alembic_config(url), older)
    refused_everywhere(READERS + WRITERS[1:], "not_initialised", older, "`ykien init`", str(database), url=url,
                       home=tmp_path / "home")
    assert ykien("init", url=url, home=tmp_path / "home").code == 0
    assert json.loads(ykien("db", "check", "--json", url=url, home=tmp_path / "home").out)["schema"] == {
        "database": [SCHEMA_REVISION], "code": SCHEMA_REVISION, "current": True}


def test_db_check_on_a_usable_database_says_so_and_exits_0(home: Path) -> None:
    from models.db.database import SCHEMA_REVISION

    outcome = ykien("db", "check", url=None, home=home)
    assert outcome.code == 0 and outcome.err == "", outcome
    lines = outcome.out.splitlines()
    assert len(lines) == 7, outcome
    assert str(home / "ykien.db") in lines[0] and "YKIEN_HOME" in lines[0] and "kết nối được, ghi được" in lines[0]
    assert f"phiên bản {SCHEMA_REVISION}" in lines[1]
    assert lines[2].startswith("Thư chờ gửi: 0,") and lines[3].startswith("Việc hẹn giờ chưa chạy: 0,")
    assert lines[4] == "Công việc nền (bản PDF, phát hành, hồ sơ trình): 0 đang chạy, 0 đang chờ máy xử lý nhận."
    assert lines[5] == "Tiến trình ykien đang hoạt động (serve, tick, worker, lệnh đang gửi thư; có nhịp tim trong 20 giây qua): 0."
    assert re.fullmatch(r"Mã bản cài đặt \(thẻ của các lượt chạy gửi tới Prefect\): [0-9a-f]{32}\.", lines[6]), lines


# ---------------------------------------------------------------------------------------------------------------
# The URL itself


@pytest.mark.parametrize(("url", "named"), [
    ("postgres://ykien:mat-khau@localhost/ykien", "postgresql+psycopg://"),
    ("postgresql+psycopg2://ykien@localhost/ykien", "postgresql+psycopg://"),
    ("sqlite:/srv/ykien.db", "sqlite:///"),
    ("sqlit:////srv/ykien.db", "sqlite:///"),
    ("ykien.db", "không phải địa chỉ cơ sở dữ liệu"),
    ("http://[::1/ykien", "không phải địa chỉ cơ sở dữ liệu"),
    ("mysql://ykien:mat-khau@localhost/ykien", "chỉ dùng PostgreSQL hoặc SQLite"),
    ("oracle://ykien@localhost/ykien", "chỉ dùng PostgreSQL hoặc SQLite"),
    ("postgresql+psycopg://ykien@localhost:99999/ykien", "99999"),
    ("sqlite://", "trong bộ nhớ"),
    ("sqlite:////srv/ykien.db?timeout=lau", "timeout"),
    ("sqlite:////srv/k\udcff.db", "UTF-8"),
], ids=lambda value: value.encode("utf-8", "backslashreplace").decode())
def test_a_malformed_or_unsupported_url_is_named_by_every_command(tmp_path: Path, url: str, named: str) -> None:
    lines = refused_everywhere(COMMANDS, "invalid_input", "YKIEN_DATABASE_URL", named, url=url,
                               home=tmp_path / "home")
    assert all("mat-khau" not in line for line in lines)
    assert not (tmp_path / "home").exists()


@pytest.mark.parametrize("url", ["sqlite:///{tmp}/rac.db", "postgresql+psycopg://u:mat-khau@127.0.0.1:{port}/x",
                                 "mysql://u@localhost/x"])
def test_commands_that_never_open_the_database_work_whatever_it_is(tmp_path: Path, url: str) -> None:
    from pg import free_port

    (tmp_path / "rac.db").write_bytes(os.urandom(2048))
    before = digest(tmp_path / "rac.db")
    url = url.format(tmp=tmp_path, port=free_port())
    for command in NO_DATABASE:
        outcome = ykien(*command, url=url, home=tmp_path / "home")
        if command == ("settings",) and url.startswith("mysql"):
            refused(outcome, "invalid_input", "YKIEN_DATABASE_URL")  # the settings are what it shows
            continue
        assert outcome.code == 0 and outcome.err == "", outcome
    assert "Cách dùng: ykien serve" in ykien("serve", "--help", url=url, home=tmp_path / "home").out
    assert digest(tmp_path / "rac.db") == before


# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL

PASSWORD_ROLE = "ykien_mat_khau"
TEMPLATE = "ykien_template"  # the migrated database tests/conftest.py makes in the cluster


@pytest.fixture(scope="module")
def password_role(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """A role that must log in with a password (the cluster trusts everyone else on loopback)."""
    hba = postgres_cluster.data_dir / "pg_hba.conf"
    original = hba.read_text()
    with postgres_cluster.connect() as connection:
        connection.execute(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD 'Dung-mat-khau-1'")
        hba.write_text(f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n{original}")
        connection.execute("SELECT pg_reload_conf()")
    try:
        yield PASSWORD_ROLE
    finally:
        hba.write_text(original)
        with postgres_cluster.connect() as connection:
            connection.execute("SELECT pg_reload_conf()")
            connection.execute(f"DROP ROLE IF EXISTS {PASSWORD_ROLE}")


def test_a_postgresql_server_nobody_listens_on_is_named_with_its_port_and_no_password(tmp_path: Path) -> None:
    from pg import free_port

    port = free_port()
    lines = refused_everywhere(COMMANDS, "database_unreachable", f"127.0.0.1:{port}", "YKIEN_DATABASE_URL",
                               url=f"postgresql+psycopg://ykien:Bi-mat-9@127.0.0.1:{port}/ykien",
                               home=tmp_path / "home")
    assert all("Bi-mat-9" not in line and "từ chối kết nối" in line for line in lines)
    assert not (tmp_path / "home").exists()  # nothing half-made: init refused leaves no empty YKIEN_HOME behind


def test_a_wrong_postgresql_password_is_refused_and_a_role_without_grants_named(postgres_cluster: PostgresCluster, password_role: str,
                                                        tmp_path: Path) -> None:
    port = postgres_cluster.port
    postgres_cluster.create_database("mat_khau", template=TEMPLATE)
    try:
        url = f"postgresql+psycopg://{password_role}:Sai-mat-khau@127.0.0.1:{port}/mat_khau"
        lines = refused_everywhere(COMMANDS, "database_login_refused", password_role, f"127.0.0.1:{port}",
                                   "YKIEN_DATABASE_URL", url=url, home=tmp_path / "home")
        assert all("Sai-mat-khau" not in line for line in lines)
        # with its right password the role logs in, and meets the next problem: no right on ykien's tables
        right = url.replace("Sai-mat-khau", "Dung-mat-khau-1")
        refused_everywhere(COMMANDS[1:], "database_permission", f'"{password_role}"', "GRANT", url=right,
                           home=tmp_path / "home")
    finally:
        postgres_cluster.drop_database("mat_khau")


def test_an_unknown_postgresql_database_is_named(postgres_cluster: PostgresCluster, tmp_path: Path) -> None:
    url = postgres_cluster.url("khong_co_csdl")
    refused_everywhere(COMMANDS, "database_missing", '"khong_co_csdl"', "createdb", "YKIEN_DATABASE_URL", url=url,
                       home=tmp_path / "deep" / "home")
    assert not (tmp_path / "deep").exists()  # nor the folders above it that init made


def test_a_read_only_postgresql_database_refuses_the_writing_commands(postgres_cluster: PostgresCluster,
                                                                      tmp_path: Path) -> None:
    url = postgres_cluster.create_database("chi_doc", template=TEMPLATE)
    try:
        with postgres_cluster.connect() as connection:
            connection.execute("ALTER DATABASE chi_doc SET default_transaction_read_only = on")
        lines = refused_everywhere(WRITERS, "database_read_only", "YKIEN_DATABASE_URL", url=url,
                                   home=tmp_path / "home")
        assert all("chỉ cho đọc" in line for line in lines)
        assert ykien("round", "list", url=url, home=tmp_path / "home").code == 0
    finally:
        postgres_cluster.drop_database("chi_doc")


def test_an_empty_postgresql_database_asks_for_init_then_checks_healthy(postgres_cluster: PostgresCluster,
                                                                         tmp_path: Path) -> None:
    url = postgres_cluster.create_database("moi_tao")
    try:
        refused_everywhere(COMMANDS[1:], "not_initialised", "`ykien init`", "YKIEN_DATABASE_URL", url=url,
                           home=tmp_path / "home")
        assert ykien("init", url=url, home=tmp_path / "home").code == 0
        checked = ykien("db", "check", "--json", url=url, home=tmp_path / "home")
        assert checked.code == 0, checked
        assert json.loads(checked.out)["backend"] == "postgresql"
    finally:
        postgres_cluster.drop_database("moi_tao")



@pytest.mark.parametrize("option", ["tcp_user_timeout", "connect_timeout", "keepalives", "sslmode"])
def test_a_bad_value_of_an_option_in_the_postgresql_url_is_named(postgres_cluster: PostgresCluster, tmp_path: Path,
                                                                 option: str) -> None:
    """libpq (or psycopg, for connect_timeout) judges the value when it connects: its English refusal is said in
    Vietnamese, naming the option and the value, before anything is written."""
    url = postgres_cluster.url("postgres") + f"?{option}=abc"
    refused_everywhere(COMMANDS, "database_url_invalid", f'giá trị "abc" của tùy chọn {option} không hợp lệ',
                       "YKIEN_DATABASE_URL", url=url, home=tmp_path / "home")


@pytest.mark.parametrize(("option", "meant"), [("sslmod", '(có phải "sslmode"?)'),
                                               ("timeout", '(có phải "connect_timeout"?)'), ("zz", "libpq")])
def test_an_option_libpq_does_not_know_in_the_postgresql_url_is_named_before_connecting(
        tmp_path: Path, option: str, meant: str) -> None:
    url = f"postgresql+psycopg://u:mat-khau@127.0.0.1:9/x?{option}=require"
    lines = refused_everywhere(COMMANDS, "invalid_input", "YKIEN_DATABASE_URL", f'không có tùy chọn "{option}"', meant,
                               url=url, home=tmp_path / "home")
    assert all("mat-khau" not in line for line in lines)


def _serve(url: str, home: Path) -> tuple[int, str]:
    """`ykien serve --no-web` as a process (should it start, it is stopped after 30 s and the test fails)."""
    import subprocess

    from tests.e2e.conftest import ykien_command

    env = {key: value for key, value in os.environ.items() if not key.startswith(("YKIEN_", "PREFECT_API_URL"))}
    env.update(YKIEN_HOME=str(home), YKIEN_DATABASE_URL=url, COLUMNS="200")
    done = subprocess.run([*ykien_command(), "serve", "--no-web"], env=env, capture_output=True, text=True,
                          timeout=30)
    return done.returncode, done.stderr


def test_serve_never_creates_nor_migrates_the_schema_it_asks_for_ykien_init(tmp_path: Path) -> None:
    """A replica whose YKIEN_HOME or database name has a typo came up as a new, empty installation; one upgraded
    first migrated the shared database under the replicas still running the old code. Serve refuses both, as every
    other command does, and leaves the database as it found it."""
    from alembic import command

    from models.db.database import SCHEMA_REVISION, alembic_config

    empty = tmp_path / "rong.db"
    empty.touch()
    code, said = _serve(f"sqlite:///{empty}", tmp_path / "home")
    assert (code, "chưa được khởi tạo" in said, "`ykien init`" in said) == (2, True, True), said
    with sqlite3.connect(empty) as connection:
        assert connection.execute("SELECT name FROM sqlite_master").fetchall() == []  # no table made
    older = tmp_path / "cu.db"
    previous = f"{int(SCHEMA_REVISION) - 1:04d}"
    command.upgrade(alembic_config(f"sqlite:///{older}"), previous)
    code, said = _serve(f"sqlite:///{older}", tmp_path / "home")
    assert (code, previous in said, "`ykien init`" in said) == (2, True, True), said
    with sqlite3.connect(older) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(previous,)]
