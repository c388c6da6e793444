"""Display names in From and Reply-To as render_message writes them: NFC, RFC 2047 encoded-words of at most 68
characters (lines within 78), ASCII words left plain, and read back as written by an RFC 2047 reader."""
from __future__ import annotations

import re
import unicodedata
from email.header import decode_header, make_header

import pytest

from notifications.message import OutgoingEmail, render_message


def header(raw: bytes, name: str) -> str:
    found = re.search(rb"^" + name.encode() + rb": ([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", raw, re.M)
    assert found is not None, name
    return found.group(1).decode("ascii")


@pytest.mark.parametrize("name", [
    "Sở Khoa học và Công nghệ",
    "Sở Khoa học và Công nghệ tỉnh Thừa Thiên Huế",
    "Ủy ban nhân dân tỉnh Cao Bằng – Văn phòng (bộ phận một cửa), \"Tổ tiếp nhận\"",
    "Phòng =?utf-8?q?x?= Đo lường",  # a plain word that looks like an encoded-word must not be read as one
    "Ngườiviếttênrấtdàiliềnmộtmạchkhôngcódấucáchnàoởgiữacảđểthửcắttheokýtự",
    "Văn   phòng \t Sở",  # runs of blanks: one space
])
def test_a_name_typed_in_nfd_reads_back_in_nfc_from_short_encoded_words(name: str) -> None:
    quoted = unicodedata.normalize("NFD", name).replace("\\", "\\\\").replace('"', '\\"')
    email = OutgoingEmail("<n-1@skhcn.caobang.gov.vn>", f'"{quoted}" <ykien@skhcn.caobang.gov.vn>', "a@example.vn",
                          "Chủ đề", "x", "<p>x</p>", reply_to=f'"{quoted}" <tdc@caobang.gov.vn>')
    raw = render_message(email)
    expected = " ".join(unicodedata.normalize("NFC", name).split())
    for field, address in (("From", "ykien@skhcn.caobang.gov.vn"), ("Reply-To", "tdc@caobang.gov.vn")):
        value = header(raw, field)
        lines = f"{field}: {value}".split("\r\n")
        assert max(len(line) for line in lines) <= 78, lines
        words = re.findall(r"=\?utf-8\?b\?[A-Za-z0-9+/=]*\?=", value)
        assert words and all(len(word) <= 68 for word in words), words
        assert not re.search(r"(?<![?])=\?utf-8\?q\?", value), value  # the look-alike went inside an encoded-word
        phrase, _, rest = " ".join(value.split()).rpartition(" <")
        assert rest == f"{address}>"
        assert str(make_header(decode_header(phrase))) == expected, (field, value)
