"""A department's kind answering with comments in its own words (tests/fixtures/s11d_review: units "phản biện" an
"Đề cương") writes the synthesis table in those words once its definition lists the table (session 12, helper b,
item 2): the heads come from the definition's terms, read by the service, never from the kind's name."""
from __future__ import annotations

import io
import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest

from config.clock import FrozenClock
from models.rounds import RecipientRole, ResponseChannel, ResponseKind
from models.text import lowfirst
from workflows.engine.events import Close, CommentInput, Launch, Respond
from workflows.service.app import App
from workflows.service.consolidation import handle_comments, triage_items
from workflows.service.directory import import_units
from workflows.service.documents import RoundFacts, build_document
from workflows.service.registry import get_workflow
from workflows.service.rounds import Addressee, NewRound, create_round, execute

STAFF = "Phạm Phi Long (TĐC)"
UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
REVIEW_KIND = Path(__file__).parents[1] / "fixtures" / "s11d_review"
TABLE = ('  bang_tong_hop:\n    title: "Bảng tổng hợp, tiếp thu, giải trình ý kiến phản biện"\n'
         '    builder: "synthesis_docx"\n    filename: "bang-tong-hop.docx"\n    states: ["reviewed", "finished"]\n')


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def review_with_table(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> str:
    folder = tmp_path_factory.mktemp("kinds")
    shutil.copytree(REVIEW_KIND, folder, dirs_exist_ok=True)
    kind = folder / "review.yaml"
    text = kind.read_text(encoding="utf-8")
    assert text.count("\ndocuments:\n") == 1
    kind.write_text(text.replace("\ndocuments:\n", "\ndocuments:\n" + TABLE, 1), encoding="utf-8")
    monkeypatch.setenv("YKIEN_WORKFLOWS_DIR", str(folder))
    return "review"


def test_a_kind_answering_with_comments_in_its_own_words_heads_the_synthesis_table_in_them(
        app: App, clock: FrozenClock, tmp_path: Path, review_with_table: str) -> None:
    workflow = get_workflow(review_with_table)
    import_units(app, UNITS_CSV, STAFF)
    outline = tmp_path / "de-cuong.docx"
    docx.Document().save(outline)
    round_id = create_round(app, NewRound(
        title="Nghiên cứu ứng dụng công nghệ sinh học trong sản xuất giống lúa chất lượng cao", subject="",
        workflow=workflow.name, office="TĐC", deadline=date(2025, 12, 5),
        addressees=(Addressee(units=("SCT", "STC", "SYT")), Addressee(units=("LMHTX",), role=RecipientRole.INFORM)),
        contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290", signer_name="Nông Thị Thanh Huyền",
        draft_path=outline), STAFF)
    clock.set(datetime(2025, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    execute(app, round_id, Launch(), STAFF)
    execute(app, round_id, Respond("SCT", ResponseKind.COMMENTS, STAFF, channel=ResponseChannel.PAPER, comments=(
        CommentInput("Đề nghị làm rõ phương pháp đánh giá giống.", "Mục II"),)), STAFF)
    execute(app, round_id, Respond("STC", ResponseKind.AGREE, STAFF, channel=ResponseChannel.PAPER), STAFF)
    execute(app, round_id, Close("kết thúc nhận ý kiến"), STAFF)
    handle_comments(app, round_id, [triage_items(app, round_id)[0].comment_id], "accepted", None, STAFF)

    table = docx.Document(io.BytesIO(build_document(RoundFacts(app, round_id), "bang_tong_hop").content))
    text = "\n".join([p.text for p in table.paragraphs]
                     + [cell.text for t in table.tables for row in t.rows for cell in row.cells])
    verb, document = workflow.terms.verb, lowfirst(workflow.terms.document)
    assert f"BẢNG TỔNG HỢP, TIẾP THU, GIẢI TRÌNH Ý KIẾN {verb.upper()}" in text
    assert f"Đối với {document} Nghiên cứu ứng dụng công nghệ sinh học" in text
    assert f"Nội dung {verb}" in text
    assert f"thống nhất với {document}, không có ý kiến {verb} (01 cơ quan, đơn vị): Sở Tài chính" in text
    assert "góp ý" not in text and "dự thảo" not in text
