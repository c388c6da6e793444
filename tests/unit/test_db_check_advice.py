"""`ykien db check`'s advice about mail and timers due is true to what runs: it told the operator to start
`ykien serve` while serve ran, handing them to a work pool no worker pulled (review-a, item 4)."""
from __future__ import annotations

from workflows.cli.db_cmd import _due_advice


def test_nothing_running_says_start_serve() -> None:
    assert _due_advice(0, "ykien", None).endswith("hãy chạy `ykien serve` (hoặc `ykien tick`).")


def test_serve_running_and_no_worker_on_its_pool_says_start_a_worker_on_that_pool() -> None:
    said = _due_advice(2, "ykien-typo", (0, None))
    assert "ykien serve" in said and "hãy chạy `ykien serve`" not in said
    assert said.endswith("không có `ykien worker` nào đang nhận pool đó: hãy chạy `ykien worker` với "
                         "YKIEN_WORK_POOL=ykien-typo, cùng giá trị với ykien serve.")


def test_workers_online_or_no_prefect_say_the_next_sweep_takes_them() -> None:
    assert "2 `ykien worker` đang nhận work pool \"ykien\"" in _due_advice(3, "ykien", (2, None))
    assert "hãy chạy `ykien serve`" not in _due_advice(1, "ykien", None)
    assert "lượt quét sau" in _due_advice(1, "ykien", None)
    unreachable = _due_advice(1, "ykien", (None, 'không kết nối được máy chủ Prefect tại "http://p/api" (…)'))
    assert "chưa biết có `ykien worker` nào nhận không" in unreachable
