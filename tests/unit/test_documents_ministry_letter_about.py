"""Review of the rendered documents: the letter sending the proposal list to the Ministry cites the Ministry's letter
as staff typed it among the legal bases. A basis typed as the seeds write it ("Công văn số 949/BKHCN-TĐC ngày
04/5/2022 của Bộ Khoa học và Công nghệ về việc đề xuất nhiệm vụ ...") already says what it is about: the opening
sentence must not add a second "về việc <the call's subject>" after it."""
from __future__ import annotations

import io
import sys
from dataclasses import replace
from pathlib import Path

from docx import Document

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "documents"))

import document_seeds as seed_data

from notifications.documents.proposals import render_proposal_list_docx

ABOUT = ("Công văn số 3347/BKHCN-TĐC ngày 24/7/2025 của Bộ Khoa học và Công nghệ về việc đề xuất nhiệm vụ KH&CN cấp"
         " quốc gia dự kiến thực hiện từ năm 2026")


def _opening(content: bytes) -> str:
    return next(p.text for p in Document(io.BytesIO(content)).paragraphs if p.text.startswith("Thực hiện "))


def test_a_ministry_letter_that_says_what_it_is_about_gets_no_second_ve_viec() -> None:
    opening = _opening(render_proposal_list_docx(replace(seed_data.proposal_list(), ministry_letter=ABOUT)))
    assert opening.startswith(f"Thực hiện {ABOUT}, Sở Khoa học và Công nghệ đã thông báo"), opening
    assert opening.count("về việc") == 1, opening


def test_a_ministry_letter_by_number_alone_is_still_followed_by_the_calls_subject() -> None:
    opening = _opening(render_proposal_list_docx(seed_data.proposal_list()))
    assert f"{seed_data.MINISTRY_LETTER_2025} về việc {seed_data.CALL_PURPOSE}, Sở Khoa học" in opening, opening
