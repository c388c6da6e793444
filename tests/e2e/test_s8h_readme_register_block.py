"""README.md's register block, typed as written on a launched round 1 on 03/12/2026 (the walk's today): every
take, the enter dated in order after them, the cancel, the list and the export succeed."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import docx
from test_cli_register import CREATE

README = Path(__file__).parents[2] / "README.md"


def register_lines() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## The register of outgoing documents (sổ văn bản đi)\n")
    block = re.search(r"```bash\n(.*?)```", text[start:], re.S)
    assert block, "README: no bash block in the register section"
    return [words for line in block.group(1).splitlines() if (words := shlex.split(line, comments=True))]


def test_the_readme_register_block_runs_as_written(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli.now = "2026-12-03T09:00"
    draft = tmp_path / "du-thao.docx"
    document = docx.Document()
    document.add_paragraph("Dự thảo Kế hoạch")
    document.save(str(draft))
    cli(*CREATE[:7], "10/12/2026", *CREATE[8:-1], "--draft", str(draft))
    cli("round", "launch", "1")
    lines = register_lines()
    assert [words[:3] for words in lines][:3] == [["ykien", "register", "take"]] * 2 + [["ykien", "register", "enter"]]
    for words in lines:
        args = [str(tmp_path / w) if w.endswith(".xlsx") else w for w in words[1:]]
        cli(*args)
    listed = cli("register", "list", "--year", "2026", "--json").json
    assert [(e["full_number"], e["issued_on"]) for e in listed["entries"]] == [
        ("123/TTr-SKHCN", "2026-12-03"), ("02/SKHCN-TĐC", "2026-12-03"), ("01/SKHCN-TĐC", "2026-12-03")]
