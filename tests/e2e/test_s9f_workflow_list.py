"""`ykien workflow list` with a broken definition in the department's folder: the kinds that load are still listed on
stdout, each problem of the broken one is a "Lỗi: FILE:LINE:COL: …" line on stderr as `workflow validate` writes it,
and the exit is 2; with --json, the broken kinds are a list of their own beside the usable ones and an "error"."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from tests.e2e.conftest import Cli

DEFINITIONS = Path(__file__).resolve().parents[2] / "workflows" / "definitions"
SHIPPED = {p.stem for p in DEFINITIONS.glob("*.yaml") if not p.name.startswith("_")}
# A kind of the department's own: consultation's file with one transition sent to a state that does not exist.
TYPO = '"no_state_like_this"'


def _department_kinds(home: Path) -> tuple[Path, Path]:
    folder = home / "workflows"
    folder.mkdir(exist_ok=True)
    good = folder / "gop_y_noi_bo.yaml"
    text = (DEFINITIONS / "consultation.yaml").read_text(encoding="utf-8").replace('name: "consultation"',
                                                                                   'name: "gop_y_noi_bo"')
    good.write_text(text, encoding="utf-8")
    shutil.copytree(DEFINITIONS / "consultation", folder / "gop_y_noi_bo", dirs_exist_ok=True)  # its own letter
    broken = folder / "hoi_dong.yaml"
    broken.write_text('name: "hoi_dong"\ntitle: "Lấy ý kiến hội đồng"\nstates:\n  draft: "a"\n  draft: "b"\n'
                      'initial: [unclosed\n', encoding="utf-8")
    return good, broken


def test_a_broken_kind_is_reported_on_stderr_with_its_line_and_the_others_still_listed(cli: Cli) -> None:
    good, broken = _department_kinds(cli.home)
    result = cli("workflow", "list", expect=2)
    listed = {line.split(":")[0] for line in result.out.splitlines()}
    assert listed == SHIPPED | {good.stem}, result.out  # the broken one is not among them
    errors = result.err.splitlines()
    assert errors and all(line.startswith("Lỗi: ") for line in errors), result.err
    assert any(re.match(rf"Lỗi: {re.escape(str(broken))}:\d+:\d+: ", line) for line in errors), result.err
    assert errors[-1].startswith("Lỗi: Quy trình chưa dùng được vì có lỗi: hoi_dong."), result.err
    assert "hoi_dong" not in result.out and "Traceback" not in result.err


def test_json_lists_the_broken_kinds_with_their_problems_beside_the_usable_ones(cli: Cli) -> None:
    good, broken = _department_kinds(cli.home)
    answer = cli("workflow", "list", "--json", expect=2).json
    assert {item["name"] for item in answer["workflows"]} == SHIPPED | {good.stem}
    assert [(b["name"], b["file"]) for b in answer["broken"]] == [("hoi_dong", str(broken))]
    problems = answer["broken"][0]["problems"]
    assert problems and all(re.match(rf"{re.escape(str(broken))}:\d+(:\d+)?: ", p) for p in problems), problems
    assert answer["error"]["code"] == "invalid_workflow" and "hoi_dong" in answer["error"]["message"]


def test_each_kind_of_problem_names_its_file_a_duplicate_name_and_an_undecodable_file_too(cli: Cli) -> None:
    folder = cli.home / "workflows"
    folder.mkdir(exist_ok=True)
    (folder / "consultation.yaml").write_text('name: "consultation"\n', encoding="utf-8")
    (folder / "cp1258.yaml").write_bytes('name: "Lấy ý kiến"\n'.encode().replace("ấ".encode(), b"\xe2\xec"))
    (folder / "khong_ton_tai.yaml").write_text((DEFINITIONS / "consultation.yaml").read_text(encoding="utf-8")
                                               .replace('name: "consultation"', 'name: "khong_ton_tai"')
                                               .replace('"consolidating"', TYPO, 1), encoding="utf-8")
    result = cli("workflow", "list", expect=2)
    assert f"Lỗi: {folder / 'consultation.yaml'}: trùng tên với quy trình có sẵn \"consultation\"" in result.err
    assert f"Lỗi: {folder / 'cp1258.yaml'}: không phải văn bản UTF-8" in result.err
    assert re.search(rf"Lỗi: {re.escape(str(folder / 'khong_ton_tai.yaml'))}:\d+:\d+: .*no_state_like_this",
                     result.err), result.err
    assert {line.split(":")[0] for line in result.out.splitlines()} == SHIPPED  # ours, from ykien's own folder


def test_with_every_kind_loading_the_list_is_unchanged_and_exits_0(cli: Cli) -> None:
    result = cli("workflow", "list")
    assert result.err == "" and {line.split(":")[0] for line in result.out.splitlines()} == SHIPPED
    assert {item["name"] for item in json.loads(cli("workflow", "list", "--json").out)} == SHIPPED
