"""What rendering every shipped kind's documents beside seed 004 found in a workshop's (session 13, helper b, item 3):
the Kế hoạch and the giấy mời go out with the round, so rendered again after the workshop they keep the month it went
out (as the request letter does), while the report after it is dated when it is written; and a plan reference staff
typed with its issuer ("… của UBND tỉnh Cao Bằng") is not followed by a second "của UBND tỉnh". The kind is found by
its documents' builders, not by its name."""
from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest

from config.clock import FrozenClock
from models.rounds import RecipientRole
from notifications.documents.workshop import provincial_plan
from workflows.definition import Workflow
from workflows.engine.events import Launch
from workflows.service.app import App
from workflows.service.directory import import_units
from workflows.service.documents import RoundFacts, build_document, set_document_inputs
from workflows.service.registry import DEFINITIONS, catalogue
from workflows.service.rounds import Addressee, NewRound, create_round, execute

STAFF = "Phạm Phi Long (TĐC)"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
PLAN = "Kế hoạch số 150/KH-UBND ngày 05/8/2025 của UBND tỉnh Cao Bằng"


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def workshop_kind() -> tuple[Workflow, dict[str, str]]:
    """The shipped kind that writes a workshop plan, with its documents' keys by builder."""
    found = catalogue()
    for name, workflow in sorted(found.workflows.items()):
        builders = {document.builder: key for key, document in workflow.documents.items()}
        if found.folders.get(name, DEFINITIONS) == DEFINITIONS and "workshop_plan" in builders:
            return workflow, builders
    raise AssertionError("no shipped kind writes a workshop plan")


def texts(content: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(content))
    return [p.text for p in document.paragraphs] + [cell.text for table in document.tables for row in table.rows
                                                    for cell in row.cells]


def test_provincial_plan_names_ubnd_once() -> None:
    assert provincial_plan("Kế hoạch số 150/KH-UBND ngày 05/8/2025") == (
        "Kế hoạch số 150/KH-UBND ngày 05/8/2025 của UBND tỉnh")
    assert provincial_plan(f"{PLAN}.") == PLAN
    assert provincial_plan("Kế hoạch số 150/KH-UBND ngày 05/8/2025 CỦA Ủy ban nhân dân tỉnh") == (
        "Kế hoạch số 150/KH-UBND ngày 05/8/2025 CỦA Ủy ban nhân dân tỉnh")


def test_a_workshops_plan_and_invitation_keep_the_month_it_went_out_and_name_ubnd_once(
        app: App, clock: FrozenClock) -> None:
    workflow, keys = workshop_kind()
    import_units(app, UNITS_CSV, STAFF)
    clock.set(datetime(2025, 8, 4, 9, tzinfo=TZ))
    round_id = create_round(app, NewRound(
        title="Hội thảo Giải pháp cải thiện Chỉ số đổi mới sáng tạo địa phương tỉnh Cao Bằng năm 2025", subject="",
        workflow=workflow.name, office="TĐC", deadline=date(2025, 8, 14),
        addressees=(Addressee(units=("SCT", "STC"), role=RecipientRole.COMMENT),), contact_name="Ông Phạm Phi Long",
        contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền",
        dates={key: date(2025, 8, 20) for key in workflow.dates}), STAFF)
    inputs = {"venue": "Trung tâm Hội nghị tỉnh Cao Bằng", "event_time": "01 buổi, từ 08 giờ 00",
              "event_purpose": ["Đánh giá thực trạng."], "event_requirements": ["Chuẩn bị chu đáo."],
              "event_contents": ["Nội dung: Phân tích thực trạng."], "funding": "Nguồn kinh phí sự nghiệp năm 2025",
              "organiser_duties": ["Chủ trì chuẩn bị Hội thảo."], "plan_reference": PLAN,
              "event_results": ["Hội thảo đã nghe 03 tham luận."], "recommendations": ["Đề nghị ban hành Kế hoạch."]}
    set_document_inputs(app, round_id, inputs, STAFF)
    execute(app, round_id, Launch(), STAFF)

    clock.set(datetime(2025, 9, 10, 9, tzinfo=TZ))  # a month later, after the workshop
    facts = RoundFacts(app, round_id)
    for builder in ("workshop_plan", "invitation_letter"):
        said = texts(build_document(facts, keys[builder]).content)
        assert any(t.startswith("Cao Bằng, ngày") and t.endswith("tháng 8 năm 2025") for t in said), (builder, said)
    invitation = " ".join(texts(build_document(facts, keys["invitation_letter"]).content))
    assert f"Thực hiện {PLAN} về tổ chức Hội thảo" in invitation
    assert "của UBND tỉnh Cao Bằng của UBND tỉnh" not in invitation

    report = texts(build_document(facts, keys["workshop_report"]).content)
    assert any(t.startswith("Cao Bằng, ngày") and t.endswith("tháng 9 năm 2025") for t in report)
    assert any(t.startswith(f"Thực hiện {PLAN} về tổ chức Hội thảo") for t in report), report
    assert "của UBND tỉnh Cao Bằng của UBND tỉnh" not in " ".join(report)
