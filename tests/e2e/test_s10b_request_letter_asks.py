"""The request letter (builder "request_letter") asks each group of units in the words of the round's kind: what the
units asked to answer are to do (`terms.asks.comment`, by default "nghiên cứu, {verb} đối với {topic}") and what they
send back (`terms.response`), where every kind's letter asked them to "nghiên cứu, đóng góp ý kiến đối với dự thảo"
and send "Ý kiến góp ý bằng văn bản". Here the appraisal kind (tests/fixtures/s9g_appraisal) without its own wording
file, so its letter is written with the shipped request_letter.yaml; the consultation's letter reads as seed 000.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest
from minimal_pdf import minimal_pdf

KIND_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "s9g_appraisal"
WORDING = '    wording: "appraisal_request"\n'


def paragraphs(path: Path) -> list[str]:
    return [" ".join(p.text.split()) for p in docx.Document(str(path)).paragraphs]


def letter_of(cli, tmp_path: Path, workflow: str, *roles: str) -> list[str]:  # type: ignore[no-untyped-def]
    dossier = tmp_path / "tep.pdf"
    dossier.write_bytes(minimal_pdf(b"tep gui kem"))
    created = cli("round", "create", "--workflow", workflow, "--title", "Hồ sơ nhiệm vụ KH&CN năm 2025", "--office",
                  "QLKH", "--deadline", "05/12/2025", "--draft", str(dossier), *roles, "--contact-name",
                  "Ông Phạm Phi Long", "--contact-phone", "0912130290", "--signer-name", "Nông Thị Thanh Huyền",
                  "--json").json
    out = tmp_path / f"vb-{created['id']}"
    cli("round", "documents", str(created["id"]), "--out", str(out))
    [letter] = [path for path in out.iterdir() if path.name.startswith("cong-van-") and "don-doc" not in path.name]
    return paragraphs(letter)


@pytest.fixture
def appraisal_with_the_shipped_wording(cli) -> Path:  # type: ignore[no-untyped-def]
    folder = cli.home / "workflows"
    shutil.copytree(KIND_DIR, folder, dirs_exist_ok=True)
    definition = folder / "appraisal.yaml"
    text = definition.read_text(encoding="utf-8")
    assert text.count(WORDING) == 1
    definition.write_text(text.replace(WORDING, ""), encoding="utf-8")
    return definition


def test_a_kind_without_its_own_wording_asks_in_its_verb_and_topic(  # type: ignore[no-untyped-def]
        cli, appraisal_with_the_shipped_wording: Path, tmp_path: Path) -> None:
    cli.at("2025-11-20T09:00")
    letter = letter_of(cli, tmp_path, "appraisal", "--unit", "SCT", "--unit", "STC", "--inform", "SNV")
    assert ("Sở Công Thương; Sở Tài chính và các đơn vị liên quan nghiên cứu, thẩm định đối với hồ sơ nhiệm vụ KH&CN "
            "năm 2025.") in letter, letter
    assert any(p.startswith("Văn bản thẩm định của quý cơ quan, đơn vị gửi về Sở Khoa học và Công nghệ chậm nhất "
                            "ngày 05/12/2025.") for p in letter), letter
    assert not any("đóng góp ý kiến" in p or "Ý kiến góp ý bằng văn bản" in p for p in letter), letter
    assert "(Hồ sơ thẩm định gửi kèm theo Công văn này)." in letter, letter  # the kind's file, not "(văn bản gửi …"


def test_a_kinds_own_asks_are_what_its_letter_asks(  # type: ignore[no-untyped-def]
        cli, appraisal_with_the_shipped_wording: Path, tmp_path: Path) -> None:
    text = appraisal_with_the_shipped_wording.read_text(encoding="utf-8")
    asks = '  asks:\n    comment: "tổ chức thẩm định hồ sơ {title}, có kết luận bằng văn bản"\n'
    appraisal_with_the_shipped_wording.write_text(text.replace("  link_hint:\n", asks + "  link_hint:\n", 1),
                                                  encoding="utf-8")
    assert cli("workflow", "validate", str(appraisal_with_the_shipped_wording), "--json").json["valid"]
    cli.at("2025-11-20T09:00")
    letter = letter_of(cli, tmp_path, "appraisal", "--unit", "SCT")
    assert "Sở Công Thương tổ chức thẩm định hồ sơ nhiệm vụ KH&CN năm 2025, có kết luận bằng văn bản." in letter, letter


def test_a_consultations_letter_asks_as_seed_000_does(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli.at("2025-11-20T09:00")
    letter = letter_of(cli, tmp_path, "consultation", "--unit", "SCT", "--unit", "STC", "--publish", "TTTT-VP")
    assert ("1. Sở Công Thương; Sở Tài chính và các đơn vị liên quan nghiên cứu, đóng góp ý kiến đối với dự thảo Hồ sơ "
            "nhiệm vụ KH&CN năm 2025.") in letter, letter
    assert any(p.startswith("2. Trung tâm Thông tin - Văn phòng UBND tỉnh đăng tải dự thảo văn bản trên Cổng thông "
                            "tin điện tử tỉnh để lấy ý kiến.") for p in letter), letter
    assert any(p.startswith("Ý kiến góp ý bằng văn bản của quý cơ quan, đơn vị gửi về") for p in letter), letter


@pytest.mark.parametrize("asks", ['  asks:\n    inform: "xem"\n', '  asks:\n    comment: ""\n'])
def test_asks_of_a_role_no_letter_asks_or_empty_are_refused_at_their_line(  # type: ignore[no-untyped-def]
        cli, appraisal_with_the_shipped_wording: Path, asks: str) -> None:
    text = appraisal_with_the_shipped_wording.read_text(encoding="utf-8")
    appraisal_with_the_shipped_wording.write_text(text.replace("  link_hint:\n", asks + "  link_hint:\n", 1),
                                                  encoding="utf-8")
    refused = cli("workflow", "validate", str(appraisal_with_the_shipped_wording), expect=2)
    assert "appraisal.yaml:" in refused.err and "asks" in refused.err, refused.err
