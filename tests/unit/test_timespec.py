"""The timer-date grammar: what it accepts, how it prints, and what its errors say."""

from __future__ import annotations

import pytest

from workflows.definition.timespec import (
    Anchor,
    DayKind,
    TimeSpec,
    TimeSpecError,
    parse_relative_days,
    parse_timespec,
)

W, C = DayKind.WORKING, DayKind.CALENDAR


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("deadline", TimeSpec(Anchor.DEADLINE, 0, C)),
        ("launch", TimeSpec(Anchor.LAUNCH, 0, C)),
        ("entered", TimeSpec(Anchor.ENTERED, 0, C)),
        ("deadline - 2 working days", TimeSpec(Anchor.DEADLINE, -2, W)),
        ("deadline + 1 working day", TimeSpec(Anchor.DEADLINE, 1, W)),
        ("launch + 10 working days", TimeSpec(Anchor.LAUNCH, 10, W)),
        ("deadline + 3 days", TimeSpec(Anchor.DEADLINE, 3, C)),
        ("deadline + 3 calendar days", TimeSpec(Anchor.DEADLINE, 3, C)),
        ("2 working days before deadline", TimeSpec(Anchor.DEADLINE, -2, W)),
        ("1 working day after deadline", TimeSpec(Anchor.DEADLINE, 1, W)),
        ("5 days after entered", TimeSpec(Anchor.ENTERED, 5, C)),
        ("deadline + 0 working days", TimeSpec(Anchor.DEADLINE, 0, W)),
        ("deadline - 365 days", TimeSpec(Anchor.DEADLINE, -365, C)),
        (
            "1 working day after deadline, repeat every 2 working days, at most 3 times",
            TimeSpec(Anchor.DEADLINE, 1, W, repeat_every=2, repeat_kind=W, max_times=3),
        ),
        (
            "deadline, repeat every 7 days, at most 1 time",
            TimeSpec(Anchor.DEADLINE, 0, C, repeat_every=7, repeat_kind=C, max_times=1),
        ),
    ],
)
def test_accepted_forms_parse_to_the_expected_spec(text: str, expected: TimeSpec) -> None:
    assert parse_timespec(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "DEADLINE - 2 Working Days",
        "  deadline   -   2   working   days  ",
        "deadline-2 working days",
        "deadline - 2 working day",
        "2 WORKING DAYS BEFORE DEADLINE",
    ],
)
def test_case_spacing_and_plural_do_not_matter(text: str) -> None:
    assert parse_timespec(text) == TimeSpec(Anchor.DEADLINE, -2, W)


def test_singular_and_plural_both_accepted_in_the_repeat_suffix() -> None:
    spec = parse_timespec("deadline + 1 working days , repeat every 1 working day , at most 2 time")
    assert (spec.offset, spec.repeat_every, spec.max_times) == (1, 1, 2)


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        (TimeSpec(Anchor.DEADLINE, 0, C), "deadline"),
        (TimeSpec(Anchor.DEADLINE, -2, W), "deadline - 2 working days"),
        (TimeSpec(Anchor.DEADLINE, 1, W), "deadline + 1 working day"),
        (TimeSpec(Anchor.LAUNCH, 3, C), "launch + 3 days"),
        (TimeSpec(Anchor.ENTERED, -1, C), "entered - 1 day"),
        (TimeSpec(Anchor.DEADLINE, 0, W), "deadline + 0 working days"),
        (
            TimeSpec(Anchor.DEADLINE, 1, W, repeat_every=2, max_times=3),
            "deadline + 1 working day, repeat every 2 working days, at most 3 times",
        ),
        (
            TimeSpec(Anchor.LAUNCH, 0, C, repeat_every=1, repeat_kind=C, max_times=1),
            "launch, repeat every 1 day, at most 1 time",
        ),
    ],
)
def test_canonical_text_round_trips(spec: TimeSpec, text: str) -> None:
    assert str(spec) == text
    assert parse_timespec(text) == spec


def test_before_after_form_prints_in_canonical_form() -> None:
    assert str(parse_timespec("2 working days before deadline")) == "deadline - 2 working days"


def test_repeat_without_at_most_is_rejected_as_unbounded() -> None:
    with pytest.raises(TimeSpecError, match="lặp lại mãi không dừng"):
        parse_timespec("1 working day after deadline, repeat every 2 working days")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("deadline - two days", '"two days" không phải số ngày'),
        ("deadlin - 2 days", 'không có mốc "deadlin". Có phải "deadline"?'),
        ("deadline - 366 days", "số ngày phải từ 0 đến 365, không phải 366"),
        ("deadline - 2 weeks", '"2 weeks" không phải số ngày'),
        ("deadline, at most 3 times", "có 'at most' nhưng thiếu 'repeat every'"),
        ("deadline, repeat every 0 days, at most 2 times", "số ngày phải từ 1 đến 365, không phải 0"),
        ("deadline, repeat every 2 days, at most 0 times", "'at most' cần một số nguyên từ 1 đến 365"),
        ("deadline, every day", 'không hiểu "every day"'),
        ("", "hãy viết"),
        ("2 working days", "thiếu mốc"),
    ],
)
def test_bad_specs_say_what_is_wrong_and_show_the_accepted_forms(text: str, reason: str) -> None:
    with pytest.raises(TimeSpecError) as caught:
        parse_timespec(text)
    message = str(caught.value)
    assert message.startswith(f'mốc thời gian "{text}" không hợp lệ: ')
    assert reason in message
    assert "'<anchor> + N working days'" in message and "repeat every N working days, at most M times" in message


def test_timespec_error_is_a_value_error() -> None:
    assert issubclass(TimeSpecError, ValueError)


def test_constructing_an_unbounded_repeat_by_hand_is_refused() -> None:
    with pytest.raises(TimeSpecError):
        TimeSpec(Anchor.DEADLINE, 0, C, max_times=3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10 working days", (10, W)),
        ("1 working day", (1, W)),
        ("7 days", (7, C)),
        ("1 day", (1, C)),
        ("1 ngày làm việc", (1, W)),
        ("10 NGÀY LÀM VIỆC", (10, W)),
        ("7 ngày", (7, C)),
        ("0 days", (0, C)),
    ],
)
def test_relative_days_in_english_and_vietnamese(text: str, expected: tuple[int, DayKind]) -> None:
    assert parse_relative_days(text) == expected


def test_relative_days_accepts_decomposed_vietnamese() -> None:
    import unicodedata

    assert parse_relative_days(unicodedata.normalize("NFD", "3 ngày làm việc")) == (3, W)


@pytest.mark.parametrize("text", ["ten days", "-1 days", "400 days", "5 tuần", "days"])
def test_bad_relative_days_are_rejected_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(TimeSpecError, match="'N working days', 'N days', 'N ngày làm việc' hoặc 'N ngày'"):
        parse_relative_days(text)
