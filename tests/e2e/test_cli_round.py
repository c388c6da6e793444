"""A consultation round driven only through the `ykien` command line, moving time with YKIEN_NOW.

Refusals exit 1 and change nothing; `--json` errors are {"error": {"code", "message"}}.
"""
from __future__ import annotations

import json
from collections import Counter

from letter_inputs import give_letter_inputs

from notifications.testing import SmtpCapture
from workflows.service.registry import get_workflow

SILENCE_LABEL = get_workflow("consultation").silence.label  # the grid's mark, from the definition
COMMENTING = ("SCT", "STC", "SYT", "STP", "SXD", "SNV", "SGDDT", "X-HOAAN", "X-BAOLAC", "P-TANGIANG")
CREATE = ("round", "create", "--title", "Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất giai đoạn 2026 – 2030",
          "--office", "TĐC", "--deadline", "10 ngày làm việc", "--group", "so-ban-nganh", "--group", "xa-phuong",
          "--publish", "TTTT-VP", "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290",
          "--signer-name", "Nông Thị Thanh Huyền", "--json")
TAKEN = [
        {"option": "--group", "typed": "so-ban-nganh", "code": "so-ban-nganh", "name": "Các sở, ban, ngành tỉnh",
         "kind": "group"},
        {"option": "--group", "typed": "xa-phuong", "code": "xa-phuong", "name": "Ủy ban nhân dân các xã, phường",
         "kind": "group"},
        {"option": "--publish", "typed": "TTTT-VP", "code": "TTTT-VP", "name": "Trung tâm Thông tin - Văn phòng UBND tỉnh",
         "kind": "unit"}]  # what --group and --publish took


class Inbox:
    """What the capture server received since the last look, as (unit, kind) counts."""

    def __init__(self, capture: SmtpCapture) -> None:
        self.capture = capture
        self.seen = 0

    def new(self) -> Counter[tuple[str, str]]:
        messages = self.capture.messages[self.seen:]
        self.seen += len(messages)
        return Counter((str(m["X-Ykien-Unit"]), str(m["X-Ykien-Kind"])) for m in messages)


def each(kind: str, units: tuple[str, ...] | list[str]) -> Counter[tuple[str, str]]:
    return Counter({(unit, kind): 1 for unit in units})


def without(units: tuple[str, ...], *gone: str) -> tuple[str, ...]:
    return tuple(u for u in units if u not in gone)


def refused(cli, *args: str, code: str) -> None:  # type: ignore[no-untyped-def]
    """The command exits 1 with a JSON error of `code`, and the database is exactly as before."""
    before = cli.snapshot()
    result = cli(*args, "--json", expect=1)
    assert set(result.json) == {"error"} and set(result.json["error"]) == {"code", "message"}
    assert result.json["error"]["code"] == code
    assert result.json["error"]["message"]
    assert cli.snapshot() == before


def show(cli) -> tuple[dict, dict[str, dict]]:  # type: ignore[no-untyped-def,type-arg]
    """`round show 1 --json`: the round, and its status grid by unit code."""
    shown = cli("round", "show", "1", "--json").json
    return shown, {unit["unit_code"]: unit for unit in shown["units"]}


def test_a_round_from_creation_to_audit_through_the_cli(cli, capture: SmtpCapture) -> None:  # type: ignore[no-untyped-def]
    inbox = Inbox(capture)
    # Thursday 20/11/2025 + 10 working days = Thursday 04/12/2025.
    created = cli(*CREATE).json
    assert created == {"id": 1, "deadline": "2025-12-04", "empty_groups": [], "recipients_taken": TAKEN}

    cli.at("2025-11-20T09:00")
    cli("round", "launch", "1", "--no-draft-reason", "Thử nghiệm không kèm dự thảo")
    assert inbox.new() == each("invitation", (*COMMENTING, "TTTT-VP"))
    refused(cli, "round", "launch", "1", "--no-draft-reason", "Thử nghiệm không kèm dự thảo", code="event_not_allowed")

    shown, units = show(cli)
    assert shown["status"] == "circulating" and shown["deadline"] == "2025-12-04"
    assert {code: (u["role"], u["email"], u["answer"]) for code, u in units.items()} == {
        **{code: ("comment", "sent", "pending") for code in COMMENTING},
        "TTTT-VP": ("publish", "sent", "not_asked")}
    assert next((t["name"], t["due_at"]) for t in shown["pending_timers"]) == (
        "remind_before", "2025-12-02T01:00:00+00:00")

    cli.at("2025-11-26T10:15")
    cli("round", "respond", "1", "SCT", "--channel", "web",
        "--comment",
        "Mục II.2::Đề nghị bổ sung chỉ tiêu ISO 9001.::Phấn đấu có ít nhất 50 doanh nghiệp áp dụng ISO 9001.",
        "--comment", "Mục IV::Tách rõ nguồn ngân sách tỉnh và nguồn xã hội hóa.")
    cli("round", "respond", "1", "STP", "--agree", "--note", "Công văn số 812/STP-XDKTVB")
    assert inbox.new() == each("receipt", ["SCT", "STP"])

    cli.at("2025-11-28T10:00")
    cli("round", "extend", "1", "12/12/2025", "--unit", "SYT", "--reason", "Sở Y tế lấy ý kiến đơn vị trực thuộc")
    assert inbox.new() == each("extension", ["SYT"])

    # Reminding by hand skips units that already answered.
    cli.at("2025-12-01T09:00")
    cli("round", "remind", "1", "--unit", "STC", "--unit", "SCT")
    assert inbox.new() == each("reminder_before", ["STC"])

    # Tuesday 02/12, 2 working days before the deadline: pending units whose deadline is 04/12.
    cli.at("2025-12-02T08:00")
    ticked = cli("tick", "--json").json
    assert ticked["timers_fired"] == 1 and ticked["delivery"]["sent"] == 7
    assert inbox.new() == each("reminder_before", without(COMMENTING, "SCT", "STP", "SYT"))

    # The consultation has no grace period: it closes at the deadline, so no reminder comes after it.
    cli.at("2025-12-05T08:00")
    cli("tick")
    assert inbox.new() == Counter()

    cli.at("2025-12-08T09:00")
    cli("round", "close", "1", "--reason", "Đã đủ ý kiến để tổng hợp")
    refused(cli, "round", "respond", "1", "SXD", "--agree", code="round_closed")
    assert inbox.new() == Counter()
    cli("round", "respond", "1", "SXD", "--agree", "--late")
    assert inbox.new() == each("receipt", ["SXD"])

    shown, units = show(cli)
    assert shown["status"] == "consolidating"
    answers = {code: u["answer"] for code, u in units.items()}
    assert answers == {"SCT": "comments", "STP": "agree", "SXD": "agree", "TTTT-VP": "not_asked",
                       "SYT": "pending", **{c: "silent" for c in ("STC", "SNV", "SGDDT", "X-HOAAN", "X-BAOLAC",
                                                                  "P-TANGIANG")}}
    assert units["SXD"]["late"] and units["SYT"]["extended"] and units["SYT"]["deadline"] == "2025-12-12"
    assert units["STC"]["flags"] == [SILENCE_LABEL] and shown["silence_label"] == SILENCE_LABEL
    comments = [(r["unit_code"], r["section"], r["text"], r["proposed_wording"]) for r in shown["responses"]
                if r["text"]]
    assert comments == [
        ("SCT", "Mục II.2", "Đề nghị bổ sung chỉ tiêu ISO 9001.",
         "Phấn đấu có ít nhất 50 doanh nghiệp áp dụng ISO 9001."),
        ("SCT", "Mục IV", "Tách rõ nguồn ngân sách tỉnh và nguồn xã hội hóa.", None)]

    # Once consolidated (every comment handled first), the round can no longer be extended.
    cli("round", "handle", "1", "1", "2", "--decision", "accepted")
    cli("round", "consolidate", "1")
    refused(cli, "round", "extend", "1", "19/12/2025", code="event_not_allowed")

    audit = cli("round", "audit", "1", "--json").json
    assert audit["chain_intact"] is True and audit["break"] is None
    actions = [e["action"] for e in audit["events"]]
    story = ["create", "launch", "respond", "respond", "extend", "remind", "timer_fired", "close",
             "respond", "consolidate"]
    remaining = iter(actions)
    assert all(step in remaining for step in story), f"{story} is not in order in {actions}"
    assert [e["seq"] for e in audit["events"]] == list(range(1, len(actions) + 1))


def test_an_unknown_round_is_a_json_error_with_exit_1(process_cli) -> None:  # type: ignore[no-untyped-def]
    cli = process_cli  # the installed script, in a subprocess
    result = cli("round", "show", "99", "--json", expect=1)
    assert result.json["error"]["code"] == "round_not_found"
    assert "99" in result.json["error"]["message"]


def test_json_output_of_a_command_that_sends_mail_is_one_json_document(process_cli) -> None:  # type: ignore[no-untyped-def]
    cli = process_cli  # a subprocess: nothing but the JSON may reach its stdout, whoever writes there
    cli(*CREATE)
    cli.at("2025-11-20T09:00")
    result = cli("round", "launch", "1", "--json", "--no-draft-reason", "Thử nghiệm không kèm dự thảo", expect=None)
    assert result.code == 0
    assert json.loads(result.out)["status"] == "circulating"


def test_a_call_for_proposals_refuses_silence_as_agreement_and_shows_only_its_own_words(cli) -> None:  # type: ignore[no-untyped-def]
    before = cli.snapshot()
    refused = cli(*CREATE, "--workflow", "proposal_call", "--silence-agrees", expect=2)
    assert refused.json["error"]["code"] == "silence_not_possible"
    assert refused.json["error"]["message"].startswith("--silence-agrees: quy trình")
    assert cli.snapshot() == before  # nothing half-written

    cli(*CREATE, "--workflow", "proposal_call")
    give_letter_inputs(cli)
    cli.at("2025-11-20T09:00")
    cli("round", "launch", "1", "--no-draft-reason", "Thử nghiệm không kèm dự thảo")
    cli.at("2025-12-10T09:00")
    cli("tick")  # the close: the units that did not propose are silent, and silence counts for nothing
    shown, units = show(cli)
    call = get_workflow("proposal_call")
    assert shown["silence_label"] is None and shown["workflow_title"] == call.title
    assert units["STC"]["answer"] == "silent" and units["STC"]["flags"] == []
    assert {u["answer_label"] for u in units.values()} <= {"Không trả lời", "Không cần trả lời"}
    human = cli("round", "show", "1").out
    assert "Không trả lời" in human and "đề xuất" in human
    for words in ("góp ý", "coi như đồng ý"):
        assert words not in human.lower() and words not in json.dumps(shown, ensure_ascii=False).lower(), words


A1 = {"task_name": "Ứng dụng IoT trong nông nghiệp", "urgency": "Cần thiết", "objectives": "Tăng năng suất",
      "main_contents": "Khảo sát", "expected_results": "Mô hình", "expected_impact": "Hiệu quả",
      "application_sites": "Hợp tác xã", "duration_months": "24", "budget_state": "1.500.000.000",
      "organisation": "Sở Công Thương", "address": "Cao Bằng", "contact_person": "Ông A",
      "phone": "0206 3852 202", "email": "sct@caobang.example.vn"}


def test_a_proposal_file_holds_one_form_or_a_list_of_forms(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE, "--workflow", "proposal_call")
    give_letter_inputs(cli)
    cli.at("2025-11-20T09:00")
    cli("round", "launch", "1", "--no-draft-reason", "Thử nghiệm không kèm dự thảo")
    two = tmp_path / "hai-phieu.json"
    two.write_text(json.dumps([A1, {**A1, "task_name": ""}], ensure_ascii=False), encoding="utf-8")
    before = cli.snapshot()
    refused = cli("round", "respond", "1", "SCT", "--proposal-file", str(two), "--json", expect=2).json
    assert refused["error"]["message"] == f"--proposal-file: {two}:1: Phiếu 2: Tên nhiệm vụ: chưa điền (bắt buộc)."
    assert cli.snapshot() == before
    two.write_text(json.dumps([A1, {**A1, "task_name": "Năng suất xanh"}], ensure_ascii=False), encoding="utf-8")
    cli("round", "respond", "1", "SCT", "--proposal-file", str(two))
    one = tmp_path / "mot-phieu.json"
    one.write_text(json.dumps(A1, ensure_ascii=False), encoding="utf-8")
    cli("round", "respond", "1", "STC", "--proposal-file", str(one))
    _, units = show(cli)
    assert units["SCT"]["answer"] == units["STC"]["answer"] == "proposals"
    not_forms = tmp_path / "sai.json"
    not_forms.write_text(json.dumps([A1, "x"]), encoding="utf-8")
    wrong = cli("round", "respond", "1", "SYT", "--proposal-file", str(not_forms), "--json", expect=2).json
    assert wrong["error"]["code"] == "bad_proposal"


def test_round_show_says_what_mail_waits_and_why_when_the_smtp_server_refuses(cli) -> None:  # type: ignore[no-untyped-def]
    import socket

    with socket.socket() as closed:  # a loopback port nobody listens on once this block ends
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    down = {"YKIEN_SMTP_URL": f"smtp://127.0.0.1:{port}"}
    cli(*CREATE)
    cli.at("2025-11-20T09:00")
    cli("round", "launch", "1", "--no-draft-reason", "Thử nghiệm không kèm dự thảo", **down)
    shown = cli("round", "show", "1", "--json", **down).json
    (problem,) = shown["mail_problems"]
    assert problem["status"] == "queued" and problem["count"] == len(shown["units"])
    assert "từ chối kết nối" in problem["text"] and f"127.0.0.1:{port}" in problem["text"]
    text = cli("round", "show", "1", **down).out
    assert f"{problem['count']} thư chờ gửi lại lúc" in text
