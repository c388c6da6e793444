"""The name a signed letter is downloaded by (session 12, helper b, item 4), as the audit tab tells it and as it is
made: the document's file name and the round, "-ban-sao" for a copy, "-v2" from the second signing on."""
from __future__ import annotations

from workflows.service.registry import shipped_workflows
from workflows.service.signed_documents import shown_name


def test_the_shown_name_is_the_documents_and_the_rounds_with_a_version_only_from_the_second() -> None:
    assert shown_name("giay-moi-hoi-thao", 12, copy=False, version=1) == "giay-moi-hoi-thao-dot-12.pdf"
    assert shown_name("giay-moi-hoi-thao", 12, copy=False, version=2) == "giay-moi-hoi-thao-dot-12-v2.pdf"
    assert shown_name("cong-van-xin-y-kien", 3, copy=True, version=1) == "cong-van-xin-y-kien-dot-3-ban-sao.pdf"


def test_the_audit_tab_tells_the_name_a_signed_letter_is_downloaded_by_in_words() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from models.audit import AuditEvent
    from workflows.service.audit_view import audit_lines

    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    event = AuditEvent(round_id=3, seq=1, at=datetime(2025, 12, 1, 9, tzinfo=tz), actor="Phạm Phi Long (TĐC)",
                       action="document_signed", details={
                           "document_key": "request_letter", "title": "Công văn xin ý kiến",
                           "file": "cong-van-xin-y-kien-ky-06fc9cbeeb07.pdf", "name": "cong-van-xin-y-kien-dot-3.pdf",
                           "sha256": "ab" * 32, "copy": False}, prev_hash="", hash="0" * 64)
    (line,) = audit_lines([event], shipped_workflows()["consultation"], {}, tz)
    told = {d.label: d.value for d in line.details}
    assert told["tên tệp khi tải về"] == "cong-van-xin-y-kien-dot-3.pdf"
    assert "name" not in told
