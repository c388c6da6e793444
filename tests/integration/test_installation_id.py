"""Each database has one installation id (models.db.tables.InstallationRow), written by its migration: the tag of
the flow runs its `ykien serve` submits, by which its `ykien worker`s take their own runs from a work pool another
installation shares (tests/integration/test_prefect_flows.py runs two on one pool)."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from config.clock import FrozenClock
from config.settings import load_settings
from models.db.tables import InstallationRow
from models.errors import DomainError
from workflows.flows import installation_tag, of_another_installation, run_tags
from workflows.service.app import App, build_app
from workflows.service.installation import renew_installation_id
from workflows.service.sweep import beat, retire


def test_a_migrated_database_has_one_installation_id_that_every_app_on_it_reads(app: App, clock: FrozenClock) -> None:
    with app.uow(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(InstallationRow)) == 1
    other = App(settings=app.settings, engine=app.engine, clock=clock)  # another process on the same database
    assert len(app.installation_id) == 32 and int(app.installation_id, 16) >= 0
    assert other.installation_id == app.installation_id


def test_two_new_databases_have_different_installation_ids(tmp_path: Path, clock: FrozenClock) -> None:
    ids = set()
    for name in ("production", "staging"):
        settings = load_settings(home=tmp_path / name, database_url=f"sqlite:///{tmp_path}/{name}.db")
        made = build_app(settings, clock, create_schema=True)
        ids.add(made.installation_id)
        made.close()
    assert len(ids) == 2


def test_a_database_whose_row_went_missing_gets_one_id_and_keeps_it(app: App, clock: FrozenClock) -> None:
    with app.uow() as uow:
        uow.session.execute(delete(InstallationRow))
        uow.commit()
    first = App(settings=app.settings, engine=app.engine, clock=clock).installation_id
    second = App(settings=app.settings, engine=app.engine, clock=clock).installation_id
    assert first == second
    with app.uow(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(InstallationRow)) == 1


def test_runs_carry_their_installation_and_a_worker_leaves_only_another_installations_runs() -> None:
    tags = run_tags("circulate", {"round_id": 7}, "a" * 32)
    assert installation_tag("a" * 32) in tags and "round:7" in tags
    assert not of_another_installation(tags, "a" * 32)
    assert of_another_installation(tags, "b" * 32)
    assert not of_another_installation(["ykien", "step:circulate", "round:7"], "b" * 32)  # submitted before ids


def test_a_renewed_id_replaces_the_old_one_for_every_process_started_after(app: App, clock: FrozenClock) -> None:
    old = app.installation_id
    renewal = renew_installation_id(App(settings=app.settings, engine=app.engine, clock=clock))
    assert renewal.previous == old and renewal.current != old
    assert App(settings=app.settings, engine=app.engine, clock=clock).installation_id == renewal.current
    with app.uow(read_only=True) as uow:
        assert list(uow.session.scalars(select(InstallationRow.id))) == [renewal.current]


def test_no_renewal_while_a_process_beats_on_the_database(app: App, clock: FrozenClock) -> None:
    old = app.installation_id
    beat(app)  # this process runs: it read the id once and would go on using it
    with pytest.raises(DomainError, match="đổi mã bản cài đặt") as refused:
        renew_installation_id(App(settings=app.settings, engine=app.engine, clock=clock))
    assert refused.value.code == "database_in_use"
    assert App(settings=app.settings, engine=app.engine, clock=clock).installation_id == old
    retire(app)
    assert renew_installation_id(App(settings=app.settings, engine=app.engine, clock=clock)).previous == old
