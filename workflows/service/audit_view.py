"""The audit tab as staff read it: each recorded action and its details in Vietnamese words, from the round's
definition and the directory, never the codes the log stores ("consultation", "remind_before", "2025-12-05").

Pure: the page passes the events, the round's definition, the names of its units and the local time zone.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from functools import cached_property
from typing import Any

from models.audit import AuditEvent
from models.consolidation import HANDLING_LABELS
from models.moments import MOMENT_FORMAT
from models.register import SOURCE_LABELS
from models.text import lowfirst
from models.unit_status import answer_labels
from workflows.definition import Workflow
from workflows.service.assignments import action_labels as task_action_labels
from workflows.service.documents import inputs_of
from workflows.service.register import action_labels
from workflows.service.round_fields import changed_words
from workflows.service.signed_documents import SIGNED_ACTION

# Actions the service records itself (not events of the round's definition), as staff read them.
AUDIT_LABELS = {"create": "tạo đợt", "timer_fired": "bộ hẹn giờ", "timer_refused": "bộ hẹn giờ bị từ chối",
                "timer_ignored": "bộ hẹn giờ bỏ qua", "task_opened": "mở việc", "task_done": "hoàn thành việc",
                "comments_handled": "xử lý ý kiến",
                "follow_up_round": "tạo đợt tiếp theo", "round_edited": "sửa bản nháp",
                "document_inputs_set": "cập nhật thông tin văn bản",
                SIGNED_ACTION: "ký số văn bản"}
# Keys of audit details as staff read them.
DETAIL_LABELS = {
    "unit": "đơn vị", "units": "các đơn vị", "kind": "loại trả lời", "comments": "số ý kiến",
    "proposals": "số phiếu đề xuất", "entered_by": "người nhập", "channel": "kênh", "late_accept": "nhận muộn",
    "messages": "số thư", "from": "từ", "to": "sang", "state": "trạng thái", "new_deadline": "hạn mới",
    "old_deadline": "hạn cũ", "reason": "lý do", "extended": "được gia hạn", "reminded": "được đôn đốc",
    "skipped": "bỏ qua", "timer": "hẹn giờ", "deadline": "hạn", "occurrence": "lần", "title": "tên",
    "workflow": "quy trình", "recipients": "số đơn vị", "silence_is_agreement": "im lặng là đồng ý",
    "draft_sha256": "SHA-256 dự thảo", "task": "việc", "decision": "quyết định", "explanation": "giải trình",
    "version": "phiên bản", "file": "tệp", "sections": "số mục", "number": "số văn bản", "date": "ngày",
    "package": "hồ sơ", "sha256": "SHA-256", "round": "đợt", "note": "ghi chú", "message": "nội dung",
    "register": "sổ", "year": "năm", "document": "văn bản", "document_key": "văn bản", "issued_on": "ngày văn bản",
    "entry": "số thứ tự trong sổ", "source": "nguồn số", "copy": "bản sao", "signer": "người ký",
    "organisation": "cơ quan ký", "timestamped": "có dấu thời gian", "changed": "thông tin đã đổi",
    "no_draft_reason": "lý do không kèm dự thảo", "due": "hạn nộp", "late": "trễ hạn", "fields": "các mục đã nộp",
    "declined": "từ chối", "name": "tên tệp khi tải về",
}
# Keys naming the file a round sends, told in its kind's word (terms.document).
DRAFT_LABELS = {"draft_sha256": "SHA-256 {document}", "no_draft_reason": "lý do không kèm {document}"}
# The same keys when they hold a list of numbers rather than a count (the comments one handling covered: their ids,
# "mã", which never change, and their numbers in the bảng tổng hợp when handled, which a later answer may move).
NUMBERS_LABELS = {"comments": "mã ý kiến", "numbers": "ý kiến số (trong bảng tổng hợp)", "proposals": "phiếu số",
                  "sections": "mục"}
CHANNELS = {"web": "đường dẫn trả lời", "paper": "văn bản giấy", "phone": "điện thoại", "email": "thư điện tử"}
UNIT_KEYS = frozenset({"unit", "units", "extended", "reminded", "skipped", "entered_by"})  # codes or names
STATE_KEYS = frozenset({"from", "to", "state"})
DOCUMENT_KEYS = frozenset({"document", "document_key"})
# A machine code beside a sentence that says the same thing for people (timer_refused: code and message).
HIDDEN_KEYS = frozenset({"code"})
LIST_SHOWN = 8  # a longer list shows its length and its first items

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@dataclass(frozen=True)
class AuditDetail:
    label: str
    value: str


@dataclass(frozen=True)
class AuditLine:
    """One row of the audit tab: when, who, what, the details in words, and the event's hash."""

    seq: int
    at: datetime
    actor: str
    action: str
    details: tuple[AuditDetail, ...]
    hash: str


def action_title(action: str, workflow: Workflow) -> str:
    """What staff call a recorded action: the kind's event title, else the service's own, the register's or
    signing's label; the code itself only for an action nobody has named."""
    if action in workflow.events:
        return workflow.event_title(action)
    if action == "draft_uploaded":  # the file the kind sends: "tải lên hồ sơ thẩm định"
        return f"tải lên {lowfirst(workflow.terms.document)}"
    return {**AUDIT_LABELS, **action_labels(), **task_action_labels()}.get(action, action)


def format_moment(value: date | datetime | str, tz: tzinfo) -> str | None:
    """A date as dd/mm/yyyy, a moment as local HH:MM dd/mm/yyyy; None for text that is neither."""
    if isinstance(value, str):
        text = value.strip()
        try:
            if _ISO_DATE.match(text):
                value = date.fromisoformat(text)
            elif _ISO_DATETIME.match(text):
                value = datetime.fromisoformat(text.replace("Z", "+00:00"))
            else:
                return None
        except ValueError:
            return None
    if isinstance(value, datetime):
        moment = value.astimezone(tz) if value.tzinfo is not None else value
        return moment.strftime(MOMENT_FORMAT)
    return value.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class _Words:
    workflow: Workflow
    units: Mapping[str, str]
    tz: tzinfo
    list_shown: int | None = LIST_SHOWN  # None: every item of a list (a file kept for the record)

    def plain(self, value: Any) -> str:
        """A value with no key-specific meaning: booleans, dates and moments in Vietnamese, lists and maps joined."""
        if value is True:
            return "có"
        if value is False:
            return "không"
        if isinstance(value, (date, datetime, str)):
            return format_moment(value, self.tz) or str(value)
        if isinstance(value, (list, tuple)):
            return self.listed([self.plain(v) for v in value])
        if isinstance(value, Mapping):
            return "; ".join(f"{DETAIL_LABELS.get(str(k), str(k))}: {self.plain(v)}" for k, v in value.items())
        return str(value)

    def listed(self, items: Sequence[str], noun: str = "đơn vị") -> str:
        shown = self.list_shown
        if shown is not None and len(items) > shown:
            return f"{len(items)} {noun}: {', '.join(items[:shown])}, …"
        return ", ".join(items)

    @cached_property  # once per audit, not per event that names fields
    def field_labels(self) -> dict[str, str]:
        """The labels of the kind's answer and task fields by key ("paper_title" -> "Tên tham luận")."""
        fields = [*self.workflow.response.fields, *(f for t in self.workflow.assignments.values() for f in t.fields)]
        return {f.key: f.label for f in fields}

    @cached_property
    def input_labels(self) -> dict[str, str]:
        """The labels of the inputs the kind's documents read, by key ("venue" -> "Địa điểm hội thảo"); an input
        its definition no longer reads keeps its key."""
        return {spec.key: spec.label for spec in inputs_of(self.workflow)}

    def details(self, details: Mapping[str, Any]) -> tuple[AuditDetail, ...]:
        """The event's details worth a line, in words; the document inputs an update changed each on its own line,
        under its form's label ("Địa điểm hội thảo"), never under its key ("venue"); the action says they changed."""
        told: list[AuditDetail] = []
        for key, value in details.items():
            if not self.shown(key, value, details):
                continue
            if key == "changed" and isinstance(value, Mapping):
                labels = self.input_labels
                told.extend(AuditDetail(labels.get(str(name), str(name)),
                                        "(đã xóa)" if item is None else self.plain(item))
                            for name, item in value.items())
            else:
                told.append(AuditDetail(self.label(key, value), self.value(key, value)))
        return tuple(told)

    def label(self, key: str, value: Any) -> str:
        """The detail's label; a count of answers in the words of a kind whose answers are forms ("số báo cáo")."""
        if key == "proposals" and not isinstance(value, (list, tuple)) and self.workflow.response.kind == "proposals":
            return f"số {self.workflow.terms.answer}"
        if key in DRAFT_LABELS:  # the file the round sends, in the kind's word ("hồ sơ thẩm định", not "dự thảo")
            return DRAFT_LABELS[key].format(document=lowfirst(self.workflow.terms.document))
        return _label(key, value)

    def shown(self, key: str, value: Any, details: Mapping[str, Any]) -> bool:
        """Whether a detail is worth a line: not a count of comments a kind whose answers are forms never takes."""
        if key == "comments" and value == 0 and self.workflow.response.kind == "proposals":
            return False
        return _shown(key, value, details)

    def unit(self, code: Any) -> str:
        return self.units.get(str(code), str(code))

    def value(self, key: str, value: Any) -> str:
        wf = self.workflow
        if key in UNIT_KEYS:
            return self.listed([self.unit(c) for c in value]) if isinstance(value, (list, tuple)) else self.unit(value)
        if key in STATE_KEYS:
            return wf.state_title(str(value))
        if key == "timer":
            return wf.timer_title(str(value))
        if key == "task":  # a preparatory task given to units (a workshop's paper), else a task staff were opened
            task = wf.assignments.get(str(value))
            return task.title if task is not None else wf.task_title(str(value))
        if key == "changed" and isinstance(value, (list, tuple)):  # the columns an edit changed, in staff's words
            return ", ".join(changed_words([str(v) for v in value], wf))
        if key == "fields" and isinstance(value, (list, tuple)):
            return self.listed([self.field_labels.get(str(v), str(v)) for v in value], "mục")
        if key == "workflow" and value == wf.name:
            return wf.title
        if key == "kind":
            labels = {a.value: label for a, label in answer_labels(wf.terms.answered, wf.terms.agreed).items()}
            return labels.get(str(value), str(value))
        if key == "channel":
            return CHANNELS.get(str(value), str(value))
        if key == "decision":
            handling = {h.value: label for h, label in HANDLING_LABELS.items()}
            return handling.get(str(value)) or wf.event_title(str(value))
        if key in DOCUMENT_KEYS and str(value) in wf.documents:
            return wf.documents[str(value)].title
        if key == "source":
            return {s.value: label for s, label in SOURCE_LABELS.items()}.get(str(value), str(value))
        if key in NUMBERS_LABELS and isinstance(value, (list, tuple)):
            return self.listed([self.plain(v) for v in value], "mục")
        return self.plain(value)


def _label(key: str, value: Any) -> str:
    if key in NUMBERS_LABELS and isinstance(value, (list, tuple)):
        return NUMBERS_LABELS[key]
    return DETAIL_LABELS.get(key, key)


def _shown(key: str, value: Any, details: Mapping[str, Any]) -> bool:
    if value is None or value == [] or value == "" or value == {}:
        return False
    return not (key in HIDDEN_KEYS and details.get("message"))


def audit_lines(events: Sequence[AuditEvent], workflow: Workflow, unit_names: Mapping[str, str],
                tz: tzinfo, *, whole_lists: bool = False) -> list[AuditLine]:
    """Every event of the round's log, in order, told in words; the hash as stored, for the chain. A long list (the
    units reminded) shows its first items, or every one with `whole_lists`."""
    words = _Words(workflow, unit_names, tz, None if whole_lists else LIST_SHOWN)
    return [AuditLine(e.seq, e.at, words.unit(e.actor), action_title(e.action, workflow), words.details(e.details),
                      e.hash)
            for e in events]
