"""A third kind of round written from the README's section "Writing a new kind of round" alone, and run
end to end on the command line: validate, create, launch, answer through the form, close, documents,
package. No Python of the kind exists anywhere."""
from __future__ import annotations

import io
import json
import re
import sys
import zipfile
from pathlib import Path

import docx
import openpyxl

from notifications.testing import SmtpCapture

# The README's files are read by a helper shared with the browser test.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))

from readme_kind import readme_files

KIND = "council_opinion"


def write_kind(home: Path) -> Path:
    folder = home / "workflows"
    for name, content in readme_files().items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return folder


def test_the_readme_shows_the_kind_and_its_letter() -> None:
    assert set(readme_files()) == {f"{KIND}.yaml", f"{KIND}/documents/council_letter.yaml"}


def test_a_kind_written_from_the_readme_validates_and_a_broken_one_names_its_line(cli) -> None:  # type: ignore[no-untyped-def]
    folder = write_kind(cli.home)
    checked = cli("workflow", "validate", str(folder / f"{KIND}.yaml"), "--json").json
    assert checked == {"valid": True, "problems": []}
    listed = {item["name"] for item in cli("workflow", "list", "--json").json}
    assert listed >= {"consultation", "proposal_call", KIND}

    broken = folder / f"{KIND}.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace('"late_answer"', '"triage_all"'), encoding="utf-8")
    result = cli("workflow", "validate", str(broken), expect=2)
    assert result.err.startswith("Lỗi: ") and re.search(rf"{KIND}\.yaml:\d+:\d+: .*triage_all", result.err), result.err
    refused = cli("round", "create", "--workflow", KIND, "--title", "Đề cương", "--office", "QLKH",
                  "--deadline", "05/12/2025", "--unit", "SCT", "--contact-name", "Ông A", "--contact-phone", "0912130290",
                  "--signer-name", "Bà B", "--json", expect=2).json
    assert refused["error"]["code"] == "workflow_unknown" and "triage_all" in refused["error"]["message"]


def test_a_round_of_the_new_kind_runs_end_to_end_on_the_cli(cli, capture: SmtpCapture, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_kind(cli.home)
    created = cli("round", "create", "--workflow", KIND,
                  "--title", "Đề cương nhiệm vụ KH&CN cấp tỉnh năm 2026", "--office", "QLKH",
                  "--deadline", "05/12/2025", "--unit", "SCT", "--unit", "STC", "--unit", "SYT",
                  "--basis", "Quyết định số 12/QĐ-SKHCN ngày 10/01/2025 thành lập Hội đồng tư vấn",
                  "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290",
                  "--signer-name", "Nông Thị Thanh Huyền", "--json").json
    round_id = str(created["id"])
    cli.at("2025-11-20T09:00")
    cli("round", "launch", round_id)
    invitations = capture.messages
    assert sorted(str(m["X-Ykien-Unit"]) for m in invitations) == ["SCT", "STC", "SYT"]
    bodies = [m.get_body(preferencelist=("plain",)).get_content() for m in invitations]
    assert all("cho ý kiến đối với Đề cương nhiệm vụ KH&CN cấp tỉnh năm 2026" in b for b in bodies), bodies[0]
    assert not any("góp ý" in b or "thống nhất" in b for b in bodies), bodies[0]

    answer = tmp_path / "phieu.json"
    answer.write_text(json.dumps({"vote": "Đồng ý, có chỉnh sửa", "comment": "Bổ sung chỉ tiêu đầu ra."}),
                      encoding="utf-8")
    bad = tmp_path / "sai.json"
    bad.write_text(json.dumps({"vote": "Có lẽ"}), encoding="utf-8")
    cli.at("2025-11-26T10:00")
    before = cli.snapshot()
    refused = cli("round", "respond", round_id, "STC", "--proposal-file", str(bad), "--json", expect=2).json
    assert "Ý kiến của thành viên" in refused["error"]["message"]
    two = tmp_path / "hai-phieu.json"  # the README's form is not repeatable: one form per answer
    two.write_text(json.dumps([json.loads(answer.read_text(encoding="utf-8"))] * 2), encoding="utf-8")
    refused = cli("round", "respond", round_id, "STC", "--proposal-file", str(two), "--json", expect=2).json
    assert refused["error"]["message"] == f"--proposal-file: {two}: Mỗi lần gửi chỉ nhận một phiếu (đang có 2)."
    assert cli.snapshot() == before
    cli("round", "respond", round_id, "SCT", "--proposal-file", str(answer), "--channel", "web")

    shown = cli("round", "show", round_id, "--json").json
    assert shown["status"] == "circulating"
    text = cli("round", "show", round_id).out
    assert "góp ý" not in text and "coi như đồng ý" not in text and "Đã gửi phiếu ý kiến" in text

    documents = cli("round", "documents", round_id, "--out", str(tmp_path / "vb"), "--json").json
    letter = tmp_path / "vb" / "cong-van-xin-y-kien-hoi-dong.docx"
    assert letter.is_file(), documents
    paragraphs = "\n".join(p.text for p in docx.Document(str(letter)).paragraphs)
    assert "đề nghị Quý thành viên Hội đồng nghiên cứu và cho ý kiến" in paragraphs
    assert "chậm nhất ngày 05/12/2025" in paragraphs and "thống nhất" not in paragraphs

    cli.at("2025-12-06T08:00")
    cli("tick")
    shown = cli("round", "show", round_id, "--json").json
    assert shown["status"] == "collected" and shown["status_title"] == "Đã nhận phiếu ý kiến"

    package = cli("round", "submit", round_id, "--json").json
    with zipfile.ZipFile(package["path"]) as archive:
        assert archive.namelist() == ["phieu-y-kien-hoi-dong.xlsx"]
        sheet = openpyxl.load_workbook(io.BytesIO(archive.read("phieu-y-kien-hoi-dong.xlsx"))).active
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert any("Đồng ý, có chỉnh sửa" in row and "Bổ sung chỉ tiêu đầu ra." in row for row in rows), rows
    assert cli("round", "show", round_id, "--json").json["status"] == "finished"
    audit = cli("round", "audit", round_id, "--json").json
    assert audit["chain_intact"] is True
