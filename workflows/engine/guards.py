"""Named guards a workflow may put on a transition. Each returns None when it holds, else a refusal."""
from __future__ import annotations

from collections.abc import Callable

from workflows.engine.context import EngineContext
from workflows.engine.events import Extend, Respond
from workflows.engine.needs import Needs, needs
from workflows.engine.refusals import GuardFailed

Guard = Callable[[EngineContext], GuardFailed | None]


@needs(Needs.COUNTS)
def has_responses(ctx: EngineContext) -> GuardFailed | None:
    if ctx.state.answered_count() > 0:
        return None
    return GuardFailed("Chưa có cơ quan, đơn vị nào trả lời.", "no_responses")


@needs(Needs.COUNTS)
def has_answers_with_content(ctx: EngineContext) -> GuardFailed | None:
    """Some unit answered with comments or forms: answers of "agree" alone (worded by a call for proposals
    "Không có đề xuất") do not count, so a call every unit declined ends as one nobody answered (seed 002)."""
    if ctx.state.answered_with_content_count() > 0:
        return None
    return GuardFailed("Chưa có cơ quan, đơn vị nào trả lời có nội dung.", "no_answers_with_content")


@needs(Needs.COUNTS)
def no_responses(ctx: EngineContext) -> GuardFailed | None:
    if has_responses(ctx) is None:
        return GuardFailed("Đã có cơ quan, đơn vị trả lời.", "has_responses")
    return None


@needs(Needs.HEADER)
def late_accept(ctx: EngineContext) -> GuardFailed | None:
    if isinstance(ctx.event, Respond) and ctx.event.late_accept:
        return None
    return GuardFailed(
        "Đợt đã kết thúc nhận trả lời; trả lời gửi muộn chỉ được ghi nhận khi cán bộ chọn "
        "\"chấp nhận trả lời gửi muộn\".", "round_closed")


@needs(Needs.UNIT)
def before_deadline(ctx: EngineContext) -> GuardFailed | None:
    deadline = ctx.state.deadline
    if isinstance(ctx.event, Respond):
        recipient = ctx.state.recipient(ctx.event.unit_code)
        if recipient is not None:
            deadline = recipient.deadline(ctx.state.deadline)
    if deadline is None or ctx.today <= deadline:
        return None
    return GuardFailed(f"Đã quá hạn ({deadline:%d/%m/%Y}).", "deadline_passed")


@needs(Needs.UNIT)
def deadline_in_future(ctx: EngineContext) -> GuardFailed | None:
    if not isinstance(ctx.event, Extend):
        return None
    new = ctx.event.new_deadline
    if new <= ctx.today:
        return GuardFailed(f"Hạn mới {new:%d/%m/%Y} phải sau ngày hôm nay ({ctx.today:%d/%m/%Y}).",
                           "deadline_in_past")
    current = ctx.state.deadline
    if ctx.event.unit_code is not None:
        recipient = ctx.state.recipient(ctx.event.unit_code)
        if recipient is not None:
            current = recipient.deadline(ctx.state.deadline)
    if current is not None and new <= current:
        return GuardFailed(f"Hạn mới {new:%d/%m/%Y} phải sau hạn hiện tại {current:%d/%m/%Y}.",
                           "deadline_not_later")
    return None


@needs(Needs.COUNTS)
def has_pending_units(ctx: EngineContext) -> GuardFailed | None:
    if ctx.state.pending_count():
        return None
    return GuardFailed("Tất cả cơ quan, đơn vị đã trả lời.", "nothing_pending")


@needs(Needs.COUNTS)
def all_answered(ctx: EngineContext) -> GuardFailed | None:
    pending = ctx.state.pending_count()
    if not pending:
        return None
    return GuardFailed(f"Còn {pending} cơ quan, đơn vị chưa trả lời.", "units_pending")


@needs(Needs.COMMENTS)
def all_comments_handled(ctx: EngineContext) -> GuardFailed | None:
    count = ctx.state.unhandled_comments
    if count == 0:
        return None
    return GuardFailed(f"Còn {count} ý kiến chưa được xử lý (tiếp thu / giải trình); "
                       "hãy xử lý hết trước khi hoàn thành tổng hợp.", "comments_unhandled")


GUARDS: dict[str, Guard] = {
    "all_comments_handled": all_comments_handled,
    "has_responses": has_responses,
    "has_answers_with_content": has_answers_with_content,
    "no_responses": no_responses,
    "late_accept": late_accept,
    "before_deadline": before_deadline,
    "deadline_in_future": deadline_in_future,
    "has_pending_units": has_pending_units,
    "all_answered": all_answered,
}
