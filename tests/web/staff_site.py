"""A migrated SQLite home with the 12 test units and one staff member, made once per test module and copied for
each test, and the web app's client logged in as that member: the setup most web tests share.

Import the fixtures by name into a test module (`from staff_site import staff, template_home, ykien_app  # noqa:
F401`); a module that needs another member (an admin) defines its own `template_home` with `make_home`. Also here:
a round launched (`launched_round`), the trial consultation to two departments many tests start from, and a client
logged in as a leader of the Sở.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlite_template import copy_home_database

from config.clock import FrozenClock
from config.settings import Settings, load_settings
from models.rounds import RecipientRole
from notifications.testing import SmtpCapture, smtp_capture
from workflows.engine.events import Launch
from workflows.service.app import App, build_app
from workflows.service.directory import import_units
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.staff import add_user
from workflows.service.steps import run_step
from workflows.web.app import create_web_app

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2025, 11, 20, 8, 30, tzinfo=TZ)
UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
USERNAME = "long"
PASSWORD = "matkhau-rat-dai"
STAFF = "Phạm Phi Long (TĐC)"


def settings_for(home: Path, capture: SmtpCapture) -> Settings:
    return load_settings(home=home, database_url=None, now=None, calendar_file=None,
                         smtp_url=f"smtp://127.0.0.1:{capture.target.port}", secret_key="w" * 40)


def make_home(home: Path, role: str = "staff", office: str | None = "TĐC") -> Path:
    """Migrate a database in `home`, import the units and add the member `long` with `role` in `office`."""
    with smtp_capture() as capture:
        app = build_app(settings_for(home, capture), FrozenClock(START), create_schema=True)
        import_units(app, UNITS_CSV, STAFF)
        add_user(app, USERNAME, "Phạm Phi Long", role, PASSWORD, office, "test")
        app.close()
    return home


def log_in(client: TestClient) -> TestClient:
    """Log the staff member in (again: a test that moves the clock by days outlives the session's lifetime); every
    unsafe request then carries the session's CSRF token in its header."""
    answer = client.post("/api/session", json={"username": USERNAME, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


@pytest.fixture(scope="module")
def template_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_home(tmp_path_factory.mktemp("staff-site"))


@pytest.fixture
def ykien_app(template_home: Path, tmp_path: Path, capture: SmtpCapture, clock: FrozenClock) -> Iterator[App]:
    copy_home_database(template_home, tmp_path)
    app = build_app(settings_for(tmp_path, capture), clock)
    yield app
    app.close()


@pytest.fixture
def staff(ykien_app: App) -> TestClient:
    """The member's client; a server error comes back as a 500 page, as a browser would see it."""
    return log_in(TestClient(create_web_app(ykien_app), raise_server_exceptions=False))


def launched_round(app: App, new: NewRound, actor: str = STAFF) -> int:
    """`new` created, launched and its invitations sent out."""
    round_id = create_round(app, new, actor)
    execute(app, round_id, Launch(), actor)
    run_step(app, "circulate", round_id=round_id)
    return round_id


def trial_consultation(app: App) -> int:
    """A consultation, "Kế hoạch thử", that asks Sở Công Thương and Sở Tài chính to comment by 05/12/2025, launched."""
    return launched_round(app, NewRound(
        title="Kế hoạch thử", subject="", workflow="consultation", office="TĐC", deadline=date(2025, 12, 5),
        addressees=(Addressee(units=("SCT", "STC"), role=RecipientRole.COMMENT),), contact_name="Ông Phạm Phi Long",
        contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền"))


def leader_client(app: App, csrf: bool = True) -> TestClient:
    """A client logged in as a new member `lanhdao`, a leader of the Sở (no office); with `csrf`, every unsafe
    request carries the session's CSRF token."""
    add_user(app, "lanhdao", "Nông Thị Thanh Huyền", "leader", PASSWORD, None, "test")
    client = TestClient(create_web_app(app), raise_server_exceptions=False)
    session = client.post("/api/session", json={"username": "lanhdao", "password": PASSWORD})
    assert session.status_code == 200, session.text
    if csrf:
        client.headers["X-CSRF-Token"] = session.json()["csrf_token"]
    return client
