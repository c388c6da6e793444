"""Fixtures shared by the integration and end-to-end tests: a throwaway PostgreSQL cluster,
a migrated App on each backend, a frozen clock and a loopback SMTP capture server.

`app` is parametrised over the backends, so a test that asks for it runs on SQLite and on
PostgreSQL. Without PostgreSQL binaries the PostgreSQL half fails; set YKIEN_SKIP_POSTGRES=1
to skip it instead.
"""
from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from config.clock import FrozenClock
from notifications.pdf_folders import remove_abandoned

# tests/ is not a package; make `tests/pg.py` importable as `pg` wherever pytest starts from.
sys.path.insert(0, str(Path(__file__).parent))

if TYPE_CHECKING:  # the database and SMTP stacks are imported by the fixtures: unit tests stay light
    from pg import PostgresCluster, TemplateCopies

    from notifications.testing import SmtpCapture
    from workflows.service.app import App

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Thursday 20/11/2025, the day the seed-000 letter was drafted.
START = datetime(2025, 11, 20, 8, 30, tzinfo=TZ)
TEMPLATE_DATABASE = "ykien_template"
BACKENDS = ("sqlite", "postgresql")


# FastAPI's caches of the endpoints it has classified (fastapi/dependencies/models.py, 4,096 entries each).
FASTAPI_CALLABLE_CACHES = ("_is_gen_callable_cached", "_is_async_gen_callable_cached", "_is_coroutine_callable_cached")


@pytest.fixture(autouse=True)
def _forget_web_apps() -> Iterator[None]:
    """Empty FastAPI's caches of endpoints after each test. An endpoint that is a closure over its web app keeps that
    app, its App and its engine alive there: nothing for `ykien serve`, which makes one, but the hundreds of web apps
    a test run makes kept about 4.5 million objects alive in each worker. Every full garbage collection walks them,
    and the last, at the end of the run, took longer than the 5 s pytest-xdist gives a worker to finish, which it
    then interrupts (a KeyboardInterrupt "ignored" in the run's warnings)."""
    yield
    models = sys.modules.get("fastapi.dependencies.models")  # not imported by a unit test: nothing to empty
    for name in FASTAPI_CALLABLE_CACHES:
        cached = getattr(models, name, None)
        if cached is not None:
            cached.cache_clear()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test gets a node id of its own. scripts/test.sh runs pytest-xdist with --dist loadscope, whose scheduler
    keys tests by node id: schemathesis's fuzz items (one per API operation) all had the same id under pytest 9, and
    CI ran one of the fifteen, silently. A clash left after renaming stops the run."""
    counts = Counter(item.nodeid for item in items)
    for item in items:
        if counts[item.nodeid] > 1 and item.parent is not None:
            item._id = item.parent.id.child(item.name)  # what pytest computes for a node from its name
    clashes = sorted(nodeid for nodeid, count in Counter(item.nodeid for item in items).items() if count > 1)
    if clashes:
        raise pytest.UsageError(f"tests with the same node id would run once under xdist: {clashes[:5]}")


def pytest_collection_finish() -> None:
    """Staff passwords hashed in the tests' own processes: argon2id still, by the same code, at argon2's lowest cost
    (one pass over 8 KiB). Production's costs about 200 ms of CPU per hash or check, on purpose: the web tests made
    about 900 of them, 168 s of CPU. Before any fixture runs; the `ykien` processes tests start keep production's,
    which tests/integration/test_password_hashing.py checks."""
    from argon2 import PasswordHasher

    from workflows.service import staff

    staff.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def pytest_sessionfinish() -> None:
    """Remove the Prefect database copied for the next Prefect servers of this process (tests.e2e.prefect_support),
    and the folders of PDF servers the tests killed with their `ykien serve` (those still running are kept)."""
    support = sys.modules.get("tests.e2e.prefect_support")
    if support is not None:
        support.remove_template()
    remove_abandoned()


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One PostgreSQL 15 cluster for the run, with a migrated template database."""
    from pg import PostgresCluster, PostgresUnavailable

    from models.db.database import make_engine, migrate

    if os.environ.get("YKIEN_SKIP_POSTGRES") == "1":
        pytest.skip("YKIEN_SKIP_POSTGRES=1")
    try:
        cluster = PostgresCluster.start()
    except PostgresUnavailable as error:
        pytest.fail(f"PostgreSQL is needed for the integration tests ({error}); "
                    "install PostgreSQL 15 or set YKIEN_SKIP_POSTGRES=1", pytrace=False)
    try:
        engine = make_engine(cluster.create_database(TEMPLATE_DATABASE))
        migrate(engine)
        engine.dispose()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_copies(postgres_cluster: PostgresCluster) -> Iterator[TemplateCopies]:
    """Fresh copies of the migrated template, each made while the test before runs."""
    from pg import TemplateCopies

    copies = TemplateCopies(postgres_cluster, TEMPLATE_DATABASE)
    try:
        yield copies
    finally:
        copies.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once for the run, like PostgreSQL's template database: a copy (copy_migrated_sqlite)
    is a fresh database without the ~0.4 s of `alembic upgrade` each test would pay."""
    from sqlite_template import make_migrated_sqlite

    return make_migrated_sqlite(tmp_path_factory.mktemp("sqlite-template") / "ykien.db")


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, migrated database on the backend of this test run (a copy of a migrated template on both).

    A PostgreSQL one is dropped after its test: each copy takes about 14 MB, and a test process kept some 200 of
    them, written to disk during the run and removed at its end (30-40 s of the last test's teardown)."""
    if backend == "sqlite":
        from sqlite_template import copy_migrated_sqlite

        copy_migrated_sqlite(request.getfixturevalue("migrated_sqlite"), tmp_path)
        yield f"sqlite:///{tmp_path}/ykien.db"
        return
    copies: TemplateCopies = request.getfixturevalue("postgres_copies")
    name = copies.take()
    yield copies.cluster.url(name)
    copies.cluster.drop_database(name)  # WITH (FORCE): a connection the test left open is cut


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def capture() -> Iterator[SmtpCapture]:
    """A real SMTP server on 127.0.0.1 that keeps what it accepts (see notifications.testing)."""
    from notifications.testing import smtp_capture

    with smtp_capture() as server:
        yield server


@pytest.fixture
def app_factory(database_url: str, tmp_path: Path, capture: SmtpCapture,
                clock: FrozenClock) -> Iterator[Callable[[], App]]:
    """Builds Apps on the same database, SMTP server and clock (one per simulated process)."""
    from config.settings import load_settings
    from workflows.service.app import build_app

    apps: list[App] = []

    def make() -> App:
        settings = load_settings(home=tmp_path, database_url=database_url, now=None, calendar_file=None,
                                 smtp_url=f"smtp://127.0.0.1:{capture.target.port}")
        app = build_app(settings, clock, create_schema=not apps)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close()


@pytest.fixture
def app(app_factory: Callable[[], App]) -> App:
    """A migrated App on SQLite or PostgreSQL, sending to `capture`, on the frozen `clock`."""
    return app_factory()


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, str]]:
    """One softhsm2 token for this test process: (the CA that issued its signer's certificate, the PKCS#11 library).

    libsofthsm2 reads SOFTHSM2_CONF once per process, when it is first loaded: two modules each making their own
    token in one process (two pytest-xdist workers share modules out differently each run) would sign with whichever
    came first, under the other's CA. So every in-process token test uses this one."""
    from debian_tools import require_tools
    from signing_ca import make_ca, make_softhsm_token, softhsm_library

    require_tools("softhsm2-util", "pkcs11-tool")
    library = softhsm_library()
    if library is None:
        pytest.fail("softhsm2-util is installed but libsofthsm2.so is not where Debian puts it", pytrace=False)
    ca = make_ca()
    conf = make_softhsm_token(ca, tmp_path_factory.mktemp("softhsm"), library)
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    yield ca, library
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous
