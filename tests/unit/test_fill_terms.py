"""A kind's terms filled with what staff typed: a title typed as letters write it ("Dự thảo Kế hoạch …", "Đề xuất
nhiệm vụ KH&CN …") is not made to say its opening words twice in a V/v, an email subject or a letter (found rendering
the proposal call's letters beside seed 002: "V/v đề xuất nhiệm vụ khoa học và công nghệ Đề xuất nhiệm vụ KH&CN …")."""
from __future__ import annotations

import unicodedata

import pytest

from workflows.definition.schema import fill_terms
from workflows.service.registry import shipped_workflows
from workflows.service.rounds import default_subject

PROPOSAL_TITLE = "Đề xuất nhiệm vụ KH&CN cấp quốc gia bắt đầu thực hiện từ năm 2027 thuộc Chương trình 1322"


@pytest.mark.parametrize(("term", "title", "filled"), [
    # the title starts with the words just before it: they are said once
    ("xin ý kiến góp ý đối với dự thảo {title}", "Dự thảo Kế hoạch phát triển KH&CN",
     "xin ý kiến góp ý đối với dự thảo Kế hoạch phát triển KH&CN"),
    ("báo cáo kết quả thực hiện {title}", "Thực hiện nhiệm vụ KH&CN năm 2023",
     "báo cáo kết quả thực hiện nhiệm vụ KH&CN năm 2023"),
    # the title starts as the term does: the title says it all, its capital lowered inside the V/v
    ("đề xuất nhiệm vụ khoa học và công nghệ {title}", PROPOSAL_TITLE, "đ" + PROPOSAL_TITLE[1:]),
    ("báo cáo kết quả thực hiện {title}", "Báo cáo kết quả thực hiện nhiệm vụ năm 2023",
     "báo cáo kết quả thực hiện nhiệm vụ năm 2023"),
    # nothing repeated, or one word only by chance: as before
    ("xin ý kiến góp ý đối với dự thảo {title}", "Kế hoạch phát triển KH&CN",
     "xin ý kiến góp ý đối với dự thảo Kế hoạch phát triển KH&CN"),
    ("xin ý kiến góp ý đối với dự thảo {title}", "Thảo luận chính sách",
     "xin ý kiến góp ý đối với dự thảo Thảo luận chính sách"),
    # a quoted title is a name as written: whole
    ('mời dự Hội thảo "{title}"', "Hội thảo khoa học", 'mời dự Hội thảo "Hội thảo khoa học"'),
    ("đợt đề xuất “{title}”", "Đề xuất nhiệm vụ", "đợt đề xuất “Đề xuất nhiệm vụ”"),
    # an abbreviation keeps its capitals; a title in NFD is compared as the same words
    ("báo cáo {title}", "UBND tỉnh giao", "báo cáo UBND tỉnh giao"),
    ("xin ý kiến góp ý đối với dự thảo {title}", unicodedata.normalize("NFD", "Dự thảo Quy chế"),
     "xin ý kiến góp ý đối với dự thảo " + unicodedata.normalize("NFD", "Quy chế")),
    # braces the user typed are not filled again
    ("{title} và {title}", "A {title}", "A {title} và A {title}"),
])
def test_a_title_is_not_made_to_say_its_opening_words_twice(term: str, title: str, filled: str) -> None:
    assert fill_terms(term, title=title) == filled


def test_the_proposal_calls_default_subject_reads_as_seed_002_writes_it() -> None:
    workflow = shipped_workflows()["proposal_call"]
    assert default_subject(workflow, PROPOSAL_TITLE) == "đ" + PROPOSAL_TITLE[1:]
    assert workflow.terms.reminder_subject == "đôn đốc {subject}"  # "V/v đôn đốc đề xuất nhiệm vụ KH&CN …"
