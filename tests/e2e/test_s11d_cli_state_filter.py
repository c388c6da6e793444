"""`ykien round list --status` takes one state of one kind, KIND:STATE, as the dashboard and the API do: with two
kinds of a department that name their first state alike ("preparing"), `--status review:preparing` lists the review's
rounds only, and `--status preparing` both kinds' (documented in --help). The table says which kind each round is.
A kind or a state the catalogue lacks exits 2 naming --status and listing the valid names, writing nothing."""
from __future__ import annotations

import shutil
from pathlib import Path

from minimal_pdf import minimal_pdf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def create(cli, workflow: str, title: str, draft: Path) -> int:  # type: ignore[no-untyped-def]
    return int(cli("round", "create", "--workflow", workflow, "--title", title, "--office", "TĐC",
                   "--deadline", "05/12/2025", "--draft", str(draft), "--unit", "SCT",
                   "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290",
                   "--signer-name", "Nông Thị Thanh Huyền", "--json").json["id"])


def refused(cli, status: str) -> str:  # type: ignore[no-untyped-def]
    before = cli.snapshot()
    result = cli("round", "list", "--status", status, "--json", expect=2)
    assert result.json["error"]["code"] == "status_unknown", result.json
    assert cli.snapshot() == before
    return str(result.json["error"]["message"])


def test_round_list_filters_by_one_kinds_state_and_shows_each_rounds_kind(  # type: ignore[no-untyped-def]
        cli, tmp_path: Path) -> None:
    folder = cli.home / "workflows"
    for kind in ("s9g_appraisal", "s11d_review"):
        shutil.copytree(FIXTURES / kind, folder, dirs_exist_ok=True)
    draft = tmp_path / "ho-so.pdf"
    draft.write_bytes(minimal_pdf(b"ho so"))
    cli.at("2025-11-20T09:00")
    appraisal = create(cli, "appraisal", "Hồ sơ nhiệm vụ KH&CN năm 2025", draft)
    review = create(cli, "review", "Đề cương nhiệm vụ giống lúa", draft)

    def ids(status: str) -> list[tuple[int, str]]:
        return [(r["id"], r["workflow"]) for r in cli("round", "list", "--status", status, "--json").json]

    assert ids("review:preparing") == [(review, "review")]
    assert ids("appraisal:preparing") == [(appraisal, "appraisal")]
    assert sorted(ids("preparing")) == [(appraisal, "appraisal"), (review, "review")]
    table = cli("round", "list", "--status", "preparing").out
    assert "Thẩm định hồ sơ" in table and "Phản biện đề cương nhiệm vụ" in table  # each round's kind
    assert "Chuẩn bị hồ sơ" in table and "Soạn đề cương" in table
    only = cli("round", "list", "--status", "review:preparing").out
    assert "Phản biện đề cương nhiệm vụ" in only and "Thẩm định hồ sơ" not in only
    helped = " ".join(cli("round", "list", "--help").out.split())
    assert "QUY_TRÌNH:TRẠNG_THÁI" in helped and "ở mọi quy trình có nó" in helped

    kind = refused(cli, "reveiw:preparing")
    assert kind.startswith('--status: không có quy trình "reveiw" (viết quy_trình:trạng_thái; các quy trình: ')
    assert "review" in kind and kind.endswith('Có phải "review"?'), kind
    state = refused(cli, "review:draft")
    assert state == ('--status: quy trình "review" không có trạng thái "draft" (các trạng thái: preparing, '
                     "under_review, reviewed, finished).")
    assert refused(cli, "review:").startswith('--status: "review:" thiếu tên quy trình hoặc tên trạng thái')
