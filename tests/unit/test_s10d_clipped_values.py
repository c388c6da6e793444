"""An error quotes a value typed by mistake at its start and its length, never the words around it."""
from __future__ import annotations

from workflows.cli.common import LONGEST_QUOTED, clipped_quotes, shown_value


def test_a_long_quoted_value_is_cut_after_a_whole_word_with_its_length() -> None:
    message = 'Không có đơn vị "' + "Sở Khoa học " * 1000 + '" trong danh bạ.'
    assert clipped_quotes(message) == ('Không có đơn vị "Sở Khoa học Sở Khoa học Sở Khoa học Sở Khoa học Sở Khoa '
                                       'học… (12.000 ký tự)" trong danh bạ.')


def test_a_value_up_to_the_limit_and_the_text_between_two_values_stay_whole() -> None:
    value = "x" * LONGEST_QUOTED
    between = " trong danh bạ (có: " + ", ".join(f"nhom-{n}" for n in range(60)) + ") "
    message = f'Không có nhóm "{value}"{between}"z".'
    assert len(between) > LONGEST_QUOTED
    assert clipped_quotes(message) == message


def test_a_word_longer_than_the_start_is_cut_inside_it() -> None:
    assert shown_value("a" * 500) == "a" * 60 + "… (500 ký tự)"
