"""Names on one line from the command line: a unit's name and contact person in the directory CSV (a line break inside
quotes, a bidi override, a zero-width space) and an office's name (`office add`) are refused naming the file and line,
or the option; they went into "Kính gửi: …" lines and tables as they were."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import Cli


@pytest.mark.parametrize(("row", "said"), [
    ('NLX,"Đơn vị\nxuống dòng",so-ban-nganh,nlx@caobang.gov.vn,Ông A,',
     "don-vi.csv:2: name có ký tự điều khiển U+000A (xuống dòng) ở ký tự thứ 7; tên chỉ được viết trên một dòng"),
    ('NLX,Đơn vị,so-ban-nganh,nlx@caobang.gov.vn,"Ông\nA",', "don-vi.csv:2: contact_person có ký tự điều khiển U+000A"),
    ("NLX,Sở\u202eNội vụ,so-ban-nganh,nlx@caobang.gov.vn,,", "don-vi.csv:2: name có ký tự định dạng vô hình U+202E"),
    ("NLX,Sở\u200bNội vụ,so-ban-nganh,nlx@caobang.gov.vn,,", "don-vi.csv:2: name có ký tự định dạng vô hình U+200B"),
], ids=["name-newline", "contact-newline", "bidi", "zero-width"])
def test_a_unit_name_or_contact_not_on_one_line_is_refused_naming_the_line(cli: Cli, row: str, said: str) -> None:
    csv = cli.home.parent / "don-vi.csv"
    csv.write_text("code,name,group,email,contact_person,phone\n" + row + "\n", encoding="utf-8")
    before = cli.snapshot()
    refused = cli("directory", "import", str(csv), expect=2)
    assert said in refused.err and "Traceback" not in refused.err, refused.err
    assert cli.snapshot() == before


def test_an_office_name_on_two_lines_is_refused_naming_the_option(cli: Cli) -> None:
    before = cli.snapshot()
    refused = cli("office", "add", "KHTC", "--name", "Phòng\nKế hoạch", expect=2)
    assert refused.err.startswith("Lỗi: --name: có ký tự điều khiển U+000A (xuống dòng)"), refused.err
    assert refused.err.count("\n") == 1
    assert cli.snapshot() == before
