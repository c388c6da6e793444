"""The workshop's documents (seed 004) built from data: the Kế hoạch, the giấy mời, the attendee list and the report
after the event, each reopened with python-docx or openpyxl."""
from __future__ import annotations

import io
import unicodedata
from datetime import date, datetime, timedelta, timezone

import pytest
from docx import Document
from openpyxl import load_workbook

from notifications.documents.data import DocumentDataError, Issuer, LetterHead, Signer
from notifications.documents.workshop import (
    Attendance,
    InvitationData,
    InvitedSet,
    ParticipantGroup,
    TaskLine,
    TaskResult,
    WorkshopPlanData,
    WorkshopReportData,
    event_name,
    participant_lines,
    render_invitation,
    render_workshop_plan,
    render_workshop_report,
)
from notifications.documents.workshop_sheets import (
    AttendeeListData,
    AttendeeRow,
    FormColumn,
    render_attendee_list,
)

PROVINCE = Issuer(governing_body="", issuer="ỦY BAN NHÂN DÂN\nTỈNH CAO BẰNG", issuer_short="UBND", place="Cao Bằng",
                  name="Ủy ban nhân dân tỉnh Cao Bằng")
DEPARTMENT = Issuer(governing_body="UBND TỈNH CAO BẰNG", issuer="SỞ KHOA HỌC VÀ CÔNG NGHỆ", issuer_short="SKHCN",
                    place="Cao Bằng")
TITLE = ("Giải pháp cải thiện, nâng cao Chỉ số đổi mới sáng tạo địa phương tỉnh Cao Bằng từ năm 2025 và những năm "
         "tiếp theo")
EVENT_ON = date(2025, 8, 20)
SECTORS = ("Sở Xây dựng", "Sở Nông nghiệp và Môi trường", "Sở Công Thương", "Sở Giáo dục và Đào tạo", "Sở Tài chính")
PARTICIPANTS = [
    ParticipantGroup("Đại biểu Cơ quan Trung ương (dự kiến)", (InvitedSet(("Bộ Khoa học và Công nghệ",
                                                                            "Cục Đổi mới sáng tạo")),)),
    ParticipantGroup("Đại biểu các cơ quan thuộc tỉnh", (
        InvitedSet(("Văn phòng UBND tỉnh",)),
        InvitedSet(SECTORS, "Các sở, ban, ngành tỉnh"))),
]
TASKS = [TaskLine("Chuẩn bị tham luận trình bày tại Hội thảo", ("Sở Công Thương", "Sở Tài chính"), date(2025, 8, 18)),
         TaskLine("dự thảo bài phát biểu khai mạc", ("Văn phòng UBND tỉnh",), date(2025, 8, 15)),
         TaskLine("Dự thảo chương trình, kịch bản gửi Văn phòng UBND tỉnh", ("Sở Khoa học và Công nghệ",),
                  date(2025, 8, 18))]


def _plan(**changes: object) -> WorkshopPlanData:
    values: dict[str, object] = dict(
        issuer=PROVINCE, head=LetterHead("TĐC", "Kế hoạch", drafted_on=date(2025, 8, 1)), title=f"Hội thảo {TITLE}",
        organiser="Sở Khoa học và Công nghệ", event_on=EVENT_ON,
        venue="Trung tâm Hội nghị tỉnh Cao Bằng (phường Thục Phán, tỉnh Cao Bằng)", participants=PARTICIPANTS,
        signer=Signer(title="PHÓ CHỦ TỊCH", name="", on_behalf="CHỦ TỊCH"),
        references=["Quyết định số 62/QĐ-UBND ngày 20/01/2025 của UBND tỉnh Cao Bằng về ban hành Kế hoạch hành động"],
        event_time="01 buổi, từ 08 giờ 00", purpose=["Đánh giá thực trạng, thảo luận, thống nhất các giải pháp."],
        requirements=["Tăng cường sự phối hợp giữa các sở, ngành.", "Chuẩn bị chu đáo các nội dung."],
        contents=["Nội dung: Phân tích, đánh giá thực trạng.", "Tài liệu hội thảo, gồm: Báo cáo Chỉ số PII."],
        funding="Nguồn kinh phí sự nghiệp khoa học và công nghệ năm 2025",
        organiser_duties=["Chủ trì, tham mưu chuẩn bị các nội dung, kinh phí tổ chức Hội thảo."], tasks=TASKS,
        registration_deadline=date(2025, 8, 14))
    values.update(changes)
    return WorkshopPlanData(**values)  # type: ignore[arg-type]


def _texts(content: bytes) -> list[str]:
    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return texts


def test_plan_follows_seed_004_headings_groups_and_assignments() -> None:
    texts = _texts(render_workshop_plan(_plan()))
    body = "\n".join(texts)
    assert "KẾ HOẠCH" in texts
    assert f"Tổ chức Hội thảo {TITLE}" in texts
    assert "Số:" in body and "/KH-UBND" in body
    assert "ỦY BAN NHÂN DÂN" in body and "Độc lập - Tự do - Hạnh phúc" in body
    headings = ["I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích", "2. Yêu cầu", "II. NỘI DUNG THỰC HIỆN",
                "2. Thời gian, địa điểm:", "3. Thành phần:", "III. TỔ CHỨC THỰC HIỆN"]
    positions = [texts.index(h) for h in headings]
    assert positions == sorted(positions)
    assert texts[0].startswith("Thực hiện Quyết định số 62/QĐ-UBND") or any(
        t.startswith("Thực hiện Quyết định số 62/QĐ-UBND") and t.endswith("cụ thể như sau:") for t in texts)
    assert "- Thời gian: 01 buổi, từ 08 giờ 00, ngày 20/8/2025." in texts
    assert "a) Đại biểu Cơ quan Trung ương (dự kiến):" in texts
    assert "b) Đại biểu các cơ quan thuộc tỉnh:" in texts
    assert "- Đại diện Lãnh đạo Bộ Khoa học và Công nghệ;" in texts
    assert ("- Đại diện Lãnh đạo các sở, ban, ngành tỉnh: Sở Xây dựng; Sở Nông nghiệp và Môi trường; Sở Công Thương; "
            "Sở Giáo dục và Đào tạo; Sở Tài chính.") in texts
    assert texts.index("a) Đại biểu Cơ quan Trung ương (dự kiến):") < texts.index("b) Đại biểu các cơ quan thuộc tỉnh:")
    assert ("- Giao Sở Công Thương, Sở Tài chính: chuẩn bị tham luận trình bày tại Hội thảo, gửi Sở Khoa học và Công "
            "nghệ chậm nhất ngày 18/8/2025.") in texts
    assert "- Giao Văn phòng UBND tỉnh: dự thảo bài phát biểu khai mạc, gửi Sở Khoa học và Công nghệ chậm nhất ngày " \
           "15/8/2025." in texts
    assert ("- Giao Sở Khoa học và Công nghệ: dự thảo chương trình, kịch bản gửi Văn phòng UBND tỉnh chậm nhất ngày "
            "18/8/2025.") in texts  # sent where the task says, not to the organiser too
    assert "4. Kinh phí thực hiện: Nguồn kinh phí sự nghiệp khoa học và công nghệ năm 2025." in texts
    assert any(t.endswith("đảm bảo thành phần theo Kế hoạch./.") for t in texts)
    assert "Nơi nhận:" in body and "- Theo thành phần tại mục 3, phần II Kế hoạch;" in body
    assert "KT. CHỦ TỊCH" in body and "PHÓ CHỦ TỊCH" in body


def test_a_short_group_lists_each_unit_and_a_long_one_is_joined() -> None:
    short = ParticipantGroup("x", (InvitedSet(SECTORS[:3], "Các sở, ban, ngành tỉnh"),))
    assert participant_lines(short) == [f"Đại diện Lãnh đạo {name}" for name in SECTORS[:3]]
    joined = participant_lines(ParticipantGroup("x", (InvitedSet(SECTORS, "Các sở, ban, ngành tỉnh"),)))
    assert joined == [f"Đại diện Lãnh đạo các sở, ban, ngành tỉnh: {'; '.join(SECTORS)}"]


def test_event_name_drops_a_leading_hoi_thao_and_quotes() -> None:
    assert event_name(f"Hội thảo {TITLE}") == TITLE
    assert event_name(f"Tổ chức hội thảo “{TITLE}”") == TITLE
    assert event_name(TITLE) == TITLE


def test_plan_with_nfd_inputs_is_written_in_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Hội trường tầng 3, Sở Khoa học và Công nghệ")
    texts = _texts(render_workshop_plan(_plan(venue=nfd)))
    assert "- Địa điểm: Hội trường tầng 3, Sở Khoa học và Công nghệ." in texts
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)


def test_plan_without_venue_or_title_is_refused_naming_the_field() -> None:
    with pytest.raises(DocumentDataError, match="venue"):
        _plan(venue="  ")
    with pytest.raises(DocumentDataError, match="title"):
        _plan(title="Hội thảo ")


def _invitation(**changes: object) -> InvitationData:
    values: dict[str, object] = dict(
        issuer=DEPARTMENT, head=LetterHead("TĐC", "Giấy mời", drafted_on=date(2025, 8, 5)), title=TITLE,
        event_on=EVENT_ON, venue="Trung tâm Hội nghị tỉnh Cao Bằng", participants=PARTICIPANTS,
        registration_deadline=date(2025, 8, 14), signer=Signer(title="PHÓ GIÁM ĐỐC", name="Trần Quốc Anh",
                                                              on_behalf="GIÁM ĐỐC"),
        event_time="08 giờ 00", contents=["- Nội dung: Thảo luận các giải pháp nâng cao Chỉ số PII",
                                           "Tài liệu hội thảo: Báo cáo Chỉ số PII năm 2024."],
        contact_name="Ông Phạm Phi Long", contact_title="Phòng Quản lý Khoa học", contact_phone="0912130290")
    values.update(changes)
    return InvitationData(**values)  # type: ignore[arg-type]


def test_invitation_invites_every_unit_with_time_place_and_registration_date() -> None:
    texts = _texts(render_invitation(_invitation()))
    body = "\n".join(texts)
    assert "GIẤY MỜI" in texts and f"Tham dự Hội thảo {TITLE}" in texts
    assert "/GM-SKHCN" in body
    assert "Sở Khoa học và Công nghệ trân trọng kính mời:" in texts
    assert "- Đại diện Lãnh đạo Cục Đổi mới sáng tạo;" in texts
    assert "Thời gian: 08 giờ 00, ngày 20/8/2025." in texts
    assert "Địa điểm: Trung tâm Hội nghị tỉnh Cao Bằng." in texts
    assert "Nội dung: Thảo luận các giải pháp nâng cao Chỉ số PII." in texts
    assert "- Tài liệu hội thảo: Báo cáo Chỉ số PII năm 2024." in texts
    assert ("Đề nghị quý cơ quan, đơn vị đăng ký thành phần tham dự chậm nhất ngày 14/8/2025 qua đường dẫn gửi kèm thư "
            "điện tử.") in texts
    assert "Mọi thông tin cần trao đổi, liên hệ qua Ông Phạm Phi Long, Phòng Quản lý Khoa học, điện thoại " \
           "0912130290." in texts
    assert "- Như thành phần mời;" in body and "- Lưu: VT, TĐC." in body
    assert "KT. GIÁM ĐỐC" in body and "Trần Quốc Anh" in body


def test_invitation_cites_the_plan_when_its_number_is_known() -> None:
    texts = _texts(render_invitation(_invitation(plan="Kế hoạch số 120/KH-UBND ngày 05/8/2025")))
    assert (f"Thực hiện Kế hoạch số 120/KH-UBND ngày 05/8/2025 của UBND tỉnh về tổ chức Hội thảo \"{TITLE}\", Sở "
            "Khoa học và Công nghệ trân trọng kính mời:") in texts


def test_invitation_without_any_invited_unit_is_refused() -> None:
    with pytest.raises(DocumentDataError, match="participants"):
        _invitation(participants=[ParticipantGroup("Đại biểu", ())])


REGISTRATION = (FormColumn("Đăng ký tham dự", ("Tham dự", "Cử người dự thay", "Không tham dự")),
                FormColumn("Họ và tên"), FormColumn("Chức vụ"), FormColumn("Điện thoại"))
ANSWERED = datetime(2025, 8, 12, 9, 30, tzinfo=timezone(timedelta(hours=7)))


def _attendees() -> AttendeeListData:
    return AttendeeListData(TITLE, REGISTRATION, [
        AttendeeRow("Đại biểu Trung ương", "Bộ Khoa học và Công nghệ", ("Tham dự", "Nguyễn Văn A", "Vụ trưởng", ""),
                    ANSWERED),
        AttendeeRow("Đại biểu tỉnh", "Sở Tài chính", ("Cử người dự thay", "Lê Thị B", "Phó Giám đốc", "0912"),
                    ANSWERED, late=True),
        AttendeeRow("Đại biểu tỉnh", "Sở Xây dựng", ("Tham dự", "Hoàng C", "Giám đốc", "")),
        AttendeeRow("Đại biểu tỉnh", "Sở Công Thương"),
    ])


def test_attendee_list_has_the_form_labels_a_row_per_unit_and_counts_per_option() -> None:
    book = load_workbook(io.BytesIO(render_attendee_list(_attendees())))
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[3]]
    assert header == ["STT", "Thành phần", "Cơ quan, đơn vị", "Đăng ký tham dự", "Họ và tên", "Chức vụ",
                      "Điện thoại", "Thời điểm đăng ký", "Trễ hạn"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4, max_row=7)]
    assert [r[2] for r in rows] == ["Bộ Khoa học và Công nghệ", "Sở Tài chính", "Sở Xây dựng", "Sở Công Thương"]
    assert rows[1][3:7] == ["Cử người dự thay", "Lê Thị B", "Phó Giám đốc", "0912"]
    assert rows[1][7] == datetime(2025, 8, 12, 9, 30) and rows[1][8] == "x"
    assert rows[3][3] == "Chưa đăng ký"
    summary = {r[1]: r[2] for r in ([c.value for c in row] for row in sheet.iter_rows(min_row=9)) if r[1]}
    assert summary["Tổng hợp: Đăng ký tham dự"] is None
    assert (summary["Tham dự"], summary["Cử người dự thay"], summary["Không tham dự"], summary["Chưa đăng ký"]) == \
           (2, 1, 0, 1)


def test_attendee_row_with_the_wrong_number_of_values_is_refused() -> None:
    with pytest.raises(DocumentDataError, match="Sở Tài chính"):
        AttendeeListData(TITLE, REGISTRATION, [AttendeeRow("x", "Sở Tài chính", ("Tham dự",))])


def _report(**changes: object) -> WorkshopReportData:
    values: dict[str, object] = dict(
        issuer=DEPARTMENT, head=LetterHead("TĐC", "Báo cáo", drafted_on=date(2025, 8, 25)), title=TITLE,
        recipient="Ủy ban nhân dân tỉnh Cao Bằng", event_on=EVENT_ON,
        signer=Signer(title="GIÁM ĐỐC", name="Nông Thị Thanh Huyền"), venue="Trung tâm Hội nghị tỉnh",
        plan="Kế hoạch số 120/KH-UBND ngày 05/8/2025",
        tasks=[TaskResult("Sở Công Thương", "Chuẩn bị tham luận", date(2025, 8, 18), date(2025, 8, 17),
                          result="Tham luận: Doanh nghiệp đổi mới sáng tạo"),
               TaskResult("Sở Tài chính", "Chuẩn bị tham luận", date(2025, 8, 18), date(2025, 8, 19), late=True,
                          result="Tham luận: Tài chính cho KH&CN"),
               TaskResult("Sở Nông nghiệp và Môi trường", "Chuẩn bị tham luận", date(2025, 8, 18))],
        attendance=[Attendance("Đại biểu Trung ương", 2, (("Tham dự", 1), ("Cử người dự thay", 0),
                                                          ("Không tham dự", 0))),
                    Attendance("Đại biểu tỉnh", 3, (("Tham dự", 1), ("Cử người dự thay", 1), ("Không tham dự", 0)))],
        choice_label="Đăng ký tham dự", results=["Hội thảo đã nghe 03 tham luận."],
        recommendations=["Đề nghị UBND tỉnh ban hành Kế hoạch cải thiện Chỉ số PII."])
    values.update(changes)
    return WorkshopReportData(**values)  # type: ignore[arg-type]


def test_report_lists_task_results_attendance_results_and_recommendations() -> None:
    content = render_workshop_report(_report())
    texts = _texts(content)
    body = "\n".join(texts)
    assert "BÁO CÁO" in texts and f"Kết quả tổ chức Hội thảo {TITLE}" in texts and "/BC-SKHCN" in body
    assert "Kính gửi: Ủy ban nhân dân tỉnh Cao Bằng." in texts
    assert any(t.startswith("Thực hiện Kế hoạch số 120/KH-UBND ngày 05/8/2025 của UBND tỉnh") for t in texts)
    headings = ["I. CÔNG TÁC CHUẨN BỊ", "II. THÀNH PHẦN THAM DỰ", "III. KẾT QUẢ HỘI THẢO", "IV. KIẾN NGHỊ"]
    positions = [texts.index(h) for h in headings]
    assert positions == sorted(positions)
    tasks = Document(io.BytesIO(content)).tables[1]
    rows = [[c.text for c in row.cells] for row in tasks.rows]
    assert rows[0] == ["STT", "Đơn vị", "Nhiệm vụ", "Hạn", "Ngày nộp", "Kết quả"]
    assert rows[1] == ["1", "Sở Công Thương", "Chuẩn bị tham luận", "18/8/2025", "17/8/2025",
                       "Tham luận: Doanh nghiệp đổi mới sáng tạo"]
    assert rows[2][5] == "Tham luận: Tài chính cho KH&CN (nộp trễ)"
    assert rows[3][4:] == ["—", "chưa nộp"]
    attendance = [[c.text for c in row.cells] for row in Document(io.BytesIO(content)).tables[2].rows]
    assert attendance[0] == ["Thành phần", "Số được mời", "Tham dự", "Cử người dự thay", "Không tham dự",
                             "Chưa đăng ký"]
    assert attendance[2] == ["Đại biểu tỉnh", "3", "1", "1", "0", "1"]
    assert attendance[3] == ["Tổng cộng", "5", "2", "1", "0", "2"]
    assert "Hội thảo đã nghe 03 tham luận." in texts
    assert "- Như trên;" in body and "Nông Thị Thanh Huyền" in body


def test_groups_without_units_take_no_letter_and_a_report_without_late_tasks_says_none() -> None:
    empty_first = [ParticipantGroup("Đại biểu Trung ương", ()), *PARTICIPANTS[1:]]
    texts = _texts(render_workshop_plan(_plan(participants=empty_first)))
    assert "a) Đại biểu các cơ quan thuộc tỉnh:" in texts and not any(t.startswith("b) ") for t in texts)
    on_time = [TaskResult("Sở Công Thương", "Chuẩn bị tham luận", date(2025, 8, 18), date(2025, 8, 17), result="x")]
    texts = _texts(render_workshop_report(_report(tasks=on_time)))
    assert ("Các cơ quan, đơn vị được giao 01 nhiệm vụ chuẩn bị; đã nộp đủ.") in texts


def test_attendee_list_of_a_form_without_a_choice_counts_who_registered() -> None:
    data = AttendeeListData(TITLE, (FormColumn("Họ và tên"),), [
        AttendeeRow("Đại biểu tỉnh", "Sở Tài chính", ("Lê Thị B",), ANSWERED), AttendeeRow("Đại biểu tỉnh", "Sở Y tế")])
    sheet = load_workbook(io.BytesIO(render_attendee_list(data))).active
    assert sheet is not None
    summary = {r[1]: r[2] for r in sheet.iter_rows(min_row=7, values_only=True) if r[1]}
    assert summary == {"Tổng hợp": None, "Đã đăng ký": 1, "Chưa đăng ký": 1}
