"""The letter each kind of round sends says what that kind does (session 12, helper b, item 1).

The shared wording of the request letter (builder "request_letter") asks neutrally, so a kind without a letter of its
own (a department's kind, here tests/fixtures/s11d_review) never writes the consultation's "xây dựng dự thảo …" or
"trình UBND tỉnh ban hành …"; a kind with its own wording file opens as that file says. No kind is named in the
checks: every shipped kind is taken from the catalogue and its letter from its definition (`letter:`).
"""
from __future__ import annotations

import io
import re
import shutil
from datetime import date
from pathlib import Path

import docx
import pytest
import yaml

from config.clock import FrozenClock
from notifications.documents.wording import TEMPLATE_DIR
from workflows.definition import Workflow
from workflows.engine.events import Launch
from workflows.service.app import App
from workflows.service.directory import import_units
from workflows.service.documents import (
    BUILDERS,
    RoundFacts,
    build_document,
    kind_wording_file,
    set_document_inputs,
)
from workflows.service.registry import DEFINITIONS, catalogue, get_workflow
from workflows.service.rounds import Addressee, NewRound, create_round, execute

STAFF = "Phạm Phi Long (TĐC)"
UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
REVIEW_KIND = Path(__file__).parents[1] / "fixtures" / "s11d_review"
TITLE = "Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng giai đoạn 2026 – 2030"
BASIS = "Quyết định số 1322/QĐ-TTg ngày 31/8/2020 của Thủ tướng Chính phủ"
# What only a consultation says: it drafted a text and will have UBND tỉnh issue it (seed 000).
CONSULTATION_WORDS = ("xây dựng dự thảo", "trình UBND tỉnh ban hành", "tính khả thi", "văn bản góp ý")


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def paragraphs(content: bytes) -> list[str]:
    return [p.text.strip() for p in docx.Document(io.BytesIO(content)).paragraphs if p.text.strip()]


def body_paragraphs(content: bytes) -> list[str]:
    """A công văn's paragraphs after "Kính gửi:" and its list, to the one closed by "./."."""
    texts = paragraphs(content)
    start = next(i for i, text in enumerate(texts) if text.startswith("Kính gửi"))
    body = [text for text in texts[start + 1:] if not text.startswith("- ")]
    end = next(i for i, text in enumerate(body) if text.endswith("./."))
    return body[:end + 1]


def opening_templates(workflow: Workflow, key: str) -> list[str]:
    """The first paragraph after the legal bases of the wording the definition gives the letter: the kind's own file
    (`wording:`) or its builder's shared one; for a wording that leaves the body to its builder (a giấy mời), its title
    line."""
    document = workflow.documents[key]
    path = kind_wording_file(workflow, document) or TEMPLATE_DIR / f"{BUILDERS[document.builder].wording}.yaml"
    wording = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "body" not in wording:
        return [str(wording[key]) for key in ("title", "about") if wording.get(key)]
    body = wording["body"]
    first = next(item for item in body if not (isinstance(item, dict) and item.get("each") == "legal_bases"))
    return [first if isinstance(first, str) else str(first["text"])]


def fixed_words(template: str) -> list[str]:
    """The runs of words a template writes as they are (between its Jinja2 expressions), at least three words long."""
    pieces = re.split(r"\{\{.*?\}\}|\{%.*?%\}", " ".join(template.split()))
    return [piece.strip(" ,.:;") for piece in pieces if len(piece.split()) >= 3 or piece.strip().isupper()]


def shipped_kinds() -> list[Workflow]:
    found = catalogue()
    return [workflow for name, workflow in sorted(found.workflows.items())
            if found.folders.get(name, DEFINITIONS) == DEFINITIONS and workflow.letter is not None]


def a_round_of(app: App, workflow: Workflow, tmp_path: Path, **changes: object) -> int:
    """A round of any kind: its named dates after the deadline, a draft when the kind asks for one, and every input
    its letter's builder reads filled (an address, a mailbox, a text)."""
    draft = tmp_path / "du-thao.docx"
    docx.Document().save(draft)
    values: dict[str, object] = dict(
        title=TITLE, subject="", workflow=workflow.name, office="TĐC", deadline=date(2025, 12, 5),
        addressees=(Addressee(groups=("so-ban-nganh", "xa-phuong")),), contact_name="Ông Phạm Phi Long",
        contact_title="Trưởng phòng Quản lý Tiêu chuẩn Đo lường Chất lượng", contact_phone="0912130290",
        signer_name="Nông Thị Thanh Huyền", signer_title="GIÁM ĐỐC", legal_bases=(BASIS,),
        dates={key: date(2025, 12, 20) for key in workflow.dates}, draft_path=draft)
    values.update(changes)
    round_id = create_round(app, NewRound(**values), STAFF)  # type: ignore[arg-type]
    builder = BUILDERS[workflow.documents[workflow.letter or ""].builder]
    if builder.inputs:
        # a number among the legal bases ("…_index") is chosen by default; the texts are filled
        set_document_inputs(app, round_id, {name: _input(name) for name in builder.inputs
                                            if not name.endswith("_index")}, STAFF)
    return round_id


def _input(name: str) -> str:
    if "email" in name:
        return "skhcn@caobang.gov.vn"
    if "reference" in name:
        return "Kế hoạch số 150/KH-UBND ngày 05/8/2025 của UBND tỉnh về tổ chức hội thảo"
    return "tầng 6 tòa nhà C, trụ sở làm việc các sở, ban, ngành tỉnh, phường Thục Phán"


@pytest.mark.parametrize("workflow", shipped_kinds(), ids=lambda workflow: workflow.name)
def test_each_shipped_kinds_letter_opens_as_the_wording_its_definition_gives_it(
        app: App, clock: FrozenClock, tmp_path: Path, workflow: Workflow) -> None:
    import_units(app, UNITS_CSV, STAFF)
    round_id = a_round_of(app, workflow, tmp_path)
    assert workflow.letter is not None
    letter = paragraphs(build_document(RoundFacts(app, round_id), workflow.letter).content)
    for template in opening_templates(workflow, workflow.letter):
        words = fixed_words(template)
        assert words, "the opening of the wording writes some words of its own"
        opening = next((text for text in letter if words[0] in text), None)
        assert opening is not None, (words[0], letter)
        for piece in words:
            assert piece in opening, (piece, opening)
    # Only a kind whose own letter says so writes a consultation's words.
    own = kind_wording_file(workflow, workflow.documents[workflow.letter])
    said = own.read_text(encoding="utf-8") if own is not None else ""
    for phrase in CONSULTATION_WORDS:
        if phrase not in said:
            assert phrase not in " ".join(letter), (workflow.name, phrase)


def test_the_shared_request_letter_asks_in_no_kinds_words() -> None:
    shared = (TEMPLATE_DIR / "request_letter.yaml").read_text(encoding="utf-8")
    body = "\n".join(line for line in shared.splitlines() if not line.startswith("#"))
    for phrase in (*CONSULTATION_WORDS, "dự thảo", "góp ý", "ban hành"):
        assert phrase not in body, phrase


@pytest.fixture
def review_kind(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Workflow:
    folder = tmp_path_factory.mktemp("kinds")
    shutil.copytree(REVIEW_KIND, folder, dirs_exist_ok=True)
    monkeypatch.setenv("YKIEN_WORKFLOWS_DIR", str(folder))
    return get_workflow("review")


def test_a_kind_without_a_letter_of_its_own_asks_in_its_own_terms_never_in_a_consultations(
        app: App, clock: FrozenClock, tmp_path: Path, review_kind: Workflow) -> None:
    import_units(app, UNITS_CSV, STAFF)
    key = review_kind.letter
    assert key is not None and review_kind.documents[key].wording is None  # the shared wording
    round_id = a_round_of(app, review_kind, tmp_path, title="Nghiên cứu ứng dụng công nghệ sinh học trong sản xuất "
                          "giống lúa chất lượng cao", addressees=(Addressee(units=("SCT", "STC")),))
    letter = body_paragraphs(build_document(RoundFacts(app, round_id), key).content)
    text = " ".join(letter)
    for phrase in CONSULTATION_WORDS:
        assert phrase not in text, phrase
    assert "dự thảo" not in text.lower() and "góp ý" not in text
    assert letter[0].startswith("Căn cứ Quyết định số 1322/QĐ-TTg")
    assert letter[1] == "Thực hiện chức năng, nhiệm vụ được giao, Sở Khoa học và Công nghệ trân trọng đề nghị:"
    assert review_kind.terms.verb in letter[2]  # its asks: "… phản biện đối với đề cương …"
    assert any(p.startswith(review_kind.terms.response[:1].upper() + review_kind.terms.response[1:]) for p in letter)


def test_the_consultations_letter_keeps_seed_000s_opening_and_a_departments_copy_still_replaces_it(
        app: App, clock: FrozenClock, tmp_path: Path) -> None:
    import_units(app, UNITS_CSV, STAFF)
    consultation = next(w for w in shipped_kinds() if w.documents[w.letter or ""].wording is not None
                        and BUILDERS[w.documents[w.letter or ""].builder].wording == "request_letter")
    key = consultation.letter
    assert key is not None
    round_id = a_round_of(app, consultation, tmp_path, silence_is_agreement=True)
    letter = body_paragraphs(build_document(RoundFacts(app, round_id), key).content)
    assert letter[1] == f"Thực hiện chức năng, nhiệm vụ được giao, Sở Khoa học và Công nghệ xây dựng dự thảo {TITLE}."
    assert letter[2] == ("Để đảm bảo tính khả thi và có cơ sở trình UBND tỉnh ban hành Kế hoạch, Sở Khoa học và Công "
                         "nghệ trân trọng đề nghị:")
    assert ("Quá thời hạn nêu trên, cơ quan, đơn vị không có văn bản góp ý được hiểu là thống nhất với nội dung dự "
            "thảo Kế hoạch.") in letter

    # A department that copied the request letter's wording (as its header says) still writes its own words.
    own = app.settings.home / "templates" / "documents"
    own.mkdir(parents=True)
    (own / "request_letter.yaml").write_text('body:\n  - "Sở chúng tôi đề nghị {{ draft_title }}."\n',
                                             encoding="utf-8")
    letter = body_paragraphs(build_document(RoundFacts(app, round_id), key).content)
    assert letter == [f"Sở chúng tôi đề nghị {TITLE}./."]
    execute(app, round_id, Launch(), STAFF)  # the letter of a launched round is the same document
