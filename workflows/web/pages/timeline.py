"""The timeline of a round: its audit events told in plain Vietnamese ("Phát hành, gửi 39 thư"). Pure.

The words of the kind (what an answer is called, the titles of its timers and events) come from its definition.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from models.audit import AuditEvent
from models.consolidation import HANDLING_LABELS
from models.text import capfirst, lowfirst
from workflows.definition import TimerDef, Workflow
from workflows.service.audit_view import action_title
from workflows.service.signed_documents import SIGNED_ACTION

CHANNEL_LABELS = {"web": "qua đường dẫn trả lời", "paper": "bằng văn bản giấy", "phone": "qua điện thoại",
                  "email": "qua thư điện tử"}


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    at: datetime
    actor: str
    text: str
    tone: str = ""  # "", "ok", "warn" or "bad": the colour of the entry
    end_of_day: bool = False  # raised by a timer that fires once its day is over ("24:00"): it marks that day's end


@dataclass(frozen=True)
class _Names:
    units: Mapping[str, str]
    workflow: Workflow

    def unit(self, code: Any) -> str:
        return self.units.get(str(code), str(code))

    def state(self, name: Any) -> str:
        return self.workflow.state_title(str(name))

    def event(self, name: Any) -> str:
        return capfirst(action_title(str(name), self.workflow))

    def document(self, key: Any) -> str:
        found = self.workflow.documents.get(str(key))
        return found.title if found is not None else str(key)


def _day(value: Any) -> str:
    """A date (or an ISO date as the log keeps it) as dd/mm/yyyy; text that is no date as it is."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list) else 0


def _moved(d: Mapping[str, Any], names: _Names) -> str:
    return f"; chuyển sang \"{names.state(d['to'])}\"" if d.get("to") else ""


def _reason(d: Mapping[str, Any]) -> str:
    return f". Lý do: {d['reason']}" if d.get("reason") else ""


def _create(d: Mapping[str, Any], names: _Names) -> tuple[str, str]:
    return (f"Tạo {names.workflow.terms.round} (bản nháp), {d.get('recipients', '?')} cơ quan, đơn vị, "
            f"hạn {_day(d.get('deadline'))}", "")


def _launch(d: Mapping[str, Any], names: _Names) -> tuple[str, str]:
    return f"Phát hành, gửi {d.get('messages', 0)} thư", "ok"


def _respond(d: Mapping[str, Any], names: _Names) -> tuple[str, str]:
    """Through its link, the unit answered itself; on paper (phone, email), a staff member recorded its answer
    on its behalf ("thay mặt"), and is named."""
    terms = names.workflow.terms
    kind = str(d.get("kind"))
    if kind == "agree":
        what = terms.agreed[:1].lower() + terms.agreed[1:]
    elif kind == "proposals" and d.get("declined") and names.workflow.response.decline is not None:
        what = names.workflow.response.decline.label.lower()  # "không tham dự", not "gửi đăng ký tham dự"
    elif kind == "proposals":
        count = d.get("proposals")
        what = f"gửi {count} {terms.answer}" if isinstance(count, int) and count > 1 else f"gửi {terms.answer}"
    else:
        what = f"{d.get('comments', 0)} {terms.answer}"
    how = CHANNEL_LABELS.get(str(d.get("channel")), str(d.get("channel")))
    by = f"; {d['entered_by']} ghi nhận thay mặt đơn vị" if d.get("channel") != "web" and d.get("entered_by") else ""
    late = " (chấp nhận trả lời muộn)" if d.get("late_accept") else ""
    return f"{names.unit(d.get('unit'))} trả lời: {what}, {how}{by}{late}", "ok"


def _extend(d: Mapping[str, Any], names: _Names) -> tuple[str, str]:
    whom = names.unit(d["unit"]) if d.get("unit") else f"tất cả đơn vị ({_count(d.get('extended'))} đơn vị)"
    return f"Gia hạn cho {whom} đến {_day(d.get('new_deadline'))}{_reason(d)}{_moved(d, names)}", "warn"


def _remind(d: Mapping[str, Any], names: _Names) -> tuple[str, str]:
    skipped = _count(d.get("skipped"))
    extra = f" (bỏ qua {skipped} đơn vị đã trả lời)" if skipped else ""
    return f"Đôn đốc {_count(d.get('reminded'))} đơn vị{extra}", "warn"


def _close(d: Mapping[str, Any], names: _Names) -> tuple[str, str]:
    return f"{names.event('close')} trước hạn{_moved(d, names)}{_reason(d)}", ""


def _deadline_passed(d: Mapping[str, Any], names: _Names) -> tuple[str, str]:
    return f"{names.event('deadline_passed')}{_moved(d, names)}", ""


def _timer(workflow: Workflow, name: str) -> TimerDef | None:
    for state in workflow.states.values():
        for timer in state.timers:
            if timer.name == name:
                return timer
    return None


def _timer_fired(d: Mapping[str, Any], names: _Names) -> tuple[str, str] | None:
    """A reminder says whom it reached (after the deadline in red); a timer raising an event says nothing:
    the event's own entry that follows tells it."""
    name = str(d.get("timer"))
    timer = _timer(names.workflow, name)
    if timer is not None and timer.event:
        return None
    title = timer.title or name if timer is not None else name
    group = f" (hạn {_day(d['deadline'])})" if d.get("deadline") else ""
    occurrence = int(d.get("occurrence", 1) or 1)
    repeated = timer is not None and timer.at.repeat_every is not None
    which = f" lần {occurrence}:" if repeated else ""
    tone = "bad" if timer is not None and timer.at.offset > 0 else "warn"
    if "reminded" in d:
        return f"{title}{which} {_count(d.get('reminded'))} đơn vị{group}", tone
    return f"{title} đến hạn{group}", tone


def _timer_refused(d: Mapping[str, Any], names: _Names) -> tuple[str, str]:
    title = names.workflow.timer_title(str(d.get("timer")))
    return f"Bộ hẹn giờ \"{title}\" không thực hiện được: {d.get('message', d.get('code', ''))}", "bad"


def _task(label: str) -> Callable[[Mapping[str, Any], _Names], tuple[str, str]]:
    def describe(d: Mapping[str, Any], names: _Names) -> tuple[str, str]:
        return f"{label}: {names.workflow.task_title(str(d.get('task')))}", ""
    return describe


def _decision(d: Mapping[str, Any], names: _Names, label: str) -> tuple[str, str]:
    number = f" số {d['number']}" if d.get("number") else ""
    return f"{label}{number}{_reason(d)}{_moved(d, names)}", ""


def _draft_uploaded(d: Mapping[str, Any], names: _Names) -> tuple[str, str]:
    document = lowfirst(names.workflow.terms.document)  # the kind's word: "hồ sơ thẩm định", "dự thảo"
    return f"Tải lên {document} phiên bản {d.get('version', '?')}: {d.get('file', '')}", ""


def _comments_handled(d: Mapping[str, Any], names: _Names) -> tuple[str, str]:
    labels = {h.value: label.lower() for h, label in HANDLING_LABELS.items()}
    decision = labels.get(str(d.get("decision")), str(d.get("decision")))
    return f"Xử lý {_count(d.get('comments'))} ý kiến: {decision}", ""


def _follow_up(d: Mapping[str, Any], names: _Names) -> tuple[str, str]:
    return f"Tạo đợt tiếp theo số {d.get('round', '?')} cho {d.get('units', '?')} đơn vị", ""


DESCRIBE: dict[str, Callable[[Mapping[str, Any], _Names], tuple[str, str] | None]] = {
    "create": _create,
    "launch": _launch,
    "respond": _respond,
    "extend": _extend,
    "remind": _remind,
    "close": _close,
    "deadline_passed": _deadline_passed,
    "timer_fired": _timer_fired,
    "timer_ignored": lambda d, n: None,
    "timer_refused": _timer_refused,
    "task_opened": _task("Mở việc"),
    "task_done": _task("Hoàn thành việc"),
    "draft_uploaded": _draft_uploaded,
    "comments_handled": _comments_handled,
    "follow_up_round": _follow_up,
    "decide_issued": lambda d, n: _decision(d, n, "UBND tỉnh ban hành"),
    "decide_returned": lambda d, n: _decision(d, n, "UBND tỉnh trả lại để chỉnh sửa"),
}


def _numbered(action: str) -> Callable[[Mapping[str, Any], _Names], tuple[str, str]]:
    """A number of the register (taken, entered, cancelled): which number, for which document, on which day."""
    def describe(d: Mapping[str, Any], names: _Names) -> tuple[str, str]:
        day = f" ngày {_day(d['issued_on'])}" if d.get("issued_on") else ""
        what = names.document(d.get("document"))
        return f"{names.event(action)} {d.get('number', '?')}{day}: {what}{_reason(d)}", ""
    return describe


def _signed(d: Mapping[str, Any], names: _Names) -> tuple[str, str]:
    number = f" số {d['number']}" if d.get("number") else ""
    copy = " (bản sao)" if d.get("copy") else ""
    signer = f", người ký {d['signer']}" if d.get("signer") else ""
    return f"Ký số {d.get('title') or names.document(d.get('document_key'))}{number}{copy}{signer}", "ok"


DESCRIBE.update({"number_taken": _numbered("number_taken"), "number_entered": _numbered("number_entered"),
                 "number_cancelled": _numbered("number_cancelled"), SIGNED_ACTION: _signed})


def _generic(action: str, d: Mapping[str, Any], names: _Names) -> tuple[str, str]:
    return f"{names.event(action)}{_moved(d, names)}", ""


def timeline(events: Sequence[AuditEvent], unit_names: Mapping[str, str],
             workflow: Workflow) -> list[TimelineEntry]:
    """One line per event worth telling, oldest first; events nobody needs to read are left out."""
    names = _Names(unit_names, workflow)
    out = []
    ends_of_day: set[datetime] = set()  # when end-of-day timers fired: what their events did then ends that day too
    for event in events:
        timer = _timer(workflow, str(event.details.get("timer")))
        if timer is not None and timer.end_of_day:
            ends_of_day.add(event.at)
        describe = DESCRIBE.get(event.action)
        told = describe(event.details, names) if describe else _generic(event.action, event.details, names)
        if told is not None:
            out.append(TimelineEntry(event.seq, event.at, names.unit(event.actor), told[0], told[1],
                                     event.at in ends_of_day))
    return out
