"""`round respond --proposal-file`: a mistake in a form is said with the option, the file and the line of the field
("--proposal-file: hai-phieu.json:19: Phiếu 2: Tên nhiệm vụ: chưa điền (bắt buộc)."), as the CSV and YAML readers
and the JSON syntax errors say theirs; a field the file leaves out is placed at its form's first line, a mistake
about the file as a whole names the file. Exit 2, nothing recorded."""
from __future__ import annotations

import json
from pathlib import Path

from letter_inputs import give_letter_inputs

from tests.e2e.conftest import Cli

CREATE = ("round", "create", "--title", "Kế hoạch hỗ trợ doanh nghiệp", "--office", "TĐC", "--deadline",
          "10 ngày làm việc", "--group", "so-ban-nganh", "--contact-name", "Ông Phạm Phi Long", "--contact-phone",
          "0912130290", "--signer-name", "Nông Thị Thanh Huyền")
A1 = {"task_name": "Ứng dụng IoT trong nông nghiệp", "urgency": "Cần thiết", "objectives": "Tăng năng suất",
      "main_contents": "Khảo sát", "expected_results": "Mô hình", "expected_impact": "Hiệu quả",
      "application_sites": "Hợp tác xã", "duration_months": "24", "budget_state": "1.500.000.000",
      "organisation": "Sở Công Thương", "address": "Cao Bằng", "contact_person": "Ông A",
      "phone": "0206 3852 202", "email": "sct@caobang.example.vn"}


def launched_call(cli: Cli) -> None:
    cli(*CREATE, "--workflow", "proposal_call")
    give_letter_inputs(cli)
    cli.at("2025-11-20T09:00")
    cli("round", "launch", "1", "--no-draft-reason", "Thử nghiệm không kèm dự thảo")


def refused(cli: Cli, path: Path) -> str:
    before = cli.snapshot()
    as_json = cli("round", "respond", "1", "SCT", "--proposal-file", str(path), "--json", expect=2).json
    said = cli("round", "respond", "1", "SCT", "--proposal-file", str(path), expect=2)
    assert said.out == "" and "Traceback" not in said.err, said
    assert said.err.strip() == f"Lỗi: {as_json['error']['message']}", said
    assert cli.snapshot() == before
    return str(as_json["error"]["message"])


def test_a_wrong_field_is_named_with_the_file_and_its_line(cli: Cli, tmp_path: Path) -> None:
    launched_call(cli)
    two = tmp_path / "hai-phieu.json"  # written one key a line: form 2 opens on line 18, its task_name is line 19
    two.write_text(json.dumps([A1, {**A1, "task_name": "", "duration_months": "hai năm"}], ensure_ascii=False,
                              indent=2), encoding="utf-8")
    lines = two.read_text(encoding="utf-8").splitlines()
    assert lines[18].strip().startswith('"task_name": ""') and lines[25].strip().startswith('"duration_months"')
    assert refused(cli, two) == (
        f"--proposal-file: {two}:19: Phiếu 2: Tên nhiệm vụ: chưa điền (bắt buộc); "
        f"{two}:26: Phiếu 2: Thời gian thực hiện (tháng): \"hai năm\" phải là số tháng, ví dụ 24.")


def test_a_field_left_out_is_placed_at_its_form_and_an_unknown_one_at_its_line(cli: Cli, tmp_path: Path) -> None:
    launched_call(cli)
    one = tmp_path / "mot-phieu.json"
    one.write_text("{\n" + ",\n".join(f'  "{k}": {json.dumps(v, ensure_ascii=False)}' for k, v in A1.items()
                                      if k != "email") + ',\n  "emial": "sct@caobang.example.vn"\n}\n',
                   encoding="utf-8")
    said = refused(cli, one)
    assert said.startswith(f'--proposal-file: {one}:15: Phiếu 1: Trường "emial" không có trong mẫu trả lời của đợt '
                           "này"), said
    assert said.endswith(f"; {one}:1: Phiếu 1: Email: chưa điền (bắt buộc)."), said


def test_a_mistake_about_the_whole_file_names_the_file(cli: Cli, tmp_path: Path) -> None:
    launched_call(cli)
    many = tmp_path / "nhieu-phieu.json"
    many.write_text(json.dumps([A1] * 11, ensure_ascii=False), encoding="utf-8")
    assert refused(cli, many) == f"--proposal-file: {many}: Nhiều nhất 10 phiếu trong một lần gửi (đang có 11)."
    strings = tmp_path / "sai.json"
    strings.write_text(json.dumps([A1, "x"], ensure_ascii=False), encoding="utf-8")
    assert refused(cli, strings) == (f"--proposal-file: {strings}: phiếu đề xuất phải là một đối tượng JSON, hoặc danh "
                                     "sách các đối tượng (mỗi phiếu một đối tượng).")
    broken = tmp_path / "hong.json"
    broken.write_text('{\n  "task_name": "IoT",\n  "urgency" "Cần thiết"\n}\n', encoding="utf-8")
    assert refused(cli, broken) == (f"--proposal-file: {broken}:3:13: không phải JSON hợp lệ: thiếu dấu hai chấm (:) "
                                    "sau tên trường.")


def test_a_good_file_is_recorded(cli: Cli, tmp_path: Path) -> None:
    launched_call(cli)
    two = tmp_path / "hai-phieu.json"
    two.write_text(json.dumps([A1, {**A1, "task_name": "Năng suất xanh"}], ensure_ascii=False, indent=2),
                   encoding="utf-8")
    said = cli("round", "respond", "1", "SCT", "--proposal-file", str(two))
    assert "Đã ghi nhận trả lời của Sở Công Thương (SCT)" in said.out, said.out


def test_a_value_that_is_not_text_is_refused_with_its_line_form_and_key_never_stored_as_python_text(
        cli: Cli, tmp_path: Path) -> None:
    launched_call(cli)
    typed = tmp_path / "kieu-sai.json"
    typed.write_text(json.dumps([A1, {**A1, "task_name": ["IoT", "AI"], "urgency": {"muc": 1}, "objectives": None,
                                      "main_contents": False, "expected_results": 12.5}],
                                ensure_ascii=False, indent=2), encoding="utf-8")
    lines = typed.read_text(encoding="utf-8").splitlines()

    def line(key: str) -> int:  # of the key in form 2
        return [n for n, text in enumerate(lines, 1) if text.strip().startswith(f'"{key}"')][1]

    said = refused(cli, typed)
    wanted = [("task_name", "một danh sách [...]"), ("urgency", "một đối tượng {...}"), ("objectives", "null"),
              ("main_contents", "true/false"), ("expected_results", "số thập phân")]
    assert said == "--proposal-file: " + "; ".join(
        f"{typed}:{line(key)}: Phiếu 2: \"{key}\" phải là chữ trong ngoặc kép (hoặc số nguyên), không phải {kind}"
        for key, kind in wanted) + ".", said
    assert [line(key) for key, _ in wanted] == [19, 23, 26, 27, 28]  # a list written over lines 19-22
    endless = tmp_path / "so-dai.json"  # Python reads no integer of more than 4300 digits
    endless.write_text('{"budget_state": ' + "9" * 5000 + "}", encoding="utf-8")
    assert refused(cli, endless) == f"--proposal-file: {endless}: không phải JSON hợp lệ: có số dài quá 4300 chữ số."
    assert "None" not in said and "False" not in said and "['" not in said


def test_a_figure_written_as_a_whole_number_is_taken_as_its_digits_as_the_api_takes_it(
        cli: Cli, tmp_path: Path) -> None:
    launched_call(cli)
    numbers = tmp_path / "so.json"
    numbers.write_text(json.dumps({**A1, "duration_months": 24, "budget_state": 1500000000}, ensure_ascii=False),
                       encoding="utf-8")
    cli("round", "respond", "1", "SCT", "--proposal-file", str(numbers))
    [answer] = cli("round", "show", "1", "--json").json["responses"]
    assert (answer["proposals"][0]["duration_months"], answer["proposals"][0]["budget_state"]) == ("24", "1500000000")
