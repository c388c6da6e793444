"""The documents of a workshop (seed 004), as pure renderers: data in, DOCX bytes out (Decree 30/2020).

The Kế hoạch tổ chức Hội thảo is drafted by the Sở for UBND tỉnh to sign ("Số: /KH-UBND"): purpose and requirements,
contents, time and place, the invited units under the definition's participant groups ("a) Đại biểu ..."), funding,
then who does what ("Giao Sở Công Thương, Sở Tài chính: chuẩn bị tham luận ..., gửi Sở ... chậm nhất ngày 18/8/2025";
seed 004 writes "before the day", which would mean the day before the due date ykien counts as the last one included).
The giấy mời comes from the Sở, addressed to every invited unit at once ("Như thành phần mời"). After the event the
Sở reports to UBND tỉnh how the preparatory tasks were handed in, who came, and what the workshop concluded.
The attendee list (XLSX) is in workshop_sheets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from docx.text.paragraph import Paragraph as DocxParagraph

from notifications.documents import vietnamese
from notifications.documents.data import DocumentDataError, Issuer, LetterHead, Signer
from notifications.documents.decree30 import BODY_SIZE, Decree30Document, Heading, add_run, number_line
from notifications.documents.letters import receivers_lines
from notifications.documents.vietnamese import clause, joined
from notifications.documents.wording import Wording, load_wording

EVENT = "Hội thảo"
_LABEL = re.compile(r"^[-+*\s]*Nội dung\s*:\s*", re.IGNORECASE)
INVITATION_JOINED_FROM = 2
JOINED_FROM = 4  # a directory group with this many invited units is written on one line, as seed 004 does
PLAN_TYPE, INVITATION_TYPE, REPORT_TYPE = "KH", "GM", "BC"
TASK_WIDTHS_MM = (12.0, 36.0, 38.0, 24.0, 24.0, 31.0)  # a date (25/12/2026) fits its column on one line
NOT_REGISTERED, REGISTERED = "Chưa đăng ký", "Đã đăng ký"
NOT_ASKED = "Để biết, không phải đăng ký"  # a unit invited only to be told (the press)
HANDED_IN_LATE, NOT_HANDED_IN = "nộp trễ", "chưa nộp"


def _text(value: str) -> str:
    return " ".join(vietnamese.nfc(value).split())


def event_name(title: str) -> str:
    """The workshop's name as the seed quotes it: the round's title without a leading "Hội thảo"/"Tổ chức Hội thảo"."""
    text = _text(title) + " "
    for opener in (f"Tổ chức {EVENT} ", f"{EVENT} "):
        if text.casefold().startswith(opener.casefold()):
            return text[len(opener):].strip().strip("\"“”")
    return text.strip().strip("\"“”")


@dataclass(frozen=True)
class Titled:
    """The top of a document from its wording file: the title line, what it is about ("{name}" stands for the
    workshop's name) and its type in the register ("KH")."""

    title: str
    about: str
    number_type: str

    def about_of(self, name: str) -> str:
        return _text(self.about.replace("{name}", name))

    def heading(self, issuer: Issuer, head: LetterHead, name: str) -> Heading:
        return Heading(
            number_line=number_line(issuer.issuer_short, head.office_code, self.number_type, head.number),
            place_date=vietnamese.place_date_line(issuer.place, head.issued_on, head.drafted_on),
            title=_text(self.title), about=self.about_of(name) or None)


@dataclass(frozen=True)
class InvitedSet:
    """Units invited from one directory group: `label` ("Các sở, ban, ngành tỉnh") names them on one line when they
    are many; without a label each unit gets its own line."""

    units: tuple[str, ...]
    label: str | None = None


@dataclass(frozen=True)
class ParticipantGroup:
    """One "a) Đại biểu ..." of the plan's Thành phần: the definition's group title and whom it invites."""

    title: str
    invited: tuple[InvitedSet, ...]

    @property
    def units(self) -> list[str]:
        return [unit for entry in self.invited for unit in entry.units]


def participant_lines(group: ParticipantGroup, joined_from: int = JOINED_FROM) -> list[str]:
    """"Đại diện Lãnh đạo Sở Tài chính" per unit, or "Đại diện Lãnh đạo các sở, ban, ngành tỉnh: A; B; C" for a
    directory group of `joined_from` units or more, as seed 004 writes its lists."""
    lines: list[str] = []
    for entry in group.invited:
        names = [clause(unit) for unit in entry.units if unit.strip()]
        if not names:
            continue
        if entry.label and len(names) >= joined_from:
            label = clause(entry.label)
            label = label[0].lower() + label[1:] if label.startswith("Các ") else label
            lines.append(f"Đại diện Lãnh đạo {label}: {'; '.join(names)}")
        else:
            lines.extend(f"Đại diện Lãnh đạo {name}" for name in names)
    return lines


@dataclass(frozen=True)
class TaskLine:
    """Units given the same task with the same due date: one "Giao ..." sentence of the plan."""

    title: str  # "chuẩn bị tham luận trình bày tại Hội thảo"
    units: tuple[str, ...]
    due: date

    def sentence(self, organiser: str) -> str:
        task = clause(self.title)
        task = task[0].lower() + task[1:] if task[:1].isupper() and not task[1:2].isupper() else task
        # A task that says where it goes ("..., gửi Văn phòng UBND tỉnh") is not sent to the organiser as well.
        sent = "" if re.search(r"\bgửi\b", task) else f", gửi {organiser}"
        return (f"Giao {joined([clause(u) for u in self.units], ', ')}: {task}{sent} chậm nhất ngày "
                f"{vietnamese.short_date(self.due)}")


@dataclass(frozen=True)
class WorkshopPlanData:
    issuer: Issuer  # UBND tỉnh: the Sở drafts, the province signs
    head: LetterHead
    title: str  # the round's title: the workshop's name, with or without "Hội thảo"
    organiser: str  # "Sở Khoa học và Công nghệ"
    event_on: date
    venue: str
    participants: list[ParticipantGroup]
    signer: Signer
    references: list[str] = field(default_factory=list)
    event_time: str | None = None  # "01 buổi, từ 08 giờ 00"
    purpose: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    contents: list[str] = field(default_factory=list)
    funding: str | None = None
    organiser_duties: list[str] = field(default_factory=list)
    tasks: list[TaskLine] = field(default_factory=list)
    registration_deadline: date | None = None
    cc: list[str] = field(default_factory=list)
    titled: Titled = Titled("KẾ HOẠCH", f"Tổ chức {EVENT} {{name}}", PLAN_TYPE)

    def __post_init__(self) -> None:
        if not event_name(self.title):
            raise DocumentDataError("WorkshopPlanData.title: required")
        if not self.venue.strip():
            raise DocumentDataError("WorkshopPlanData.venue: required")


def _heading(document: Decree30Document, text: str, *, indent: bool = True) -> None:
    document.paragraph(text, bold=True, indent=indent).paragraph_format.keep_with_next = True


def _lead(document: Decree30Document, label: str, text: str) -> DocxParagraph:
    """A paragraph opening with a bold label: "4. Kinh phí thực hiện: Nguồn kinh phí ..."."""
    paragraph = document.paragraph(label, bold=True)
    add_run(paragraph, text, BODY_SIZE)
    return paragraph


def _bullets(document: Decree30Document, items: list[str]) -> None:
    """One "- ..." line per item, closed by a full stop where the item ends without a mark (seed 004's lines all
    end with one)."""
    for item in items:
        text = _text(item)
        if text:
            text = text if text.endswith((".", ";", ":", "!", "?", "…")) else f"{text}."
            document.paragraph(text if text.startswith(("-", "+", "*")) else f"- {text}")


def _paragraphs(document: Decree30Document, items: list[str]) -> None:
    for item in items:
        if _text(item):
            document.paragraph(_text(item))


def when_text(event_on: date, time: str | None) -> str:
    """"01 buổi, từ 08 giờ 00, ngày 20/8/2025" (the time as staff typed it, the day from the round)."""
    day = f"ngày {vietnamese.short_date(event_on)}"
    return f"{clause(time)}, {day}" if time and time.strip() else day


def render_workshop_plan(data: WorkshopPlanData) -> bytes:
    name = event_name(data.title)
    document = Decree30Document(title=f"Kế hoạch {data.titled.about_of(name)}", author=data.issuer.display_name)
    document.header(data.issuer, data.titled.heading(data.issuer, data.head, name))
    references = [clause(item) for item in data.references if item.strip()]
    opening = f"UBND tỉnh tổ chức {EVENT} \"{name}\", cụ thể như sau:"
    if references:
        first = references[0]
        first = first if first.lower().startswith(("thực hiện", "căn cứ")) else f"Thực hiện {first}"
        opening = f"{'; '.join([first, *references[1:]])}, {opening}"
    document.paragraph(opening)

    _heading(document, "I. MỤC ĐÍCH, YÊU CẦU", indent=False)
    _heading(document, "1. Mục đích")
    _paragraphs(document, data.purpose or [f"Tổ chức {EVENT} \"{name}\" thiết thực, hiệu quả."])
    _heading(document, "2. Yêu cầu")
    _bullets(document, data.requirements or ["Các cơ quan, đơn vị được phân công chuẩn bị chu đáo các nội dung, "
                                             "bảo đảm đúng thời gian, đúng thành phần"])

    _heading(document, "II. NỘI DUNG THỰC HIỆN", indent=False)
    _heading(document, f"1. Nội dung, tài liệu {EVENT.lower()}")
    _bullets(document, data.contents or [f"Nội dung: {name}"])
    _heading(document, "2. Thời gian, địa điểm:")
    document.paragraph(f"- Thời gian: {when_text(data.event_on, data.event_time)}.")
    document.paragraph(f"- Địa điểm: {clause(data.venue)}.")
    _heading(document, "3. Thành phần:")
    listed = [(group, participant_lines(group)) for group in data.participants]
    for index, (group, lines) in enumerate([(group, lines) for group, lines in listed if lines]):
        document.paragraph(f"{chr(ord('a') + index)}) {clause(group.title)}:", italic=True)
        for line in vietnamese.list_item_lines(lines):
            document.paragraph(line)
    _lead(document, "4. Kinh phí thực hiện: ",
          f"{clause(data.funding)}." if data.funding and data.funding.strip() else "Theo quy định hiện hành.")

    _heading(document, "III. TỔ CHỨC THỰC HIỆN", indent=False)
    organiser = clause(data.organiser)
    _heading(document, f"1. {organiser}:")
    _bullets(document, data.organiser_duties or [
        f"Chủ trì, tham mưu chuẩn bị các nội dung, kinh phí tổ chức {EVENT}; ban hành Giấy mời, xác nhận thành phần "
        "tham dự (theo thành phần trong Kế hoạch)"])
    _heading(document, f"2. Các cơ quan, đơn vị tham gia {EVENT}:")
    document.paragraph(f"- Chủ động nghiên cứu tài liệu do {organiser} cung cấp, chuẩn bị ý kiến phát biểu tại "
                       f"{EVENT}.")
    if data.registration_deadline is not None:
        document.paragraph(f"- Đăng ký thành phần tham dự với {organiser} chậm nhất ngày "
                           f"{vietnamese.short_date(data.registration_deadline)}.")
    for task in data.tasks:
        document.paragraph(f"- {task.sentence(organiser)}.")
    document.paragraph(
        f"Trên đây là Kế hoạch tổ chức {EVENT} \"{name}\". Căn cứ Kế hoạch này, các cơ quan, đơn vị được phân công "
        "nhiệm vụ nghiêm túc triển khai thực hiện; các cơ quan, đơn vị được mời chủ động sắp xếp thời gian tham dự "
        "đảm bảo thành phần theo Kế hoạch.")
    document.close()
    cc = data.cc or ["Thường trực Tỉnh ủy (b/c)", "Thường trực HĐND tỉnh (b/c)", "Chủ tịch, các PCT UBND tỉnh",
                     "Theo thành phần tại mục 3, phần II Kế hoạch", organiser, "Lưu: VT"]
    document.footer(receivers_lines(cc, data.head.office_code, has_addressee=False), data.signer)
    return document.to_bytes()


@dataclass(frozen=True)
class InvitationData:
    issuer: Issuer  # the Sở
    head: LetterHead
    title: str
    event_on: date
    venue: str
    participants: list[ParticipantGroup]
    registration_deadline: date
    signer: Signer
    event_time: str | None = None
    contents: list[str] = field(default_factory=list)
    contact_name: str = ""
    contact_title: str | None = None
    contact_phone: str = ""
    plan: str | None = None  # the Kế hoạch the invitation carries out: "Kế hoạch số 120/KH-UBND ngày 05/8/2025"
    titled: Titled = Titled("GIẤY MỜI", f"Tham dự {EVENT} {{name}}", INVITATION_TYPE)

    def __post_init__(self) -> None:
        if not event_name(self.title):
            raise DocumentDataError("InvitationData.title: required")
        if not self.venue.strip():
            raise DocumentDataError("InvitationData.venue: required")
        if not any(group.units for group in self.participants):
            raise DocumentDataError("InvitationData.participants: at least one invited unit")


_WHOSE = re.compile(r"\bcủa\b", re.IGNORECASE)


def provincial_plan(plan: str) -> str:
    """The Kế hoạch a workshop carries out, said to be UBND tỉnh's ("Kế hoạch số 120/KH-UBND ngày 05/8/2025 của UBND
    tỉnh") unless staff already wrote whose it is ("… của UBND tỉnh Cao Bằng"), so "của UBND tỉnh" is never said
    twice."""
    text = clause(plan)
    return text if _WHOSE.search(text) else f"{text} của UBND tỉnh"


def render_invitation(data: InvitationData) -> bytes:
    name = event_name(data.title)
    issuer_name = data.issuer.display_name
    document = Decree30Document(title=f"Giấy mời {EVENT} {name}", author=issuer_name)
    document.header(data.issuer, data.titled.heading(data.issuer, data.head, name))
    carried_out = f"Thực hiện {provincial_plan(data.plan)} về tổ chức {EVENT} \"{name}\", " if data.plan else ""
    document.paragraph(f"{carried_out}{issuer_name} trân trọng kính mời:")
    # A giấy mời fits one page: any directory group of two units or more is named on one line.
    lines = [line for group in data.participants for line in participant_lines(group, INVITATION_JOINED_FROM)]
    for line in vietnamese.list_item_lines(lines):
        document.paragraph(line)
    document.paragraph(f"Tham dự {EVENT} \"{name}\".")
    _lead(document, "Thời gian: ", f"{when_text(data.event_on, data.event_time)}.")
    _lead(document, "Địa điểm: ", f"{clause(data.venue)}.")
    contents = [clause(item) for item in data.contents if item.strip()]
    if contents:  # the plan's "- Nội dung: ..." and "- Tài liệu ..." lines, under one bold "Nội dung:"
        _lead(document, "Nội dung: ", f"{_LABEL.sub('', contents[0])}.")
        for item in contents[1:]:
            document.paragraph(f"- {item.lstrip('-+* ')}.")
    document.paragraph(
        f"Đề nghị quý cơ quan, đơn vị đăng ký thành phần tham dự chậm nhất ngày "
        f"{vietnamese.short_date(data.registration_deadline)} qua đường dẫn gửi kèm thư điện tử.")
    if data.contact_name.strip():
        title = f", {clause(data.contact_title)}" if data.contact_title and data.contact_title.strip() else ""
        phone = f", điện thoại {clause(data.contact_phone)}" if data.contact_phone.strip() else ""
        document.paragraph(f"Mọi thông tin cần trao đổi, liên hệ qua {clause(data.contact_name)}{title}{phone}.")
    document.paragraph("Rất mong quý đại biểu tham dự đúng thời gian.")
    document.close()
    document.footer(receivers_lines(["Như thành phần mời"], data.head.office_code, has_addressee=False), data.signer)
    return document.to_bytes()


@dataclass(frozen=True)
class TaskResult:
    """One unit's preparatory task after the event: what it handed in, and when."""

    unit: str
    task: str
    due: date
    handed_in_on: date | None = None
    late: bool = False
    result: str = ""  # the task form's texts, joined

    @property
    def outcome(self) -> str:
        if self.handed_in_on is None:
            return NOT_HANDED_IN
        text = _text(self.result)
        return f"{text} ({HANDED_IN_LATE})" if self.late and text else (HANDED_IN_LATE if self.late else text)


@dataclass(frozen=True)
class Attendance:
    """How the units of one participant group answered the registration: (option, count) in the form's order.

    `invited` counts the units asked to register; `informed` names the group's units invited only to be told (the
    press, "dự và đưa tin"), whom the registration does not count as registered or not."""

    group: str
    invited: int
    counts: tuple[tuple[str, int], ...]
    informed: tuple[str, ...] = ()

    @property
    def not_registered(self) -> int:
        return self.invited - sum(count for _, count in self.counts)


@dataclass(frozen=True)
class WorkshopReportData:
    issuer: Issuer
    head: LetterHead
    title: str
    recipient: str  # "Ủy ban nhân dân tỉnh Cao Bằng"
    event_on: date
    signer: Signer
    venue: str | None = None
    plan: str | None = None  # the Kế hoạch it carries out: "Kế hoạch số 120/KH-UBND ngày 05/8/2025"
    references: list[str] = field(default_factory=list)
    tasks: list[TaskResult] = field(default_factory=list)
    attendance: list[Attendance] = field(default_factory=list)
    choice_label: str = "Đăng ký"  # the registration form's choice field, as the table header says it
    # The options of that field that decline ("Không tham dự"), and what the units giving the others are called
    # ("Tham dự"): the report then says how many come in all; none when the form cannot decline.
    declining: tuple[str, ...] = ()
    attending_label: str | None = None
    results: list[str] = field(default_factory=list)
    recommendations: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    titled: Titled = Titled("BÁO CÁO", f"Kết quả tổ chức {EVENT} {{name}}", REPORT_TYPE)
    governing_body: str | None = None  # as the wording names it ("UBND tỉnh Cao Bằng"); the letterhead's else

    def __post_init__(self) -> None:
        if not event_name(self.title):
            raise DocumentDataError("WorkshopReportData.title: required")
        if not self.recipient.strip():
            raise DocumentDataError("WorkshopReportData.recipient: required")


def render_workshop_report(data: WorkshopReportData, *, wording_dir: Path | None = None) -> bytes:
    """The report, its attendance sentence in the words of the workshop_report wording (the department's copy in
    `wording_dir` first)."""
    name = event_name(data.title)
    issuer_name = data.issuer.display_name
    wording = load_wording("workshop_report", wording_dir)
    words = {"issuer_name": issuer_name, "governing_body": data.governing_body or data.issuer.governing_body,
             "place": data.issuer.place, "subject": data.head.subject, "office_code": data.head.office_code,
             "event_name": name}
    document = Decree30Document(title=f"Báo cáo {data.titled.about_of(name)}", author=issuer_name)
    document.header(data.issuer, data.titled.heading(data.issuer, data.head, name))
    document.recipients([data.recipient])
    bases = [f"{provincial_plan(data.plan)} về tổ chức {EVENT} \"{name}\""] if data.plan else []
    bases += [clause(item) for item in data.references if item.strip()]
    held = f"ngày {vietnamese.short_date(data.event_on)}" + (f" tại {clause(data.venue)}" if data.venue else "")
    opening = f"{issuer_name} đã chủ trì, phối hợp tổ chức {EVENT} \"{name}\" vào {held}."
    if bases:
        first = bases[0] if bases[0].lower().startswith(("thực hiện", "căn cứ")) else f"Thực hiện {bases[0]}"
        opening = f"{'; '.join([first, *bases[1:]])}, {opening}"
    document.paragraph(opening)
    document.paragraph(f"{issuer_name} báo cáo kết quả như sau:")

    _heading(document, "I. CÔNG TÁC CHUẨN BỊ", indent=False)
    if data.tasks:
        done = [t for t in data.tasks if t.handed_in_on is not None]
        document.paragraph(wording.text("preparation", {
            **words, "tasks": len(data.tasks), "handed_in": len(done), "late": sum(1 for t in done if t.late),
            "missing": len(data.tasks) - len(done)}))
        table = document.grid(TASK_WIDTHS_MM, ["STT", "Đơn vị", "Nhiệm vụ", "Hạn", "Ngày nộp", "Kết quả"])
        for number, task in enumerate(data.tasks, start=1):
            document.grid_row(table, [
                str(number), _text(task.unit), _text(task.task), vietnamese.short_date(task.due),
                vietnamese.short_date(task.handed_in_on) if task.handed_in_on else "—", task.outcome,
            ], ["center", "left", "left", "center", "center", "left"])
        document.paragraph("")
    else:
        document.paragraph("Kế hoạch không giao nhiệm vụ chuẩn bị cho cơ quan, đơn vị nào.")

    _heading(document, "II. THÀNH PHẦN THAM DỰ", indent=False)
    _attendance(document, data, wording, words)
    _heading(document, f"III. KẾT QUẢ {EVENT.upper()}", indent=False)
    _paragraphs(document, data.results)
    _heading(document, "IV. KIẾN NGHỊ", indent=False)
    _paragraphs(document, data.recommendations or ["Không có."])
    document.paragraph(f"Trên đây là báo cáo kết quả tổ chức {EVENT} \"{name}\", {issuer_name} trân trọng báo cáo "
                       f"{clause(data.recipient)} xem xét, chỉ đạo.")
    document.close()
    document.footer(receivers_lines(data.cc or ["Lãnh đạo Sở"], data.head.office_code), data.signer)
    return document.to_bytes()


def attendance_context(data: WorkshopReportData, totals: dict[str, int]) -> dict[str, object]:
    """What the report's attendance sentence (its wording's `attendance`) reads: the units invited; when the form
    tells a refusal, those that come summed over the ways of coming, the ways other than the plain one (the option
    named as the kind's word for coming) and each way of declining, else every option; and the units that did not
    register. Options nobody chose are left out. `totals`: the units that chose each option (_option_totals)."""
    told = data.attending_label is not None
    coming = [(option, count) for option, count in totals.items() if option not in data.declining]
    plain = (data.attending_label or "").casefold()
    of_which = [[option.lower(), count] for option, count in coming if count and option.casefold() != plain]
    return {"invited": sum(a.invited for a in data.attendance),
            "attending": sum(count for _, count in coming) if told else None,
            "of_which": of_which if told and len(coming) > 1 else [],
            "declined": [[option.lower(), count] for option, count in totals.items()
                         if told and option in data.declining and count],
            "answered": [] if told else [[option.lower(), count] for option, count in totals.items() if count],
            "not_registered": sum(a.not_registered for a in data.attendance), "choice_label": data.choice_label,
            **informed_context(data)}


def informed_context(data: WorkshopReportData) -> dict[str, object]:
    """The units invited without being asked to register: how many, and their names ("A, B")."""
    names = [_text(name) for row in data.attendance for name in row.informed]
    return {"informed": len(names), "informed_units": ", ".join(names)}


def _option_totals(data: WorkshopReportData) -> dict[str, int]:
    """The units that chose each option of the registration form, over every group, in the form's order."""
    options = [option for option, _ in data.attendance[0].counts] if data.attendance else []
    return {option: sum(dict(a.counts).get(option, 0) for a in data.attendance) for option in options}


def _attendance(document: Decree30Document, data: WorkshopReportData, wording: Wording,
                words: dict[str, str]) -> None:
    invited = sum(a.invited for a in data.attendance)
    told = wording.text("informed", {**words, **informed_context(data)})
    if not invited:
        document.paragraph("Không có cơ quan, đơn vị nào được mời đăng ký tham dự." if told else
                           "Không có cơ quan, đơn vị nào được mời.")
        if told:
            document.paragraph(told)
        return
    totals = _option_totals(data)
    options = list(totals)
    silent = sum(a.not_registered for a in data.attendance)
    document.paragraph(wording.text("attendance", {**words, **attendance_context(data, totals)}))
    if told:
        document.paragraph(told)
    first = 60.0
    rest = (document.text_width_mm - first - 16) / (len(options) + 1)
    widths = [first, 16.0, *[rest] * (len(options) + 1)]
    table = document.grid(widths, ["Thành phần", "Số được mời", *options, NOT_REGISTERED])
    for row in (row for row in data.attendance if row.invited):
        counts = dict(row.counts)
        document.grid_row(table, [_text(row.group), str(row.invited), *[str(counts.get(o, 0)) for o in options],
                                  str(row.not_registered)], ["left", *["center"] * (len(options) + 2)])
    document.grid_row(table, [[("Tổng cộng", True, False)], [(str(invited), True, False)],
                              *[[(str(totals[o]), True, False)] for o in options], [(str(silent), True, False)]],
                      ["left", *["center"] * (len(options) + 2)])
    document.paragraph("")
