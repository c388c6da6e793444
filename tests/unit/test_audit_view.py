"""Issue 12 item 4: the audit tab and the timeline tell each recorded detail in Vietnamese words, from the round's
definition and the directory: no workflow, state, timer or task name, no ISO date, no response code.

Pure: the shipped definitions are loaded from their files; events are built in memory.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from models.audit import AuditEvent
from workflows.service.audit_view import AuditLine, action_title, audit_lines, format_moment
from workflows.service.registry import get_workflow
from workflows.web.pages.timeline import timeline

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = {"SCT": "Sở Công Thương", "STP": "Sở Tư pháp", "SYT": "Sở Y tế", "STC": "Sở Tài chính"}
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # snake_case: a name of the definition or of the log


def _event(seq: int, action: str, actor: str = "Phạm Phi Long (TĐC)", /, **details: object) -> AuditEvent:
    return AuditEvent(round_id=1, seq=seq, at=datetime(2025, 12, 1, 9, tzinfo=TZ), actor=actor, action=action,
                      details=details, prev_hash="", hash=f"{seq:064x}")


def _details(line: AuditLine) -> dict[str, str]:
    return {d.label: d.value for d in line.details}


def test_every_detail_of_a_consultation_round_is_told_in_words() -> None:
    consultation = get_workflow("consultation")
    lines = audit_lines([
        _event(1, "create", title="Kế hoạch", workflow="consultation", deadline="2025-12-05", recipients=39,
               silence_is_agreement=True, draft_sha256=None),
        _event(2, "launch", **{"from": "draft", "to": "circulating", "messages": 39}),
        _event(3, "respond", "SCT", unit="SCT", kind="comments", comments=1, entered_by="SCT", channel="web",
               late_accept=False, messages=1),
        _event(4, "respond", unit="STP", kind="agree", comments=0, entered_by="Phạm Phi Long (TĐC)",
               channel="paper", late_accept=True, messages=1),
        _event(5, "timer_fired", "hệ thống (bộ hẹn giờ)", timer="remind_before", deadline="2025-12-05",
               occurrence=1, reminded=["SCT", "STP", "SYT"], messages=3),
        _event(6, "extend", unit="SYT", new_deadline=date(2025, 12, 12), reason="đề nghị", extended=["SYT"]),
        _event(7, "timer_refused", "hệ thống (bộ hẹn giờ)", timer="close", code="no_responses",
               message="Chưa có đơn vị nào trả lời."),
    ], consultation, UNITS, TZ)
    create, launch, link, paper, reminder, extend, refused = (_details(line) for line in lines)
    assert create == {"tên": "Kế hoạch", "quy trình": consultation.title, "hạn": "05/12/2025", "số đơn vị": "39",
                      "im lặng là đồng ý": "có"}
    assert launch == {"từ": consultation.state_title("draft"), "sang": consultation.state_title("circulating"),
                      "số thư": "39"}
    assert launch["từ"] == "Dự thảo" and launch["sang"] == "Đang lấy ý kiến"
    assert link["đơn vị"] == "Sở Công Thương" and link["người nhập"] == "Sở Công Thương"
    assert link["loại trả lời"] == consultation.terms.answered and link["kênh"] == "đường dẫn trả lời"
    assert link["nhận muộn"] == "không" and lines[2].actor == "Sở Công Thương"
    assert paper["loại trả lời"] == consultation.terms.agreed and paper["kênh"] == "văn bản giấy"
    assert paper["nhận muộn"] == "có"
    assert reminder["hẹn giờ"] == consultation.timer_title("remind_before") == "Nhắc trước hạn"
    assert reminder["được đôn đốc"] == "Sở Công Thương, Sở Tư pháp, Sở Y tế" and reminder["hạn"] == "05/12/2025"
    assert extend == {"đơn vị": "Sở Y tế", "hạn mới": "12/12/2025", "lý do": "đề nghị", "được gia hạn": "Sở Y tế"}
    assert refused == {"hẹn giờ": "Hết hạn nhận trả lời", "nội dung": "Chưa có đơn vị nào trả lời."}
    assert [line.action for line in lines] == ["tạo đợt", "phát hành", "ghi nhận trả lời", "ghi nhận trả lời",
                                               "bộ hẹn giờ", "gia hạn", "bộ hẹn giờ bị từ chối"]
    for line in lines:
        for detail in line.details:
            assert not ISO.search(detail.value) and not CODE.search(detail.value), detail
            assert not CODE.search(detail.label), detail
        assert line.hash == f"{line.seq:064x}"  # the chain's hash is shown as stored


def test_register_and_signing_events_have_vietnamese_labels_and_name_the_document() -> None:
    consultation = get_workflow("consultation")
    register = {"register": "van-ban-di", "year": 2025, "number": "15/SKHCN-TĐC", "document": "request_letter",
                "issued_on": "2025-11-20", "entry": 3, "source": "assigned"}
    lines = audit_lines([
        _event(1, "number_taken", **register),
        _event(2, "number_entered", **{**register, "source": "entered"}),
        _event(3, "number_cancelled", **register, reason="ký nhầm"),
        _event(4, "document_signed", document_key="request_letter", title="Công văn xin ý kiến", file="cv.pdf",
               sha256="ab" * 32, number="15/SKHCN-TĐC", copy=False, signer="Nông Thị Thanh Huyền",
               organisation="Sở KH&CN", timestamped=True),
    ], consultation, UNITS, TZ)
    assert [line.action for line in lines] == ["Lấy số văn bản đi", "Nhập số văn bản đi", "Hủy số văn bản đi",
                                               "ký số văn bản"]
    taken = _details(lines[0])
    assert taken["văn bản"] == consultation.documents["request_letter"].title
    assert taken["ngày văn bản"] == "20/11/2025" and taken["nguồn số"] == "cấp tự động"
    assert _details(lines[1])["nguồn số"] == "văn thư nhập"
    signed = _details(lines[3])
    assert signed["văn bản"] == "Công văn xin ý kiến" and signed["bản sao"] == "không"
    assert signed["có dấu thời gian"] == "có"
    for line in lines:
        assert not any(CODE.search(d.label) or ISO.search(d.value) for d in line.details), line


def test_the_report_task_is_titled_by_the_definition_in_the_audit_tab_and_the_timeline() -> None:
    call = get_workflow("proposal_call")
    title = call.task_title("report_to_ubnd")
    assert title == "báo cáo UBND tỉnh (không có đề xuất)"
    events = [_event(1, "deadline_passed", "hệ thống", timer="close", **{"from": "circulating", "to": "no_proposals"}),
              _event(2, "task_opened", "hệ thống", task="report_to_ubnd")]
    assert _details(audit_lines(events, call, {}, TZ)[1]) == {"việc": title}
    told = [e.text for e in timeline(events, {}, call)]
    assert told[1] == f"Mở việc: {title}" and "report_to_ubnd" not in " ".join(told)
    assert call.state_title("no_proposals") in told[0]
    # The title is data: another kind's wording for the same task reaches both pages.
    renamed = call.model_copy(update={"tasks": {"report_to_ubnd": "báo cáo UBND tỉnh về đợt không có đề xuất"}})
    assert timeline(events, {}, renamed)[1].text == "Mở việc: báo cáo UBND tỉnh về đợt không có đề xuất"
    assert _details(audit_lines(events, renamed, {}, TZ)[1])["việc"] == "báo cáo UBND tỉnh về đợt không có đề xuất"


def test_the_timeline_tells_register_numbers_and_signatures_and_names_a_unit_actor() -> None:
    consultation = get_workflow("consultation")
    entries = timeline([
        _event(1, "number_taken", number="15/SKHCN-TĐC", document="request_letter", issued_on="2025-11-20"),
        _event(2, "document_signed", document_key="request_letter", title="Công văn xin ý kiến", number="15/SKHCN-TĐC",
               copy=False, signer="Nông Thị Thanh Huyền"),
        _event(3, "respond", "SCT", unit="SCT", kind="comments", comments=1, channel="web"),
    ], UNITS, consultation)
    assert entries[0].text == "Lấy số văn bản đi 15/SKHCN-TĐC ngày 20/11/2025: Công văn xin ý kiến"
    assert entries[1].text == "Ký số Công văn xin ý kiến số 15/SKHCN-TĐC, người ký Nông Thị Thanh Huyền"
    assert entries[2].actor == "Sở Công Thương"


def test_dates_and_moments_read_as_staff_write_them() -> None:
    assert format_moment("2025-12-05", TZ) == "05/12/2025"
    assert format_moment(date(2026, 1, 8), TZ) == "08/01/2026"
    # A moment is shown in local time: 17:30 UTC is half past midnight the next day in Hà Nội.
    assert format_moment("2025-12-05T17:30:00+00:00", TZ) == "00:30 06/12/2025"
    assert format_moment(datetime(2025, 12, 5, 17, 30, tzinfo=ZoneInfo("UTC")), TZ) == "00:30 06/12/2025"
    assert format_moment("15/SKHCN-TĐC", TZ) is None and format_moment("2025-13-45", TZ) is None


def test_a_long_list_of_units_shows_its_length_and_the_first_names() -> None:
    codes = [f"U{i}" for i in range(12)]
    line = audit_lines([_event(1, "remind", units=codes, reminded=codes)], get_workflow("consultation"),
                       {c: f"Đơn vị {c}" for c in codes}, TZ)[0]
    reminded = _details(line)["được đôn đốc"]
    assert reminded.startswith("12 đơn vị: Đơn vị U0, Đơn vị U1") and reminded.endswith("Đơn vị U7, …")


def test_an_action_of_the_definition_wins_over_the_service_labels() -> None:
    consultation = get_workflow("consultation")
    assert action_title("decide_issued", consultation) == consultation.event_title("decide_issued")
    assert action_title("create", consultation) == "tạo đợt"
    assert action_title("number_taken", consultation) == "Lấy số văn bản đi"


def test_the_comments_a_handling_covered_are_numbers_not_a_count_and_a_launch_reason_is_named() -> None:
    """The CLI's audit read "Xử lý ý kiến · số ý kiến: 2" for comments number 2 and 5 (a list, not a count), and
    showed "no_draft_reason" by its English key."""
    consultation = get_workflow("consultation")
    handled, launched = audit_lines([
        _event(1, "comments_handled", comments=[2, 5], decision="accepted"),
        _event(2, "launch", **{"from": "draft", "to": "circulating", "messages": 3,
                               "no_draft_reason": "Thư là toàn bộ nội dung"}),
    ], consultation, UNITS, TZ)
    assert _details(handled)["mã ý kiến"] == "2, 5" and "số ý kiến" not in _details(handled)
    assert _details(launched)["lý do không kèm dự thảo"] == "Thư là toàn bộ nội dung"
    many = audit_lines([_event(1, "comments_handled", comments=list(range(1, 13)))], consultation, UNITS, TZ)[0]
    assert _details(many)["mã ý kiến"].startswith("12 mục: 1, 2, 3")  # not "12 đơn vị"


def test_a_handling_shows_the_numbers_the_table_gave_the_comments_apart_from_their_ids() -> None:
    """The ids of the comments a handling covered are not the numbers staff read in the bảng tổng hợp (its STT): an
    audit that called the ids "ý kiến số" named, for the demo's Sở Y tế comment (number 2, id 3), another one."""
    handled = audit_lines([_event(1, "comments_handled", numbers=[2], comments=[3], decision="not_accepted")],
                          get_workflow("consultation"), UNITS, TZ)[0]
    assert _details(handled)["ý kiến số (trong bảng tổng hợp)"] == "2" and _details(handled)["mã ý kiến"] == "3"
    assert "ý kiến số" not in _details(handled)
