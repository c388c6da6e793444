"""`ykien register ...` as people run it: take and enter numbers for a round's documents, cancel one, list and
export the year; every bad input exits 2 naming its argument (exit 1 where the rules refuse) and writes nothing."""
from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

from openpyxl import load_workbook

CREATE = ("round", "create", "--title", "Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất giai đoạn 2026 – 2030",
          "--office", "TĐC", "--deadline", "05/12/2025", "--group", "so-ban-nganh", "--contact-name",
          "Ông Phạm Phi Long", "--contact-phone", "0912130290", "--signer-name", "Nông Thị Thanh Huyền", "--json")


def rejected(cli, *args: str, code: str, exit_code: int = 2) -> str:  # type: ignore[no-untyped-def]
    """Run a command that must fail with `exit_code` and the JSON error `code`, writing nothing; the message."""
    before = cli.snapshot()
    result = cli(*args, "--json", expect=None)
    assert (result.code, result.json and result.json["error"]["code"]) == (exit_code, code), \
        f"ykien {' '.join(args)}: {result.code} {result.out} {result.err}"
    assert cli.snapshot() == before, f"ykien {' '.join(args)} wrote to the database"
    return str(result.json["error"]["message"])


def test_numbers_taken_entered_cancelled_listed_and_exported(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    first = cli("register", "take", "1", "request_letter", "--date", "20/11/2025", "--recipients",
                "Các sở, ban, ngành tỉnh", "--json").json
    assert (first["full_number"], first["issued_on"], first["source"]) == ("01/SKHCN-TĐC", "2025-11-20", "assigned")
    assert first["signer"] == "Nông Thị Thanh Huyền" and first["created_by"] == "Phạm Phi Long (TĐC)"
    entered = cli("register", "enter", "1", "submission", "--number", "5/TTr-SKHCN", "--date", "20/11/2025",
                  "--json").json
    assert (entered["full_number"], entered["type_name"], entered["source"]) == ("05/TTr-SKHCN", "Tờ trình", "entered")
    again = cli("register", "take", "1", "request_letter", "--again")
    assert "Đã cấp số 02/SKHCN-TĐC ngày 20/11/2025" in again.out
    cancelled = cli("register", "cancel", str(first["id"]), "--reason", "Văn bản không ban hành", "--json").json
    assert cancelled["cancel_reason"] == "Văn bản không ban hành" and cancelled["cancelled_by"] == "Phạm Phi Long (TĐC)"

    listed = cli("register", "list", "--json").json
    assert listed["year"] == 2025
    assert [(e["full_number"], e["cancelled_at"] is not None) for e in listed["entries"]] == [
        ("05/TTr-SKHCN", False), ("02/SKHCN-TĐC", False), ("01/SKHCN-TĐC", True)]
    shown = cli("register", "list").out
    assert "05/TTr-SKHCN" in shown and "Đã hủy: Văn bản không ban hành" in shown
    assert cli("register", "list", "--year", "2024", "--json").json["entries"] == []

    exported = cli("register", "export", "--out", str(tmp_path / "so.xlsx"), "--json").json
    assert exported == {"path": str(tmp_path / "so.xlsx"), "year": 2025, "entries": 3}
    sheet = load_workbook(tmp_path / "so.xlsx").active
    assert sheet is not None and sheet.cell(2, 1).value == "SỔ ĐĂNG KÝ VĂN BẢN ĐI — NĂM 2025"
    assert [sheet.cell(row, 1).value for row in (6, 7, 8)] == ["01/SKHCN-TĐC", "02/SKHCN-TĐC", "05/TTr-SKHCN"]
    into_folder = cli("register", "export", "--out", str(tmp_path), "--year", "2025")
    assert "so-van-ban-di-2025.xlsx" in into_folder.out and (tmp_path / "so-van-ban-di-2025.xlsx").is_file()

    audit = [e["action"] for e in cli("round", "audit", "1", "--json").json["events"]]
    assert audit == ["create", "number_taken", "number_entered", "number_taken", "number_cancelled"]


def test_every_bad_input_names_its_argument_and_writes_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    cli("register", "take", "1", "request_letter")
    take, enter = ("register", "take", "1", "request_letter", "--again"), ("register", "enter", "1", "request_letter")
    bad_dates = {"31/02/2025": "bad_date", "2025-13-01": "bad_date", "hôm qua": "bad_date", "": "bad_date",
                 "21/11/2025": "date_in_future", "01/01/1999": "bad_date", "01/01/99999": "bad_date"}
    for typed, code in bad_dates.items():
        assert rejected(cli, *take, "--date", typed, code=code).startswith("--date: "), typed
    for typed in ("31/02/2025", "21/11/2025"):
        assert rejected(cli, *enter, "--number", "7/SKHCN-TĐC", "--date", typed,
                        code=bad_dates[typed]).startswith("--date: ")
    other_office = rejected(cli, *enter, "--number", "7/SKHCN-QLKH", "--date", "20/11/2025", code="wrong_symbol")
    assert other_office.startswith("--number: ") and '"SKHCN-TĐC"' in other_office
    without_stroke = rejected(cli, *enter, "--number", "7/SKHCN-TDC", "--date", "20/11/2025", code="wrong_symbol")
    assert "chữ Đ và chữ D" in without_stroke
    letter_for_submission = rejected(cli, "register", "enter", "1", "submission", "--number", "7/SKHCN-TĐC",
                                     "--date", "20/11/2025", code="wrong_symbol")
    assert '"TTr-SKHCN"' in letter_for_submission
    for typed in ("bảy", "0/SKHCN-TĐC", " "):
        assert rejected(cli, *enter, "--number", typed, "--date", "20/11/2025", "--again",
                        code="bad_number").startswith("--number: "), typed
    used = rejected(cli, *enter, "--number", "01/SKHCN-TĐC", "--date", "20/11/2025", "--again", code="number_used",
                    exit_code=1)
    assert "01/SKHCN-TĐC" in used
    assert "đã có số 01/SKHCN-TĐC" in rejected(cli, "register", "take", "1", "request_letter",
                                               code="already_numbered", exit_code=1)
    assert "99" in rejected(cli, "register", "take", "99", "request_letter", code="round_not_found", exit_code=1)
    unknown = rejected(cli, "register", "take", "1", "bang-tong-hop", code="document_unknown")
    assert unknown.startswith("DOCUMENT_KEY: ") and "request_letter" in unknown
    rejected(cli, "register", "take", "1", "synthesis_docx", code="document_unknown")
    rejected(cli, "register", "take", "1", "submission", code="document_not_offered", exit_code=1)
    assert rejected(cli, "register", "take", "99999999999", "request_letter", code="bad_number").startswith("ROUND_ID")
    for year in ("99999", "1999"):
        assert rejected(cli, "register", "list", "--year", year, code="bad_year").startswith("--year: ")
    rejected(cli, "register", "export", "--year", "99999", "--out", str(tmp_path / "x.xlsx"), code="bad_year")
    assert not (tmp_path / "x.xlsx").exists()
    rejected(cli, "register", "export", "--out", str(tmp_path / "so.csv"), code="bad_out")
    assert rejected(cli, "register", "cancel", "1", "--reason", "  ", code="reason_missing").startswith("--reason")
    rejected(cli, "register", "cancel", "42", "--reason", "Sai", code="entry_not_found", exit_code=1)
    rejected(cli, *take, "--summary", "x" * 1001, code="text_too_long")
    # Not even a number: the command line itself refuses it (exit 2, naming the argument).
    result = cli("register", "take", "một", "request_letter", expect=2)
    assert "round_id" in result.err.lower()


def test_text_typed_in_nfd_is_read_and_kept_in_nfc(cli) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    nfd = lambda text: unicodedata.normalize("NFD", text)  # noqa: E731
    entry = cli("register", "enter", "1", "request_letter", "--number", nfd("Số: 03/SKHCN-TĐC"), "--date",
                "20/11/2025", "--summary", nfd("V/v xin ý kiến góp ý dự thảo Kế hoạch"), "--signer",
                nfd("Nông Thị Thanh Huyền"), "--json").json
    assert entry["full_number"] == "03/SKHCN-TĐC"
    assert entry["summary"] == "V/v xin ý kiến góp ý dự thảo Kế hoạch" and entry["signer"] == "Nông Thị Thanh Huyền"
    cancelled = cli("register", "cancel", str(entry["id"]), "--reason", nfd("Sai trích yếu"), "--json").json
    assert cancelled["cancel_reason"] == "Sai trích yếu"


def test_ykien_register_take_run_at_once_never_gives_a_number_twice(cli) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    cli(*CREATE)
    ykien = [str(Path(sys.executable).with_name("ykien"))]  # as the e2e conftest runs it
    runs = [subprocess.Popen([*ykien, "register", "take", str(1 + i % 2), "request_letter", "--again",
                              "--json"], env=cli.environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, encoding="utf-8") for i in range(6)]
    numbers = []
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        numbers.append(json.loads(out)["number"])
    assert sorted(numbers) == list(range(1, 7))


def test_a_date_out_of_order_is_refused_naming_date_and_the_neighbouring_number(cli) -> None:  # type: ignore[no-untyped-def]
    """Numbers of the register run in date order, and no round's document predates the round: exit 2, nothing taken."""
    now = cli.now
    cli.now = "2025-11-17T09:00"
    cli(*CREATE)
    cli.now = now
    take = ("register", "take", "1", "request_letter", "--again")
    before_round = rejected(cli, *take, "--date", "14/11/2025", code="date_before_round")
    assert before_round == "--date: ngày 14/11/2025 trước ngày lập đợt 1 (17/11/2025)."
    cli("register", "take", "1", "request_letter", "--date", "19/11/2025")
    before_lower = rejected(cli, *take, "--date", "18/11/2025", code="date_out_of_order")
    assert before_lower.startswith("--date: ngày 18/11/2025 trước ngày của số 01/SKHCN-TĐC (19/11/2025)")
    cli("register", "enter", "1", "request_letter", "--number", "5/SKHCN-TĐC", "--date", "19/11/2025", "--again")
    after_higher = rejected(cli, "register", "enter", "1", "request_letter", "--number", "4/SKHCN-TĐC", "--date",
                            "20/11/2025", "--again", code="date_out_of_order")
    assert after_higher.startswith("--date: ngày 20/11/2025 sau ngày của số 05/SKHCN-TĐC (19/11/2025)")
    listed = cli("register", "list", "--json").json
    assert [(e["full_number"], e["issued_on"]) for e in listed["entries"]] == [
        ("05/SKHCN-TĐC", "2025-11-19"), ("01/SKHCN-TĐC", "2025-11-19")]
