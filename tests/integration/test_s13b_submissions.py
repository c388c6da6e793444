"""The tờ trình each kind writes is worded for that kind (session 13, helper b, item 1).

The shared wording of the submission (builder "submission") speaks in the kind's terms, never in a consultation's
("lấy ý kiến góp ý", "dự thảo"), so a department's kind naming that builder without a wording of its own (here
tests/fixtures/s11d_review with a tờ trình added) writes its own words; a kind with its own wording file writes what
that file says. No kind is named in the checks: the kinds come from the catalogue, their documents and wording files
from their definitions.
"""
from __future__ import annotations

import io
import re
import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest
import yaml

from config.clock import FrozenClock
from models.rounds import RecipientRole, ResponseChannel, ResponseKind
from models.text import lowfirst
from notifications.documents.wording import TEMPLATE_DIR
from workflows.definition import Workflow
from workflows.engine.events import Close, CommentInput, Launch, Respond
from workflows.service.app import App
from workflows.service.consolidation import handle_comments, triage_items
from workflows.service.directory import import_units
from workflows.service.documents import RoundFacts, build_document, kind_wording_file
from workflows.service.registry import DEFINITIONS, catalogue, get_workflow
from workflows.service.rounds import Addressee, NewRound, create_round, execute

NBSP = "\u00a0"
STAFF = "Phạm Phi Long (TĐC)"
UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
REVIEW_KIND = Path(__file__).parents[1] / "fixtures" / "s11d_review"
SUBMISSION = ('  to_trinh:\n    title: "Tờ trình kết quả phản biện"\n    builder: "submission"\n'
              '    filename: "to-trinh.docx"\n    numbered: true\n    states: ["reviewed", "finished"]\n')
# What only a consultation's tờ trình says: it drafted a text, asked for comments on it and revised it.
CONSULTATION_WORDS = ("lấy ý kiến góp ý", "xin ý kiến góp ý", "xây dựng dự thảo", "có ý kiến góp ý",
                      "thống nhất với dự thảo", "hoàn thiện dự thảo", "Hết thời hạn góp ý")
TITLE = "Nghiên cứu ứng dụng công nghệ sinh học trong sản xuất giống lúa chất lượng cao"


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def paragraphs(content: bytes) -> list[str]:
    return [p.text.strip() for p in docx.Document(io.BytesIO(content)).paragraphs if p.text.strip()]


def submitting_kinds() -> list[tuple[Workflow, str]]:
    """Every shipped kind's documents built by the submission builder."""
    found = catalogue()
    return [(workflow, key) for name, workflow in sorted(found.workflows.items())
            if found.folders.get(name, DEFINITIONS) == DEFINITIONS
            for key, document in workflow.documents.items() if document.builder == "submission"]


def wording_of(workflow: Workflow, key: str) -> Path:
    return kind_wording_file(workflow, workflow.documents[key]) or TEMPLATE_DIR / "submission.yaml"


def fixed_words(template: str) -> list[str]:
    """The runs of words a template writes as they are (between its Jinja2 expressions), at least three words long."""
    pieces = re.split(r"\{\{.*?\}\}|\{%.*?%\}", " ".join(template.split()))
    return [piece.strip(" ,.:;()") for piece in pieces if len(piece.split()) >= 3]


def test_the_shared_submission_speaks_in_no_kinds_words() -> None:
    shared = (TEMPLATE_DIR / "submission.yaml").read_text(encoding="utf-8")
    body = "\n".join(line for line in shared.splitlines() if not line.startswith("#"))
    for phrase in (*CONSULTATION_WORDS, "dự thảo", "góp ý", "lấy ý kiến", "ban hành"):
        assert phrase not in body, phrase


def test_a_shipped_kind_writing_a_submission_has_it_worded_in_a_file_that_speaks_its_words() -> None:
    kinds = submitting_kinds()
    assert kinds, "a shipped kind writes a tờ trình"
    for workflow, key in kinds:
        own = kind_wording_file(workflow, workflow.documents[key])
        said = wording_of(workflow, key).read_text(encoding="utf-8")
        # A kind whose terms speak of comments on a draft may say so only in a wording of its own.
        if any(phrase in said for phrase in CONSULTATION_WORDS):
            assert own is not None and own.is_file(), (workflow.name, key)
            assert workflow.terms.verb in said, (workflow.name, workflow.terms.verb)


def _review_round(app: App, clock: FrozenClock, tmp_path: Path, workflow: Workflow) -> int:
    import_units(app, UNITS_CSV, STAFF)
    outline = tmp_path / "de-cuong.docx"
    docx.Document().save(outline)
    round_id = create_round(app, NewRound(
        title=TITLE, subject="", workflow=workflow.name, office="TĐC", deadline=date(2025, 12, 5),
        addressees=(Addressee(units=("SCT", "STC", "SYT")), Addressee(units=("LMHTX",), role=RecipientRole.INFORM)),
        contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290", signer_name="Nông Thị Thanh Huyền",
        legal_bases=("Quyết định số 1322/QĐ-TTg ngày 31/8/2020 của Thủ tướng Chính phủ",), draft_path=outline),
        STAFF)
    clock.set(datetime(2025, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    execute(app, round_id, Launch(), STAFF)
    execute(app, round_id, Respond("SCT", ResponseKind.COMMENTS, STAFF, channel=ResponseChannel.PAPER, comments=(
        CommentInput("Đề nghị làm rõ phương pháp đánh giá giống.", "Mục II"),
        CommentInput("Đề nghị bổ sung tiến độ.", "Mục IV"))), STAFF)
    execute(app, round_id, Respond("STC", ResponseKind.AGREE, STAFF, channel=ResponseChannel.PAPER), STAFF)
    execute(app, round_id, Close("kết thúc nhận ý kiến"), STAFF)
    first, second = (item.comment_id for item in triage_items(app, round_id))
    handle_comments(app, round_id, [first], "accepted", None, STAFF)
    handle_comments(app, round_id, [second], "not_accepted", "Tiến độ đã nêu tại Mục V.", STAFF)
    return round_id


@pytest.fixture
def review_with_submission(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Workflow:
    folder = tmp_path_factory.mktemp("kinds")
    shutil.copytree(REVIEW_KIND, folder, dirs_exist_ok=True)
    kind = folder / "review.yaml"
    text = kind.read_text(encoding="utf-8")
    assert text.count("\ndocuments:\n") == 1
    kind.write_text(text.replace("\ndocuments:\n", "\ndocuments:\n" + SUBMISSION, 1), encoding="utf-8")
    monkeypatch.setenv("YKIEN_WORKFLOWS_DIR", str(folder))
    return get_workflow("review")


def test_a_kind_without_a_submission_of_its_own_submits_in_its_own_terms_never_in_a_consultations(
        app: App, clock: FrozenClock, tmp_path: Path, review_with_submission: Workflow) -> None:
    workflow = review_with_submission
    assert workflow.documents["to_trinh"].wording is None  # the shared wording
    round_id = _review_round(app, clock, tmp_path, workflow)
    text = paragraphs(build_document(RoundFacts(app, round_id), "to_trinh").content)
    joined = " ".join(text)
    for phrase in (*CONSULTATION_WORDS, "dự thảo", "góp ý"):
        assert phrase not in joined, phrase
    terms = workflow.terms
    assert "TỜ TRÌNH" in text
    assert any(p == "Căn cứ Quyết định số 1322/QĐ-TTg ngày 31/8/2020 của Thủ tướng Chính phủ;" for p in text)
    assert (f"Sở Khoa học và Công nghệ kính trình Ủy ban nhân dân tỉnh Cao Bằng {lowfirst(terms.document)} {TITLE}, "
            "như sau:") in text
    assert "I. QUÁ TRÌNH THỰC HIỆN" in text
    # what units were asked, in the kind's asks (its verb and topic: "nghiên cứu, phản biện đối với đề cương …")
    assert (f"Sở Khoa học và Công nghệ đã đề nghị 03 cơ quan, đơn vị nghiên cứu, {terms.verb} đối với "
            f"{lowfirst(terms.document)} {TITLE} tại Công văn số{NBSP * 10}/SKHCN-TĐC ngày 20/11/2025.") in text
    assert (f"Hết thời hạn, Sở Khoa học và Công nghệ nhận được {terms.response} của 02/03 cơ quan, đơn vị, trong đó "
            f"01 cơ quan, đơn vị {lowfirst(terms.answered)}, 01 cơ quan, đơn vị {lowfirst(terms.agreed)}; 01 cơ quan, "
            "đơn vị chưa có văn bản trả lời, chưa hết hạn trả lời.") in text  # closed before its deadline
    assert (f"Trên cơ sở 02 {terms.answer}, Sở Khoa học và Công nghệ đã tiếp thu 01 ý kiến, không tiếp thu 01 ý kiến "
            f"và hoàn thiện {lowfirst(terms.document)}.") in text
    assert "II. ĐỀ XUẤT, KIẾN NGHỊ" in text
    assert "Sở Khoa học và Công nghệ kính trình Ủy ban nhân dân tỉnh Cao Bằng xem xét, quyết định./." in text


def test_each_shipped_kinds_submission_writes_the_wording_its_definition_gives_it_and_a_departments_copy_wins(
        app: App, clock: FrozenClock, tmp_path: Path) -> None:
    """The consultation's tờ trình (its own file: seed 000's process, 'lấy ý kiến góp ý') says what that file says;
    a department's copy of the same name still replaces it."""
    import_units(app, UNITS_CSV, STAFF)
    rounds: dict[str, int] = {}
    for workflow, key in submitting_kinds():
        outline = tmp_path / "du-thao.docx"
        docx.Document().save(outline)
        round_id = create_round(app, NewRound(
            title="Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng giai đoạn 2026 – 2030", subject="",
            workflow=workflow.name, office="TĐC", deadline=date(2025, 12, 5),
            addressees=(Addressee(units=("SCT", "STC", "SYT")),), contact_name="Ông Phạm Phi Long",
            contact_phone="0912 130 290", signer_name="Nông Thị Thanh Huyền", draft_path=outline,
            dates={name: date(2025, 12, 20) for name in workflow.dates}), STAFF)
        clock.set(datetime(2025, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
        execute(app, round_id, Launch(), STAFF)
        execute(app, round_id, Respond("SCT", ResponseKind.COMMENTS, STAFF, channel=ResponseChannel.PAPER,
                                       comments=(CommentInput("Đề nghị bổ sung chỉ tiêu.", "Mục II"),)), STAFF)
        execute(app, round_id, Close("kết thúc nhận ý kiến"), STAFF)
        rounds[workflow.name] = round_id
        text = " ".join(paragraphs(build_document(RoundFacts(app, round_id), key).content))
        wording = yaml.safe_load(wording_of(workflow, key).read_text(encoding="utf-8"))
        for item in wording["body"]:
            template = item if isinstance(item, str) else str(item["text"])
            if "{%" in template or (isinstance(item, dict) and "each" in item):
                continue  # a part written only for some rounds
            for piece in fixed_words(template):
                assert piece in text, (workflow.name, piece)

    own = app.settings.home / "templates" / "documents"
    own.mkdir(parents=True)
    (own / "submission.yaml").write_text(('title: "TỜ TRÌNH"\nabout: "Về việc {{ subject }}"\nnumber_type: "TTr"\n'
                                          'body:\n  - "Sở chúng tôi kính trình {{ draft_title }}."\n'),
                                         encoding="utf-8")
    for workflow, key in submitting_kinds():
        text = paragraphs(build_document(RoundFacts(app, rounds[workflow.name]), key).content)
        assert any(p.startswith("Sở chúng tôi kính trình Kế hoạch hỗ trợ doanh nghiệp") for p in text), workflow.name
