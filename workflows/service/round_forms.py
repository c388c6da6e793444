"""Read and check the staff forms of a round (create, extend, paper answer): raw values in, NewRound or events out.

Pure: no database, no clock. Each reader keeps the raw text for re-display; each checker collects
every problem as `field -> Vietnamese message` and raises FormErrors with all of them.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from config.calendar import WorkingCalendar
from models.errors import InvalidInput
from models.rounds import RecipientRole, ResponseChannel, ResponseKind
from workflows.definition import TimeSpec, Workflow
from workflows.definition.timespec import MAX_DAYS, Anchor, DayKind
from workflows.engine.events import Close, CommentInput, Extend, Respond
from workflows.engine.timers import DISABLED
from workflows.service.deadlines import read_date
from workflows.service.rounds import Addressee, NewRound

FormValues = Mapping[str, Sequence[str]]

ROLES: tuple[RecipientRole, ...] = (RecipientRole.COMMENT, RecipientRole.PUBLISH, RecipientRole.INFORM)
SIGNER_TITLES = ("GIÁM ĐỐC", "KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC")
DEFAULT_SUBJECT_PREFIX = "xin ý kiến góp ý đối với dự thảo "
REMIND_BEFORE = "remind_before"
REMIND_OVERDUE = "remind_overdue"
PAPER_CHANNELS = (ResponseChannel.PAPER, ResponseChannel.EMAIL, ResponseChannel.PHONE)
MAX_COMMENT_ROWS = 200


class FormErrors(InvalidInput):
    """Every problem of one submitted form, by field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()), "invalid_form")
        self.errors = errors


def clean(value: str | None) -> str:
    """Text as people type it: NFC, trimmed."""
    return unicodedata.normalize("NFC", value or "").strip()


def first(values: FormValues, name: str) -> str:
    given = values.get(name) or []
    return clean(given[0]) if given else ""


def every(values: FormValues, name: str) -> list[str]:
    """All non-blank values of a repeated field, in order, without repeats."""
    out: list[str] = []
    for value in values.get(name) or []:
        text = clean(value)
        if text and text not in out:
            out.append(text)
    return out


def parse_date_text(text: str) -> date | None:
    """2025-12-05 (the browser's date field) or 05/12/2025 (as letters write it); None when not a date."""
    return read_date(text)


def _whole_number(text: str, low: int, high: int) -> int | None:
    return int(text) if text.isdigit() and low <= int(text) <= high else None


# --- deadlines -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DeadlineChoice:
    """A deadline typed as a date or as N working days from today, with the days off before it."""

    due: date
    working_days: int | None
    days_off: list[tuple[date, str]]
    today: date


def compute_deadline(mode: str, date_text: str, days_text: str, today: date, calendar: WorkingCalendar,
                     name: str = "deadline") -> DeadlineChoice:
    """The deadline the form asks for; FormErrors({name: ...}) when it is unusable."""
    if mode == "days":
        days = _whole_number(days_text, 1, MAX_DAYS)
        if days is None:
            raise FormErrors({name: f"Số ngày làm việc phải là số nguyên từ 1 đến {MAX_DAYS}."})
        due = calendar.add_working_days(today, days)
        return DeadlineChoice(due, days, calendar.days_off_between(today, due), today)
    due_or_none = parse_date_text(date_text)
    if due_or_none is None:
        message = "Chưa nhập ngày." if not date_text else f"\"{date_text}\" không phải ngày; viết 05/12/2025."
        raise FormErrors({name: message})
    due = due_or_none
    if due < today:
        raise FormErrors({name: f"Ngày {due:%d/%m/%Y} đã qua (hôm nay là {today:%d/%m/%Y})."})
    if not calendar.is_working_day(due):
        reason = calendar.holiday_name(due) or "ngày nghỉ cuối tuần"
        following = calendar.next_working_day(due)
        raise FormErrors({name: f"Ngày {due:%d/%m/%Y} không phải ngày làm việc ({reason}); "
                                f"ngày làm việc tiếp theo là {following:%d/%m/%Y}."})
    return DeadlineChoice(due, None, calendar.days_off_between(today, due), today)


# --- reminder policy -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReminderPolicy:
    """The two reminders of a round as the form shows them; values are the text typed."""

    before_on: bool = True
    before_days: str = "2"
    overdue_on: bool = True
    overdue_after: str = "1"
    overdue_every: str = "2"
    overdue_times: str = "3"


def _timer_spec(workflow: Workflow, name: str) -> TimeSpec | None:
    for state in workflow.states.values():
        for timer in state.timers:
            if timer.name == name:
                return timer.at
    return None


def default_policy(workflow: Workflow) -> ReminderPolicy:
    """The policy the workflow definition sets, for the form's first display."""
    before = _timer_spec(workflow, REMIND_BEFORE)
    overdue = _timer_spec(workflow, REMIND_OVERDUE)
    policy = ReminderPolicy(before_on=before is not None, overdue_on=overdue is not None)
    values = {}
    if before is not None and before.anchor is Anchor.DEADLINE and before.offset <= 0:
        values["before_days"] = str(-before.offset)
    if overdue is not None and overdue.anchor is Anchor.DEADLINE and overdue.offset >= 0:
        values["overdue_after"] = str(overdue.offset)
        values["overdue_every"] = str(overdue.repeat_every or 1)
        values["overdue_times"] = str(overdue.max_times)
    return replace(policy, **values)


def read_policy(values: FormValues) -> ReminderPolicy:
    return ReminderPolicy(
        before_on=first(values, "remind_before") == "on", before_days=first(values, "remind_before_days"),
        overdue_on=first(values, "remind_overdue") == "on", overdue_after=first(values, "remind_overdue_after"),
        overdue_every=first(values, "remind_overdue_every"), overdue_times=first(values, "remind_overdue_times"))


def policy_overrides(policy: ReminderPolicy, workflow: Workflow) -> dict[str, str]:
    """Timer overrides (time-spec grammar) for the timers this workflow has; FormErrors on bad numbers."""
    errors: dict[str, str] = {}
    overrides: dict[str, str] = {}
    if _timer_spec(workflow, REMIND_BEFORE) is not None:
        if not policy.before_on:
            overrides[REMIND_BEFORE] = DISABLED
        elif (days := _whole_number(policy.before_days, 0, 60)) is None:
            errors["remind_before_days"] = "Số ngày làm việc trước hạn phải từ 0 đến 60."
        else:
            overrides[REMIND_BEFORE] = str(TimeSpec(Anchor.DEADLINE, -days, DayKind.WORKING))
    if _timer_spec(workflow, REMIND_OVERDUE) is not None:
        if not policy.overdue_on:
            overrides[REMIND_OVERDUE] = DISABLED
        else:
            after = _whole_number(policy.overdue_after, 1, 60)
            every_n = _whole_number(policy.overdue_every, 1, 60)
            times = _whole_number(policy.overdue_times, 1, 10)
            if after is None:
                errors["remind_overdue_after"] = "Nhắc quá hạn lần đầu: từ 1 đến 60 ngày làm việc sau hạn."
            if every_n is None:
                errors["remind_overdue_every"] = "Khoảng cách giữa hai lần nhắc: từ 1 đến 60 ngày làm việc."
            if times is None:
                errors["remind_overdue_times"] = "Số lần nhắc quá hạn: từ 1 đến 10."
            if after is not None and every_n is not None and times is not None:
                overrides[REMIND_OVERDUE] = str(TimeSpec(Anchor.DEADLINE, after, DayKind.WORKING,
                                                         repeat_every=every_n, max_times=times))
    if errors:
        raise FormErrors(errors)
    return overrides


# --- recipients ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RecipientChoice:
    """Groups and units ticked for each role (field names g_<role> and u_<role>)."""

    groups: dict[str, list[str]] = field(default_factory=dict)
    units: dict[str, list[str]] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not any(self.groups.values()) and not any(self.units.values())

    def addressees(self) -> tuple[Addressee, ...]:
        """Comment first: a unit given several roles keeps the first (see create_round)."""
        out = []
        for role in ROLES:
            groups, units = self.groups.get(role.value, []), self.units.get(role.value, [])
            if groups or units:
                out.append(Addressee(units=tuple(units), groups=tuple(groups), role=role))
        return tuple(out)

    def roles_of(self, directory: Iterable[tuple[str, str]]) -> dict[str, str]:
        """unit code -> role for every unit this choice reaches; directory gives (code, group) pairs."""
        result: dict[str, str] = {}
        pairs = list(directory)
        for role in ROLES:
            groups = set(self.groups.get(role.value, []))
            units = set(self.units.get(role.value, []))
            for code, group in pairs:
                if (group in groups or code in units) and code not in result:
                    result[code] = role.value
        return result


def read_recipients(values: FormValues) -> RecipientChoice:
    return RecipientChoice(groups={r.value: every(values, f"g_{r.value}") for r in ROLES},
                           units={r.value: every(values, f"u_{r.value}") for r in ROLES})


def count_by_role(choice: RecipientChoice, directory: Iterable[tuple[str, str]]) -> dict[str, int]:
    counts = {r.value: 0 for r in ROLES}
    for role in choice.roles_of(directory).values():
        counts[role] += 1
    return counts


# --- the create form -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RoundForm:
    """What the create form holds, as typed (re-displayed on error)."""

    title: str = ""
    subject: str = ""
    workflow: str = "consultation"
    office: str = ""
    deadline_mode: str = "days"
    deadline_date: str = ""
    deadline_days: str = "10"
    policy: ReminderPolicy = ReminderPolicy()
    contact_name: str = ""
    contact_title: str = ""
    contact_phone: str = ""
    signer_name: str = ""
    signer_title: str = SIGNER_TITLES[0]
    silence_is_agreement: bool = True
    legal_bases: str = ""
    recipients: RecipientChoice = RecipientChoice()


def read_round_form(values: FormValues, fixed_office: str | None) -> RoundForm:
    """The create form's values; a staff member's office is theirs whatever the form says."""
    return RoundForm(
        title=first(values, "title"), subject=first(values, "subject"), workflow=first(values, "workflow"),
        office=fixed_office or first(values, "office"), deadline_mode=first(values, "deadline_mode") or "date",
        deadline_date=first(values, "deadline_date"), deadline_days=first(values, "deadline_days"),
        policy=read_policy(values), contact_name=first(values, "contact_name"),
        contact_title=first(values, "contact_title"), contact_phone=first(values, "contact_phone"),
        signer_name=first(values, "signer_name"), signer_title=first(values, "signer_title"),
        silence_is_agreement=first(values, "silence") != "no",
        legal_bases="\n".join(clean(line) for line in "\n".join(values.get("legal_bases") or []).splitlines()
                              if clean(line)),
        recipients=read_recipients(values))


_PHONE = re.compile(r"[0-9 +.\-()]{6,40}")
_OFFICE = re.compile(r"[A-Za-zĐđ0-9&._-]{1,40}")


def check_round_form(form: RoundForm, *, today: date, calendar: WorkingCalendar,
                     workflows: Mapping[str, Workflow], known_groups: Iterable[str],
                     known_units: Iterable[str]) -> tuple[NewRound, DeadlineChoice]:
    """The NewRound the form describes (without the draft file); FormErrors lists every problem."""
    errors: dict[str, str] = {}
    if not form.title:
        errors["title"] = "Nhập tên dự thảo."
    elif len(form.title) > 1000:
        errors["title"] = "Tên dự thảo quá dài (tối đa 1000 ký tự)."
    subject = form.subject
    if subject.rstrip(". …") in ("", DEFAULT_SUBJECT_PREFIX.strip()):  # left as prefilled: complete it
        subject = DEFAULT_SUBJECT_PREFIX + form.title if form.title else ""
    if len(subject) > 1000:
        errors["subject"] = "Trích yếu quá dài (tối đa 1000 ký tự)."
    workflow = workflows.get(form.workflow)
    if workflow is None:
        errors["workflow"] = "Chọn một quy trình."
    if not _OFFICE.fullmatch(form.office):
        errors["office"] = "Nhập mã phòng soạn thảo (ví dụ TĐC), không có khoảng trắng."
    deadline: DeadlineChoice | None = None
    try:
        deadline = compute_deadline(form.deadline_mode, form.deadline_date, form.deadline_days, today, calendar)
    except FormErrors as problem:
        errors.update(problem.errors)
    overrides: dict[str, str] = {}
    if workflow is not None:
        try:
            overrides = policy_overrides(form.policy, workflow)
        except FormErrors as problem:
            errors.update(problem.errors)
    for name, label in (("contact_name", "người liên hệ"), ("signer_name", "người ký")):
        if not getattr(form, name):
            errors[name] = f"Nhập họ tên {label}."
    if not _PHONE.fullmatch(form.contact_phone) or not any(c.isdigit() for c in form.contact_phone):
        errors["contact_phone"] = "Số điện thoại chỉ gồm chữ số, khoảng trắng và + . - ( ) (ít nhất 6 ký tự)."
    if form.signer_title not in SIGNER_TITLES:
        errors["signer_title"] = "Chọn chức danh người ký."
    _check_recipients(form.recipients, set(known_groups), set(known_units), errors)
    if errors:
        raise FormErrors(errors)
    assert deadline is not None and workflow is not None
    new = NewRound(
        title=form.title, subject=subject, workflow=workflow.name, office=form.office, deadline=deadline.due,
        addressees=form.recipients.addressees(), contact_name=form.contact_name,
        contact_phone=form.contact_phone, signer_name=form.signer_name, signer_title=form.signer_title,
        contact_title=form.contact_title or None, silence_is_agreement=form.silence_is_agreement,
        timer_overrides=overrides, deadline_working_days=deadline.working_days,
        legal_bases=tuple(form.legal_bases.splitlines()))
    return new, deadline


def _check_recipients(choice: RecipientChoice, groups: set[str], units: set[str], errors: dict[str, str]) -> None:
    if choice.is_empty():
        errors["recipients"] = "Chọn ít nhất một nhóm hoặc một cơ quan, đơn vị nhận văn bản."
        return
    unknown_groups = sorted({g for gs in choice.groups.values() for g in gs} - groups)
    unknown_units = sorted({u for us in choice.units.values() for u in us} - units)
    if unknown_groups or unknown_units:
        names = ", ".join(unknown_groups + unknown_units)
        errors["recipients"] = f"Không có trong danh bạ: {names}. Hãy tải lại trang."


# --- actions on a round ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExtendForm:
    scope: str = "all"  # "all" or "unit"
    unit: str = ""
    deadline_mode: str = "date"
    deadline_date: str = ""
    deadline_days: str = "5"
    reason: str = ""


def _given(values: FormValues, name: str, default: str) -> str:
    """The typed value, or the default when the form did not send the field at all (first display)."""
    return first(values, name) if name in values else default


def read_extend_form(values: FormValues) -> ExtendForm:
    blank = ExtendForm()
    return ExtendForm(scope=first(values, "scope") or "all", unit=first(values, "unit"),
                      deadline_mode=_given(values, "deadline_mode", blank.deadline_mode),
                      deadline_date=first(values, "deadline_date"),
                      deadline_days=_given(values, "deadline_days", blank.deadline_days),
                      reason=first(values, "reason"))


def check_extend_form(form: ExtendForm, units: Mapping[str, str], today: date,
                      calendar: WorkingCalendar) -> tuple[Extend, DeadlineChoice]:
    """units: code -> name of the units that may be extended."""
    errors: dict[str, str] = {}
    unit: str | None = None
    if form.scope == "unit":
        unit = form.unit.split(" ", 1)[0] if form.unit else ""
        if not unit:
            errors["unit"] = "Chọn đơn vị được gia hạn."
        elif unit not in units:
            errors["unit"] = f"Đơn vị \"{unit}\" không được lấy ý kiến trong đợt này."
    deadline: DeadlineChoice | None = None
    try:
        deadline = compute_deadline(form.deadline_mode, form.deadline_date, form.deadline_days, today, calendar,
                                    "new_deadline")
    except FormErrors as problem:
        errors.update(problem.errors)
    if not form.reason:
        errors["reason"] = "Nhập lý do gia hạn (được ghi vào nhật ký và thư thông báo)."
    elif len(form.reason) > 1000:
        errors["reason"] = "Lý do quá dài (tối đa 1000 ký tự)."
    if errors:
        raise FormErrors(errors)
    assert deadline is not None
    return Extend(deadline.due, unit, form.reason), deadline


@dataclass(frozen=True)
class CommentRowInput:
    section: str = ""
    text: str = ""
    wording: str = ""


@dataclass(frozen=True)
class RespondForm:
    unit: str = ""
    kind: str = ResponseKind.COMMENTS.value
    channel: str = ResponseChannel.PAPER.value
    note: str = ""
    late_accept: bool = False
    rows: tuple[CommentRowInput, ...] = ()
    proposal: dict[str, str] = field(default_factory=dict)


def read_respond_form(values: FormValues, proposal_keys: Iterable[str] = ()) -> RespondForm:
    sections, texts, wordings = (list(values.get(n) or []) for n in ("section", "comment", "wording"))
    count = min(max(len(sections), len(texts), len(wordings)), MAX_COMMENT_ROWS)

    def at(items: list[str], i: int) -> str:
        return clean(items[i]) if i < len(items) else ""

    rows = tuple(CommentRowInput(at(sections, i), at(texts, i), at(wordings, i)) for i in range(count))
    return RespondForm(unit=first(values, "unit").split(" ", 1)[0], kind=_given(values, "kind", RespondForm.kind),
                       channel=first(values, "channel") or ResponseChannel.PAPER.value, note=first(values, "note"),
                       late_accept=first(values, "late_accept") == "on", rows=rows,
                       proposal={k: first(values, f"p_{k}") for k in proposal_keys})


def check_respond_form(form: RespondForm, units: Mapping[str, str], workflow: Workflow,
                       entered_by: str) -> Respond:
    """A Respond event for a response received on paper (or by phone or email), entered by staff."""
    errors: dict[str, str] = {}
    if not form.unit:
        errors["unit"] = "Chọn đơn vị trả lời."
    elif form.unit not in units:
        errors["unit"] = f"Đơn vị \"{form.unit}\" không được lấy ý kiến trong đợt này."
    allowed = {ResponseKind.PROPOSALS.value} if workflow.response.kind == "proposals" else {ResponseKind.COMMENTS.value}
    if workflow.response.allow_agree:
        allowed.add(ResponseKind.AGREE.value)
    if form.kind not in allowed:
        errors["kind"] = "Chọn loại trả lời."
    try:
        channel = ResponseChannel(form.channel)
    except ValueError:
        channel = ResponseChannel.PAPER
        errors["channel"] = "Chọn hình thức nhận."
    comments: list[CommentInput] = []
    for number, row in enumerate(form.rows, start=1):
        if not (row.section or row.text or row.wording):
            continue
        if not row.text:
            errors[f"comment_{number}"] = f"Ý kiến số {number}: nhập nội dung góp ý."
        comments.append(CommentInput(row.text, row.section or None, row.wording or None))
    if form.kind == ResponseKind.COMMENTS.value and not comments:
        errors["comments"] = "Nhập ít nhất một ý kiến góp ý, hoặc chọn \"Đồng ý / không có ý kiến\"."
    if form.kind == ResponseKind.AGREE.value and comments:
        errors["comments"] = "Đã chọn \"Đồng ý / không có ý kiến\" nhưng có nhập ý kiến; chọn \"Có ý kiến góp ý\"."
    proposal = None
    if form.kind == ResponseKind.PROPOSALS.value:
        proposal = {k: v for k, v in form.proposal.items() if v}
        missing = [f.label for f in workflow.response.fields if f.required and not proposal.get(f.key)]
        if missing:
            errors["proposal"] = "Phiếu đề xuất còn thiếu: " + ", ".join(missing) + "."
    if len(form.note) > 500:
        errors["note"] = "Ghi chú quá dài (tối đa 500 ký tự)."
    if errors:
        raise FormErrors(errors)
    return Respond(unit_code=form.unit, kind=ResponseKind(form.kind), entered_by=entered_by, channel=channel,
                   comments=tuple(comments) if form.kind == ResponseKind.COMMENTS.value else (),
                   proposal=proposal, note=form.note or None, late_accept=form.late_accept)


def read_close(values: FormValues) -> Close:
    reason = first(values, "reason")
    if len(reason) > 1000:
        raise FormErrors({"reason": "Lý do quá dài (tối đa 1000 ký tự)."})
    return Close(reason or None)
