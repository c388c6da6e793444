"""Read and check the staff forms after the deadline: handling comments, a new draft version, the UBND decision,
a revised draft and a follow-up round. Pure: raw values in, checked values out, FormErrors with every problem."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from config.calendar import WorkingCalendar
from config.calendar_words import not_a_date
from models import limits
from models.consolidation import HANDLING_LABELS, ExplanationRequired, Handling, check_handling
from models.text import whole_number
from workflows.engine.events import Command
from workflows.service.documents import INPUTS
from workflows.service.drafts import parse_sections
from workflows.service.errors import FormErrors
from workflows.service.followup import ISSUE_EVENT, RETURN_EVENT, decision_date_problem
from workflows.web.forms.draft_upload import DraftUpload, check_draft_upload
from workflows.web.forms.round_forms import (
    DeadlineChoice,
    FormValues,
    clean,
    compute_deadline,
    every,
    first,
    parse_date_text,
)

# --- handling comments -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class HandleForm:
    """The comments ticked in the triage table and the handling chosen for them, as typed."""

    comments: tuple[str, ...] = ()
    decision: str = ""
    explanation: str = ""


@dataclass(frozen=True)
class HandlingChoice:
    comment_ids: list[int]
    decision: Handling
    explanation: str | None


def read_handle_form(values: FormValues) -> HandleForm:
    return HandleForm(comments=tuple(every(values, "comment")), decision=first(values, "decision"),
                      explanation="\n".join(clean(v) for v in values.get("explanation") or [] if clean(v)))


def check_handle_form(form: HandleForm, known: Iterable[int]) -> HandlingChoice:
    """known: the comment ids of the current triage table (a stale page may tick one that is gone)."""
    errors: dict[str, str] = {}
    ids = [number for c in form.comments if (number := whole_number(c, 1)) is not None]
    present = set(known)
    if not form.comments:
        errors["comments"] = "Chưa chọn ý kiến nào: đánh dấu các ý kiến cần xử lý trong bảng."
    elif len(ids) != len(form.comments) or not set(ids) <= present:
        errors["comments"] = "Có ý kiến đã chọn không còn trong bảng tổng hợp; hãy tải lại trang."
    decision: Handling | None = None
    try:
        decision = Handling(form.decision)
    except ValueError:
        errors["decision"] = "Chọn cách xử lý: " + ", ".join(HANDLING_LABELS.values()).lower() + "."
    if problem := limits.text_problem("Nội dung giải trình", form.explanation, limits.EXPLANATION):
        errors["explanation"] = problem
    elif decision is not None:
        try:
            check_handling(decision, form.explanation)
        except ExplanationRequired as required:
            errors["explanation"] = required.message
    if errors:
        raise FormErrors(errors)
    assert decision is not None
    return HandlingChoice(ids, decision, form.explanation or None)


# --- a new draft version ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class DraftForm:
    sections: str = ""
    note: str = ""


@dataclass(frozen=True)
class NewDraft:
    upload: DraftUpload
    sections: list[str]
    note: str | None


def read_draft_form(values: FormValues) -> DraftForm:
    text = "\n".join(values.get("sections") or [])
    return DraftForm(sections="\n".join(clean(line) for line in text.splitlines() if clean(line)),
                     note=first(values, "note"))


def check_draft_form(form: DraftForm, upload: tuple[str, bytes] | None, limit_mb: int,
                     document: str = "dự thảo") -> NewDraft:
    """The file judged by its content and size, the headings one per line, the note; `document` is the kind's word
    for the file ("dự thảo", "hồ sơ thẩm định")."""
    errors: dict[str, str] = {}
    checked: DraftUpload | None = None
    if upload is None:
        errors["draft"] = f"Chọn tệp {document} (DOCX hoặc PDF)."
    else:
        try:
            checked = check_draft_upload(upload[0], upload[1], limit_mb)
        except FormErrors as problem:
            errors.update(problem.errors)
    sections = parse_sections(form.sections)
    problems = [limits.too_many("Các mục", len(sections), limits.DRAFT_SECTIONS, "mục")]
    problems += [limits.text_problem(f"Mục {number} (một mục một dòng)", section, limits.DRAFT_SECTION)
                 for number, section in enumerate(sections, start=1)]
    if found := next((problem for problem in problems if problem), None):
        errors["sections"] = found
    if too_long := limits.text_problem("Ghi chú", form.note, limits.DRAFT_NOTE):
        errors["note"] = too_long
    if errors:
        if upload is not None and "draft" not in errors:
            errors["draft"] = f"Hãy chọn lại tệp {document} (trình duyệt không giữ tệp khi biểu mẫu còn lỗi)."
        raise FormErrors(errors)
    assert checked is not None
    return NewDraft(checked, sections, form.note or None)


# --- the UBND decision -----------------------------------------------------------------------------------

# The two decisions a state with the capability "decide" records (ISSUE_EVENT, RETURN_EVENT: the plan issued with
# its number and date, or the draft returned with the reason). The form names each by its event without "decide_".
def decision_value(event: str) -> str:
    return event.removeprefix("decide_")


@dataclass(frozen=True)
class DecisionForm:
    outcome: str = ""  # decision_value of ISSUE_EVENT or RETURN_EVENT
    number: str = ""
    date: str = ""
    reason: str = ""


def read_decision_form(values: FormValues) -> DecisionForm:
    return DecisionForm(outcome=first(values, "outcome"), number=first(values, "number"), date=first(values, "date"),
                        reason=first(values, "reason"))


def check_decision_form(form: DecisionForm, today: date) -> Command:
    """Issued with its number and date, or returned with the reason: the command to execute."""
    errors: dict[str, str] = {}
    if form.outcome == decision_value(ISSUE_EVENT):
        if not form.number:
            errors["number"] = "Nhập số văn bản ban hành (ví dụ 123/KH-UBND)."
        elif problem := limits.text_problem("Số văn bản", form.number, limits.DOCUMENT_NUMBER):
            errors["number"] = problem
        issued_on = parse_date_text(form.date)
        if not form.date:
            errors["date"] = "Nhập ngày ban hành (ví dụ 20/12/2025)."
        elif issued_on is None:
            errors["date"] = not_a_date(form.date)
        elif problem := decision_date_problem(issued_on, today):
            errors["date"] = problem[0].upper() + problem[1:]
        if errors:
            raise FormErrors(errors)
        assert issued_on is not None
        return Command(ISSUE_EVENT, {"number": form.number, "date": issued_on.isoformat()})
    if form.outcome == decision_value(RETURN_EVENT):
        if not form.reason:
            errors["reason"] = "Nhập lý do UBND tỉnh trả lại dự thảo."
        elif problem := limits.text_problem("Lý do", form.reason, limits.REASON):
            errors["reason"] = problem
        if errors:
            raise FormErrors(errors)
        return Command(RETURN_EVENT, {"reason": form.reason})
    raise FormErrors({"outcome": "Chọn kết quả: ban hành hoặc trả lại."})


# --- after a return: the revised draft and the follow-up round -------------------------------------------

@dataclass(frozen=True)
class DeadlineForm:
    """A deadline as a date or N working days from today; `wanted` is False when it may be left out."""

    wanted: bool = True
    deadline_mode: str = "days"
    deadline_date: str = ""
    deadline_days: str = "10"


def read_deadline_form(values: FormValues, optional: bool) -> DeadlineForm:
    blank = DeadlineForm()
    return DeadlineForm(wanted=not optional or first(values, "new_deadline") == "on",
                        deadline_mode=first(values, "deadline_mode") or blank.deadline_mode,
                        deadline_date=first(values, "deadline_date"),
                        deadline_days=first(values, "deadline_days") if "deadline_days" in values
                        else blank.deadline_days)


def check_deadline_form(form: DeadlineForm, today: date, calendar: WorkingCalendar) -> DeadlineChoice | None:
    if not form.wanted:
        return None
    return compute_deadline(form.deadline_mode, form.deadline_date, form.deadline_days, today, calendar, "deadline")


@dataclass(frozen=True)
class FollowUpForm:
    units: tuple[str, ...] = ()
    deadline: DeadlineForm = DeadlineForm()


def read_follow_up_form(values: FormValues) -> FollowUpForm:
    return FollowUpForm(units=tuple(every(values, "unit")), deadline=read_deadline_form(values, optional=False))


def check_follow_up_form(form: FollowUpForm, units: Mapping[str, str], today: date,
                         calendar: WorkingCalendar) -> tuple[list[str] | None, DeadlineChoice]:
    """units: code -> name of the round's units. None means the same list as the round."""
    errors: dict[str, str] = {}
    chosen = [c for c in form.units if c in units]
    unknown = [c for c in form.units if c not in units]
    if unknown:
        errors["units"] = f"Không thuộc đợt này: {', '.join(unknown[:10])}. Đợt mới chỉ gửi cho các đơn vị của đợt cũ."
    elif not chosen:
        errors["units"] = "Chọn ít nhất một cơ quan, đơn vị."
    deadline: DeadlineChoice | None = None
    try:
        deadline = check_deadline_form(form.deadline, today, calendar)
    except FormErrors as problem:
        errors.update(problem.errors)
    if errors:
        raise FormErrors(errors)
    assert deadline is not None
    return (None if set(chosen) == set(units) else chosen), deadline


# --- inputs staff give to the documents ------------------------------------------------------------------

def _is_paragraphs(key: str) -> bool:
    spec = INPUTS.get(key)
    return spec is not None and spec.paragraphs


@dataclass(frozen=True)
class DocumentInputsForm:
    """The inputs as typed: paragraphs one a line, the Ministry letter by its number (from 1)."""

    values: tuple[tuple[str, str], ...] = ()

    def get(self, key: str) -> str:
        return dict(self.values).get(key, "")


def read_document_inputs_form(values: FormValues) -> DocumentInputsForm:
    """Every input the builders know (service.documents.INPUTS), drawn by its shape, never by its name."""
    typed = []
    for key in INPUTS:
        if key not in values:
            continue
        raw = "\n".join(values.get(key) or [])
        text = "\n".join(clean(line) for line in raw.splitlines() if clean(line)) if _is_paragraphs(key) \
            else first(values, key)
        typed.append((key, text))
    return DocumentInputsForm(tuple(typed))


def document_inputs_form(stored: Mapping[str, object]) -> DocumentInputsForm:
    """The stored inputs shown in the form."""
    typed = []
    for key, value in stored.items():
        if isinstance(value, list):
            typed.append((key, "\n".join(str(v) for v in value)))
        elif key == "ministry_letter_index" and isinstance(value, int):
            typed.append((key, str(value + 1)))
        else:
            typed.append((key, str(value)))
    return DocumentInputsForm(tuple(typed))


def check_document_inputs_form(form: DocumentInputsForm) -> dict[str, object]:
    """The values for set_document_inputs: a list of paragraphs, a 0-based index; an empty field removes."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    for key, text in form.values:
        if _is_paragraphs(key):
            values[key] = text.splitlines()
        elif key == "ministry_letter_index":
            if not text:
                values[key] = None
            elif (index := whole_number(text, 1)) is not None:
                values[key] = index - 1
            else:
                errors[key] = f"\"{text[:20]}\" không phải số thứ tự của một căn cứ (từ 1)."
        else:
            values[key] = text
    if errors:
        raise FormErrors(errors)
    return values

