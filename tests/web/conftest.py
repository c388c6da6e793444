"""Fixtures for the browser and security tests: a real uvicorn server of the web app on 127.0.0.1, a SQLite
App in a temporary home sending to a loopback SMTP capture server, a staff user, and Debian's chromium.

Every fixture here is opt-in by name (no autouse): the other web tests build their own TestClient apps.
"""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest

from config.clock import FrozenClock

if TYPE_CHECKING:
    from notifications.testing import SmtpCapture
    from workflows.service.app import App

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Wednesday 24/12/2025: ten working days later is 08/01/2026, with Tết Dương lịch (01/01) in between.
LIVE_START = datetime(2025, 12, 24, 9, 0, tzinfo=TZ)
UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
STAFF_USERNAME = "canbo"
STAFF_PASSWORD = "matkhau-rat-dai"
STAFF_NAME = "Phạm Phi Long"
STAFF_OFFICE = "TĐC"


def free_socket(host: str = "127.0.0.1") -> socket.socket:
    """A listening-ready socket bound to a free port (handed to uvicorn, so no other process can take it)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    return sock


@contextmanager
def uvicorn_thread(asgi_app: Any, sock: socket.socket, timeout: float = 10.0) -> Iterator[str]:
    """Serve `asgi_app` with uvicorn on `sock` in a background thread; yields the base URL."""
    import uvicorn

    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(asgi_app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()


@dataclass
class LiveSite:
    """The running server and what stands behind it."""

    base_url: str
    app: App
    clock: FrozenClock
    capture: SmtpCapture
    home: Path
    username: str = STAFF_USERNAME
    password: str = STAFF_PASSWORD

    def url(self, path: str) -> str:
        return self.base_url + path

    def login(self, context: Any, username: str | None = None, password: str | None = None) -> Any:
        """A new page of the browser `context`, logged in (as the site's staff member unless named), on the
        dashboard."""
        page = context.new_page()
        page.goto(self.url("/login"))
        page.fill("input[name=username]", username or self.username)
        page.fill("input[name=password]", password or self.password)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(self.url("/"))
        return page


@pytest.fixture
def live_clock() -> FrozenClock:
    return FrozenClock(LIVE_START)


@pytest.fixture
def live_site(tmp_path: Path, capture: SmtpCapture, live_clock: FrozenClock,
              migrated_sqlite: Path) -> Iterator[LiveSite]:
    """A real uvicorn server of create_web_app on 127.0.0.1:<free port>, on a SQLite App whose personal links
    point at that server and whose mail goes to `capture`; the 12-unit directory and a staff user of TĐC."""
    from sqlite_template import copy_migrated_sqlite

    from config.settings import load_settings
    from workflows.service.app import build_app
    from workflows.service.directory import import_units
    from workflows.service.staff import add_user
    from workflows.web.app import create_web_app

    home = tmp_path / "home"
    copy_migrated_sqlite(migrated_sqlite, home)  # the session's migrated SQLite file: no alembic upgrade per test
    sock = free_socket()
    host, port = sock.getsockname()[:2]
    settings = load_settings(home=home, database_url=None, now=None, calendar_file=None, smtp_url=capture.url,
                             base_url=f"http://{host}:{port}", secret_key="live-site-" + "k" * 40,
                             # The browser tests move the clock by hours while staff keep their pages open.
                             session_idle_minutes=8 * 60)
    app = build_app(settings, live_clock, create_schema=True)
    try:
        import_units(app, UNITS_CSV, STAFF_NAME)
        add_user(app, STAFF_USERNAME, STAFF_NAME, "staff", STAFF_PASSWORD, STAFF_OFFICE, "test")
        with uvicorn_thread(create_web_app(app), sock) as base_url:
            yield LiveSite(base_url, app, live_clock, capture, home)
    finally:
        app.close()


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's chromium; missing fails the run under CI and skips it elsewhere (never `playwright install`)."""
    found = CHROMIUM if CHROMIUM.exists() else (Path(p) if (p := shutil.which("chromium")) else None)
    if found is None:
        message = "Debian's chromium is not installed (/usr/bin/chromium); install it with apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def chromium(chromium_path: Path) -> Iterator[Any]:
    """A headless chromium through Playwright, shared by the tests of one module.

    Module scope, not session: Playwright's sync API keeps an event loop running in the main thread while it
    is open, and asyncio.run() (used to send mail) refuses to start inside it in the tests that follow."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def screenshots() -> Path:
    """artifacts/screenshots/ at the repository root (created when missing)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
