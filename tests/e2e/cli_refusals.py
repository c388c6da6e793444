"""A CLI refusal seen as a user sees it: exit 2, nothing written, the message said plainly."""
from __future__ import annotations

from tests.e2e.conftest import Cli


def refused(cli: Cli, *args: str, code: str) -> str:
    """Exit 2 with the JSON error `code`, nothing written (the rounds as before); the message as said without --json."""
    before = cli("round", "list", "--json").out
    as_json = cli(*args, "--json", expect=2).json
    assert as_json["error"]["code"] == code, as_json
    said = cli(*args, expect=2)
    assert said.out == "" and said.err.startswith("Lỗi: ") and "Traceback" not in said.err, said
    assert cli("round", "list", "--json").out == before
    return said.err.removeprefix("Lỗi: ").strip()
