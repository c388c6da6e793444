"""The staff's daily digest, pure: when it is due on the app's calendar, and what each round's section says."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from config.calendar import vietnam_calendar
from config.settings import parse_digest_time
from models.digest import (
    AnswerFact,
    Digest,
    RoundFacts,
    UnansweredFact,
    digest_day,
    due_window,
    round_digest,
)
from notifications.digest_mail import DigestWording, render_digest

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AT = time(7, 30)
MAKE_UP_SATURDAY = date(2026, 2, 28)
CALENDAR = vietnam_calendar(working_days={MAKE_UP_SATURDAY: "Làm bù cho ngày 13/02/2026"})


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def facts(**changes: object) -> RoundFacts:
    values: dict[str, object] = dict(
        round_id=7, title="Dự thảo Kế hoạch năng suất", status_title="Đang lấy ý kiến", link="http://h/rounds/7",
        deadline=date(2025, 12, 5), answers=[], answers_total=0, unanswered=[], pending_total=0, overdue_total=0,
        silence_label=None, timers_due=[], extensions_ending=[])
    values.update(changes)
    return RoundFacts(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("moment", "expected"), [
    ("2025-11-21T07:30", date(2025, 11, 21)),  # a Friday, at the minute
    ("2025-11-21T07:29", None),  # a minute early
    ("2025-11-21T23:59", date(2025, 11, 21)),  # late in the day: still that day's (a process that was down)
    ("2025-11-22T09:00", None),  # Saturday
    ("2025-11-23T09:00", None),  # Sunday
    ("2026-02-17T09:00", None),  # Tết Nguyên đán (mùng 1)
    ("2026-01-01T09:00", None),  # Tết Dương lịch
    ("2026-02-28T07:31", MAKE_UP_SATURDAY),  # a make-up Saturday is a working day
])
def test_the_digest_is_due_after_its_time_on_working_days_only(moment: str, expected: date | None) -> None:
    assert digest_day(local(moment), AT, CALENDAR.is_working_day) == expected


def test_the_window_runs_from_today_to_the_next_working_day() -> None:
    assert due_window(date(2025, 11, 20), CALENDAR.next_working_day) == (date(2025, 11, 20), date(2025, 11, 21))
    # Friday: the weekend and Monday
    assert due_window(date(2025, 11, 21), CALENDAR.next_working_day) == (date(2025, 11, 21), date(2025, 11, 24))
    # Friday before the make-up Saturday
    assert due_window(date(2026, 2, 27), CALENDAR.next_working_day) == (date(2026, 2, 27), MAKE_UP_SATURDAY)
    # the last working day before Tết 2026 covers the whole holiday
    last = due_window(date(2026, 2, 13), vietnam_calendar().next_working_day)[1]
    assert last > date(2026, 2, 17) and vietnam_calendar().is_working_day(last)


@pytest.mark.parametrize("text", ["7:30", "24:00", "07:60", "", "07.30", "noon", "07:30:00"])
def test_a_bad_digest_time_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(ValueError, match=r"HH:MM.*07:30"):
        parse_digest_time(text)
    assert parse_digest_time(" 18:05 ") == time(18, 5)


def test_answers_are_newest_first_and_cut_to_the_names_shown() -> None:
    answers = [AnswerFact(f"Đơn vị {i}", "Có ý kiến góp ý", local(f"2025-11-20T{8 + i:02d}:00")) for i in range(5)]
    section = round_digest(facts(answers=answers, answers_total=14), (date(2025, 11, 21), date(2025, 11, 24)),
                           names_shown=3)
    assert [a.unit_name for a in section.answers] == ["Đơn vị 4", "Đơn vị 3", "Đơn vị 2"]
    assert section.answers_more == 11 and section.has_news


def test_silent_units_follow_the_rounds_silence_rule() -> None:
    today = date(2025, 12, 8)
    unanswered = [UnansweredFact("Sở Tài chính", date(2025, 12, 5)), UnansweredFact("Xã Hòa An", date(2025, 12, 10)),
                  UnansweredFact("Sở Y tế", date(2025, 12, 5))]
    plain = round_digest(facts(unanswered=unanswered, overdue_total=2, pending_total=1), (today, today))
    assert [(s.label, s.total, s.names) for s in plain.silent] == [
        ("Quá hạn, chưa trả lời", 2, ["Sở Tài chính", "Sở Y tế"]),
        ("Chưa trả lời, còn trong hạn", 1, ["Xã Hòa An"])]
    agreeing = round_digest(facts(unanswered=unanswered, overdue_total=40, pending_total=1,
                                  silence_label="coi như đồng ý"), (today, today))
    assert agreeing.silent[0].label == "Quá hạn, coi như đồng ý" and agreeing.silent[0].more == 38
    # a round that no longer takes answers lists no silent units and no deadline
    closed = round_digest(facts(unanswered=unanswered, overdue_total=2, deadline=today, answering=False),
                          (today, today))
    assert closed.silent == [] and closed.due == []


def test_what_falls_due_in_the_window_is_listed_by_day() -> None:
    window = (date(2025, 12, 4), date(2025, 12, 5))
    section = round_digest(facts(
        deadline=date(2025, 12, 5),
        timers_due=[("Nhắc trước hạn", date(2025, 12, 4)), ("Nhắc sau hạn", date(2025, 12, 9))],
        extensions_ending=[(date(2025, 12, 4), 3, ["Sở Tài chính", "Sở Y tế"])]), window)
    assert [(d.day, d.text) for d in section.due] == [
        (date(2025, 12, 4), "Nhắc trước hạn"),
        (date(2025, 12, 4), "Hết hạn gia hạn của 3 đơn vị chưa trả lời: Sở Tài chính; Sở Y tế và 1 đơn vị khác"),
        (date(2025, 12, 5), "Hết hạn trả lời của đợt")]
    quiet = round_digest(facts(deadline=date(2025, 12, 20)), window)
    assert quiet.due == [] and not quiet.has_news


def test_the_deadline_is_announced_once_when_a_timer_moves_the_round_on_that_day() -> None:
    window = (date(2025, 12, 4), date(2025, 12, 5))
    closing = round_digest(facts(deadline=date(2025, 12, 5), timers_due=[("Hết hạn nhận trả lời", date(2025, 12, 5))],
                                 deadline_timer_days=frozenset({date(2025, 12, 5)})), window)
    assert [(d.day, d.text) for d in closing.due] == [(date(2025, 12, 5), "Hết hạn nhận trả lời")]
    # a grace period puts the close on another day: both are news
    graced = round_digest(facts(deadline=date(2025, 12, 4), timers_due=[("Hết hạn nhận trả lời", date(2025, 12, 5))],
                                deadline_timer_days=frozenset({date(2025, 12, 5)})), window)
    assert [d.text for d in graced.due] == ["Hết hạn trả lời của đợt", "Hết hạn nhận trả lời"]


def test_the_email_says_it_in_vietnamese_with_dates_in_local_time() -> None:
    day = date(2025, 12, 4)
    section = round_digest(facts(
        title="Dự thảo <b>Quy chế</b>", answers=[AnswerFact("Sở Tài chính", "Có ý kiến góp ý",
                                                              local("2025-12-03T16:05"), late=True, revised=True)],
        answers_total=1, unanswered=[UnansweredFact("Xã Hòa An", None)], pending_total=1,
        timers_due=[("Nhắc trước hạn", day)]), (day, date(2025, 12, 5)))
    digest = Digest("Phạm Phi Long", day, local("2025-12-03T07:30"), (day, date(2025, 12, 5)), [section])
    wording = DigestWording("Sở Khoa học và Công nghệ", "SKHCN", "UBND tỉnh Cao Bằng", "của phòng TĐC",
                            "http://h/account/password", "07:30")
    email = render_digest(digest, wording, local("2025-12-04T07:31"))
    assert email.subject == "[SKHCN] Tổng hợp ngày 04/12/2025: 1 trả lời mới, 2 việc đến hạn (1 đợt)"
    assert "Sở Tài chính: Có ý kiến góp ý (gửi lại) (trễ hạn), lúc 16:05 ngày 03/12/2025" in email.text
    assert "Chưa trả lời, còn trong hạn (1): Xã Hòa An" in email.text
    assert "04/12/2025 (hôm nay): Nhắc trước hạn" in email.text
    assert "từ 07:30 ngày 03/12/2025 đến 07:31 ngày 04/12/2025" in email.text
    assert "Dự thảo &lt;b&gt;Quy chế&lt;/b&gt;" in email.html and "<b>Quy" not in email.html
    assert 'href="http://h/rounds/7"' in email.html


def test_a_quiet_day_says_so() -> None:
    day = date(2025, 12, 4)
    digest = Digest("Phạm Phi Long", day, local("2025-12-03T07:30"), (day, date(2025, 12, 5)),
                    [round_digest(facts(deadline=date(2025, 12, 20)), (day, date(2025, 12, 5)))])
    wording = DigestWording("Sở KH&CN", "SKHCN", "UBND", "đang chạy của Sở", "http://h/account/password", "07:30")
    email = render_digest(digest, wording, local("2025-12-04T07:31"))
    assert email.subject == "[SKHCN] Tổng hợp ngày 04/12/2025: không có trả lời mới (1 đợt)"
    assert "Không có trả lời mới và không có việc đến hạn từ hôm nay đến 05/12/2025." in email.text


@pytest.mark.parametrize("value", ["25:00", "7h30", "07:30:00"])
def test_a_bad_ykien_digest_time_names_the_variable(value: str) -> None:
    from config.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match=rf'^YKIEN_DIGEST_TIME: "{value}" không phải giờ dạng HH:MM'):
        load_settings(digest_time=value)
    assert load_settings(digest_time=" 06:45 ").digest_time == "06:45"
