"""A round's settings by the words staff read for them, in its kind's terms: what an edit of a draft round changed
("tên hồ sơ thẩm định", "hạn trả lời"), never the columns the audit keeps ("title", "deadline"). Pure."""
from __future__ import annotations

from models.text import lowfirst
from workflows.definition import Workflow

# The columns whose words do not depend on the kind.
_LABELS = {
    "subject": "trích yếu", "office": "phòng soạn thảo", "deadline": "hạn trả lời",
    "deadline_working_days": "hạn trả lời", "silence_is_agreement": "cách tính im lặng",
    "contact_name": "người liên hệ", "contact_title": "người liên hệ", "contact_phone": "người liên hệ",
    "signer_name": "người ký", "signer_title": "người ký", "timer_overrides": "nhắc việc",
    "addressees": "nơi nhận", "recipients": "nơi nhận", "legal_bases": "căn cứ", "dates": "ngày của đợt"}


def field_label(name: str, workflow: Workflow) -> str:
    """One column in staff's words: the title and the file in the kind's own ("tên hồ sơ thẩm định", "tệp hồ sơ
    thẩm định"); a column nobody named as it is."""
    if name == "title":
        return lowfirst(workflow.terms.title_label)
    if name in ("draft_filename", "draft_sha256"):
        return f"tệp {lowfirst(workflow.terms.document)}"
    return _LABELS.get(name, name)


def changed_words(changed: list[str], workflow: Workflow) -> list[str]:
    """The fields an edit changed in staff's words, each once: ["tên dự thảo", "hạn trả lời"]."""
    return list(dict.fromkeys(field_label(name, workflow) for name in changed))
