"""What staff read from `ykien round …` at an 80-column terminal and after each step (CLI review, December 2025).

- The grid and the list of rounds never cut a unit code ("P-TANGI…", which `round respond` needs) nor a date
  ("04/12/…"), and stay inside the width COLUMNS gives when the output goes into a pipe (`| less`).
- The audit trail reads in Vietnamese: event titles, states' titles, "có"/"không", dd/mm/yyyy; never
  "late_accept=False", "to=circulating" or "deadline=2025-12-04".
- A success line says what happened: the launch its deadline, an extension for whom and until when, an answer
  whose and of which kind.
"""
from __future__ import annotations

import re

from notifications.testing import SmtpCapture

CREATE = ("round", "create", "--title", "Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất giai đoạn 2026 – 2030",
          "--office", "TĐC", "--deadline", "10 ngày làm việc", "--group", "so-ban-nganh", "--group", "xa-phuong",
          "--publish", "TTTT-VP", "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290",
          "--signer-name", "Nông Thị Thanh Huyền")
LAUNCH = ("round", "launch", "1", "--no-draft-reason", "Dự thảo gửi kèm bản giấy")
CODES = ("SCT", "STC", "SYT", "STP", "SXD", "SNV", "SGDDT", "X-HOAAN", "X-BAOLAC", "P-TANGIANG", "TTTT-VP")


def _narrow(out: str, width: int = 80) -> list[str]:
    lines = out.splitlines()
    assert all(len(line) <= width for line in lines), max(lines, key=len)
    assert "…" not in out, out
    return lines


def test_grid_and_list_at_80_columns_keep_codes_and_dates_whole(cli, capture: SmtpCapture) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    cli(*LAUNCH)
    cli("round", "extend", "1", "10/12/2025", "--unit", "P-TANGIANG")
    shown = cli("round", "show", "1", COLUMNS="80").out
    _narrow(shown)
    for code in CODES:
        assert re.search(rf"(^|\s){re.escape(code)}(\s|$)", shown, re.MULTILINE), code
    assert shown.count("04/12/2025") >= 9 and "10/12/2025" in shown  # every unit's deadline, whole
    listed = cli("round", "list", COLUMNS="80").out
    _narrow(listed)
    assert "04/12/2025" in listed and "0/10" in listed
    wide = cli("round", "show", "1", COLUMNS="200").out  # room enough: the table, one line per unit
    assert any(line.startswith("│ P-TANGIANG") and "10/12/2025" in line for line in wide.splitlines())


def test_the_audit_trail_reads_in_vietnamese(cli, capture: SmtpCapture) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    cli(*LAUNCH)
    cli("round", "respond", "1", "STP", "--agree", "--note", "CV 812/STP")
    cli("round", "extend", "1", "10/12/2025", "--unit", "SYT", "--reason", "Đơn vị đề nghị")
    out = re.sub(r"[│┃\s]+", " ", cli("round", "audit", "1").out)  # the cells' text, wrapped lines joined
    for raw in ("late_accept", "False", "True", "circulating", "timer_fired", "2025-12-10", "entered_by",
                "channel=", "kind=", "=paper"):
        assert raw not in out, raw
    for words in ("Phát hành", "Đang lấy ý kiến", "Sở Tư pháp", "văn bản giấy", "nhận muộn: không", "10/12/2025",
                  "Chuỗi băm toàn vẹn"):
        assert words in out, words
    _narrow(cli("round", "audit", "1", COLUMNS="80").out.replace("…", ""))  # lists of units end in "…" by design


def test_success_lines_say_what_happened(cli, capture: SmtpCapture) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    launched = cli(*LAUNCH).out
    assert "hạn trả lời 04/12/2025" in launched and "11 thư" in launched  # 10 to answer, 1 to publish
    answered = cli("round", "respond", "1", "STP", "--agree").out
    assert "Sở Tư pháp (STP)" in answered and "Đồng ý / không có ý kiến" in answered
    commented = cli("round", "respond", "1", "SCT", "--comment", "Mục I::Bổ sung chỉ tiêu").out
    assert "Sở Công Thương (SCT)" in commented and "Có ý kiến góp ý" in commented
    one = cli("round", "extend", "1", "10/12/2025", "--unit", "SYT").out
    assert "Sở Y tế (SYT)" in one and "10/12/2025" in one
    everyone = cli("round", "extend", "1", "08/12/2025").out
    assert "chung cho đợt" in everyone and "08/12/2025" in everyone


def test_a_mistyped_kind_or_unit_and_no_addressee_are_bad_input_named_by_their_options(cli) -> None:  # type: ignore[no-untyped-def]
    """A typo in --workflow exited 1 as if the round had refused; no --unit or --group was named "recipients"; a
    unit not in the directory was quoted 'NOPE', unlike every other message."""
    kind = cli(*CREATE, "--workflow", "consultaton", expect=2)
    assert 'Không có quy trình "consultaton"' in kind.err and "consultation" in kind.err
    without = [arg for arg in CREATE if arg not in ("--group", "so-ban-nganh", "xa-phuong", "--publish", "TTTT-VP")]
    nobody = cli(*without, expect=2)
    assert nobody.err.strip() == "Lỗi: --unit/--group: chưa chọn cơ quan, đơn vị nào.", nobody.err
    unknown = cli(*CREATE, "--unit", "NOPE", expect=2)
    assert 'Lỗi: --unit: Không có đơn vị nào trong danh bạ có mã hoặc tên khớp "NOPE".' in unknown.err \
        and "'NOPE'" not in unknown.err


def test_mail_kept_in_the_built_in_mailbox_is_not_said_to_have_gone_out(cli) -> None:  # type: ignore[no-untyped-def]
    """Without YKIEN_SMTP_URL the mail goes to the built-in sink: "Thư: đã gửi 10" alone read as if the units had
    it."""
    cli(*CREATE, YKIEN_SMTP_URL=None)
    launched = cli(*LAUNCH, YKIEN_SMTP_URL=None).out
    assert "YKIEN_SMTP_URL chưa đặt: thư được lưu trong hộp thư nội bộ" in launched, launched
    assert "hộp thư nội bộ" not in cli("round", "remind", "1").out  # with a mail server: no such line


def test_a_timer_due_at_midnight_reads_as_the_end_of_the_day_before(cli, capture: SmtpCapture) -> None:  # type: ignore[no-untyped-def]
    """The close of a round due 04/12 fires at 00:00 on 05/12: "lúc 00:00 05/12/2025" read as a day late."""
    cli(*CREATE)
    cli(*LAUNCH)
    shown = cli("round", "show", "1", COLUMNS="200").out
    timers = next(line for line in shown.splitlines() if line.startswith("Việc hẹn giờ: "))
    assert "hết ngày 04/12/2025" in timers and "00:00" not in timers, timers
