"""A report collection driven through its emails (read at a real SMTP server on loopback) and its reminder letter:
none calls the programme's headings "đề cương" (the product's word; seed 003's request asks "theo các nội dung"),
and the reminder asks for "báo cáo kết quả thực hiện" by the day the round records."""
from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from docx import Document

from config.clock import FrozenClock
from models.rounds import RecipientRole
from notifications.testing import SmtpCapture
from workflows.engine.events import Launch
from workflows.service.app import App
from workflows.service.directory import import_units
from workflows.service.documents import RoundFacts, build_document, kind_documents
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.sweep import run_due

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STAFF = "Phạm Phi Long (TĐC)"
UNITS = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
INTERNAL_WORD = "đề cương"


def _text_of(message: object) -> str:
    return "\n".join(part.get_content() for part in message.walk()  # type: ignore[attr-defined]
                     if part.get_content_type() in ("text/plain", "text/html"))


def test_the_report_collection_mails_and_reminder_letter_say_what_its_letter_says(
        app: App, clock: FrozenClock, capture: SmtpCapture) -> None:
    import_units(app, UNITS, STAFF)
    clock.set(datetime(2025, 11, 20, 8, 30, tzinfo=TZ))
    round_id = create_round(app, NewRound(
        title="Chương trình quốc gia hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng sản phẩm, hàng hóa năm 2025",
        subject="", workflow="report_collection", office="TĐC", deadline=date(2025, 12, 5),
        addressees=(Addressee(groups=("so-ban-nganh",)), Addressee(units=("TTTT-VP",), role=RecipientRole.INFORM)),
        contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290", signer_name="Nông Thị Thanh Huyền"), STAFF)
    execute(app, round_id, Launch(), STAFF)
    run_due(app)
    clock.set(datetime(2025, 12, 3, 8, 5, tzinfo=TZ))  # the reminder two working days before the deadline
    run_due(app)
    clock.set(datetime(2025, 12, 8, 8, 5, tzinfo=TZ))  # the first overdue reminder
    run_due(app)
    subjects = {str(m["Subject"]).split(":")[0] for m in capture.messages}
    assert {"Đôn đốc", "Quá hạn"} <= subjects  # invitations and both reminders went out
    said = [m["Subject"] for m in capture.messages if INTERNAL_WORD in _text_of(m).lower()]
    assert said == []
    invitation = next(_text_of(m) for m in capture.messages if str(m["Subject"]).startswith("V/v"))
    assert "Quý cơ quan điền báo cáo trực tuyến theo từng nội dung qua đường dẫn dưới đây." in invitation

    facts = RoundFacts(app, round_id)
    key = next(c.key for c in kind_documents(facts) if c.builder == "reminder_letter")
    letter = "\n".join(p.text for p in Document(io.BytesIO(build_document(facts, key).content)).paragraphs)
    assert INTERNAL_WORD not in letter.lower()
    assert "đề nghị các cơ quan, đơn vị gửi báo cáo kết quả thực hiện về Sở Khoa học và Công nghệ" in letter
