"""A network cut between ykien and PostgreSQL (a database host that lost power, a failover to another address): no
reset ever comes, and a statement on an open connection used to wait for the system's TCP retries, about 15 minutes,
holding the sweep, a web request or the delivery's recorder that long. ykien's connections now carry libpq's TCP
settings (models/db/database.POSTGRES_TCP_SETTINGS), so that such a statement fails in about 15 s, and the next one
works once the network is back.

The cut is real: tests/network_cut_probe.py runs a PostgreSQL cluster and the connections in a network namespace of
their own (`unshare --net`, as root) and takes its loopback down. CI runs as root; elsewhere the test is skipped."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from models.db.database import POSTGRES_TCP_SETTINGS

PROBE = Path(__file__).parents[1] / "network_cut_probe.py"
NAMESPACE = ["unshare", "--net", "--fork", "--kill-child"]


def _namespaces_available() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    probe = subprocess.run([*NAMESPACE, "ip", "link", "set", "lo", "up"], capture_output=True, text=True)
    return probe.returncode == 0


def test_a_statement_across_a_network_cut_fails_in_seconds_and_the_next_works_once_the_network_is_back() -> None:
    if not _namespaces_available():
        if os.environ.get("CI"):
            pytest.fail("network namespaces (unshare --net and ip, as root) are needed for this test under CI",
                        pytrace=False)
        pytest.skip("needs root, unshare --net and ip")
    probe = subprocess.run([*NAMESPACE, sys.executable, str(PROBE)], capture_output=True, text=True, timeout=240)
    assert probe.returncode == 0, probe.stderr[-3000:]
    found = json.loads(probe.stdout.strip().splitlines()[-1])

    limit = POSTGRES_TCP_SETTINGS["tcp_user_timeout"] / 1000
    for connection in ("pooled", "own"):  # make_engine's pool; psycopg's own, as the delivery's recorder opens it
        assert "timed out" in str(found[connection]["ended"]), found
        assert limit - 1 <= float(found[connection]["seconds"]) <= limit + 10, found
    assert found["after"]["ended"] == "returned", found
