"""README.md's "Using it" block, typed in order by a new clerk on a fresh home: every line runs as written (the
files it names made as the README says), exits as expected and says what it is there to show. A line added to the
block or a changed one fails here until its expectation is written down below. The other tests are what the walk
through the README's other sections found (db restore, round-sign, validate, decide, a refused report)."""
from __future__ import annotations

import json
import re
import shlex
import sys
from pathlib import Path

import docx
import openpyxl
from letter_inputs import give_letter_inputs
from minimal_pdf import minimal_pdf
from signing_ca import PASSWORD
from test_cli_sign import CREATE, ca, keys  # noqa: F401  (fixtures)

from workflows.demo_drafts import PLAN_OUTLINE, write_draft

# The README's kind (council_opinion) is read by the helper test_new_kind.py uses.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))

from readme_kind import write_readme_kind

README = Path(__file__).parents[2] / "README.md"
NOW = "2026-12-03T09:00"  # a Thursday; the README's dates lie in 2027, ahead of it
NEW_PASSWORD = "mat-khau-cua-can-bo-2026"

# (how the line starts, exit code, a phrase its output holds); None: a line not run here (see SKIPPED_WHY)
EXPECTED: list[tuple[str, int, str] | tuple[str, None, str]] = [
    ("ykien init", 0, "Đã khởi tạo"),
    ("ykien directory groups", 0, "xa-phuong"),
    ("ykien directory import units.csv", 0, "Đã nhập 6 đơn vị"),
    ("ykien round create --title", 0, "Đơn vị: Văn phòng UBND tỉnh (TTTT-VP)\nĐã tạo đợt số 1, hạn trả lời 17/12/2026"),
    ("ykien round launch 1", 0, "Đã phát hành đợt số 1"),
    ("ykien round show 1", 0, "Đang lấy ý kiến"),
    ("ykien round respond 1 STP", 0, "Sở Tư pháp (STP): Đồng ý"),
    ("ykien round respond 1 SCT", 0, "Sở Công Thương (SCT): Có ý kiến góp ý"),
    ("ykien round respond 1 STC", 0, "Sở Tài chính (STC): Có ý kiến góp ý"),
    ("ykien round extend 1", 0, "Đã gia hạn cho Sở Y tế (SYT) đến hết ngày 15/01/2027"),
    ("ykien round remind 1", 0, "Đã đôn đốc"),
    ("ykien round close 1", 0, "Đang tổng hợp"),
    ("ykien round audit 1", 0, "Chuỗi băm toàn vẹn"),
    ("ykien round list --status consultation:consolidating", 0, "Đang tổng hợp"),
    ("ykien tick", 0, "09:00 03/12/2026"),
    ("ykien serve", None, "serves until Ctrl-C"),
    ("ykien calendar add-working-days", 0, "Tết Nguyên Đán"),
    ("ykien calendar year", 0, "Năm 2027: 249 ngày làm việc"),
    ("ykien workflow validate council_opinion.yaml", 0, "Hợp lệ"),
    ("ykien workflow show consultation", 0, "stateDiagram-v2"),
    ("ykien user add canbo", 0, "Đã thêm tài khoản canbo"),
    ("ykien round comments 1", 0, "Bổ sung kinh phí thực hiện"),
    ("ykien round consolidate 1", 1, "Còn 3 ý kiến chưa được xử lý"),
    ("ykien round handle 1 1 2", 0, "số 2: Sở Tài chính, Mục II.2"),
    ("ykien round handle 1 3", 0, "số 3: Sở Công Thương, Mục III"),
    ("ykien round consolidate 1", 0, "Đã hoàn thành tổng hợp"),
    ("ykien round draft 1 du-thao-v2.docx", 0, "phiên bản 2"),
    ("ykien round documents 1 --out van-ban/", 0, "van-ban/to-trinh.docx"),
    ("ykien round documents 1 --out van-ban/ --pdf", None, "LibreOffice: tests/e2e/test_cli_pdf.py"),
    ("ykien round submit 1", 0, "Đã lập hồ sơ trình"),
    ("ykien round decide 1 --returned", 0, "Bị trả lại"),
    ("ykien round follow-up 1", 0, "Đã tạo đợt số 2"),
    ("ykien round revise 1", 0, "trở về soạn thảo"),
    ("ykien round export 1 --out xuat/", 0, "dot-1-nhat-ky.csv"),
    ("ykien round create --workflow report_collection", 0, "Đã tạo đợt số 3"),
    ("ykien round document-inputs 3", 0, "vanthu@skhcn.caobang.gov.vn"),
    ("ykien round launch 3", 0, "Đã phát hành đợt số 3"),
    ("ykien round respond 3 SCT --proposal-file bao-cao.json", 0, "Sở Công Thương (SCT): Đã báo cáo"),
    ("ykien round close 3", 0, "Đang tổng hợp báo cáo"),
    ("ykien round next 3", 0, "Đã tạo đợt số 4 từ đợt 3"),
    ("ykien round create --workflow workshop", 0, "Đã tạo đợt số 5"),
    ("ykien round document-inputs 5", 0, "Trung tâm Hội nghị tỉnh"),
    ("ykien round launch 5", 0, "Đã phát hành đợt số 5"),
    ("ykien round assign 5", 0, "Đã giao nhiệm vụ cho 2 đơn vị"),
    ("ykien round assignments 5", 0, "Chưa nộp"),
    ("ykien round hand-in 5", 0, "Đã nộp"),
]


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def readme_lines() -> list[str]:
    """The "Using it" bash block's commands, continuation lines joined, comments and `export` left out."""
    block = re.search(r"```bash\n(.*?)```", _section("Using it"), re.S)
    assert block, "README: no bash block under \"Using it\""
    joined = re.sub(r"\\\n\s*", "", block.group(1))
    lines = []
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] != "export":
            lines.append(shlex.join(words))
    return lines


def _files_the_reader_makes(folder: Path) -> None:
    """What the README's list says to make, no more: its units, a draft, a report's JSON, a spreadsheet, a PDF."""
    (folder / "units.csv").write_text(
        "\ufeffcode,name,group,email,contact_person,phone\n"
        "STP,Sở Tư pháp,so-ban-nganh,stp@caobang.gov.vn,Văn phòng Sở,0206 3852 100\n"
        "SCT,Sở Công Thương,so-ban-nganh,sct@caobang.gov.vn,Phòng Quản lý công nghiệp,0206 3852 202\n"
        "SYT,Sở Y tế,so-ban-nganh,syt@caobang.gov.vn,,\n"
        "STC,Sở Tài chính,so-ban-nganh,stc@caobang.gov.vn,Phòng Tổng hợp,0206 3852 201\n"
        "XTP,UBND phường Thục Phán,xa-phuong,thucphan@caobang.gov.vn,Văn phòng,\n"
        "TTTT-VP,Văn phòng UBND tỉnh,ubnd-tinh,vpubnd@caobang.gov.vn,Trung tâm Thông tin,\n", encoding="utf-8")
    for name, title in (("du-thao.docx", "Dự thảo Kế hoạch"), ("du-thao-v2.docx", "Dự thảo Kế hoạch (lần 2)")):
        write_draft(folder / name, "KẾ HOẠCH", title, PLAN_OUTLINE)  # numbered headings (I., 1.), as plans have
    example = re.search(r"`(\{\"leadership_text\".*?\})`", _section("Using it"), re.S)
    assert example, "README: the example of bao-cao.json is gone"
    (folder / "bao-cao.json").write_text(json.dumps(json.loads(example.group(1))), encoding="utf-8")
    sheet = openpyxl.Workbook()
    sheet.active.append(["Nội dung", "Kinh phí (đồng)"])
    sheet.active.append(["Hội thảo", 25000000])
    sheet.save(folder / "bang-ke.xlsx")
    (folder / "tham-luan.pdf").write_bytes(minimal_pdf(b"tham luan"))
    write_readme_kind(folder)  # council_opinion.yaml and its letter's wording, beside it


def test_the_using_it_block_runs_as_written_on_a_fresh_home(bare_cli) -> None:  # type: ignore[no-untyped-def]
    folder = bare_cli.home.parent
    _files_the_reader_makes(folder)
    bare_cli.at(NOW)
    lines = readme_lines()
    assert len(lines) == len(EXPECTED), "\n".join(lines)
    for line, (start, code, phrase) in zip(lines, EXPECTED, strict=True):
        words = shlex.split(line)
        env = {}
        while "=" in words[0]:
            name, _, value = words.pop(0).partition("=")
            env[name] = value
        assert shlex.join(words).startswith(start), f"README line changed: {line}\nexpected it to start: {start}"
        if code is None:
            continue
        assert words[0] == "ykien", line
        done = bare_cli(*words[1:], expect=None, YKIEN_NEW_PASSWORD=NEW_PASSWORD, **env)
        said = done.out + done.err
        assert done.code == code, f"{line}\nexited {done.code}, expected {code}\n{said}"
        assert phrase in said, f"{line}\ndid not say {phrase!r}:\n{said}"
        assert "Traceback" not in said, f"{line}\n{said}"
        if code != 0:  # a refusal is said on stderr, as every error, so `> file` does not hide it
            assert done.err.startswith("Lỗi: ") and phrase in done.err and "Lỗi" not in done.out, f"{line}\n{said}"
        if start == "ykien round documents 1 --out van-ban/":  # what the line's comment names
            assert {"cong-van-xin-y-kien.docx", "bang-tong-hop-y-kien.docx", "to-trinh.docx", "du-thao-v2.docx",
                    "danh-sach-don-vi.xlsx"} <= {p.name for p in (folder / "van-ban").iterdir()}
        if start == "ykien round comments 1":  # the numbers the next lines handle, as the line's comment says
            listed = bare_cli("round", "comments", "1", "--json").json
            assert [(c["number"], c["unit_code"], c["section"]) for c in listed] == [
                (1, "SCT", "Mục II.2"), (2, "STC", "Mục II.2"), (3, "SCT", "Mục III")]


def test_restore_names_the_replaced_database_in_local_time(bare_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The kept database's name is the Sở's date and time, as every other time staff read (not the UTC clock)."""
    bare_cli.at("2026-12-03T23:30")  # 16:30 UTC: the UTC name would carry another hour
    bare_cli("init")
    backup = tmp_path / "sao-luu.db"
    bare_cli("db", "backup", str(backup))
    done = bare_cli("db", "restore", str(backup), "--json").json
    assert Path(done["previous"]).name == "ykien.db.truoc-khoi-phuc-20261203-233000", done


def test_signing_with_a_key_whose_root_is_not_trusted_yet_says_so_without_a_traceback(
        process_cli, keys: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """README "Ký số", the PKCS#12 path, before the roots are put in trust-roots (a first try): the letter is signed
    and the check reads "chưa tin cậy"; pyHanko's log of the failed path (a traceback) is not shown."""
    cli = process_cli  # a real process: pytest's own log capture would hide what Python prints there
    cli(*CREATE)
    signed = cli("round-sign", "1", "request_letter", "--pkcs12", keys["p12"], "--password-env", "P12_PASSWORD",
                 P12_PASSWORD=PASSWORD.decode())
    assert "kiểm tra: chưa tin cậy" in signed.out, signed.out
    assert signed.err.strip() == "", signed.err


def test_a_report_with_several_mistakes_lists_them_as_one_sentence(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`round respond --proposal-file`, the README's bao-cao.json with a mistyped key and a word for a count: every
    mistake in one line, joined by "; ", one full stop at the end (it read "… và 10 trường khác).; 1. Công tác …")."""
    cli("round", "create", "--workflow", "report_collection", "--title", "Báo cáo năm 2026", "--office", "TĐC",
        "--deadline", "10 ngày làm việc", "--group", "so-ban-nganh", "--contact-name", "Ông Phạm Phi Long",
        "--contact-phone", "0912130290", "--signer-name", "Nông Thị Thanh Huyền")
    give_letter_inputs(cli)
    cli("round", "launch", "1")
    report = tmp_path / "bao-cao.json"
    report.write_text('{"leadership_txt": "Đã ban hành 2 kế hoạch.", "decisions_issued": "hai"}', encoding="utf-8")
    refused = cli("round", "respond", "1", "SCT", "--proposal-file", str(report), expect=2).err
    lines = [line for line in refused.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Lỗi: "), refused
    assert '"leadership_txt"' in refused and '"hai" phải là số nguyên' in refused, refused
    assert ".;" not in refused and refused.rstrip().endswith(".") and not refused.rstrip().endswith(".."), refused


def test_a_decision_dated_after_today_is_refused_naming_the_date(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`round decide --issued --number … --date DD/MM/YYYY` (the README's alternative to --returned): the UBND's
    decision is recorded once it is made, so a date after today is a typo (2027 for 2026): exit 2, naming --date,
    and the round stays submitted; today is taken."""
    cli(*CREATE)
    cli("round", "launch", "1", "--no-draft-reason", "Thử")
    cli("round", "close", "1")
    cli("round", "consolidate", "1")
    revised = docx.Document()
    revised.add_paragraph("Dự thảo đã chỉnh lý")
    revised.save(str(tmp_path / "du-thao-v2.docx"))
    cli("round", "draft", "1", str(tmp_path / "du-thao-v2.docx"))
    cli("round", "submit", "1")
    before = cli.snapshot()
    refused = cli("round", "decide", "1", "--issued", "--number", "123/KH-UBND", "--date", "21/11/2026", expect=2)
    assert refused.err.startswith("Lỗi: --date: ngày 21/11/2026 chưa đến (hôm nay là 20/11/2025)"), refused.err
    assert cli.snapshot() == before
    cli("round", "decide", "1", "--issued", "--number", "123/KH-UBND", "--date", "20/11/2025")
    assert cli("round", "show", "1", "--json").json["status"] == "issued"


def test_validate_names_a_wording_file_that_is_not_beside_the_kind(bare_cli) -> None:  # type: ignore[no-untyped-def]
    """The README's council_opinion.yaml copied without its letter's wording file: `workflow validate` said
    "Hợp lệ" and the round failed only when the letter was built. Now: file:line:col of `wording`, the path
    looked for, exit 2."""
    folder = write_readme_kind(bare_cli.home.parent)
    wording = folder / "council_opinion" / "documents" / "council_letter.yaml"
    wording.unlink()
    refused = bare_cli("workflow", "validate", "council_opinion.yaml", expect=2)
    line = next(n for n, text in enumerate((folder / "council_opinion.yaml").read_text(encoding="utf-8").splitlines(),
                                           start=1) if text.strip().startswith("wording:"))
    assert refused.out == "" and refused.err.startswith(f"Lỗi: council_opinion.yaml:{line}:"), refused.err
    assert 'wording "council_letter": không có tệp lời văn council_opinion/documents/council_letter.yaml' \
        in refused.err, refused.err
