"""A file's number is never given twice: after the newest file is removed (an answer refused, a form left
unconfirmed) the next file, another unit's, takes a new number, so a link or form value naming the removed one opens
nothing, on SQLite (AUTOINCREMENT, migration 0023) as on PostgreSQL (a sequence). The migration keeps the rows, their
ids and bytes, starts the counter above a number a kept form value still names, and goes down again."""
from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy import JSON, bindparam, text

from models.db.database import run_migrations
from workflows.service.app import App
from workflows.service.attachments import AttachmentMissing, discard, round_file, store

XLSX = b"PK\x03\x04 a table"
ATTACHMENT = ("INSERT INTO attachments (round_id, recipient_id, response_id, field_key, filename, content_type, size, "
              "sha256, data, created_at) VALUES (:round_id, :recipient_id, NULL, 'budget', :filename, "
              "'application/octet-stream', 3, 'x', :data, :at)")
ASSIGNMENT = text(
    "INSERT INTO assignments (round_id, recipient_id, task, due, late, \"values\", reminders_sent, status, "
    "remind_index, remind_occurrence, created_at, created_by) VALUES (:round_id, :recipient_id, 'paper', :due, "
    "false, :values, 0, 'done', 0, 1, :at, 'test')").bindparams(bindparam("values", type_=JSON))


def _two_units(app: App, round_id: int) -> tuple[int, int]:
    with app.engine.connect() as connection:
        first, second = connection.execute(text("SELECT id FROM recipients WHERE round_id = :r ORDER BY id LIMIT 2"),
                                           {"r": round_id}).scalars()
    return int(first), int(second)


def _new_file(app: App, round_id: int, recipient_id: int, filename: str) -> int:
    with app.engine.begin() as connection:
        connection.execute(text(ATTACHMENT), {"round_id": round_id, "recipient_id": recipient_id,
                                              "filename": filename, "data": filename.encode(), "at": app.clock.now()})
        return int(connection.execute(text("SELECT MAX(id) FROM attachments")).scalar_one())


def _files(app: App) -> list[tuple[int, str, bytes]]:
    with app.engine.connect() as connection:
        return [(int(i), str(name), bytes(data)) for i, name, data in connection.execute(
            text("SELECT id, filename, data FROM attachments ORDER BY id"))]


def test_a_removed_file_number_is_never_another_units_file(app: App, make_round: Callable[..., int]) -> None:
    round_id = make_round()
    unit_a, unit_b = _two_units(app, round_id)
    kept = store(app, round_id, unit_a, "budget", "bang-ke.xlsx", XLSX)
    refused = store(app, round_id, unit_a, "budget", "du-toan.xlsx", XLSX)
    discard(app, [refused])  # the answer it came with was refused: the newest file goes
    other = store(app, round_id, unit_b, "budget", "cua-don-vi-khac.xlsx", XLSX)
    assert other.attachment_id == refused.attachment_id + 1
    with pytest.raises(AttachmentMissing):
        round_file(app, round_id, refused.attachment_id)  # a link read before opens nothing, not unit B's file
    assert round_file(app, round_id, kept.attachment_id).filename == "bang-ke.xlsx"


def test_0023_keeps_the_files_and_counts_past_a_number_a_task_still_names(
        app: App, make_round: Callable[..., int]) -> None:
    round_id = make_round()
    unit_a, unit_b = _two_units(app, round_id)
    run_migrations(app.engine, "0022", down=True)
    first, removed, named = (_new_file(app, round_id, unit_a, name) for name in ("một.pdf", "hai.pdf", "ba.pdf"))
    with app.engine.begin() as connection:  # a task handed in with file `named`, which was removed since
        connection.execute(ASSIGNMENT, {"round_id": round_id, "recipient_id": unit_a, "due": app.clock.now().date(),
                                        "values": {"p_list": f"ba.pdf (3 B) [tệp đính kèm số {named}]"},
                                        "at": app.clock.now()})
        connection.execute(text("DELETE FROM attachments WHERE id IN (:a, :b)"), {"a": removed, "b": named})
    run_migrations(app.engine, "head")
    assert _files(app) == [(first, "một.pdf", "một.pdf".encode())]
    assert _new_file(app, round_id, unit_b, "bốn.pdf") == named + 1  # not `removed`, not the task's `named`

    run_migrations(app.engine, "0022", down=True)
    assert [(i, name) for i, name, _ in _files(app)] == [(first, "một.pdf"), (named + 1, "bốn.pdf")]
    run_migrations(app.engine, "head")
    assert _new_file(app, round_id, unit_b, "năm.pdf") == named + 2


def test_0023_reads_a_number_from_every_column_that_keeps_form_values(app: App,
                                                                       make_round: Callable[..., int]) -> None:
    """SQLite keeps JSON with its letters escaped ("t\\u1ec7p \\u0111\\u00ednh k\\u00e8m s\\u1ed1 9]"): the
    migration finds the number either way, in a saved answer as in an answer's forms."""
    if app.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's sequence was never behind: the migration does nothing there")
    round_id = make_round()
    unit_a, unit_b = _two_units(app, round_id)
    run_migrations(app.engine, "0022", down=True)
    saved = text("INSERT INTO saved_answers (round_id, recipient_id, draft_version, answer, rows, proposals, "
                 "saved_at) VALUES (:r, :u, 1, NULL, '[]', :proposals, :at)").bindparams(
        bindparam("proposals", type_=JSON))
    answer = text("INSERT INTO responses (round_id, recipient_id, draft_version, revision, kind, entered_by, channel, "
                  "received_at, late, proposal) VALUES (:r, :u, 1, 1, 'proposals', 'test', 'web', :at, false, "
                  ":proposal)")
    with app.engine.begin() as connection:
        connection.execute(saved, {"r": round_id, "u": unit_a, "at": app.clock.now(),
                                   "proposals": [{"budget": "a.xlsx (1 KB) [tệp đính kèm số 9]"}]})
        connection.execute(answer, {"r": round_id, "u": unit_b, "at": app.clock.now(), "proposal": json.dumps(
            [{"budget": "b.pdf (2 KB) [tệp đính kèm số 12]"}], ensure_ascii=False)})  # unescaped, as text
    run_migrations(app.engine, "head")
    assert _new_file(app, round_id, unit_a, "c.pdf") == 13
