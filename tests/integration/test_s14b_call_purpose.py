"""A call for proposals whose V/v is seed 001's ("tuyên truyền, phổ biến và phối hợp đề xuất nhiệm vụ KH&CN ..."):
its letter asks the units and the businesses to propose ("chủ động đề xuất nhiệm vụ KH&CN ..."), as the seed does,
not to "chủ động tuyên truyền, phổ biến và phối hợp đề xuất"; the report to UBND tỉnh when nobody proposed says the
units were told "để đề xuất nhiệm vụ ..." (seed 002), and its V/v and the list to the Ministry are about proposing,
not about the Sở's own "tuyên truyền, phổ biến". The call's own V/v stays as staff typed it. The list to the Ministry
says the call ended on the day it did: a unit's extension, not the first deadline."""
from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from docx import Document

from config.clock import FrozenClock
from models.rounds import RecipientRole, ResponseKind
from workflows.engine.events import Close, Extend, Launch, Respond
from workflows.service.app import App
from workflows.service.directory import import_units
from workflows.service.documents import RoundFacts, build_document, kind_documents, set_document_inputs
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.sweep import run_due

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STAFF = "Phạm Phi Long (QLKH)"
UNITS = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
ACT = "đề xuất nhiệm vụ KH&CN cấp quốc gia dự kiến thực hiện từ năm 2026 thuộc Chương trình 1322"
SUBJECT = f"tuyên truyền, phổ biến và phối hợp {ACT}"


def _text(app: App, round_id: int, builder: str) -> str:
    facts = RoundFacts(app, round_id)
    key = next(c.key for c in kind_documents(facts) if c.builder == builder)
    document = Document(io.BytesIO(build_document(facts, key).content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return " ".join(" ".join([p.text for p in document.paragraphs] + cells).split())


def _call(app: App, clock: FrozenClock) -> int:
    import_units(app, UNITS, STAFF)
    clock.set(datetime(2025, 7, 29, 8, 30, tzinfo=TZ))
    round_id = create_round(app, NewRound(
        title="Nhiệm vụ KH&CN cấp quốc gia thuộc Chương trình 1322 năm 2026", subject=SUBJECT,
        workflow="proposal_call", office="QLKH", deadline=date(2025, 8, 8),
        addressees=(Addressee(groups=("so-ban-nganh", "xa-phuong")),
                    Addressee(units=("TTTT-VP",), role=RecipientRole.PUBLISH)),
        contact_name="Ông Phạm Phi Long", contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền",
        legal_bases=("Công văn số 3347/BKHCN-TĐC ngày 24/7/2025 của Bộ Khoa học và Công nghệ",)), STAFF)
    set_document_inputs(app, round_id, {"department_address": "tầng 6 tòa nhà C, phường Thục Phán, tỉnh Cao Bằng",
                                        "department_email": "skhcn@caobang.gov.vn"}, STAFF)
    return round_id


def test_the_call_asks_to_propose_whatever_else_its_subject_asks(app: App, clock: FrozenClock) -> None:
    round_id = _call(app, clock)
    letter = _text(app, round_id, "call_letter")
    assert f"V/v {SUBJECT}" in letter  # the call's own V/v as staff typed it
    assert f"khuyến khích doanh nghiệp chủ động {ACT}." in letter
    assert f"đồng thời {ACT} theo hướng dẫn tại" in letter
    assert "chủ động tuyên truyền" not in letter and "đồng thời tuyên truyền" not in letter

    execute(app, round_id, Launch(), STAFF)
    clock.set(datetime(2025, 8, 11, 9, 0, tzinfo=TZ))
    execute(app, round_id, Close("Hết hạn"), STAFF)
    report = _text(app, round_id, "zero_response_report")
    assert f"để {ACT}." in report and "để tuyên truyền" not in report
    assert f"không {ACT} (có dự thảo" in report  # the recommendation in seed 002's words
    assert f"để {ACT}." in _text(app, round_id, "ministry_reply")


def _proposal(task: str) -> dict[str, str]:
    return {"task_name": task, "urgency": "Cấp thiết.", "objectives": "Mục tiêu.", "main_contents": "Nội dung.",
            "expected_results": "Kết quả.", "expected_impact": "Hiệu quả.", "application_sites": "Các doanh nghiệp.",
            "duration_months": "24", "budget_state": "1500000000", "organisation": "Sở Tài chính",
            "address": "Phường Thục Phán", "contact_person": "Bà Nguyễn Thị A", "phone": "0206 3852 202",
            "email": "stc@caobang.example.vn"}


def test_the_list_to_the_ministry_is_about_proposing_and_ends_on_the_extended_day(
        app: App, clock: FrozenClock) -> None:
    round_id = _call(app, clock)
    execute(app, round_id, Launch(), STAFF)
    clock.set(datetime(2025, 8, 4, 9, 0, tzinfo=TZ))
    execute(app, round_id, Extend(date(2025, 8, 13), "STC", "Xin thêm thời gian"), STAFF)
    clock.set(datetime(2025, 8, 12, 9, 0, tzinfo=TZ))
    execute(app, round_id, Respond("STC", ResponseKind.PROPOSALS, STAFF,
                                   proposals=(_proposal("Năng suất xanh trong chế biến nông sản"),)), STAFF)
    clock.set(datetime(2025, 8, 14, 9, 0, tzinfo=TZ))
    run_due(app)  # the call closes at the end of the latest deadline, 13/8
    listing = _text(app, round_id, "proposal_list_docx")
    assert "Hết thời hạn đề xuất (ngày 13/8/2025)" in listing and "08/8/2025" not in listing
    assert f"V/v {ACT}" in listing
    assert "tuyên truyền" not in listing.lower()
