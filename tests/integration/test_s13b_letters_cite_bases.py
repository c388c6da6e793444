"""Every shipped kind's letter cites every legal basis staff gave the round, the Ministry's letter among them (session
13, helper b, item 3): the report collection's request (its own wording of builder call_letter, seed 003) left out the
Ministry's letter asking for the report, which the shared call letter cites in its body ("theo hướng dẫn tại …") and
so takes out of its list. The kinds and their letters come from the definitions."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import docx
import pytest

from config.clock import FrozenClock
from workflows.definition import Workflow
from workflows.service.app import App
from workflows.service.directory import import_units
from workflows.service.documents import BUILDERS, RoundFacts, build_document, set_document_inputs
from workflows.service.registry import DEFINITIONS, catalogue
from workflows.service.rounds import Addressee, NewRound, create_round

STAFF = "Phạm Phi Long (TĐC)"
UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
DECISION = "Quyết định số 1322/QĐ-TTg ngày 31/8/2020 của Thủ tướng Chính phủ"
MINISTRY_LETTER = "Công văn số 4258/BKHCN-TĐC ngày 17/11/2023 của Bộ Khoa học và Công nghệ"


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def kinds_with_letters() -> list[Workflow]:
    found = catalogue()
    return [workflow for name, workflow in sorted(found.workflows.items())
            if found.folders.get(name, DEFINITIONS) == DEFINITIONS and workflow.letter is not None
            and workflow.documents[workflow.letter].builder in ("call_letter", "request_letter")]


@pytest.mark.parametrize("workflow", kinds_with_letters(), ids=lambda workflow: workflow.name)
def test_the_letter_cites_every_legal_basis_of_the_round(app: App, clock: FrozenClock, tmp_path: Path,
                                                         workflow: Workflow) -> None:
    import_units(app, UNITS_CSV, STAFF)
    draft = tmp_path / "du-thao.docx"
    docx.Document().save(draft)
    round_id = create_round(app, NewRound(
        title="Kết quả thực hiện nhiệm vụ năm 2023 của Chương trình 1322", subject="", workflow=workflow.name,
        office="TĐC", deadline=date(2025, 12, 5), addressees=(Addressee(groups=("so-ban-nganh",)),),
        contact_name="Ông Phạm Phi Long", contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền",
        legal_bases=(DECISION, MINISTRY_LETTER), draft_path=draft,
        dates={key: date(2025, 12, 20) for key in workflow.dates}), STAFF)
    key = workflow.letter
    assert key is not None
    inputs = BUILDERS[workflow.documents[key].builder].inputs
    values = {"department_address": "tầng 6 tòa nhà C, phường Thục Phán", "department_email": "skhcn@caobang.gov.vn"}
    if inputs:
        set_document_inputs(app, round_id, {name: value for name, value in values.items() if name in inputs}, STAFF)
    letter = docx.Document(io.BytesIO(build_document(RoundFacts(app, round_id), key).content))
    text = " ".join(" ".join(p.text.split()) for p in letter.paragraphs)
    for basis in (DECISION, MINISTRY_LETTER):
        assert basis in text, (workflow.name, basis)
