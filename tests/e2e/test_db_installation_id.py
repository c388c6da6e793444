"""`ykien db new-installation-id`: a database copied from another installation (a restored backup, a dump) keeps that
installation's id, which its flow runs carry and by which its workers take runs from a shared work pool; the command
gives the copy an id of its own, and is refused while a ykien process runs on the database (each reads the id once)."""
from __future__ import annotations

import sqlite3
from pathlib import Path


def installation(cli) -> str:  # type: ignore[no-untyped-def]
    return str(cli("db", "check", "--json").json["installation"])


def test_a_restored_copy_keeps_the_original_id_until_it_is_given_its_own(cli, make_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    production = installation(cli)
    saved = tmp_path / "ban-sao-luu.db"
    cli("db", "backup", str(saved))
    staging = make_cli(tmp_path / "staging")
    staging("init")
    staging("db", "restore", str(saved))
    assert installation(staging) == production  # the copy would take production's runs from a shared pool

    renewed = staging("db", "new-installation-id", "--json").json
    assert renewed["previous"] == production and renewed["installation"] != production
    assert len(renewed["installation"]) == 32 and int(renewed["installation"], 16) >= 0
    assert installation(staging) == renewed["installation"]
    assert installation(cli) == production  # the original is untouched

    told = staging("db", "new-installation-id").out
    assert f"(mã cũ: {renewed['installation']})" in told and installation(staging) in told
    with sqlite3.connect(staging.database) as connection:
        assert connection.execute("SELECT count(*) FROM installation").fetchone() == (1,)


def test_renewal_is_refused_while_a_ykien_process_beats_and_changes_nothing(cli) -> None:  # type: ignore[no-untyped-def]
    before = installation(cli)
    with sqlite3.connect(cli.database) as connection:  # what a ykien worker writes every few seconds
        connection.execute("INSERT INTO instances (id, host, pid, started_at, heartbeat_at) VALUES "
                           "('may-gui-thu:4242:abcd1234', 'may-gui-thu', 4242, '2025-11-20 01:59:00.000000', "
                           "'2025-11-20 01:59:55.000000')")
    refused = cli("db", "new-installation-id", "--json", expect=1).json["error"]
    assert refused["code"] == "database_in_use" and "may-gui-thu (pid 4242)" in refused["message"]
    assert "ykien worker" in refused["message"] and "đổi mã bản cài đặt" in refused["message"]
    said = cli("db", "new-installation-id", expect=1)
    assert said.err.count("\n") == 1 and "Traceback" not in said.err
    assert installation(cli) == before
    cli.at("2025-11-20T09:05")  # five minutes later the heartbeat is stale: that worker is gone
    assert cli("db", "new-installation-id", "--json").json["previous"] == before
    assert installation(cli) != before
