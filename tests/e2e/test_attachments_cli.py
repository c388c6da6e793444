"""Staff record a unit's report received on paper with its budget table: `ykien round respond --attach FIELD=PATH`.
A wrong option (no path, an unknown field, a missing file, a refused type, an empty or too large file) exits 2 with
one line naming the field, and nothing is written; a good file is stored with the answer and `round show` names it."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from letter_inputs import give_letter_inputs
from minimal_xlsx import minimal_xlsx as xlsx
from test_cli_report_collection import CREATE, REPORT

from workflows.service.attachments import shown_size


@pytest.fixture
def report(tmp_path: Path) -> str:
    path = tmp_path / "bao-cao.json"
    path.write_text(json.dumps(REPORT, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_a_report_on_paper_is_recorded_with_its_budget_table_and_bad_attachments_write_nothing(
        cli, tmp_path: Path, report: str) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    give_letter_inputs(cli)
    cli.at("2025-11-20T09:00")
    cli("round", "launch", "1")
    table = tmp_path / "Bảng kê kinh phí.xlsx"
    table.write_bytes(xlsx())
    (tmp_path / "rong.xlsx").write_bytes(b"")
    (tmp_path / "gia.xlsx").write_bytes(b"plain text")
    (tmp_path / "lon.pdf").write_bytes(b"%PDF-" + b"0" * (1024 * 1024 + 5))
    (tmp_path / "chay.exe").write_bytes(b"MZ" * 10)

    before = cli.snapshot()
    for attach, said in (
            ("budget_file", "--attach \"budget_file\": viết TRƯỜNG=ĐƯỜNG_DẪN"),
            (f"bang_ke={table}", "--attach bang_ke: phiếu không có trường tệp này (trường tệp: budget_file)."),
            (f"budget_file={tmp_path / 'khong-co.xlsx'}", "--attach budget_file (3. Kinh phí thực hiện — Bảng kê kinh "
                                                          "phí): không có tệp"),
            (f"budget_file={tmp_path / 'rong.xlsx'}", "tệp \"rong.xlsx\" rỗng (0 byte)"),
            (f"budget_file={tmp_path / 'gia.xlsx'}", "có đuôi .xlsx nhưng nội dung không phải Excel (XLSX)"),
            (f"budget_file={tmp_path / 'chay.exe'}", "không nhận tệp \"chay.exe\""),
            (f"budget_file={tmp_path / 'lon.pdf'}", "tệp 1,0 MB, vượt giới hạn 1 MB"),
            (f"budget_file={tmp_path}", "là một thư mục, không phải tệp."),
            ("budget_file=bang\x00ke.xlsx", "không có tệp bang\\x00ke.xlsx.")):
        refused = cli("round", "respond", "1", "SCT", "--proposal-file", report, "--attach", attach, expect=2,
                      YKIEN_MAX_UPLOAD_MB="1")
        lines = [line for line in refused.err.splitlines() if line.strip()]
        assert len(lines) == 1 and said in lines[0], refused.err
        assert "Traceback" not in refused.err
    assert cli.snapshot() == before

    cli("round", "respond", "1", "SCT", "--proposal-file", report, "--attach", f"budget_file={table}")
    connection = sqlite3.connect(cli.database)
    try:
        rows = connection.execute("SELECT a.filename, a.size, a.data, a.response_id, r.proposal FROM attachments a "
                                  "JOIN responses r ON r.id = a.response_id").fetchall()
    finally:
        connection.close()
    assert len(rows) == 1
    name, size, data, _, proposal = rows[0]
    assert (name, size, bytes(data)) == ("Bảng kê kinh phí.xlsx", table.stat().st_size, table.read_bytes())
    assert json.loads(proposal)[0]["budget_file"] == f"Bảng kê kinh phí.xlsx ({shown_size(size)}) [tệp đính kèm số 1]"
