"""`ykien serve` says in its log when it runs the steps itself: an admin who followed the banner of `prefect server
start` (`prefect config set PREFECT_API_URL=…`, a Prefect profile ykien does not read) saw no sign that nothing went
to the work pool."""
from __future__ import annotations

import signal
from pathlib import Path

from tests.e2e.conftest import Cli
from tests.e2e.fanout_support import wait_until

INLINE = ("các bước nặng chạy ngay trong tiến trình này, không qua Prefect (chưa đặt biến môi trường PREFECT_API_URL, "
          "hoặc có --inline)")


def test_serve_without_prefect_api_url_says_it_runs_the_steps_itself(cli: Cli, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    serve = cli.start("serve", "--no-web", "--interval", "1", log=log, PREFECT_API_URL=None)
    try:
        wait_until(lambda: "Ctrl-C" in log.read_text(encoding="utf-8") or serve.poll() is not None, 60, "serve ready")
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(20) == 0
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait(10)
    lines = log.read_text(encoding="utf-8").splitlines()
    assert sum(line.endswith(f" ykien.serve INFO {INLINE}") for line in lines) == 1, lines
