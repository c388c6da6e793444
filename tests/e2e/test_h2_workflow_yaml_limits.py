"""A workflow definition built to exhaust the machine is refused at once, with the file and line, exit 2: aliases
nested into millions of values ("billion laughs") and blocks nested hundreds deep, which PyYAML and the checks
would otherwise build for hours or end in a RecursionError traceback."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Cli


def _alias_bomb(levels: int, width: int) -> str:
    """`width` copies of the level above at each of `levels` levels: width ** levels values once expanded."""
    words = ", ".join(['"lol"'] * width)
    lines = [f"a0: &a0 [{words}]"]
    for level in range(1, levels):
        aliases = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def test_aliases_that_expand_to_a_million_values_are_refused_at_once(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_alias_bomb(levels=6, width=10), encoding="utf-8")
    result = cli("workflow", "validate", str(path), expect=2)
    assert f"Lỗi: {path}:1:" in result.err and "quá nhiều giá trị khi mở các alias (*)" in result.err, result.err
    assert "Traceback" not in result.out + result.err
    assert result.err.count("\n") == 1, result.err  # that one line: nothing was built to be checked


@pytest.mark.parametrize("nested", [
    pytest.param("name: " + "[" * 1000 + "]" * 1000 + "\n", id="brackets"),
    pytest.param("name: \"x\"\n" + "".join("  " * depth + f"k{depth}:\n" for depth in range(400)), id="indents"),
    pytest.param("name: " + "[" * 100 + "]" * 100 + "\n", id="a-hundred-deep"),
])
def test_blocks_nested_too_deep_are_named_with_the_line_not_a_traceback(cli: Cli, tmp_path: Path,
                                                                         nested: str) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(nested, encoding="utf-8")
    result = cli("workflow", "validate", str(path), expect=2)
    assert "Traceback" not in result.out + result.err and "RecursionError" not in result.out + result.err
    assert any(line.startswith(f"Lỗi: {path}:") and "lồng nhau quá sâu" in line for line in result.err.splitlines()), \
        result.err
