"""A consultation closed while one unit's extension still runs: that unit had not stayed silent past its own
deadline, so the synthesis table and the tờ trình list it as not yet answered, never among those taken to agree by
silence; once its own deadline has passed unanswered, the kind's silence rule reads it as the others."""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from docx import Document

from config.clock import FrozenClock
from models.rounds import ResponseKind
from workflows.engine.events import Close, Command, CommentInput, Extend, Launch, Respond
from workflows.service.app import App
from workflows.service.consolidation import handle_comments, triage_items
from workflows.service.documents import render_document
from workflows.service.rounds import execute
from workflows.service.views import round_view

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STAFF = "Phạm Phi Long (TĐC)"


def at(clock: FrozenClock, moment: str) -> None:
    clock.set(datetime.fromisoformat(moment).replace(tzinfo=TZ))


def text_of(app: App, round_id: int, filename: str) -> str:
    rendered = render_document(app, round_id, filename)
    assert rendered is not None, filename
    return " ".join(" ".join(p.text for p in Document(io.BytesIO(rendered.content)).paragraphs).split())


def line(text: str, starts: str) -> str:
    found = re.search(re.escape(starts) + r"[^.]*\.", text)
    return found.group(0) if found else ""


def closed_during_an_extension(app: App, clock: FrozenClock, make_round: Callable[..., int]) -> int:
    at(clock, "2025-11-18T08:00")
    round_id = make_round(deadline=date(2025, 12, 5))
    at(clock, "2025-11-20T09:00")
    execute(app, round_id, Launch(), STAFF)
    execute(app, round_id, Respond("SCT", ResponseKind.COMMENTS, STAFF,
                                   comments=(CommentInput("Bổ sung chỉ tiêu", "Mục II"),)), STAFF)
    execute(app, round_id, Respond("STP", ResponseKind.AGREE, STAFF), STAFF)
    at(clock, "2025-12-04T09:00")
    execute(app, round_id, Extend(date(2025, 12, 12), "SYT", "Đơn vị đề nghị"), STAFF)
    at(clock, "2025-12-08T09:00")  # the common deadline has passed, SYT's has not
    execute(app, round_id, Close("đủ ý kiến"), STAFF)
    handle_comments(app, round_id, [i.comment_id for i in triage_items(app, round_id)], "accepted", "", STAFF)
    execute(app, round_id, Command("consolidate"), STAFF)
    return round_id


def test_a_unit_whose_extension_ran_past_the_close_is_not_taken_to_agree(
        app: App, clock: FrozenClock, make_round: Callable[..., int]) -> None:
    round_id = closed_during_an_extension(app, clock, make_round)
    table = text_of(app, round_id, "bang-tong-hop-y-kien.docx")
    silent = line(table, "- Các cơ quan, đơn vị không có văn bản trả lời")
    assert "được hiểu là thống nhất với dự thảo" in silent and "Sở Tài chính" in silent
    assert "Sở Y tế" not in silent
    assert line(table, "- Các cơ quan, đơn vị chưa có văn bản trả lời") == (
        "- Các cơ quan, đơn vị chưa có văn bản trả lời, chưa hết hạn trả lời tại thời điểm tổng hợp (01 cơ quan, "
        "đơn vị): Sở Y tế (gia hạn đến ngày 12/12/2025).")
    submission = text_of(app, round_id, "to-trinh.docx")
    assert "01 cơ quan, đơn vị chưa có văn bản trả lời, chưa hết hạn trả lời" in submission
    # The round's page reads the same: SYT not answered, extended, not marked as agreeing.
    syt = next(u for u in round_view(app, round_id).units if u.unit_code == "SYT")
    assert (syt.answer.value, syt.extended, syt.counted_as_agreement) == ("pending", True, False)


def test_once_its_own_deadline_has_passed_unanswered_the_silence_rule_reads_it(
        app: App, clock: FrozenClock, make_round: Callable[..., int]) -> None:
    round_id = closed_during_an_extension(app, clock, make_round)
    at(clock, "2025-12-15T09:00")
    table = text_of(app, round_id, "bang-tong-hop-y-kien.docx")
    assert "Sở Y tế" in line(table, "- Các cơ quan, đơn vị không có văn bản trả lời")
    assert "chưa hết hạn trả lời" not in table
    assert "chưa hết hạn trả lời" not in text_of(app, round_id, "to-trinh.docx")
