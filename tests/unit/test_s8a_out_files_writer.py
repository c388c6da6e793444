"""OutFiles, the writer of the CLI's --out files: names checked before the first write, each file whole or absent,
and a failure part-way names the files already written."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from models.errors import InvalidInput
from workflows.cli.out_files import OutFiles, names_listed


def _partials(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".partial")]


def test_a_failure_part_way_names_the_files_written_before_it(tmp_path: Path) -> None:
    (tmp_path / "mot-tep").write_bytes(b"x")
    files = OutFiles("--out", overwrite=False)
    with pytest.raises(InvalidInput) as refused:
        files.write_all([(tmp_path / "a.docx", b"A"), (tmp_path / "b.xlsx", b"B"),
                         (tmp_path / "mot-tep" / "c.pdf", b"C")])
    message = refused.value.message
    assert message.startswith("--out: không ghi được") and "c.pdf" in message
    assert 'Đã ghi 2 tệp: "a.docx", "b.xlsx".' in message
    assert (tmp_path / "a.docx").read_bytes() == b"A" and _partials(tmp_path) == []


def test_a_failed_rename_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    (tmp_path / "thu-muc.docx").mkdir()
    with pytest.raises(InvalidInput) as refused:
        OutFiles("--out", overwrite=True).write(tmp_path / "thu-muc.docx", b"new")
    assert "Chưa ghi tệp nào." in refused.value.message
    assert (tmp_path / "thu-muc.docx").is_dir() and _partials(tmp_path) == []


def test_a_folder_in_a_file_s_place_is_refused_before_anything_even_with_overwrite(tmp_path: Path) -> None:
    (tmp_path / "b.xlsx").mkdir()
    with pytest.raises(InvalidInput) as refused:
        OutFiles("--out", overwrite=True).write_all([(tmp_path / "a.docx", b"A"), (tmp_path / "b.xlsx", b"B")])
    assert refused.value.code == "out_is_folder" and not (tmp_path / "a.docx").exists()


def test_overwrite_replaces_and_the_new_file_has_the_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "a.docx"
    target.write_bytes(b"old")
    with pytest.raises(InvalidInput):
        OutFiles("--out", overwrite=False).write_all([(target, b"new")])
    assert target.read_bytes() == b"old"
    OutFiles("--out", overwrite=True).write_all([(target, b"new")])
    umask = os.umask(0)
    os.umask(umask)
    assert target.read_bytes() == b"new" and target.stat().st_mode & 0o777 == 0o666 & ~umask  # not tempfile's 0o600


def test_names_are_listed_up_to_three_then_counted() -> None:
    paths = [Path(f"vb/{n}.docx") for n in "abcde"]
    assert names_listed(paths[:2]) == '"a.docx", "b.docx"'
    assert names_listed(paths) == '"a.docx", "b.docx", "c.docx" và 2 tệp khác'
