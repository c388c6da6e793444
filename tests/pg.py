"""A throwaway PostgreSQL cluster for the test run: initdb in a temp dir, one server on loopback.

    cluster = PostgresCluster.start()
    cluster.create_database("t1", template="ykien_template")
    url = cluster.url("t1")          # postgresql+psycopg://postgres@127.0.0.1:<port>/t1
    cluster.stop()

initdb and postgres refuse to run as root, so under root the cluster belongs to `nobody` and the
server is started with that uid (the child drops privileges itself; no su/runuser needed).
"""
from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg
from process_table import children_of
from psycopg import sql

SUPERUSER = "postgres"
UNPRIVILEGED_USER = "nobody"
# Durability is useless for a cluster that lives one test run; without it CREATE DATABASE is fast.
SERVER_OPTIONS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=200")
EXTRA_BIN_DIRS = ("/usr/local/bin", "/usr/lib/postgresql/15/bin")


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL binaries are not installed (or the cluster could not start)."""


def find_binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for folder in EXTRA_BIN_DIRS:
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise PostgresUnavailable(f"{name} not found on PATH nor in {', '.join(EXTRA_BIN_DIRS)}")


def free_port() -> int:
    """A port on 127.0.0.1 free now, for a server a test starts next. Taken below the kernel's ephemeral range: a port
    bind(0) found was at times given to another process's outgoing connection, or its bind(0), before the server
    bound it (PostgreSQL, `prefect server start` and `ykien serve` then failed with "address already in use")."""
    lowest_ephemeral = _lowest_ephemeral_port()
    for _ in range(200):
        port = random.randrange(max(1024, lowest_ephemeral - 12000), lowest_ephemeral)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _lowest_ephemeral_port() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def _run_as() -> str | None:
    """The user to run initdb/postgres as: nobody when we are root, else ourselves."""
    return UNPRIVILEGED_USER if os.geteuid() == 0 else None


@dataclass
class PostgresCluster:
    root: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    @classmethod
    def start(cls, timeout: float = 30.0) -> PostgresCluster:
        """initdb into a fresh temp dir and start the server; raise PostgresUnavailable on failure."""
        initdb, postgres = find_binary("initdb"), find_binary("postgres")
        user = _run_as()
        # Not under pytest's tmp_path: that lives in a 0700 directory `nobody` cannot enter.
        root = Path(tempfile.mkdtemp(prefix="ykien-pg-"))
        if user is not None:
            entry = pwd.getpwnam(user)
            os.chown(root, entry.pw_uid, entry.pw_gid)
        as_user = _user_kwargs(user)
        done = subprocess.run(
            [initdb, "-D", str(root / "data"), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8",
             "--locale=C.UTF-8", "--no-sync"],
            cwd=root, capture_output=True, **as_user)
        if done.returncode != 0:
            shutil.rmtree(root, ignore_errors=True)
            raise PostgresUnavailable(f"initdb failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
        last_error = ""
        for _attempt in range(3):  # the free port may be taken between probing and binding
            port = free_port()
            cluster = cls(root, port, _serve(postgres, root, port, user))
            if cluster._wait_ready(timeout):
                return cluster
            last_error = cluster.log_file.read_text(errors="replace")[-2000:]
            cluster._kill()
        shutil.rmtree(root, ignore_errors=True)
        raise PostgresUnavailable(f"postgres did not start on 127.0.0.1: {last_error}")

    def restart(self, down_for: float = 0.0, timeout: float = 30.0) -> None:
        """Stop the server (fast shutdown: clients are cut off), wait `down_for` seconds, start it again on the same
        port and data; raise PostgresUnavailable if it does not come back."""
        with self.down(timeout):
            time.sleep(down_for)

    @contextlib.contextmanager
    def down(self, timeout: float = 30.0) -> Iterator[None]:
        """The server stopped (fast shutdown: clients are cut off) inside, started again on the way out on the same
        port and data; PostgresUnavailable if it does not come back."""
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout)
        try:
            yield
        finally:
            self._start_again(timeout)

    def _start_again(self, timeout: float) -> None:
        self.process = _serve(find_binary("postgres"), self.root, self.port, _run_as())
        if not self._wait_ready(timeout):
            raise PostgresUnavailable(f"postgres did not come back: {self.log_file.read_text(errors='replace')[-2000:]}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with self.connect():
                    return True
            except psycopg.OperationalError:
                time.sleep(0.05)
        return False

    def connect(self, dbname: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname=dbname,
                               autocommit=True, connect_timeout=5)

    def url(self, dbname: str) -> str:
        """The SQLAlchemy URL of a database of this cluster."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create a database (as a copy of `template` when given); return its URL."""
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            query = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
        with self.connect() as connection:
            connection.execute(query)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self.connect() as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def stop(self, timeout: float = 10.0) -> None:
        """Fast shutdown (SIGINT), then SIGKILL if it lingers; remove the cluster's directory."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._kill()
        shutil.rmtree(self.root, ignore_errors=True)

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """The server and each of its processes stopped (SIGSTOP), as a server that hung or a host the network cut
        off: connections stay open and nothing answers, new ones are not accepted. PostgreSQL's children are each a
        session of their own (they call setsid), so they are stopped one by one; all go on again (SIGCONT) on the way
        out."""
        stopped = [self.process.pid, *children_of(self.process.pid)]
        for pid in stopped:
            os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for pid in stopped:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)

    def _kill(self) -> None:
        if self.process.poll() is None:
            # The server runs in its own session: take its backends down with it.
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


def _user_kwargs(user: str | None) -> dict[str, object]:
    if user is None:
        return {}
    entry = pwd.getpwnam(user)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


@contextlib.contextmanager
def own_cluster() -> Iterator[PostgresCluster]:
    """A cluster of a test module's own, for tests that stop, restart or freeze it (the session's shared one must not
    go away under other tests); the test fails, without a traceback, when PostgreSQL cannot start."""
    import pytest

    try:
        own = PostgresCluster.start()
    except PostgresUnavailable as error:
        pytest.fail(f"PostgreSQL is needed ({error})", pytrace=False)
    try:
        yield own
    finally:
        own.stop()


def _serve(postgres: str, root: Path, port: int, user: str | None) -> subprocess.Popen[bytes]:
    """The server of the cluster in `root` on 127.0.0.1:`port`, as `user` (None: this process's), appending to its
    server.log, in a session of its own."""
    options = [arg for option in SERVER_OPTIONS for arg in ("-c", option)]
    with open(root / "server.log", "ab") as log:  # the child keeps its own descriptor for its whole life
        return subprocess.Popen(
            [postgres, "-D", str(root / "data"), "-k", str(root), "-p", str(port), "-h", "127.0.0.1", *options],
            cwd=root, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **_user_kwargs(user))


class TemplateCopies:
    """Fresh databases copied from a template, the next one made in a thread while the current test runs: a copy
    costs the server about 0.4 s, which the test would otherwise wait for. A copy that failed (the server went away
    meanwhile) is made again when asked for."""

    def __init__(self, cluster: PostgresCluster, template: str, prefix: str = "test") -> None:
        self.cluster = cluster
        self.template = template
        self.prefix = prefix
        self._numbers = itertools.count(1)
        self._ahead: Future[str] | None = None
        self._maker = ThreadPoolExecutor(1, thread_name_prefix="template-copies")

    def take(self) -> str:
        """The name of a fresh copy, for the caller to drop when done."""
        ahead, self._ahead = self._ahead, None
        name: str | None = None
        if ahead is not None:
            with contextlib.suppress(psycopg.Error):
                name = ahead.result()
        if name is None:
            name = self._copy()
        self._ahead = self._maker.submit(self._copy)
        return name

    def _copy(self) -> str:
        name = f"{self.prefix}_{next(self._numbers)}"
        self.cluster.create_database(name, template=self.template)
        return name

    def close(self) -> None:
        self._maker.shutdown(wait=True)
