"""Bad input to the command line found by the sweep of session 10 (every command and option given empty, blank,
NFD, very long, impossible and missing values): each is one `Lỗi: …` line in Vietnamese naming the argument, option,
file or line, exit 2 as every input error, and nothing written."""
from __future__ import annotations

import json
import re

import pytest
from letter_inputs import WORKSHOP_PLACE, give_letter_inputs

from tests.e2e.conftest import Cli

PASSWORD = "mat-khau-ban-dau"


def test_a_taken_login_is_bad_input_naming_the_login_and_the_argument(cli: Cli) -> None:
    cli("user", "add", "canbo", "--name", "Phạm Phi Long", "--office", "TĐC", YKIEN_NEW_PASSWORD=PASSWORD)
    before = cli.snapshot()
    taken = cli("user", "add", "CanBo", "--name", "Người khác", "--role", "leader", expect=2,
                YKIEN_NEW_PASSWORD=PASSWORD)
    assert taken.err.startswith('Lỗi: USERNAME: tài khoản "canbo" đã có; chọn tên đăng nhập khác.'), taken.err
    as_json = cli("user", "add", "canbo", "--name", "Người khác", "--role", "leader", "--json", expect=2,
                  YKIEN_NEW_PASSWORD=PASSWORD)
    assert json.loads(as_json.out)["error"]["code"] == "user_exists"
    assert cli.snapshot() == before


CREATE = ["round", "create", "--title", "Kế hoạch thử nghiệm", "--office", "TĐC", "--deadline", "05/12/2025",
          "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290",
          "--signer-name", "Nông Thị Thanh Huyền", "--group", "so-ban-nganh"]
LONG = "Ý kiến " * 15_000  # 105,000 characters


def refused(cli: Cli, *args: str, code: str, **env: str | None) -> str:
    """Run a command that must stop with exit 2 and the JSON error `code`, writing nothing; its human message (the
    command run again without --json)."""
    before = cli.snapshot()
    as_json = cli(*args, "--json", expect=2, **env)
    assert as_json.json["error"]["code"] == code, as_json.json
    said = cli(*args, expect=2, **env).err
    assert said.startswith("Lỗi: ") and "Traceback" not in said, said
    assert cli.snapshot() == before
    return said


def launched_round(cli: Cli) -> None:
    cli(*CREATE)
    cli("round", "launch", "1", "--no-draft-reason", "Thử nghiệm không kèm dự thảo")


def test_an_extension_to_a_day_off_or_a_day_gone_is_bad_input_naming_new_deadline(cli: Cli) -> None:
    launched_round(cli)
    weekend = refused(cli, "round", "extend", "1", "06/12/2025", code="deadline_not_working_day")
    assert weekend.startswith("Lỗi: NEW_DEADLINE: Hạn mới 06/12/2025 không phải ngày làm việc (ngày nghỉ cuối tuần); "
                              "ngày làm việc tiếp theo là 08/12/2025."), weekend
    holiday = refused(cli, "round", "extend", "1", "01/01/2026", code="deadline_not_working_day")
    assert holiday.startswith("Lỗi: NEW_DEADLINE: Hạn mới 01/01/2026 không phải ngày làm việc (Tết Dương lịch)"), holiday
    past = refused(cli, "round", "extend", "1", "19/11/2025", code="deadline_in_past")
    assert past.startswith("Lỗi: NEW_DEADLINE: Hạn mới 19/11/2025 phải sau ngày hôm nay (20/11/2025)."), past
    earlier = refused(cli, "round", "extend", "1", "02/12/2025", "--unit", "SCT", code="deadline_not_later")
    assert earlier.startswith("Lỗi: NEW_DEADLINE: Hạn mới 02/12/2025 phải sau hạn hiện tại 05/12/2025."), earlier


def test_an_extension_of_a_round_that_does_not_take_one_stays_a_refusal(cli: Cli) -> None:
    cli(*CREATE)
    draft = cli("round", "extend", "1", "10/12/2025", "--json", expect=1)
    assert draft.json["error"]["code"] == "event_not_allowed", draft.json


@pytest.mark.parametrize(("args", "code", "said"), [
    (["office", "add", "TDC", "--name", "Phòng khác"], "office_exists",
     'Lỗi: CODE: "TDC" trùng với phòng "TĐC" đã có'),
    (["office", "rename", "TĐC", "QLKH"], "office_exists", 'Lỗi: NEW_CODE: phòng "QLKH" đã có trong danh sách.'),
], ids=["add", "rename"])
def test_an_office_code_already_taken_is_bad_input_naming_the_argument(cli: Cli, args: list[str], code: str,
                                                                       said: str) -> None:
    assert refused(cli, *args, code=code).startswith(said)


def test_signing_a_document_the_kind_does_not_have_is_bad_input_as_in_the_register(cli: Cli) -> None:
    cli(*CREATE)
    (cli.home.parent / "khong-can.p12").write_bytes(b"not read: the document is checked first")
    said = refused(cli, "round-sign", "1", "khong_co", "--pkcs12", "khong-can.p12", code="document_unknown")
    assert said.startswith('Lỗi: DOCUMENT_KEY: "khong_co" không phải văn bản của quy trình này'), said


@pytest.mark.parametrize("command", ["create", "edit"])
def test_a_legal_basis_too_long_names_the_option_basis(cli: Cli, command: str) -> None:
    if command == "edit":
        cli(*CREATE)
    args = CREATE if command == "create" else ["round", "edit", "1"]
    said = refused(cli, *args, "--basis", "Luật Khoa học và Công nghệ", "--basis", "x" * 1001,
                   code="text_too_long")
    assert said.startswith("Lỗi: --basis 2: dài 1.001 ký tự, tối đa 1.000."), said


def test_a_blank_reason_to_launch_without_a_draft_is_refused_naming_the_option(cli: Cli) -> None:
    cli(*CREATE)
    said = refused(cli, "round", "launch", "1", "--no-draft-reason", "   ", code="no_draft_reason_blank")
    assert said.startswith("Lỗi: --no-draft-reason: lý do không được để trống"), said


WORKSHOP = ["round", "create", "--title", "Hội thảo khoa học", "--workflow", "workshop", "--office", "TĐC",
            "--deadline", "10/12/2025", "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290",
            "--signer-name", "Nông Thị Thanh Huyền", "--group", "so-ban-nganh", "--date", "event=18/12/2025"]
PAPER = ["--task", "paper", "--unit", "SCT"]


@pytest.mark.parametrize("args", [
    [*CREATE, "--draft", "thu-muc"],
    ["round", "draft", "1", "thu-muc"],
    ["db", "restore", "thu-muc"],
    ["round", "hand-in", "1", *PAPER, "--field", "paper_title=Tham luận", "--attach", "paper_file=thu-muc"],
], ids=["create-draft", "draft", "restore", "hand-in-attach"])
def test_a_folder_where_a_file_is_expected_is_said_to_be_a_folder(cli: Cli, args: list[str]) -> None:
    (cli.home.parent / "thu-muc").mkdir()
    if args[1] == "draft":
        cli(*CREATE)
    if args[1] == "hand-in":
        cli(*WORKSHOP)
        give_letter_inputs(cli, "1", WORKSHOP_PLACE)
        cli("round", "launch", "1")
        cli("round", "assign", "1", *PAPER)
    before = cli.snapshot()
    result = cli(*args, expect=2)
    assert "thu-muc" in result.err and "là một thư mục, không phải tệp" in result.err, result.err
    assert "không tìm thấy" not in result.err and "không có tệp" not in result.err, result.err
    assert cli.snapshot() == before


@pytest.mark.parametrize("answer", [["--agree"], ["--comment", "Mục I::Sửa tên"]], ids=["agree", "comment"])
def test_a_file_attached_to_an_answer_that_is_not_a_form_names_attach(cli: Cli, answer: list[str]) -> None:
    launched_round(cli)
    (cli.home.parent / "cong-van.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    said = refused(cli, "round", "respond", "1", "SCT", *answer, "--attach", "tep=cong-van.pdf", code="bad_response")
    assert said.startswith("Lỗi: --attach: "), said
    assert "--proposal-file" in said, said


@pytest.mark.parametrize(("option", "starts"), [
    ("--unit", 'Lỗi: --unit: "Ý kiến'), ("--group", 'Lỗi: --group: "Ý kiến'),
    ("--workflow", 'Lỗi: Không có quy trình "Ý kiến'), ("--timer", 'Lỗi: --timer: "Ý kiến'),
    ("--draft", 'Lỗi: --draft: "Ý kiến')])
def test_a_very_long_value_is_not_printed_back_whole(cli: Cli, option: str, starts: str) -> None:
    """A value of 105,000 characters pasted by mistake: the error quotes its start and says how long it is, so the
    line that says what is wrong stays on the screen."""
    before = cli.snapshot()
    said = cli(*CREATE, option, LONG, expect=2).err
    assert said.startswith(starts) and len(said) < 1000, said[:300]
    assert re.search(r" (kiến|Ý)… \(10[45]\.\d{3} ký tự\)", said), said  # cut after a whole word
    assert cli.snapshot() == before


@pytest.mark.parametrize(("args", "name"), [
    (["db", "backup", "   "], "FILE"),
    (["directory", "import", " "], "CSV_FILE"),
    (["round", "export", "1", "--out", "  "], "--out"),
], ids=["backup", "import", "export"])
def test_a_path_of_spaces_only_is_refused_as_an_empty_one_and_nothing_is_written(cli: Cli, args: list[str],
                                                                                  name: str) -> None:
    """`db backup " "` wrote the backup to a file named " " where the shell stood, and `directory import " "` said
    `Lỗi:  : không đọc được tệp`."""
    cli(*CREATE)
    before = cli.snapshot()
    said = cli(*args, expect=2).err
    assert said.startswith(f"Lỗi: {name}: đường dẫn trống hoặc chỉ có dấu cách; hãy ghi tên tệp"), said
    assert sorted(path.name for path in cli.home.parent.iterdir()) == ["home"]
    assert cli.snapshot() == before


def consolidating_round(cli: Cli) -> None:
    """Round 1 in consolidation with the comments 1 and 2 of Sở Công Thương."""
    launched_round(cli)
    cli("round", "respond", "1", "SCT", "--comment", "Mục I::Sửa tên", "--comment", "Mục II::Thêm chỉ tiêu")
    cli("round", "close", "1")


@pytest.mark.parametrize("explanation", [[], ["--explanation", "   "]], ids=["missing", "blank"])
def test_a_comment_not_accepted_without_an_explanation_names_the_option(cli: Cli, explanation: list[str]) -> None:
    consolidating_round(cli)
    said = refused(cli, "round", "handle", "1", "1", "--decision", "not_accepted", *explanation,
                   code="explanation_required")
    assert said.startswith('Lỗi: --explanation: "Không tiếp thu" phải có nội dung giải trình.'), said


def test_a_comment_number_the_round_does_not_have_is_bad_input_naming_the_numbers_argument(cli: Cli) -> None:
    consolidating_round(cli)
    said = refused(cli, "round", "handle", "1", "2", "999", "--decision", "accepted", code="comment_unknown")
    assert said.startswith("Lỗi: NUMBERS: Không có ý kiến số 999 trong bảng tổng hợp của đợt này (từ 1 đến 2)."), said


def test_a_heading_text_file_too_long_names_the_option_and_the_file(cli: Cli) -> None:
    cli("round", "create", *CREATE[2:], "--workflow", "report_collection")
    give_letter_inputs(cli)
    cli("round", "launch", "1")
    (cli.home.parent / "tong-hop.txt").write_text("Nội dung tổng hợp. " * 3000, encoding="utf-8")
    said = refused(cli, "round", "heading-text", "1", "training", "--text-file", "tong-hop.txt", code="text_too_long")
    assert said.startswith("Lỗi: --text-file tong-hop.txt: Nội dung tổng hợp: dài 56.999 ký tự, tối đa 50.000."), said


def test_a_document_input_the_kind_does_not_use_is_said_with_the_options_not_the_keys(cli: Cli) -> None:
    cli(*CREATE)
    said = refused(cli, "round", "document-inputs", "1", "--department-email", "vanthu@skhcn.caobang.gov.vn",
                   code="invalid_document_inputs")
    assert said.startswith("Lỗi: --department-email: "), said
    assert "(dùng được: --main-content, --necessity, --purpose)" in said, said
    assert "department_email" not in said and "main_contents" not in said, said


@pytest.mark.parametrize("title", ["", "   "], ids=["empty", "spaces"])
def test_a_next_round_without_a_title_names_the_option(cli: Cli, title: str) -> None:
    cli("round", "create", *CREATE[2:], "--workflow", "report_collection")
    give_letter_inputs(cli)
    cli("round", "launch", "1")
    said = refused(cli, "round", "next", "1", "--title", title, "--deadline", "10/12/2025", code="title_missing")
    assert said.startswith("Lỗi: --title: chưa có tên đợt mới (bắt buộc)."), said


@pytest.mark.parametrize(("args", "code", "said"), [
    (["add", "", "Nhóm mới"], "invalid_group_code", 'Lỗi: CODE: "" không phải mã nhóm hợp lệ'),
    (["add", "so-ban-nganh", "Nhóm khác"], "group_exists", 'Lỗi: CODE: Nhóm "so-ban-nganh" đã có'),
    (["add", "nhom-moi", "   "], "invalid_group_label", "Lỗi: LABEL: Nhãn nhóm không được để trống."),
    (["add", "nhom-moi", "Các sở, ban, ngành tỉnh"], "group_exists",
     'Lỗi: LABEL: Nhãn "Các sở, ban, ngành tỉnh" đã là nhãn của nhóm so-ban-nganh.'),
    (["rename", "khong-co", "Nhóm"], "group_unknown", 'Lỗi: CODE: Không có nhóm "khong-co" trong danh bạ'),
    (["rename", "bao-chi", ""], "invalid_group_label", "Lỗi: LABEL: Nhãn nhóm không được để trống."),
], ids=["add-bad-code", "add-taken-code", "add-blank-label", "add-taken-label", "rename-unknown", "rename-blank"])
def test_a_wrong_group_names_the_argument_that_is_wrong(cli: Cli, args: list[str], code: str, said: str) -> None:
    assert refused(cli, "directory", "groups", *args, code=code).startswith(said)
