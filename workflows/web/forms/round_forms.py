"""Read and check the staff forms of a round (create, extend, paper answer): raw values in, NewRound or events out.

Pure: no database, no clock. Each reader keeps the raw text for re-display; each checker collects
every problem as `field -> Vietnamese message` and raises FormErrors (workflows/service/errors.py, shared
with the use cases that check a form's worth of input) with all of them.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from config.calendar import WorkingCalendar
from config.calendar_words import not_a_date
from models import limits
from models.errors import InvalidInput
from models.rounds import RecipientRole, ResponseChannel, ResponseKind
from models.text import capfirst, lowfirst, whole_number
from workflows.definition import ResponseSpec, TimerDef, TimeSpec, Workflow, parse_timespec
from workflows.definition.timespec import MAX_DAYS, Anchor, DayKind
from workflows.engine.events import Close, CommentInput, Extend, Respond
from workflows.engine.timers import DISABLED
from workflows.service.answer_input import AnswerInvalid, clean_proposals
from workflows.service.deadlines import ahead_problem, read_date
from workflows.service.errors import FormErrors
from workflows.service.round_contact import CONTACT_FIELDS, contact_problems
from workflows.service.rounds import Addressee, NewRound, check_round_dates, default_subject, silence_rule
from workflows.service.unit_lookup import UnitChoice
from workflows.web.forms.proposal_forms import read_proposal_forms, shown_proposal_forms

FormValues = Mapping[str, Sequence[str]]

ROLES: tuple[RecipientRole, ...] = (RecipientRole.COMMENT, RecipientRole.PUBLISH, RecipientRole.INFORM)
SIGNER_TITLES = ("GIÁM ĐỐC", "KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC")
PAPER_CHANNELS = (ResponseChannel.PAPER, ResponseChannel.EMAIL, ResponseChannel.PHONE)
MAX_COMMENT_ROWS = 200


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
        days = whole_number(days_text, 1, MAX_DAYS)
        if days is None:
            raise FormErrors({name: f"Số ngày làm việc phải là số nguyên từ 1 đến {MAX_DAYS}."})
        due = calendar.add_working_days(today, days)
        return DeadlineChoice(due, days, calendar.days_off_between(today, due), today)
    due_or_none = parse_date_text(date_text)
    if due_or_none is None:
        message = "Chưa nhập ngày." if not date_text else not_a_date(date_text)
        raise FormErrors({name: message})
    due = due_or_none
    problem = ahead_problem(calendar, today, due, noun="Ngày ")
    if problem is not None:
        raise FormErrors({name: problem[1]})
    return DeadlineChoice(due, None, calendar.days_off_between(today, due), today)


# --- reminder policy -------------------------------------------------------------------------------------

ANCHOR_WORDS: dict[str, str] = {Anchor.DEADLINE: "hạn trả lời", Anchor.CLOSING: "hạn cuối nhận trả lời",
                Anchor.LAUNCH: "ngày phát hành", Anchor.ENTERED: "ngày chuyển sang bước này"}
MAX_SHIFT = 60
MAX_TIMES = 10


@dataclass(frozen=True)
class ReminderChoice:
    """One reminder of the kind (an effect-only timer of its answering state) as the create form shows it.

    The definition fixes what it counts from and in which direction; staff switch it off or change the number
    of days (and, for a repeated reminder, the interval and the number of times). Numbers are the text typed.
    """

    name: str
    title: str
    spec: TimeSpec  # the definition's
    on: bool = True
    days: str = ""
    every: str = ""
    times: str = ""

    @property
    def field(self) -> str:
        """The form's field prefix: timer_<name>, timer_<name>_days, _every, _times."""
        return f"timer_{self.name}"

    @property
    def after(self) -> bool:
        return self.spec.offset > 0

    @property
    def repeats(self) -> bool:
        return self.spec.repeat_every is not None

    @property
    def anchor_words(self) -> str:
        return ANCHOR_WORDS.get(self.spec.anchor, str(self.spec.anchor))

    @property
    def day_words(self) -> str:
        return "ngày làm việc" if self.spec.day_kind is DayKind.WORKING else "ngày"

    @property
    def lowest(self) -> int:
        return 1 if self.after else 0


@dataclass(frozen=True)
class ReminderPolicy:
    """The reminders of a round as the form shows them, in the definition's order."""

    choices: tuple[ReminderChoice, ...] = ()


def reminder_timers(workflow: Workflow) -> list[TimerDef]:
    """The timers staff may switch off or move: those with effects only, in the state where units answer."""
    answering = workflow.answering_state()
    if answering is None:
        return []
    return [t for t in workflow.state(answering).timers if t.event is None]


def _default_choice(timer: TimerDef) -> ReminderChoice:
    spec = timer.at
    return ReminderChoice(timer.name, timer.title or timer.name, spec, True, str(abs(spec.offset)),
                          str(spec.repeat_every or ""), str(spec.max_times) if spec.repeat_every else "")


def default_policy(workflow: Workflow) -> ReminderPolicy:
    """The policy the workflow definition sets, for the form's first display."""
    return ReminderPolicy(tuple(_default_choice(t) for t in reminder_timers(workflow)))


def read_policy(values: FormValues, workflow: Workflow | None) -> ReminderPolicy:
    """The reminders as typed; a reminder the form did not show (another kind was chosen) keeps its default."""
    if workflow is None:
        return ReminderPolicy()
    choices = []
    for timer in reminder_timers(workflow):
        choice = _default_choice(timer)
        if f"{choice.field}_days" in values:
            choice = replace(choice, on=first(values, choice.field) == "on",
                             days=first(values, f"{choice.field}_days"),
                             every=first(values, f"{choice.field}_every"),
                             times=first(values, f"{choice.field}_times"))
        choices.append(choice)
    return ReminderPolicy(tuple(choices))


def policy_overrides(policy: ReminderPolicy, workflow: Workflow) -> dict[str, str]:
    """Timer overrides (time-spec grammar) for every reminder of the policy; FormErrors on bad numbers.

    A reminder moved past the close (the deadline plus the kind's grace period) would never be sent: refused.
    """
    errors: dict[str, str] = {}
    overrides: dict[str, str] = {}
    grace = workflow.grace_days()
    for choice in policy.choices:
        if not choice.on:
            overrides[choice.name] = DISABLED
            continue
        where = f"{choice.day_words} {'sau' if choice.after else 'trước'} {choice.anchor_words}"
        days = whole_number(choice.days, choice.lowest, MAX_SHIFT)
        if days is None:
            errors[f"{choice.field}_days"] = f"{choice.title}: số {where} phải từ {choice.lowest} đến {MAX_SHIFT}."
        elif (choice.after and choice.spec.anchor is Anchor.DEADLINE
              and (grace is None or (grace[1] is choice.spec.day_kind and days > grace[0]))):
            errors[f"{choice.field}_days"] = (f"{choice.title}: {days} {where} là sau khi đã kết thúc nhận trả lời; "
                                              "thư nhắc sẽ không được gửi.")
        every_n = times = None
        if choice.repeats:
            every_n = whole_number(choice.every, 1, MAX_SHIFT)
            times = whole_number(choice.times, 1, MAX_TIMES)
            if every_n is None:
                errors[f"{choice.field}_every"] = (f"{choice.title}: khoảng cách giữa hai lần nhắc từ 1 đến "
                                                   f"{MAX_SHIFT} {choice.day_words}.")
            if times is None:
                errors[f"{choice.field}_times"] = f"{choice.title}: số lần nhắc từ 1 đến {MAX_TIMES}."
        if days is None or (choice.repeats and (every_n is None or times is None)):
            continue
        offset = days if choice.after else -days
        spec = TimeSpec(choice.spec.anchor, offset, choice.spec.day_kind,
                        repeat_every=every_n, repeat_kind=choice.spec.repeat_kind, max_times=times or 1)
        overrides[choice.name] = str(spec)
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
    workflow: str = ""  # the name of a shipped kind; the page chooses the first one
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
    silence_is_agreement: bool | None = None  # None: the kind's default (the form shows no switch when impossible)
    legal_bases: str = ""
    recipients: RecipientChoice = RecipientChoice()
    dates: dict[str, str] = field(default_factory=dict)  # the kind's named dates (`dates:`) as typed: date_<key>


def prefilled_subject(workflow: Workflow) -> str:
    """What the create form's subject shows before a title is typed: the kind's subject ending in "..."."""
    return default_subject(workflow, "...")


def _silence_choice(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def read_round_form(values: FormValues, fixed_office: str | None,
                    workflows: Mapping[str, Workflow] | None = None) -> RoundForm:
    """The create form's values; a staff member's office is theirs whatever the form says."""
    workflow = first(values, "workflow")
    chosen = (workflows or {}).get(workflow)
    return RoundForm(
        title=first(values, "title"), subject=first(values, "subject"), workflow=workflow,
        office=fixed_office or first(values, "office"), deadline_mode=first(values, "deadline_mode") or "date",
        deadline_date=first(values, "deadline_date"), deadline_days=first(values, "deadline_days"),
        policy=read_policy(values, (workflows or {}).get(workflow)), contact_name=first(values, "contact_name"),
        contact_title=first(values, "contact_title"), contact_phone=first(values, "contact_phone"),
        signer_name=first(values, "signer_name"), signer_title=first(values, "signer_title"),
        silence_is_agreement=_silence_choice(first(values, "silence")),
        legal_bases="\n".join(clean(line) for line in "\n".join(values.get("legal_bases") or []).splitlines()
                              if clean(line)),
        recipients=read_recipients(values),
        dates={key: first(values, f"date_{key}") for key in (chosen.dates if chosen is not None else {})})


def form_of_round(new: NewRound, workflow: Workflow) -> RoundForm:
    """A saved draft round as the create form shows it, for its edit: the same fields, filled with its values."""
    choices = []
    for choice in default_policy(workflow).choices:
        spec = new.timer_overrides.get(choice.name)
        if spec == DISABLED:
            choice = replace(choice, on=False)
        elif spec is not None:
            parsed = parse_timespec(spec)
            choice = replace(choice, days=str(abs(parsed.offset)), every=str(parsed.repeat_every or ""),
                             times=str(parsed.max_times) if parsed.repeat_every else "")
        choices.append(choice)
    groups: dict[str, list[str]] = {}
    units: dict[str, list[str]] = {}
    for addressee in new.addressees:
        groups.setdefault(addressee.role.value, []).extend(addressee.groups)
        units.setdefault(addressee.role.value, []).extend(addressee.units)
    by_days = new.deadline_working_days is not None
    return RoundForm(
        title=new.title, subject=new.subject, workflow=new.workflow, office=new.office,
        deadline_mode="days" if by_days else "date", deadline_date=new.deadline.isoformat(),
        deadline_days=str(new.deadline_working_days) if by_days else RoundForm.deadline_days,
        policy=ReminderPolicy(tuple(choices)), contact_name=new.contact_name,
        contact_title=new.contact_title or "", contact_phone=new.contact_phone, signer_name=new.signer_name,
        signer_title=new.signer_title, silence_is_agreement=new.silence_is_agreement,
        legal_bases="\n".join(new.legal_bases), recipients=RecipientChoice(groups, units),
        dates={key: day.isoformat() for key, day in new.dates.items()})


_OFFICE = re.compile(rf"[A-Za-zĐđ0-9&._-]{{1,{limits.OFFICE}}}")
# The create form's texts: the field, its label in messages, and its limit (models.limits).
ROUND_FORM_TEXTS: tuple[tuple[str, str, int], ...] = (
    ("title", "Tên dự thảo", limits.TITLE), ("subject", "Trích yếu", limits.SUBJECT),
    ("contact_name", "Họ tên người liên hệ", limits.PERSON_NAME),
    ("contact_title", "Chức vụ người liên hệ", limits.JOB_TITLE),
    ("signer_name", "Họ tên người ký", limits.PERSON_NAME))


def check_round_form(form: RoundForm, *, today: date, calendar: WorkingCalendar,
                     workflows: Mapping[str, Workflow], known_groups: Iterable[str],
                     known_units: Iterable[str],
                     offices: Iterable[str] | None = None,
                     kept: Mapping[str, str | None] | None = None) -> tuple[NewRound, DeadlineChoice]:
    """The NewRound the form describes (without the draft file); FormErrors lists every problem. `offices`, when
    given, is the list the office must be picked from; `kept`, on a draft's edit, the contact and signer it has,
    which are not checked again (round_contact.check_round_contact)."""
    errors: dict[str, str] = {}
    workflow = workflows.get(form.workflow)
    # the title as the kind's create form labels it ("Tên hồ sơ thẩm định", "Tên hội thảo"; "Tên dự thảo" by default)
    title_label = workflow.terms.title_label if workflow is not None else "Tên dự thảo"
    if not form.title:
        errors["title"] = f"Nhập {lowfirst(title_label)}."
    if workflow is None:
        errors["workflow"] = "Chọn một quy trình."
    subject = form.subject
    # the title's place may sit inside quotes ('mời dự Hội thảo "..."'), so each kind's subject is tried with
    # every filler the form or a person leaves there
    prefilled = {default_subject(w, filler).rstrip(". …") for w in workflows.values() for filler in ("", "...", "…")}
    if subject.rstrip(". …") in prefilled | {""}:  # left as prefilled (by any kind): the kind's default
        subject = default_subject(workflow, form.title) if workflow is not None and form.title else ""
    typed = {"title": form.title, "subject": subject, "contact_name": form.contact_name,
             "contact_title": form.contact_title, "signer_name": form.signer_name}
    for name, label, limit in ROUND_FORM_TEXTS:
        problem = limits.text_problem(title_label if name == "title" else label, typed[name], limit)
        if problem is not None:
            errors.setdefault(name, problem)
    _check_legal_bases(form.legal_bases.splitlines(), errors)
    silence = False
    if workflow is not None:
        try:
            silence = silence_rule(workflow, form.silence_is_agreement)
        except InvalidInput:
            errors["silence"] = (f"Quy trình \"{workflow.title}\" không coi việc không trả lời là đồng ý; "
                                 "hãy bỏ lựa chọn này.")
    listed = list(offices) if offices is not None else None
    if listed is not None and form.office not in listed:
        errors["office"] = (f"Phòng \"{form.office[:limits.OFFICE]}\" không có trong danh sách phòng; chọn một phòng."
                            if form.office else "Chọn phòng soạn thảo.")
    elif not _OFFICE.fullmatch(form.office):
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
    errors.update(contact_problems({name: getattr(form, name) for name in CONTACT_FIELDS}, kept))
    if form.signer_title not in SIGNER_TITLES:
        errors["signer_title"] = "Chọn chức danh người ký."
    _check_recipients(form.recipients, set(known_groups), set(known_units), errors)
    dates = _checked_dates(form, workflow, deadline, errors) if workflow is not None else {}
    if errors:
        if "contact_title" in errors:  # the page has no place for it beside the field
            errors["form"] = " ".join(filter(None, (errors.get("form"), errors["contact_title"])))
        raise FormErrors(errors)
    assert deadline is not None and workflow is not None
    new = NewRound(
        title=form.title, subject=subject, workflow=workflow.name, office=form.office, deadline=deadline.due,
        addressees=form.recipients.addressees(), contact_name=form.contact_name,
        contact_phone=form.contact_phone, signer_name=form.signer_name, signer_title=form.signer_title,
        contact_title=form.contact_title or None, silence_is_agreement=silence,
        timer_overrides=overrides, deadline_working_days=deadline.working_days,
        legal_bases=tuple(form.legal_bases.splitlines()), dates=dates)
    return new, deadline


def _checked_dates(form: RoundForm, workflow: Workflow, deadline: DeadlineChoice | None,
                   errors: dict[str, str]) -> dict[str, date]:
    """The kind's named dates as typed (field date_<key>, labelled by the date's title): each given, a real date,
    and, when the kind says so, not before the deadline (the use case's own check, its message put by the field)."""
    dates: dict[str, date] = {}
    for key, declared in workflow.dates.items():
        typed = form.dates.get(key, "")
        if not typed:
            errors[f"date_{key}"] = f"Nhập {declared.title[:1].lower()}{declared.title[1:]}."
            continue
        day = parse_date_text(typed)
        if day is None:
            errors[f"date_{key}"] = not_a_date(typed, declared.title)
            continue
        dates[key] = day
    if deadline is not None and len(dates) == len(workflow.dates):
        try:
            check_round_dates(workflow, dates, deadline.due)
        except InvalidInput as problem:
            name, _, text = problem.message.partition(": ")
            field_name = f"date_{name.removeprefix('date ').strip()}"
            errors[field_name if field_name in {f"date_{k}" for k in workflow.dates} else "form"] = (
                capfirst(text))
    return dates


def _check_legal_bases(bases: list[str], errors: dict[str, str]) -> None:
    """Each căn cứ (one a line) within its limit, and not too many; a problem is shown above the form."""
    problems = [limits.too_many("Căn cứ", len(bases), limits.LEGAL_BASES, "dòng")]
    problems += [limits.text_problem(f"Căn cứ {number}", basis, limits.LEGAL_BASIS)
                 for number, basis in enumerate(bases, start=1)]
    found = [problem for problem in problems if problem]
    if found:
        errors["form"] = " ".join(filter(None, (errors.get("form"), *found)))


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


def check_extend_form(form: ExtendForm, unit_choice: UnitChoice | None, today: date,
                      calendar: WorkingCalendar) -> tuple[Extend, DeadlineChoice]:
    """unit_choice: the unit the form's unit field names (service/unit_lookup), None when it is empty."""
    errors: dict[str, str] = {}
    unit: str | None = None
    if form.scope == "unit":
        if unit_choice is None:
            errors["unit"] = "Chọn đơn vị được gia hạn: nhập mã hoặc tên đơn vị."
        elif unit_choice.problem:
            errors["unit"] = unit_choice.problem
        unit = unit_choice.code if unit_choice else None
    deadline: DeadlineChoice | None = None
    try:
        deadline = compute_deadline(form.deadline_mode, form.deadline_date, form.deadline_days, today, calendar,
                                    "new_deadline")
    except FormErrors as problem:
        errors.update(problem.errors)
    if not form.reason:
        errors["reason"] = "Nhập lý do gia hạn (được ghi vào nhật ký và thư thông báo)."
    elif too_long := limits.text_problem("Lý do", form.reason, limits.REASON):
        errors["reason"] = too_long
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
    proposals: tuple[dict[str, str], ...] = ()  # the forms typed, in order


def read_respond_form(values: FormValues, response: ResponseSpec | None = None, blank: int = 0) -> RespondForm:
    """The paper-answer form as posted; `blank` more empty forms when staff asked for one (\"Thêm một phiếu\")."""
    sections, texts, wordings = (list(values.get(n) or []) for n in ("section", "comment", "wording"))
    count = max(len(sections), len(texts), len(wordings))  # more than MAX_COMMENT_ROWS are refused, not cut

    def at(items: list[str], i: int) -> str:
        return clean(items[i]) if i < len(items) else ""

    rows = tuple(CommentRowInput(at(sections, i), at(texts, i), at(wordings, i)) for i in range(count))
    return RespondForm(unit=first(values, "unit"), kind=_given(values, "kind", RespondForm.kind),
                       channel=first(values, "channel") or ResponseChannel.PAPER.value, note=first(values, "note"),
                       late_accept=first(values, "late_accept") == "on", rows=rows,
                       proposals=_typed_proposals(values, response, blank))


def _typed_proposals(values: FormValues, response: ResponseSpec | None, blank: int) -> tuple[dict[str, str], ...]:
    if response is None or response.kind != "proposals":
        return ()
    typed = read_proposal_forms(response, values, lambda name: first(values, name))
    return tuple(shown_proposal_forms(response, typed, blank))




def check_respond_form(form: RespondForm, unit_choice: UnitChoice | None, workflow: Workflow,
                       entered_by: str, files: Mapping[str, str] | None = None) -> Respond:
    """A Respond event for a response received on paper (or by phone or email), entered by staff. `unit_choice`:
    the unit the form's unit field names (service/unit_lookup), None when it is empty. `files` holds the
    references of the files sent with it, by input name (service/attachments)."""
    terms = workflow.terms
    errors: dict[str, str] = {}
    if unit_choice is None:
        errors["unit"] = "Chọn đơn vị trả lời: nhập mã hoặc tên đơn vị."
    elif unit_choice.problem:
        errors["unit"] = unit_choice.problem
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
            errors[f"comment_{number}"] = f"Ý kiến số {number}: nhập nội dung {terms.verb}."
        for label, text, limit in (("mục/phần", row.section, limits.SECTION), ("nội dung", row.text, limits.COMMENT),
                                   ("đề xuất sửa đổi", row.wording, limits.COMMENT)):
            if too_long := limits.text_problem(f"Ý kiến số {number} ({label})", text, limit):
                errors.setdefault(f"comment_{number}", too_long)
        comments.append(CommentInput(row.text, row.section or None, row.wording or None))
    if len(comments) > MAX_COMMENT_ROWS:
        errors["comments"] = (f"Nhiều nhất {MAX_COMMENT_ROWS} {terms.answer} trong một lần ghi nhận "
                              f"(đang có {len(comments)}).")
    if form.kind == ResponseKind.COMMENTS.value and not comments:
        errors["comments"] = f"Nhập ít nhất một {terms.answer}, hoặc chọn \"{terms.agreed}\"."
    if form.kind == ResponseKind.AGREE.value and comments:
        errors["comments"] = f"Đã chọn \"{terms.agreed}\" nhưng có nhập ý kiến; chọn \"{terms.answered}\"."
    proposals: tuple[dict[str, str], ...] = ()
    typed_forms = [p for p in form.proposals if any(str(v or "").strip() for v in p.values())]
    if form.kind == ResponseKind.AGREE.value and (typed_forms or files):
        count = len(typed_forms) or 1
        errors["kind"] = (f"Đã chọn \"{terms.agreed}\" nhưng có điền {count} {terms.answer}: chọn "
                          f"\"{terms.answered}\" để ghi nhận {terms.answer}, hoặc xóa {terms.answer} đã điền.")
    if form.kind == ResponseKind.PROPOSALS.value:
        try:
            proposals = clean_proposals(workflow.response, form.proposals, files)
        except AnswerInvalid as invalid:
            for problem in invalid.problems:
                errors[problem.field] = problem.message
            errors["proposal"] = f"{capfirst(terms.answer)} chưa hợp lệ: xem lỗi ghi dưới từng mục."
    if too_long := limits.text_problem("Ghi chú", form.note, limits.ANSWER_NOTE):
        errors["note"] = too_long
    if errors:
        raise FormErrors(errors)
    assert unit_choice is not None and unit_choice.code is not None
    return Respond(unit_code=unit_choice.code, kind=ResponseKind(form.kind), entered_by=entered_by, channel=channel,
                   comments=tuple(comments) if form.kind == ResponseKind.COMMENTS.value else (),
                   proposals=proposals, note=form.note or None, late_accept=form.late_accept)


def read_close(values: FormValues) -> Close:
    reason = first(values, "reason")
    if problem := limits.text_problem("Lý do", reason, limits.REASON):
        raise FormErrors({"reason": problem})
    return Close(reason or None)
