"""service/files.file_in_place: a file under the home is the old one or the whole new one, never a part, and two
writers of the same file at once (two staff opening a draft's first view) do not write into each other's."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from workflows.service.files import file_in_place


def test_two_writers_of_the_same_file_at_once_each_finish_and_one_whole_file_is_left(tmp_path: Path) -> None:
    target = tmp_path / "drafts" / "du-thao.html"
    both_open = threading.Barrier(2)
    failures: list[BaseException] = []

    def write(content: bytes) -> None:
        try:
            with file_in_place(target) as partial, partial.open("wb") as handle:
                handle.write(content[:10])
                both_open.wait(timeout=10)  # both are half-way through their own file
                handle.write(content[10:])
        except BaseException as error:  # noqa: BLE001 (the test reports any failure of either writer)
            failures.append(error)

    contents = [b"A" * 5000, b"B" * 7000]
    threads = [threading.Thread(target=write, args=(content,)) for content in contents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert target.read_bytes() in contents
    assert sorted(p.name for p in target.parent.iterdir()) == ["du-thao.html"]  # no temporary file left


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "goi-ho-so.zip"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), file_in_place(target) as partial:
        partial.write_bytes(b"half")
        raise RuntimeError("render failed")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["goi-ho-so.zip"]
