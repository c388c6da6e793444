"""`round create` --unit and --group take a code or a name typed without its spaces or punctuation ("khcn" for
"KH&CN", "sobannganh" for so-ban-nganh); one that fits several says which, whole-word matches first; blank,
punctuation only, decomposed and overlong values get their usual answer. On SQLite and PostgreSQL."""
from __future__ import annotations

import itertools
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, TEMPLATE_DATABASE
from tests.e2e.cli_refusals import refused
from tests.e2e.conftest import UNITS_CSV, Cli, MakeCli

BASE = ["round", "create", "--title", "Kế hoạch thử nghiệm", "--office", "TĐC", "--deadline", "05/12/2025",
        "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290", "--signer-name", "Nông Thị Thanh Huyền"]
MORE_UNITS = ("S-KH-CN,Sở Khoa học và Công nghệ,so-ban-nganh,skhcn@caobang.example.vn,,\n"
              "HQ-PKT,Phòng Kinh tế và KH&CN huyện Hà Quảng,xa-phuong,pkt@caobang.example.vn,,\n"
              "THPT-HA,Trường THPT Hòa An,xa-phuong,thptha@caobang.example.vn,,\n")
_numbers = itertools.count(1)


@pytest.fixture(params=BACKENDS)
def any_cli(request: pytest.FixtureRequest, cli: Cli, make_cli: MakeCli, tmp_path: Path) -> Cli:
    """The CLI with the 12 units and three more imported, on SQLite (the session's home) or a fresh PostgreSQL
    database."""
    more = tmp_path / "more.csv"
    more.write_text(UNITS_CSV.read_text(encoding="utf-8").splitlines()[0] + "\n" + MORE_UNITS, encoding="utf-8")
    if request.param == "sqlite":
        cli("directory", "import", str(more))
        return cli
    cluster = request.getfixturevalue("postgres_cluster")
    runner = make_cli(tmp_path / "pg-home")
    runner.home.mkdir()
    runner.env.update(cli.env, YKIEN_DATABASE_URL=cluster.create_database(f"s14a_{next(_numbers)}",
                                                                         template=TEMPLATE_DATABASE))
    runner("directory", "import", str(UNITS_CSV))
    runner("directory", "import", str(more))
    return runner


def test_joined_codes_and_names_are_taken_and_said(any_cli: Cli) -> None:
    made = any_cli(*BASE, "--group", "sobannganh", "--unit", "sokhoahoc", "--unit", "THPTHOAAN",
                   "--unit", unicodedata.normalize("NFD", "SởTưPháp"))
    assert made.out.splitlines() == [
        "Đơn vị: Sở Khoa học và Công nghệ (S-KH-CN)", "Đơn vị: Trường THPT Hòa An (THPT-HA)",
        "Đơn vị: Sở Tư pháp (STP)", "Nhóm: Các sở, ban, ngành tỉnh (so-ban-nganh)",
        "Đã tạo đợt số 1, hạn trả lời 05/12/2025."], made.out


def test_several_fits_are_named_whole_words_first(any_cli: Cli) -> None:
    khcn = refused(any_cli, *BASE, "--unit", "khcn", code="unit_ambiguous")
    assert khcn == ('--unit: "khcn" khớp nhiều đơn vị. Có phải: Phòng Kinh tế và KH&CN huyện Hà Quảng (HQ-PKT), '
                    "Sở Khoa học và Công nghệ (S-KH-CN)? Nhập mã đơn vị (trong ngoặc) hoặc tên đầy đủ."), khcn
    # the code X-HOAAN holds "hoaan" (3) and goes before the school whose name joins it up (4), though "Trường"
    # sorts before "Ủy ban"
    hoa_an = refused(any_cli, *BASE, "--unit", "hoaan", code="unit_ambiguous")
    assert hoa_an.split("Có phải: ")[1].split("?")[0] == ("Ủy ban nhân dân xã Hòa An (X-HOAAN), "
                                                         "Trường THPT Hòa An (THPT-HA)"), hoa_an


@pytest.mark.parametrize(("typed", "said"), [
    ("", "--unit: Nhập mã hoặc tên đơn vị."),
    (" &–. ", "--unit: Nhập mã hoặc tên đơn vị."),
    ("xyzkhcn", '--unit: Không có đơn vị nào trong danh bạ có mã hoặc tên khớp "xyzkhcn".'),
    ("kh" * 150, f'--unit: Không có đơn vị nào trong danh bạ có mã hoặc tên khớp "{"kh" * 30}… (300 ký tự)".'),
    ("kh" * 151, f'--unit: "{"kh" * 30}… (302 ký tự)": dài 302 ký tự, tối đa 300. Nhập mã hoặc tên đơn vị.'),
])
def test_bad_values_get_a_clear_answer(any_cli: Cli, typed: str, said: str) -> None:
    assert refused(any_cli, *BASE, "--unit", typed, code="unit_unknown") == said
