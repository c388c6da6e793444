"""`ykien round documents` says which of the state's documents it could not write yet, and why, where it left them
out in silence: a clerk who asked for the round's documents took the folder for all of them."""
from __future__ import annotations

from pathlib import Path

from tests.e2e.test_cli_report_collection import CREATE


def test_a_document_not_ready_is_named_with_its_reason_and_the_others_are_written(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    out = tmp_path / "van-ban"
    result = cli("round", "documents", "1", "--out", str(out))
    assert result.err.startswith("Lưu ý: chưa soạn được Công văn đề nghị báo cáo: Cần địa chỉ và thư điện tử của "), \
        result.err
    assert "Thông tin cho văn bản" in result.err
    written = sorted(p.name for p in out.iterdir()) if out.exists() else []
    assert "cong-van-de-nghi-bao-cao.docx" not in written
    for name in written:
        assert name in result.out
    shown = cli("round", "documents", "1", "--out", str(tmp_path / "json"), "--json")
    assert "chưa soạn được Công văn đề nghị báo cáo" in shown.err
    assert all(d["path"] for d in shown.json)


def test_once_its_inputs_are_given_the_document_is_written_and_nothing_is_said(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    cli("round", "document-inputs", "1", "--department-address", "Số 077, phố Hoàng Đình Giong, Cao Bằng",
        "--department-email", "vanthu@skhcn.example.vn")
    out = tmp_path / "van-ban"
    result = cli("round", "documents", "1", "--out", str(out))
    assert "chưa soạn được" not in result.err, result.err
    assert (out / "cong-van-de-nghi-bao-cao.docx").is_file()


def test_the_audit_puts_each_detail_on_its_own_line(cli) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    cli("round", "document-inputs", "1", "--department-address", "Số 077, phố Hoàng Đình Giong, Cao Bằng.",
        "--department-email", "vanthu@skhcn.example.vn")
    shown = cli("round", "audit", "1").out
    assert "STT" in shown and " # " not in shown  # the running number is headed by a word, as on the web
    assert ".;" not in shown, shown  # an address ending in "." was joined to the next detail by "; "
    lines = shown.splitlines()
    address = next(i for i, line in enumerate(lines) if "Số 077" in line)
    assert any("vanthu@skhcn.example.vn" in line for line in lines[address + 1:address + 4]), shown


def test_a_launch_is_refused_while_its_letter_cannot_be_written_and_nothing_is_sent(cli, capture) -> None:  # type: ignore[no-untyped-def]
    """The rounds' emails stand for the signed letter: a report collection was launched and mailed to every unit
    while its Công văn could not be written for want of the Sở's address (review-c, item 14)."""
    cli(*CREATE)
    cli.at("2025-11-20T09:00")
    before = cli.snapshot()
    refused = cli("round", "launch", "1", expect=2)
    assert refused.err.strip() == (
        "Lỗi: Chưa phát hành đợt số 1, chưa gửi thư nào: thư gửi các cơ quan, đơn vị đi theo Công văn đề nghị báo "
        "cáo, mà văn bản này chưa soạn được. Cần địa chỉ và thư điện tử của Sở Khoa học và Công nghệ để ghi nơi nhận "
        "báo cáo (mục \"Thông tin cho văn bản\" của đợt, hoặc YKIEN_ISSUER_ADDRESS và YKIEN_REPLY_TO cho mọi đợt). "
        "Điền bằng: ykien round document-inputs 1 --department-address \"…\" "
        "--department-email \"…\", rồi phát hành lại.")
    assert cli("round", "launch", "1", "--json", expect=2).json["error"]["code"] == "letter_not_ready"
    assert cli.snapshot() == before and capture.messages == []
    cli("round", "document-inputs", "1", "--department-email", "vanthu@skhcn.example.vn")
    assert "--department-address \"…\", rồi" in cli("round", "launch", "1", expect=2).err  # what is still missing

    cli("round", "document-inputs", "1", "--department-address", "Số 077, phố Hoàng Đình Giong, Cao Bằng")
    cli("round", "launch", "1")
    assert len(capture.wait_for(6)) == 6


def test_the_sở_s_address_and_mailbox_set_once_serve_every_round_and_a_round_s_own_take_their_place(
        cli, capture, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Next year's report collection needs the same address as this year's: set for the installation
    (YKIEN_ISSUER_ADDRESS, YKIEN_REPLY_TO), no round is refused for want of it."""
    import io

    import docx

    settings = {"YKIEN_ISSUER_ADDRESS": "Số 077, phố Hoàng Đình Giong, Cao Bằng",
                "YKIEN_REPLY_TO": "vanthu@skhcn.caobang.gov.vn"}
    cli(*CREATE, **settings)
    cli.at("2025-11-20T09:00")
    shown = cli("round", "document-inputs", "1", **settings).out
    assert ("Địa chỉ của Sở nhận văn bản trả lời: Số 077, phố Hoàng Đình Giong, Cao Bằng (theo YKIEN_ISSUER_ADDRESS, "
            "chung cho mọi đợt)") in shown
    cli("round", "launch", "1", **settings)
    assert len(capture.wait_for(6)) == 6

    def letter_text(folder: str, **env: str) -> str:
        out = tmp_path / folder
        cli("round", "documents", "1", "--out", str(out), **env)
        document = docx.Document(io.BytesIO((out / "cong-van-de-nghi-bao-cao.docx").read_bytes()))
        return " ".join(paragraph.text for paragraph in document.paragraphs)

    said = letter_text("chung", **settings)
    assert "địa chỉ: Số 077, phố Hoàng Đình Giong, Cao Bằng; thư điện tử: vanthu@skhcn.caobang.gov.vn" in said, said
    cli("round", "document-inputs", "1", "--department-address", "Tầng 6 tòa nhà C, Cao Bằng", **settings)
    said = letter_text("rieng", **settings)
    assert "địa chỉ: Tầng 6 tòa nhà C, Cao Bằng; thư điện tử: vanthu@skhcn.caobang.gov.vn" in said, said
