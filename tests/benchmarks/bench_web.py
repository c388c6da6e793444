"""Web: server time and SQL statements per page for rounds of 50 and 5,000 units (quick: 1,000; the count must
not grow with the units: no N+1), then 200 and 500 answers posted at once into the larger round against one real
uvicorn process (the 500 three times, the median taken), and 500 against two, each process warmed first by one
answer of a unit no burst takes, checked in the database for none lost and none doubled, with the server's
CPU per answer. On SQLite files, or on PostgreSQL with run.py --postgres; every
table names the database it measured, as the app's engine reports it.

    .venv/bin/python -c "import sys; sys.path.insert(0, 'tests/benchmarks'); import bench_web; bench_web.run(quick=True)"
"""
from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from bench_support import (
    ACTOR,
    REPO,
    START,
    BenchmarkCheckFailed,
    Database,
    make_app,
    measured_database,
    ms,
    prepare_round,
    print_table,
    timed,
    verdict,
)
from sqlalchemy import event, func, select, text

from config.clock import FrozenClock
from models.db.tables import OutboxRow, RecipientRow, ResponseRow
from models.rounds import ResponseKind
from notifications.testing import SmtpCapture, smtp_capture
from workflows.engine.events import CommentInput, Launch, Respond
from workflows.service.app import App
from workflows.service.recipients import record_opening
from workflows.service.rounds import execute
from workflows.service.staff import add_user
from workflows.service.steps import run_step
from workflows.web.security import link_csrf

SIZES = (50, 5_000)
QUICK_SIZES = (50, 1_000)  # a smoke run: the same measures on a smaller round, the answers posted into it
# (answers posted at once, uvicorn processes): each run answers for units nobody answered for before. Two processes
# are two replicas of the web app on one database behind a load balancer (the client spreads the requests), as
# replicas of `ykien serve` can run in production; one process is what a single `ykien serve` gives.
# The 500 answers into one process are posted in three bursts (a fresh server each), and the figure is the median: on
# this machine one burst read 93 to 134 answers/s within a day, the code unchanged (7 December 2026).
CONCURRENT_RUNS = ((200, 1, 1), (500, 1, 3), (500, 2, 1))  # answers, uvicorn processes, bursts
QUICK_CONCURRENT_RUNS = ((200, 1, 1),)
ANSWERS_PER_SECOND_GOAL = 100
GOAL_ANSWERS = 500  # the burst the goal above is set for
POST_RATIO_GOAL = 1.5  # answer POST at 5,000 units against 50
ROUND_PAGE_RATIO_GOAL = 3.0
ANSWERED = 10  # units that answered before the pages are measured, the same number in both rounds
OPENED = 20
PASSWORD = "matkhau-rat-dai"
PAGES = (("dashboard  GET /", "/"), ("round page GET /rounds/{id}", "/rounds/{id}"),
         ("responses  GET /rounds/{id}/responses", "/rounds/{id}/responses"),
         ("outbox     GET /rounds/{id}/outbox", "/rounds/{id}/outbox"),
         ("timeline   GET /rounds/{id}/timeline", "/rounds/{id}/timeline"),
         ("audit      GET /rounds/{id}/audit", "/rounds/{id}/audit"),
         ("api        GET /api/rounds/{id}", "/api/rounds/{id}"),
         # the forms of an action for one unit (from a unit's row): their size must not grow with the round
         ("extend form GET /rounds/{id}/extend?unit=", "/rounds/{id}/extend?unit=DV000030"),
         ("answer form GET /rounds/{id}/respond?unit=", "/rounds/{id}/respond?unit=DV000030"),
         # what the forms' script asks as staff type a name: 20 units at most, searched in SQL
         ("unit search GET /rounds/{id}/units?q=", "/rounds/{id}/units?q=thu%20nghiem%20so%203"))
SUBMIT_LABEL = "answer     POST /r/{token}"
# The staff forms for one unit, posted with the unit's code and checked up to their confirmation page (nothing is
# recorded): the check finds that one unit, whatever the round's size.
FORM_CHECKS = (("extend check POST /rounds/{id}/extend", "extend",
                lambda code: {"scope": "unit", "unit": code, "deadline_mode": "days", "deadline_days": "20",
                              "reason": "Đơn vị đề nghị"}),
               ("answer check POST /rounds/{id}/respond", "respond",
                lambda code: {"unit": code, "kind": "agree", "channel": "paper", "note": "CV 812/DV"}),
               # the unit typed by its name without diacritics: found by a search of the round's units in SQL
               ("extend by name POST /rounds/{id}/extend", "extend",
                lambda code: {"scope": "unit", "unit": f"don vi thu nghiem so {int(code[2:])}", "deadline_mode": "days",
                              "deadline_days": "20", "reason": "Đơn vị đề nghị"}))
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
# What staff do for one unit, through the API (JSON, the session's CSRF header): each request names a unit nobody
# answered for, a different one each time; none may cost more in a larger round.
UNIT_ACTIONS = (("paper answer POST /api/…/respond", "respond",
                 lambda code: {"unit": code, "kind": "agree", "channel": "paper", "note": "CV 812/DV"}),
                ("extend one  POST /api/…/extend", "extend",
                 lambda code: {"new_deadline": "20 ngày làm việc", "unit": code, "reason": "Đơn vị đề nghị"}),
                ("remind one  POST /api/…/remind", "remind", lambda code: {"units": [code]}))
UNIT_ACTION_REPEATS = 5
WAITING_LABEL = "extend one, invitations queued"
LINK = re.compile(r"/r/([A-Za-z0-9_-]+)")
COMMENTS = (("Mục II, điểm 2", "Đề nghị bổ sung chỉ tiêu số doanh nghiệp áp dụng ISO 9001.",
             "Ít nhất 50 doanh nghiệp."), ("Mục IV", "Kinh phí chưa tách nguồn ngân sách và xã hội hóa.", ""))


# --- measuring one request in process ------------------------------------------------------------------------

class StatementCounter:
    """Counts the SQL statements the engine sends (before_cursor_execute), from any thread."""

    def __init__(self, app: App) -> None:
        self.count = 0
        self._lock = threading.Lock()
        event.listen(app.engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        with self._lock:
            self.count += 1


class ServerTimer:
    """An ASGI wrapper that times the app itself: from the request in to the last byte of the response out."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.last = time.perf_counter() - started


@dataclass
class PageFigures:
    seconds: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    size: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass
class RoundSite:
    units: int
    app: App
    round_id: int
    tokens: dict[str, str]  # unit code -> personal link token, from the invitations in the outbox
    warmed: int = 0  # units, from the last, that answered to warm a server process before a burst


def tokens_from_outbox(app: App, round_id: int) -> dict[str, str]:
    with app.uow() as uow:
        rows = uow.session.execute(select(OutboxRow.unit_code, OutboxRow.text_body).where(
            OutboxRow.round_id == round_id, OutboxRow.kind == "invitation")).all()
    return {code: match.group(1) for code, body in rows if code and (match := LINK.search(body or ""))}


def build(units: int, database_url: str, home: Path, smtp_url: str) -> RoundSite:
    """A launched round to `units` units (mail queued, not sent), some opened and answered, and a staff user."""
    app = make_app(database_url, home, smtp_url)
    started = time.perf_counter()
    round_id = prepare_round(app, home, units)
    execute(app, round_id, Launch(), ACTOR)
    tokens = tokens_from_outbox(app, round_id)
    codes = sorted(tokens)
    for code in codes[:OPENED]:
        record_opening(app, tokens[code])
    for code in codes[:ANSWERED]:
        execute(app, round_id, Respond(code, ResponseKind.COMMENTS, entered_by=code, comments=tuple(
            CommentInput(text, section, wording or None) for section, text, wording in COMMENTS)), ACTOR)
    add_user(app, "admin", "Quản trị", "admin", PASSWORD, None, ACTOR)
    print(f"  built a launched round of {units:,} units on {measured_database(app)} in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    settle(app)
    return RoundSite(units, app, round_id, tokens)


def settle(app: App) -> None:
    """On PostgreSQL, VACUUM and ANALYZE the round's tables now, as autovacuum does within a minute of a bulk write
    (the build's thousands of rows, the invitations sent): requests timed while it worked on the larger round only
    read twice their usual time there (the answer POST 1.99x at 5,000 units against 0.74-0.90x in the four other runs
    of 7 December, 13 statements in each). The figures are the rounds' steady state, on fresh statistics at both
    sizes. SQLite has no background vacuum: nothing to do."""
    if app.engine.dialect.name != "postgresql":
        return
    with app.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        tables = connection.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).all()
        for table in tables:
            connection.execute(text(f'VACUUM (ANALYZE) "{table}"'))


def measure_pages(site: RoundSite, repeats: int) -> dict[str, PageFigures]:
    """Median server time and SQL statements of each page, logged in, after one warm-up request."""
    with warnings.catch_warnings():  # fastapi's TestClient warns about httpx on import; nothing to act on here
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from workflows.web.app import create_web_app

    timer = ServerTimer(create_web_app(site.app))
    counter = StatementCounter(site.app)
    client = TestClient(timer)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    login = client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": csrf},
                        follow_redirects=False)
    if login.status_code != 303:
        raise BenchmarkCheckFailed(f"login refused: {login.status_code}")
    figures: dict[str, PageFigures] = {}
    for label, path in PAGES:
        url = path.format(id=site.round_id)
        figures[label] = PageFigures()
        for attempt in range(repeats + 1):
            before = counter.count
            response = client.get(url, follow_redirects=False)
            if response.status_code != 200:
                raise BenchmarkCheckFailed(f"GET {url}: {response.status_code}")
            if attempt:  # the first request warms caches (templates, workflow definitions)
                figures[label].seconds.append(timer.last)
                figures[label].statements.append(counter.count - before)
                figures[label].size = len(response.content)
    measure_form_checks(site, client, timer, counter, repeats, figures)
    measure_extension_while_invitations_wait(site, client, timer, counter, figures)
    send_invitations(site)
    # One answer each from units that have not answered yet (from the end: the concurrent run uses the start).
    figures[SUBMIT_LABEL] = PageFigures()
    for attempt, code in enumerate(sorted(site.tokens)[-(repeats + 1):]):
        token = site.tokens[code]
        before = counter.count
        response = client.post(f"/r/{token}", data=answer_form(site.app, token), follow_redirects=False)
        if response.status_code != 303:
            raise BenchmarkCheckFailed(f"POST /r/<token> of {code}: {response.status_code}")
        if attempt:
            figures[SUBMIT_LABEL].seconds.append(timer.last)
            figures[SUBMIT_LABEL].statements.append(counter.count - before)
    measure_unit_actions(site, client, timer, counter, repeats, figures)
    return figures


def measure_form_checks(site: RoundSite, client: Any, timer: ServerTimer, counter: StatementCounter, repeats: int,
                        figures: dict[str, PageFigures]) -> None:
    """Each of FORM_CHECKS posted for one unit that has not answered, as the round page's forms post it."""
    page = client.get(f"/rounds/{site.round_id}").text
    csrf = CSRF_FIELD.search(page).group(1)  # type: ignore[union-attr]
    code = sorted(site.tokens)[ANSWERED + 1]
    for label, action, body in FORM_CHECKS:
        figures[label] = PageFigures()
        for attempt in range(repeats + 1):
            before = counter.count
            response = client.post(f"/rounds/{site.round_id}/{action}", data={**body(code), "csrf_token": csrf},
                                   follow_redirects=False)
            if response.status_code != 200 or "confirmed" not in response.text:
                raise BenchmarkCheckFailed(f"POST /rounds/{site.round_id}/{action} for {code}: "
                                           f"{response.status_code} {response.text[:300]}")
            if attempt:
                figures[label].seconds.append(timer.last)
                figures[label].statements.append(counter.count - before)
                figures[label].size = len(response.content)


def measure_extension_while_invitations_wait(site: RoundSite, client: Any, timer: ServerTimer,
                                             counter: StatementCounter, figures: dict[str, PageFigures]) -> None:
    """One extension of one unit through the API while the round's invitations all wait in the outbox (launched with
    --queue-only, or before the sweep has sent them): it must send that unit's mail only, its invitation and its
    extension, however many wait. One request, the first: it used to send the whole round's invitations, and later
    ones would find nothing left to send. The unit is the last one (its answer, timed later, is not changed by it)."""
    headers = _api_session(client)
    code = sorted(site.tokens)[-1]
    before = counter.count
    response = client.post(f"/api/rounds/{site.round_id}/extend", headers=headers,
                           json={"new_deadline": "20 ngày làm việc", "unit": code, "reason": "Đơn vị đề nghị"})
    if response.status_code != 200:
        raise BenchmarkCheckFailed(f"POST /api/rounds/{site.round_id}/extend for {code}: {response.status_code} "
                                   f"{response.text[:300]}")
    figures[WAITING_LABEL] = PageFigures([timer.last], [counter.count - before])
    with site.app.uow(read_only=True) as uow:
        waiting = uow.session.scalar(select(func.count()).select_from(OutboxRow).where(
            OutboxRow.round_id == site.round_id, OutboxRow.kind == "invitation", OutboxRow.status == "queued")) or 0
    if waiting != site.units - 1:
        raise BenchmarkCheckFailed(f"the extension of {code} left {waiting} of {site.units} invitations queued: it "
                                   "sent other units' mail")


def _api_session(client: Any) -> dict[str, str]:
    """Log in to the API as admin: the headers its writes need."""
    session = client.post("/api/session", json={"username": "admin", "password": PASSWORD})
    if session.status_code != 200:
        raise BenchmarkCheckFailed(f"API login refused: {session.status_code}")
    return {"X-CSRF-Token": session.json()["csrf_token"]}


def measure_unit_actions(site: RoundSite, client: Any, timer: ServerTimer, counter: StatementCounter, answers: int,
                         figures: dict[str, PageFigures]) -> None:
    """Each of UNIT_ACTIONS for UNIT_ACTION_REPEATS + 1 units that have not answered (the first one warms up),
    taken from before the `answers` + 1 last units (the answers used those), so no action meets a unit another one
    changed: 18 units, which the 50-unit round has between its 10 answered and its 22 last."""
    repeats = UNIT_ACTION_REPEATS
    headers = _api_session(client)
    pending = sorted(site.tokens)[ANSWERED:-(answers + 1)]
    for number, (label, action, body) in enumerate(UNIT_ACTIONS):
        figures[label] = PageFigures()
        codes = pending[-(number + 1) * (repeats + 1):][:repeats + 1]
        for attempt, code in enumerate(codes):
            before = counter.count
            response = client.post(f"/api/rounds/{site.round_id}/{action}", json=body(code), headers=headers)
            if response.status_code != 200:
                raise BenchmarkCheckFailed(f"POST /api/rounds/{site.round_id}/{action} for {code}: "
                                           f"{response.status_code} {response.text[:300]}")
            if attempt:
                figures[label].seconds.append(timer.last)
                figures[label].statements.append(counter.count - before)


def send_invitations(site: RoundSite) -> None:
    """Send what the launch queued, so that an answer's request sends its own receipt only."""
    seconds, _ = timed(lambda: run_step(site.app, "circulate", round_id=site.round_id))
    print(f"  sent the {site.units:,} invitations to the loopback SMTP server in {seconds:.1f} s", flush=True)
    settle(site.app)


def answer_form(app: App, token: str) -> dict[str, Any]:
    return {"csrf_token": link_csrf(app, token), "action": "send", "answer": "comments",
            "section": [c[0] for c in COMMENTS], "comment": [c[1] for c in COMMENTS],
            "proposed": [c[2] for c in COMMENTS]}


def print_pages(figures: dict[int, dict[str, PageFigures]], repeats: int, database: str) -> bool:
    small, large = figures
    rows, constant = [], True
    for label in figures[small]:
        a, b = figures[small][label], figures[large][label]
        same = set(a.statements) == set(b.statements) and len(set(a.statements)) == 1
        constant &= same
        rows.append((label, ms(a.median), ms(b.median), f"{b.median / a.median:.1f}×",
                     "/".join(map(str, sorted(set(a.statements)))), "/".join(map(str, sorted(set(b.statements)))),
                     "equal" if same else "DIFFERENT", _size(a.size), _size(b.size)))
    print_table(f"Web pages on {database}: server time (median of {repeats}) and SQL statements per request, "
                f"{small:,} vs {large:,} units",
                ["request", f"{small:,} u", f"{large:,} u", "ratio", f"SQL {small:,} u", f"SQL {large:,} u",
                 "SQL", f"size {small:,} u", f"size {large:,} u"], rows,
                [f"{ANSWERED} units answered and {OPENED} opened their link in both rounds; logged in as admin",
                 "server time = the ASGI app from request in to last byte out (TestClient, in process)",
                 "SQL statements counted with a before_cursor_execute listener on app.engine; 'equal' means the "
                 "count does not grow with the number of units (no N+1)",
                 "the forms of one unit: the extend and paper-answer pages (GET), and their POST checked up to the "
                 "confirmation, the unit given by its code or by its name without diacritics (found by a search in "
                 "SQL); 'unit search' is what the forms' script asks as staff type",
                 f"{SUBMIT_LABEL}: one answer (2 comments) through the personal link; its receipt is queued in "
                 "the outbox for the delivery sweep (not sent inside the request)",
                 "staff actions for one unit (API, as admin): a paper answer 'agree', an extension of that unit "
                 "by 20 working days, a reminder to that unit; a different unit that has not answered each time, median of "
                 f"{UNIT_ACTION_REPEATS}",
                 f"{WAITING_LABEL}: the same extension (API) while all the round's invitations wait in the outbox, "
                 "one request; it sends that unit's invitation and extension only (checked)",
                 "on PostgreSQL each round's tables are vacuumed and analyzed after it is built and after its "
                 "invitations are sent, as autovacuum would within a minute: nothing timed races it"])
    return constant


def _size(size: int) -> str:
    return f"{size / 1024:,.1f} KiB" if size else ""


# --- concurrent submissions against a real server -------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


SERVE = ("import uvicorn; from workflows.service.app import build_app; from workflows.web.app import create_web_app; "
         "uvicorn.run(create_web_app(build_app()), host='127.0.0.1', port={port}, log_level='warning', "
         "access_log=False)")


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:port
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used so far (Linux /proc; 0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def uvicorn_processes(app: App, smtp_url: str, count: int) -> Iterator[list[Server]]:
    """`count` uvicorn processes, each on its own port."""
    with ExitStack() as stack:
        yield [stack.enter_context(uvicorn_process(app, smtp_url, number)) for number in range(count)]


@contextmanager
def uvicorn_process(app: App, smtp_url: str, number: int = 0) -> Iterator[Server]:
    """`uvicorn` in its own process on the same home and database, its clock frozen one hour after launch."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("YKIEN_")}
    env.update(YKIEN_HOME=str(app.settings.home), YKIEN_DATABASE_URL=app.settings.database_url_resolved,
               YKIEN_SMTP_URL=smtp_url, YKIEN_NOW=(START + timedelta(hours=1)).isoformat(),
               YKIEN_SECRET_KEY=app.secret_key, YKIEN_REQUEST_THREADS=str(app.settings.request_threads),
               PYTHONPATH=str(REPO))
    log = app.settings.home / f"uvicorn-{number}.log"  # a file, not a pipe: a full pipe would stall the server
    with log.open("wb") as output:
        process = subprocess.Popen([sys.executable, "-c", SERVE.format(port=port)], cwd=REPO, env=env,
                                   stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise BenchmarkCheckFailed(f"uvicorn exited {process.returncode}: {server_log(app)[-2000:]}")
            try:
                if httpx.get(base + "/login", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise BenchmarkCheckFailed("uvicorn did not answer within 60 s")
            time.sleep(0.1)
        yield Server(base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def uvicorn_choices() -> str:
    """What uvicorn's "auto" picks in the servers (the same interpreter as this process): uvloop and httptools
    when installed, else asyncio and h11."""
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"{loop}, {http} (uvicorn's auto choice, as `ykien serve`)"


def server_log(app: App) -> str:
    """What every uvicorn process of this home wrote."""
    return "".join(path.read_text(errors="replace") for path in sorted(app.settings.home.glob("uvicorn-*.log")))


@dataclass
class Submission:
    unit: str
    status: int | str
    seconds: float


async def submit_all(bases: list[str], app: App, chosen: dict[str, str]) -> tuple[float, list[Submission]]:
    """Every unit posts its answer at once, each through its own link and its own connection, the units dealt
    round-robin over the servers (as a load balancer would); returns the wall time and outcomes.

    The client is aiohttp: it shares the machine's two cores with the servers and PostgreSQL, and httpx spent 8 to
    15 ms of CPU per request here, more than the server it measured."""
    connector = aiohttp.TCPConnector(limit=0)  # no cap: every unit's request is open at once
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=600)) as session:
        start = asyncio.Event()

        async def one(unit: str, token: str, base: str) -> Submission:
            await start.wait()
            began = time.perf_counter()
            try:
                async with session.post(f"{base}/r/{token}", data=answer_form(app, token),
                                        allow_redirects=False) as response:
                    await response.read()
                    status: int | str = response.status
            except (aiohttp.ClientError, TimeoutError) as error:
                status = type(error).__name__
            return Submission(unit, status, time.perf_counter() - began)

        tasks = [asyncio.create_task(one(unit, token, bases[i % len(bases)]))
                 for i, (unit, token) in enumerate(chosen.items())]
        await asyncio.sleep(0.05)
        began = time.perf_counter()
        start.set()
        outcomes = await asyncio.gather(*tasks)
        return time.perf_counter() - began, list(outcomes)


def warm_up(site: RoundSite, server: Server) -> None:
    """One unit's page and its answer through a fresh server process before a burst, from a unit no burst takes (the
    round's last units): what a running `ykien serve` has done long before (the calendar, the page's and the receipt's
    templates compiled, the statements prepared) is not timed in the burst."""
    site.warmed += 1
    token = site.tokens[sorted(site.tokens)[-site.warmed]]
    page = httpx.get(f"{server.base}/r/{token}", timeout=60)
    answer = httpx.post(f"{server.base}/r/{token}", data=answer_form(site.app, token), timeout=60)
    if page.status_code != 200 or answer.status_code != 303:
        raise BenchmarkCheckFailed(f"warming a server before the burst: GET /r/<token> {page.status_code}, "
                                   f"POST {answer.status_code}")


def pool_size(app: App) -> str:
    """How many connections the app's engine (as each server process builds it) opens at most."""
    pool = app.engine.pool
    size, overflow = getattr(pool, "size", None), getattr(pool, "_max_overflow", None)
    if not callable(size) or not isinstance(overflow, int):
        return type(pool).__name__
    return f"{size()} + {overflow} overflow" if overflow >= 0 else f"{size()} + unlimited overflow"


def stored_answers(app: App, round_id: int, units: list[str]) -> Counter[str]:
    """Responses per unit code among `units` (each must be exactly 1)."""
    with app.uow() as uow:
        rows = uow.session.execute(
            select(RecipientRow.unit_code, func.count(ResponseRow.id))
            .join(ResponseRow, ResponseRow.recipient_id == RecipientRow.id)
            .where(RecipientRow.round_id == round_id, RecipientRow.unit_code.in_(units))
            .group_by(RecipientRow.unit_code)).all()
    return Counter({code: count for code, count in rows})


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


@dataclass(frozen=True)
class ConcurrentFigures:
    count: int
    processes: int
    per_second: float
    p50: float
    p95: float


def concurrent_submissions(site: RoundSite, capture: SmtpCapture, count: int, processes: int,
                           first: int) -> ConcurrentFigures:
    """`count` units (from the `first`-th unit without an answer) post their answers at once to `processes`
    uvicorn processes; checked in the database for none lost and none doubled, and at the SMTP server for the
    receipts the delivery sweep sends after."""
    received_before = len(capture.raw_messages)
    start = ANSWERED + first
    chosen = {code: site.tokens[code] for code in sorted(site.tokens)[start:start + count]}
    if len(chosen) != count:
        raise BenchmarkCheckFailed(f"the round has {len(site.tokens) - start} units left to answer, not {count}")
    with uvicorn_processes(site.app, capture.url, processes) as servers:
        for server in servers:
            warm_up(site, server)
        server_cpu = sum(server.cpu_seconds() for server in servers)
        client_cpu = time.process_time()
        wall, outcomes = asyncio.run(submit_all([server.base for server in servers], site.app, chosen))
        server_cpu = sum(server.cpu_seconds() for server in servers) - server_cpu
        client_cpu = time.process_time() - client_cpu
    statuses = Counter(o.status for o in outcomes)
    stored = stored_answers(site.app, site.round_id, list(chosen))
    lost = sorted(set(chosen) - set(stored))
    doubled = sorted(code for code, n in stored.items() if n != 1)
    clock = site.app.clock
    assert isinstance(clock, FrozenClock), "the benchmark's site runs on a frozen clock"
    clock.set(START + timedelta(hours=1))  # the server's clock: its receipts are due from then
    delivered, _ = timed(lambda: run_step(site.app, "deliver", round_id=site.round_id))  # what `ykien serve` sweeps
    with suppress(TimeoutError):
        capture.wait_for(received_before + count, timeout=60)
    receipts = sum(1 for m in capture.messages[received_before:]
                   if m["X-Ykien-Kind"] == "receipt" and str(m["X-Ykien-Unit"]) in chosen)
    latencies = [o.seconds for o in outcomes]
    rows = [("round size", f"{site.units:,} units"),
            ("submissions", f"{count} at once, one per unit, each through its own link"),
            ("uvicorn processes", f"{processes}" + (" (replicas on one database; requests dealt round-robin)"
                                                    if processes > 1 else "")),
            ("server event loop, HTTP parser", uvicorn_choices()),
            ("HTTP answers", ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items(), key=str))),
            ("responses stored", f"{sum(stored.values())} for {len(stored)} units"),
            ("lost / doubled", f"{len(lost)} / {len(doubled)}"),
            ("receipts received by SMTP", f"{receipts} (queued by the answers, sent by one delivery sweep after, "
                                          f"in {delivered:.1f} s)"),
            ("wall time", f"{wall:.1f} s"),
            ("throughput", f"{count / wall:.1f} submissions/s"),
            ("latency p50", ms(percentile(latencies, 0.50))),
            ("latency p95", ms(percentile(latencies, 0.95))),
            ("latency max", ms(max(latencies))),
            ("server CPU per answer", f"{ms(server_cpu / count)} (uvicorn processes, user + system)"),
            ("client CPU per answer", f"{ms(client_cpu / count)} (this process: aiohttp, on the same machine)"),
            ("machine load", f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end")]
    print_table(f"Concurrent recipient submissions on {measured_database(site.app)}: {count} answers, {processes} "
                f"uvicorn process{'es' if processes > 1 else ''} (aiohttp client)", ["figure", "value"], rows,
                ["each POST /r/<token> records the answer and queues its receipt (one transaction) and answers",
                 "on PostgreSQL answers of different units run side by side: the round's row held FOR SHARE, the "
                 "unit's FOR NO KEY UPDATE; only the audit event is appended in turn (an advisory lock per round); "
                 "SQLite runs one writer at a time",
                 f"each process: {site.app.settings.request_threads} request threads (YKIEN_REQUEST_THREADS), "
                 f"{pool_size(site.app)} database connections at most",
                 "checked in the database: exactly one response per unit that posted, none for the others"])
    errors = [line for line in server_log(site.app).splitlines() if "Error" in line or "Exception" in line]
    if errors:
        print("  server errors (last lines of each kind):", *sorted(set(errors))[-8:], sep="\n    ")
    if lost or doubled or sum(stored.values()) != count or statuses != Counter({303: count}):
        raise BenchmarkCheckFailed(f"submissions: {statuses}; lost {lost[:10]}; doubled {doubled[:10]}")
    return ConcurrentFigures(count, processes, count / wall, percentile(latencies, 0.50),
                             percentile(latencies, 0.95))


def summary(figures: dict[int, dict[str, PageFigures]], runs: list[list[ConcurrentFigures]],
            units: int) -> list[tuple[str, str, str, str]]:
    """The figures of the issue's goals, for run.py's summary table."""
    small, large = figures
    post = figures[large][SUBMIT_LABEL].median / figures[small][SUBMIT_LABEL].median
    page_label = PAGES[1][0]
    page = figures[large][page_label].median / figures[small][page_label].median
    rows = [(f"web: answer POST {large:,} / {small:,} units", f"{post:.2f}", f"<= {POST_RATIO_GOAL}",
             verdict(post <= POST_RATIO_GOAL)),
            (f"web: round page {large:,} / {small:,} units", f"{page:.2f}", f"<= {ROUND_PAGE_RATIO_GOAL}",
             verdict(page <= ROUND_PAGE_RATIO_GOAL))]
    for label, action, _body in UNIT_ACTIONS:  # what staff do for one unit costs what the unit's answer does
        grown = figures[large][label].median / figures[small][label].median
        rows.append((f"web: staff {action} for one unit {large:,} / {small:,} units", f"{grown:.2f}",
                     f"<= {POST_RATIO_GOAL}", verdict(grown <= POST_RATIO_GOAL)))
    searches = ((PAGES[-1][0], "unit search as staff type a name"), (FORM_CHECKS[-1][0], "extend by a unit's name"))
    for label, what in searches:  # a search reads the round's keys: reported beside the actions' goal
        grown = figures[large][label].median / figures[small][label].median
        rows.append((f"web: {what}, {large:,} / {small:,} units", f"{grown:.2f}", "reported", ""))
    waiting = figures[large][WAITING_LABEL].median / figures[small][WAITING_LABEL].median
    rows.append((f"web: staff extend for one unit, the round's invitations queued, {large:,} / {small:,} units",
                 f"{waiting:.2f}", "reported", ""))
    for bursts in runs:
        run = sorted(bursts, key=lambda burst: burst.per_second)[len(bursts) // 2]
        each = (f", the median of {len(bursts)} bursts: {', '.join(f'{b.per_second:.1f}' for b in bursts)}/s"
                if len(bursts) > 1 else "")
        judged = run.count == GOAL_ANSWERS  # the goal is for 500 at once; 200 are reported beside them
        rows.append((f"web: {run.count} concurrent answers, {units:,} units, {run.processes} process(es)",
                     f"{run.per_second:.1f}/s (p50 {run.p50:.1f} s, p95 {run.p95:.1f} s{each})",
                     f">= {ANSWERS_PER_SECOND_GOAL}/s, 0 lost" if judged else "reported, 0 lost",
                     verdict(run.per_second >= ANSWERS_PER_SECOND_GOAL) if judged else ""))
    return rows


def run(quick: bool, db: Database | None = None) -> list[tuple[str, str, str, str]]:
    repeats = 9 if quick else 21
    workdir = Path(tempfile.mkdtemp(prefix="ykien-bench-web-"))
    db = db or Database(workdir)
    sizes = QUICK_SIZES if quick else SIZES
    print(f"\nWeb benchmark ({'quick' if quick else 'full'}): rounds of {sizes[0]:,} and {sizes[1]:,} units, "
          f"{db.label}", flush=True)
    sites: list[RoundSite] = []
    databases = ExitStack()  # each round on a fresh database (a SQLite file, or a PostgreSQL schema), dropped after

    def new_site(units: int) -> RoundSite:
        database_url, home = databases.enter_context(db.fresh(f"web-{units}"))
        sites.append(build(units, database_url, home, capture.url))
        return sites[-1]

    try:
        with smtp_capture() as capture:
            figures = {units: measure_pages(new_site(units), repeats) for units in sizes}
            constant = print_pages(figures, repeats, measured_database(sites[0].app))
            target = sites[-1]  # the answers go into the larger round
            runs: list[list[ConcurrentFigures]] = []
            first = 0
            for count, processes, bursts in QUICK_CONCURRENT_RUNS if quick else CONCURRENT_RUNS:
                runs.append([])
                for _ in range(bursts):
                    runs[-1].append(concurrent_submissions(target, capture, count, processes, first))
                    first += count
            rows = summary(figures, runs, target.units)
        if not constant:
            raise BenchmarkCheckFailed("SQL statements per request grow with the number of units (N+1)")
    finally:
        for site in sites:
            site.app.close()
        databases.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return rows


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
