"""The engine's refusal of an event the state does not handle keeps its first sentence ("Không thể X khi đợt đang ở
trạng thái Y.") and says what can be done instead, from the definition: the state's steps in the kind's words, that
a final state has none left, nothing more for a state that only waits for its timer."""
from __future__ import annotations

import pytest
from engine_helpers import TZ, calendar, local, make_round, workflow

from workflows.engine.decide import decide
from workflows.engine.events import Close, Event, Launch, Remind
from workflows.engine.refusals import Refused

NOW = local(2026, 3, 10)


def refusal(kind: str, status: str, event: Event) -> str:
    with pytest.raises(Refused) as refused:
        decide(make_round(kind, status=status), event, NOW, workflow(kind), calendar(), TZ)
    assert refused.value.code == "event_not_allowed"
    return refused.value.message


def test_a_refusal_lists_the_steps_of_the_state_in_the_kinds_words() -> None:
    assert refusal("proposal_call", "no_proposals", Remind()) == (
        "Không thể đôn đốc khi đợt đang ở trạng thái \"Không có đề xuất\". "
        "Ở trạng thái này có thể: ghi nhận đã báo cáo UBND tỉnh.")
    assert refusal("consultation", "draft", Close()) == (
        "Không thể kết thúc nhận trả lời khi đợt đang ở trạng thái \"Dự thảo\". Ở trạng thái này có thể: phát hành.")


def test_a_final_state_says_nothing_is_left_and_a_waiting_state_only_refuses() -> None:
    assert refusal("proposal_call", "forwarded", Launch()) == (
        "Không thể phát hành khi đợt đang ở trạng thái \"Đã gửi danh mục đề xuất\". Đợt đã kết thúc, không còn bước nào.")
    # "Chuẩn bị hội thảo" moves on when its day comes (a timer): no step to offer, and none invented.
    assert refusal("workshop", "preparing", Launch()) == (
        "Không thể phát hành khi đợt đang ở trạng thái \"Chuẩn bị hội thảo\".")
