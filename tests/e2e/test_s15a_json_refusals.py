"""`ykien serve` and `ykien worker` under YKIEN_LOG_FORMAT=json say why they refuse to start as one JSON record of
their logger on stderr, with the refusal's code: a collector reading one JSON object a line was handed a plain
"Lỗi: …" line as the reason the process stopped. Other commands, and a YKIEN_LOG_FORMAT that is itself wrong, keep
the plain line."""
from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import Cli


def only_record(err: str) -> dict[str, str]:
    lines = err.splitlines()
    assert len(lines) == 1, err
    record = json.loads(lines[0])
    assert isinstance(record, dict)
    return record


@pytest.mark.parametrize(("command", "env", "code", "words"), [
    (("serve", "--port", "99999"), {}, "bad_port", '--port: "99999" không phải cổng hợp lệ'),
    (("serve", "--no-web", "--interval", "0"), {}, "bad_interval", "--interval:"),
    (("serve", "--no-web"), {"YKIEN_CLAIM_SIZE": "x"}, "invalid_input", 'YKIEN_CLAIM_SIZE: "x"'),
    (("worker",), {}, "prefect_not_configured", "PREFECT_API_URL: chưa đặt"),
    (("worker",), {"YKIEN_DATABASE_URL": "mysql://ykien@db/ykien"}, "invalid_input", "YKIEN_DATABASE_URL: \"mysql"),
])
def test_a_refusal_to_start_is_a_json_record_of_the_process_logger(
        process_cli: Cli, command: tuple[str, ...], env: dict[str, str], code: str, words: str) -> None:
    refused = process_cli(*command, expect=2, YKIEN_LOG_FORMAT=" JSON ", PREFECT_API_URL=None, **env)
    record = only_record(refused.err)
    assert record["logger"] == f"ykien.{command[0]}" and record["level"] == "ERROR", record
    assert record["code"] == code and words in record["message"], record
    assert "Lỗi:" not in refused.err and refused.out == ""


def test_under_text_logs_and_for_other_commands_the_refusal_stays_a_plain_line(process_cli: Cli) -> None:
    assert process_cli("serve", "--port", "99999", expect=2).err.startswith("Lỗi: --port:")
    assert process_cli("round", "show", "x", expect=2, YKIEN_LOG_FORMAT="json").err.startswith("Lỗi: ")


def test_a_wrong_log_format_is_refused_as_a_plain_line_naming_it(process_cli: Cli) -> None:
    refused = process_cli("serve", "--no-web", expect=2, YKIEN_LOG_FORMAT="jsn")
    assert refused.err.startswith('Lỗi: YKIEN_LOG_FORMAT: "jsn"'), refused.err
