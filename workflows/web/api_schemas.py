"""Request and response schemas of the JSON API (/api): strict, bounded, documented in OpenAPI.

Requests reject unknown fields and bound every string and list, so any input is either accepted or
answered with 422; text is stored in NFC without control characters.
"""
from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from models import limits
from models.text import stored_text
from workflows.service.answer_input import MAX_COMMENTS, MAX_PROPOSALS, form_text


def _clean(value: str) -> str:
    """NFC and trimmed; control characters and unpaired surrogates are refused (the database cannot keep them). The
    words say what is wrong only: the API's error names the field ("comments.0.text: có ký tự …")."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("có ký tự không hợp lệ.") from None
    text = stored_text(value)
    note = limits.text_note(text, 1_000_000)  # lengths are bounded by the schema itself
    if note is not None:
        raise ValueError(note)
    return text


def _nfc_code(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def _as_stored(value: Any) -> Any:
    """Text as it will be kept (NFC, line ends folded, trimmed) before its length is checked, so that the limits
    of models.limits count the same characters here as everywhere else (Vietnamese sent in NFD is not longer)."""
    return stored_text(value) if isinstance(value, str) else value


_NOT_BLANK = r"\S"  # JSON Schema patterns search: at least one visible character


# Free text: NFC, trimmed, no control characters; "required" ones must not be blank. Lengths are those of
# models.limits, counted on the text as kept (_as_stored runs before the schema's checks). Written out (not built by
# a function) so that type checkers see them as types.
TitleText = Annotated[str, Field(min_length=1, max_length=limits.TITLE, pattern=_NOT_BLANK),
                      BeforeValidator(_as_stored), AfterValidator(_clean)]
SubjectText = Annotated[str, Field(max_length=limits.SUBJECT), BeforeValidator(_as_stored), AfterValidator(_clean)]
# A round's contact and signer: bounded here, checked by the service's rules (service/round_contact.py: a name, a
# phone number that is one), which every entry point shares, so a blank name is refused in the words the CLI and the
# web say it, not the schema's.
NameText = Annotated[str, Field(max_length=limits.PERSON_NAME), BeforeValidator(_as_stored), AfterValidator(_clean)]
JobTitleText = Annotated[str, Field(min_length=1, max_length=limits.JOB_TITLE, pattern=_NOT_BLANK),
                         BeforeValidator(_as_stored), AfterValidator(_clean)]
OptionalJobTitle = Annotated[str, Field(max_length=limits.JOB_TITLE), BeforeValidator(_as_stored),
                             AfterValidator(_clean)]
# A phone of more than limits.PHONE characters is refused by the phone rule (422 bad_phone, in the words a phone "abc"
# gets), not by the schema's length: the schema only bounds what it reads.
PhoneText = Annotated[str, Field(max_length=limits.FIELD_CEILING), BeforeValidator(_as_stored),
                      AfterValidator(_clean)]
NoteText = Annotated[str, Field(max_length=limits.ANSWER_NOTE), BeforeValidator(_as_stored), AfterValidator(_clean)]
ReasonText = Annotated[str, Field(max_length=limits.REASON), BeforeValidator(_as_stored), AfterValidator(_clean)]
SectionText = Annotated[str, Field(max_length=limits.SECTION), BeforeValidator(_as_stored), AfterValidator(_clean)]
CommentText = Annotated[str, Field(min_length=1, max_length=limits.COMMENT, pattern=_NOT_BLANK),
                        BeforeValidator(_as_stored), AfterValidator(_clean)]
WordingText = Annotated[str, Field(max_length=limits.COMMENT), BeforeValidator(_as_stored), AfterValidator(_clean)]
def _as_field_text(value: Any) -> Any:
    """A form field's value as the CLI's --proposal-file takes it too (answer_input.form_text): a whole number as its
    digits; a list, an object, null, true/false or a decimal stay what they are, for the schema to refuse."""
    text = form_text(value)
    return _as_stored(text) if text is not None else value


FieldText = Annotated[str, Field(max_length=limits.FIELD_CEILING, description="Giới hạn riêng của từng trường: "
                                 "max_length trong GET /api/workflows; một số nguyên được nhận như chữ số của nó"),
                      BeforeValidator(_as_field_text)]
Key = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_-]+$")]
Code = Annotated[str, Field(min_length=1, max_length=limits.UNIT_CODE, pattern=r"^[A-Za-z0-9_.-]+$",
                            description="Mã đơn vị trong danh bạ, ví dụ SCT")]
GroupCode = Annotated[str, Field(min_length=1, max_length=limits.GROUP_CODE, pattern=r"^[A-Za-z0-9_.-]+$",
                                 description="Mã nhóm đơn vị, ví dụ so-ban-nganh")]
Office = Annotated[str, Field(min_length=1, max_length=limits.OFFICE,
                              pattern=r"^[^\x00-\x1f\x7f]*\S[^\x00-\x1f\x7f]*$", description="Mã phòng, ví dụ TĐC"),
                   BeforeValidator(_as_stored), AfterValidator(_nfc_code), AfterValidator(_clean)]
DeadlineText = Annotated[str, Field(
    min_length=1, max_length=40,
    pattern=r"^\s*(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}|\d{1,3}\s+[^\x00-\x1f\x7f]+)\s*$",
    description="Ngày (2025-12-05 hoặc 05/12/2025) hoặc số ngày làm việc tính từ hôm nay, ví dụ \"10 ngày làm việc\"",
    examples=["2025-12-05", "10 ngày làm việc"])]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Errors -------------------------------------------------------------------------------------------

class ErrorBody(BaseModel):
    code: str = Field(description="Mã ổn định cho máy đọc, ví dụ round_not_found, csrf_failed")
    message: str = Field(description="Thông báo tiếng Việt cho người đọc")


class ErrorOut(BaseModel):
    error: ErrorBody


# Session ------------------------------------------------------------------------------------------

class LoginIn(Strict):
    username: Annotated[str, Field(min_length=1, max_length=limits.USERNAME, description="Tên đăng nhập")]
    password: Annotated[str, Field(min_length=1, max_length=200, description="Mật khẩu")]


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: Literal["admin", "staff", "leader"]
    office: str | None


class SessionOut(BaseModel):
    csrf_token: str = Field(description="Gửi lại trong header X-CSRF-Token với mọi yêu cầu POST/DELETE")
    user: UserOut


class DoneOut(BaseModel):
    ok: bool = True


# Rounds (read) ------------------------------------------------------------------------------------

class RoundSummaryOut(BaseModel):
    id: int
    title: str
    workflow: str
    office: str
    status: str
    status_title: str
    deadline: date | None
    answered: int
    asked: int
    late: int = Field(description="Số đơn vị đã quá hạn mà chưa trả lời")
    next_timer: str | None
    next_timer_at: datetime | None
    launched_at: datetime | None
    workflow_title: str = ""
    next_timer_title: str | None = Field(None, description="Tên việc hẹn giờ tiếp theo, theo quy trình")


class UnitOut(BaseModel):
    unit_code: str
    unit_name: str
    role: Literal["comment", "publish", "inform"]
    email: Literal["none", "queued", "sent", "failed"]
    answer: Literal["comments", "agree", "proposals", "declined", "pending", "silent", "not_asked"]
    deadline: date | None
    late: bool
    extended: bool
    counted_as_agreement: bool
    reminders_sent: int
    first_opened_at: datetime | None
    last_opened_at: datetime | None
    flags: list[str]
    answer_label: str = Field("", description="Trạng thái trả lời theo từ ngữ của quy trình, ví dụ \"Có đề xuất\"")


class TimerOut(BaseModel):
    name: str
    due_at: datetime
    title: str = Field("", description="Tên việc hẹn giờ theo quy trình, ví dụ \"Nhắc trước hạn\"")


class EmptyGroupOut(BaseModel):
    """A group the round names that its letter will not reach (no unit of it among the round's recipients)."""

    code: str = Field(description="Mã nhóm")
    label: str = Field(description="Tên nhóm trong danh bạ")
    units_now: int = Field(description="Số đơn vị của nhóm trong danh bạ hiện nay: 0 khi nhóm còn trống; lớn hơn 0 "
                                       "khi đơn vị được thêm sau lúc lưu đợt (lưu lại nơi nhận để gửi cho họ)")
    notice: str = Field(description="Lời báo cho cán bộ, tiếng Việt")


class RoundOut(BaseModel):
    id: int
    title: str
    subject: str
    workflow: str
    office: str
    status: str
    status_title: str
    deadline: date | None
    dates: dict[str, date] = Field(default_factory=dict,
                                   description="Các ngày riêng của loại đợt (mục `dates` của quy trình), theo khóa")
    silence_is_agreement: bool
    silence_label: str | None = Field(None, description="Ghi chú cho đơn vị im lặng khi đợt coi im lặng là đồng ý")
    workflow_title: str = ""
    draft_version: int
    launched_at: datetime | None
    closed_at: datetime | None
    today: date
    counts: dict[str, int] = Field(
        description="Số đơn vị theo trạng thái trả lời (declined: trả lời từ chối, như \"Không tham dự\"), thư "
                    "(email_*), late, extended, opened (mọi đơn vị của đợt)")
    units: list[UnitOut] = Field(description="Các đơn vị của trang `page` (theo thứ tự của đợt)")
    units_total: int = Field(0, description="Số đơn vị của đợt")
    page: int = Field(1, description="Trang đang xem (một trang sau trang cuối cho trang cuối)")
    pages: int = Field(1, description="Số trang")
    per_page: int = Field(200, description="Số đơn vị mỗi trang")
    pending_timers: list[TimerOut]
    can_change: bool = Field(description="Người dùng hiện tại được thao tác trên đợt này")
    empty_groups: list[EmptyGroupOut] = Field(
        default_factory=list,
        description="Với đợt chưa phát hành: các nhóm được chọn mà thư sẽ không tới (chưa có đơn vị nào của nhóm "
                    "trong nơi nhận), như khi tạo đợt; danh sách rỗng khi mọi nhóm đều có đơn vị và khi đợt đã "
                    "phát hành")


class CommentOut(BaseModel):
    section: str | None
    text: str
    proposed_wording: str | None


class UnitResponseOut(BaseModel):
    unit_code: str
    unit_name: str
    revision: int
    kind: Literal["comments", "agree", "proposals"]
    received_at: datetime
    late: bool
    entered_by: str
    channel: Literal["web", "paper", "phone", "email"]
    note: str | None
    attachment_name: str | None
    comments: list[CommentOut]
    proposals: list[dict[str, str]] = Field(description="Các phiếu đã điền, mỗi phiếu một đối tượng "
                                                     "(trường -> nội dung)")


class AuditEventOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


class ChainBreakOut(BaseModel):
    seq: int
    reason: str


class AuditOut(BaseModel):
    events: list[AuditEventOut]
    chain_intact: bool
    chain_break: ChainBreakOut | None


# Rounds (commands) --------------------------------------------------------------------------------

class AddresseeIn(Strict):
    units: Annotated[list[Code], Field(max_length=5000,
                                       description="Mã các đơn vị trong danh bạ (GET /api/directory)")] = []
    groups: Annotated[list[GroupCode], Field(max_length=100, description="Mã các nhóm đơn vị: cả nhóm được gửi")] = []
    role: Literal["comment", "publish", "inform"] = Field(
        "comment", description="Vai trò: comment (trả lời), publish (đăng tải), inform (để biết)")


class NewRoundIn(Strict):
    """Mirrors NewRound; the draft file is attached on the web form, not through this endpoint."""

    title: TitleText = Field(description="Tên dự thảo, văn bản hay việc của đợt, như công văn ghi")
    subject: SubjectText | None = Field(None, description="Trích yếu, không ghi \"V/v\". Mặc định: trích yếu của "
                                                          "quy trình (terms.subject) với tên dự thảo")
    workflow: Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]*$")] | None = Field(
        None, description="Tên quy trình (GET /api/workflows). Mặc định: quy trình đầu tiên trong danh sách")
    office: Office
    deadline: DeadlineText
    addressees: Annotated[list[AddresseeIn], Field(min_length=1, max_length=20, description="Nơi nhận: đơn vị, "
                                                                                             "nhóm và vai trò")]
    contact_name: NameText = Field(description="Cán bộ đầu mối ghi trong công văn (bắt buộc, không để trống)")
    contact_title: OptionalJobTitle | None = Field(None, description="Chức vụ của cán bộ đầu mối")
    contact_phone: PhoneText = Field(description="Số điện thoại của cán bộ đầu mối: chữ số, khoảng trắng và + . - "
                                                 "( ), từ 6 đến 40 ký tự; sai: 422 bad_phone")
    signer_name: NameText = Field(description="Người ký công văn (bắt buộc, không để trống)")
    signer_title: JobTitleText = Field("GIÁM ĐỐC", description="Chức vụ người ký, ví dụ GIÁM ĐỐC, PHÓ GIÁM ĐỐC")
    silence_is_agreement: bool | None = Field(
        None, description="Quá hạn không trả lời được hiểu là đồng ý. Mặc định: theo quy trình; quy trình không có "
                          "câu thông báo (silence.possible = false) không nhận true")
    timer_overrides: Annotated[dict[Key, Annotated[str, Field(min_length=1, max_length=200)]],
                               Field(max_length=20, description="Tên bộ hẹn giờ -> mốc thời gian, hoặc \"off\"")] = {}
    dates: Annotated[dict[Key, date], Field(
        max_length=20, description="Các ngày riêng mà quy trình khai báo (dates:), ví dụ {\"event\": \"2025-08-20\"} "
                                   "(ngày tổ chức hội thảo); quy trình khai báo ngày nào thì phải ghi ngày đó")] = {}


class CreatedOut(BaseModel):
    id: int
    deadline: date
    deadline_working_days: int | None
    empty_groups: list[EmptyGroupOut] = Field(
        description="Nhóm được chọn mà chưa có đơn vị nào trong danh bạ: thư sẽ không gửi cho các nhóm này. Đợt vẫn "
                    "được tạo; danh sách rỗng khi mọi nhóm đều có đơn vị")


class CommentIn(Strict):
    section: SectionText | None = Field(None, description="Mục, điều, khoản của dự thảo mà ý kiến nói tới")
    text: CommentText = Field(description="Nội dung ý kiến")
    proposed_wording: WordingText | None = Field(None, description="Đề xuất sửa thành (câu chữ đơn vị đề nghị)")


class RespondIn(Strict):
    """A response received outside the personal link (on paper, by phone, by email)."""

    unit: Code
    kind: Literal["agree", "comments", "proposals"] = Field(
        description="agree (trả lời không kèm nội dung, theo lời của loại đợt: đồng ý, không có ý kiến; đợt đề xuất: "
                    "không có đề xuất; không gửi kèm proposals), comments (có ý kiến), proposals (gửi phiếu)")
    comments: Annotated[list[CommentIn], Field(max_length=MAX_COMMENTS, description="Các ý kiến, khi kind là "
                                                                                     "comments")] = []
    proposals: Annotated[list[Annotated[dict[Key, FieldText], Field(max_length=40)]],
                         Field(max_length=MAX_PROPOSALS, description="Các phiếu đề xuất, mỗi phiếu một đối tượng")] = []
    channel: Literal["paper", "phone", "email", "web"] = Field(
        "paper", description="Đơn vị trả lời qua: paper (văn bản giấy), phone, email, web")
    note: NoteText | None = Field(None, description="Ghi chú của người nhập, ví dụ số công văn trả lời")
    late_accept: bool = Field(False, description="Chấp nhận trả lời gửi sau khi đã kết thúc nhận trả lời")


class ExtendIn(Strict):
    new_deadline: DeadlineText
    unit: Code | None = Field(None, description="Chỉ gia hạn cho một đơn vị; bỏ trống: gia hạn cho cả đợt")
    reason: ReasonText | None = Field(None, description="Lý do gia hạn (ghi vào nhật ký)")


class RemindIn(Strict):
    # An empty list is refused, not read as "every unit": a client whose selection came out empty must not remind all.
    units: Annotated[list[Code], Field(min_length=1, max_length=5000)] | None = Field(
        None, description="Chỉ đôn đốc các đơn vị này (ít nhất một); không gửi trường này: mọi đơn vị chưa trả lời")


class CloseIn(Strict):
    reason: ReasonText | None = Field(None, description="Lý do kết thúc nhận trả lời sớm (ghi vào nhật ký)")


class LaunchIn(Strict):
    no_draft_reason: Annotated[str, Field(max_length=limits.NO_DRAFT_REASON), BeforeValidator(_as_stored),
                               AfterValidator(_clean)] | None = Field(
        None, description="Lý do phát hành không kèm dự thảo, khi loại đợt cần dự thảo mà đợt chưa có tệp "
                          "(ghi vào nhật ký); bỏ trống khi đợt đã có dự thảo")


class CommandOut(BaseModel):
    id: int
    status: str
    status_title: str
    messages: int = Field(description="Số thư được xếp hàng gửi")
    mail_notice: str | None = Field(None, description="Có khi thư chưa gửi được ngay: thao tác đã được ghi nhận, "
                                                      "thư nằm trong hộp thư đi và được gửi lại ở lần quét sau, "
                                                      "hoặc chờ ykien worker (nói rõ khi không có worker nào nhận "
                                                      "work pool)")


# Directory and workflows --------------------------------------------------------------------------

class DirectoryUnitOut(BaseModel):
    code: str
    name: str
    group: str
    group_label: str
    email: str
    contact_person: str | None
    phone: str | None


class ResponseFieldOut(BaseModel):
    key: str
    label: str
    required: bool
    kind: str
    options: list[str] = []
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None


class ResponseSpecOut(BaseModel):
    kind: str
    allow_agree: bool
    fields: list[ResponseFieldOut]


class TimerDefOut(BaseModel):
    name: str
    title: str = ""
    at: str
    time: str
    event: str | None


class SilenceOut(BaseModel):
    agreement: bool = Field(description="Mặc định của đợt mới")
    possible: bool = Field(description="Quy trình có câu thông báo: một đợt được coi im lặng là đồng ý")
    label: str


class StateOut(BaseModel):
    name: str
    title: str
    final: bool
    allows: list[str] = Field(default_factory=list, description="Các việc trạng thái cho phép (answer, remind, ...)")
    events: list[str]
    timers: list[TimerDefOut]


class WorkflowOut(BaseModel):
    name: str
    title: str
    initial: str
    recipient_roles: list[str]
    response: ResponseSpecOut
    states: list[StateOut]
    silence: SilenceOut | None = None
    grace_period: str | None = None
    terms: dict[str, Any] = Field(default_factory=dict, description="Từ ngữ của quy trình (đợt, trả lời, ...)")
