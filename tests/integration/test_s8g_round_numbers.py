"""A round's number is never given twice: after the newest draft round is deleted the next one takes a new number,
on SQLite (AUTOINCREMENT, migration 0020) as on PostgreSQL (a sequence); the migration keeps rows, ids and the rows
that refer to them, starts the counter above a deleted round the system audit records, and goes down again; the
same for assignments (migration 0021), which staff name by number too."""
from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import text

from models.db.database import run_migrations
from workflows.service.app import App
from workflows.service.draft_rounds import delete_round

ROUND = ("INSERT INTO rounds (workflow, status, title, subject, office, silence_is_agreement, contact_name, "
         "contact_phone, signer_name, signer_title, draft_version, timer_overrides, addressees, legal_bases, "
         "document_inputs, tasks, outcome, created_at, created_by, version) VALUES ('consultation', 'draft', :title, "
         "'s', 'TĐC', false, 'c', '0912130290', 'n', 'GIÁM ĐỐC', 1, '{}', '[]', '[]', '{}', '[]', '{}', "
         ":at, 'test', 1)")
AUDIT = ("INSERT INTO audit_events (round_id, seq, at, actor, action, details, prev_hash, hash) "
         "VALUES (:round_id, :seq, :at, 'test', :action, :details, 'p', 'h')")


def _new_round(app: App, title: str) -> int:
    with app.engine.begin() as connection:
        connection.execute(text(ROUND), {"title": title, "at": app.clock.now()})
        return int(connection.execute(text("SELECT MAX(id) FROM rounds")).scalar_one())


def _rounds(app: App) -> list[tuple[int, str]]:
    with app.engine.connect() as connection:
        return [(int(i), str(t)) for i, t in connection.execute(text("SELECT id, title FROM rounds ORDER BY id"))]


def test_deleting_the_newest_draft_frees_no_number(app: App, make_round: Callable[..., int]) -> None:
    first = make_round()
    newest = make_round()
    delete_round(app, newest, "test")
    assert make_round() == newest + 1
    assert [number for number, _ in _rounds(app)] == [first, newest + 1]


def test_0020_keeps_rows_ids_and_references_and_counts_past_a_deleted_round(app: App) -> None:
    run_migrations(app.engine, "0019", down=True)
    at = app.clock.now()
    ids = [_new_round(app, title) for title in ("một", "hai", "ba")]
    with app.engine.begin() as connection:
        connection.execute(text(AUDIT), {"round_id": ids[1], "seq": 1, "at": at, "action": "create",
                                         "details": "{}"})
        connection.execute(text("DELETE FROM rounds WHERE id = :id"), {"id": ids[2]})
        connection.execute(text(AUDIT), {"round_id": None, "seq": 1, "at": at, "action": "round_deleted",
                                         "details": json.dumps({"round": ids[2], "title": "ba"})})
    run_migrations(app.engine, "head")
    assert _rounds(app) == [(ids[0], "một"), (ids[1], "hai")]
    with app.engine.connect() as connection:
        assert connection.execute(text("SELECT round_id FROM audit_events WHERE action = 'create'")).scalar() == ids[1]
    assert _new_round(app, "bốn") == ids[2] + 1  # not the deleted round's number, which the audit still names

    run_migrations(app.engine, "0019", down=True)
    assert [title for _, title in _rounds(app)] == ["một", "hai", "bốn"]
    with app.engine.connect() as connection:
        assert connection.execute(text("SELECT round_id FROM audit_events WHERE action = 'create'")).scalar() == ids[1]
    run_migrations(app.engine, "head")
    assert _new_round(app, "năm") == ids[2] + 2


def test_0020_on_an_empty_rounds_table_counts_past_the_deleted_rounds_alone(app: App) -> None:
    run_migrations(app.engine, "0019", down=True)
    with app.engine.begin() as connection:
        connection.execute(text(AUDIT), {"round_id": None, "seq": 1, "at": app.clock.now(), "action": "round_deleted",
                                         "details": json.dumps({"round": 6})})
    run_migrations(app.engine, "head")
    assert _new_round(app, "một") == (7 if app.engine.dialect.name == "sqlite" else 1)  # PostgreSQL: a new sequence


ASSIGNMENT = ("INSERT INTO assignments (round_id, recipient_id, task, due, late, \"values\", reminders_sent, status, "
              "remind_index, remind_occurrence, created_at, created_by) VALUES (:round_id, :recipient_id, :task, "
              ":due, false, '{}', 0, 'pending', 0, 1, :at, 'test')")


def _assignment(app: App, round_id: int, recipient_id: int, task: str) -> int:
    with app.engine.begin() as connection:
        connection.execute(text(ASSIGNMENT), {"round_id": round_id, "recipient_id": recipient_id, "task": task,
                                              "due": app.clock.now().date(), "at": app.clock.now()})
        return int(connection.execute(text("SELECT MAX(id) FROM assignments")).scalar_one())


def test_0021_keeps_the_assignments_and_never_gives_a_removed_number_again(
        app: App, make_round: Callable[..., int]) -> None:
    round_id = make_round()
    with app.engine.connect() as connection:
        recipient = int(connection.execute(text("SELECT MIN(id) FROM recipients WHERE round_id = :r"),
                                           {"r": round_id}).scalar_one())
    run_migrations(app.engine, "0020", down=True)
    kept, removed = _assignment(app, round_id, recipient, "a"), _assignment(app, round_id, recipient, "b")
    run_migrations(app.engine, "head")
    with app.engine.begin() as connection:
        connection.execute(text("DELETE FROM assignments WHERE id = :id"), {"id": removed})
    assert _assignment(app, round_id, recipient, "c") == removed + 1
    run_migrations(app.engine, "0020", down=True)
    with app.engine.connect() as connection:
        assert connection.execute(text("SELECT id, task FROM assignments ORDER BY id")).all() == \
            [(kept, "a"), (removed + 1, "c")]
    run_migrations(app.engine, "head")
