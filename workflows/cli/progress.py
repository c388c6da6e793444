"""A progress bar on stderr for the long commands (launch, submit, documents --pdf): shown only when stderr is a
terminal and the output is not --json, so scripts and pipes read exactly what they read before."""
from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

REFRESH_SECONDS = 0.5


class Bar:
    """The steps of one command, each a task of the bar; a no-op when there is no terminal to draw on."""

    def __init__(self, progress: Any | None) -> None:
        self._progress = progress
        self._stop = threading.Event()
        self._sampler: threading.Thread | None = None

    def step(self, label: str) -> Callable[[int, int], None] | None:
        """The `on_progress(done, total)` of a new step labelled `label`; None without a terminal."""
        progress = self._progress
        if progress is None:
            return None
        self._end_sampler()
        task = progress.add_task(label, total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)
        return on_progress

    def counted(self, label: str, total: int, sample: Callable[[], int]) -> None:
        """A step whose count is read by `sample()` every REFRESH_SECONDS (delivery: the outbox counts)."""
        report = self.step(label)
        if report is None:
            return
        report(0, total)
        self._stop.clear()

        def watch() -> None:
            while not self._stop.wait(REFRESH_SECONDS):
                report(min(total, sample()), total)
            report(min(total, sample()), total)
        self._sampler = threading.Thread(target=watch, daemon=True)
        self._sampler.start()

    def _end_sampler(self) -> None:
        if self._sampler is not None:
            self._stop.set()
            self._sampler.join()
            self._sampler = None


@contextmanager
def progress_bar(as_json: bool) -> Iterator[Bar]:
    """A Bar drawing on stderr when it is a terminal and the command is not --json; otherwise one that draws nothing."""
    if as_json or not sys.stderr.isatty():
        yield Bar(None)
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        bar = Bar(progress)
        try:
            yield bar
        finally:
            bar._end_sampler()
