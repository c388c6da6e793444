"""One HTTP client for the tests' calls to servers on loopback (health polls, Prefect's REST API).

`httpx.get()` builds a client for each call, and with it an SSL context that loads the CA bundle: 20-50 ms of CPU
that the polling loops (every 0.05 s while a server starts) paid hundreds of times a test; under a profiler those
contexts were ~6 % of the whole suite (6 December 2026). No connection is kept between calls: the servers polled
are stopped and started again under the tests, and a kept connection to a server that has gone would fail a call.
"""
from __future__ import annotations

import httpx

LOOPBACK = httpx.Client(trust_env=False, limits=httpx.Limits(max_keepalive_connections=0))
