"""The report to UBND tỉnh when nobody proposed (seed 002: "hết thời gian thông báo, Sở ... không nhận được đề
xuất") and the draft reply to the Ministry give the day the call stopped taking proposals: the day staff closed it
when they closed it early, the deadline when its timer closed it at the end of that day (fired at midnight or by a
sweep that ran late), the extended deadline when a unit was given more time. Real SQLite database."""
from __future__ import annotations

from datetime import date

import pytest
from test_round_kinds import department, launch, local, template_home, ykien_app  # noqa: F401
from test_s8c_no_proposal import STAFF, docx_text

from config.clock import FrozenClock
from workflows.engine.events import Close, Extend
from workflows.service.app import App
from workflows.service.documents import available_documents, set_document_inputs
from workflows.service.registry import get_workflow
from workflows.service.rounds import execute
from workflows.service.sweep import run_due
from workflows.service.views import round_view


def letters(app: App, round_id: int) -> tuple[str, str]:
    """The report's text and the draft reply's, spaces collapsed."""
    assert get_workflow("proposal_call").state_title(round_view(app, round_id).state.status) == "Không có đề xuất"
    set_document_inputs(app, round_id, {"call_letter_number": "123/SKHCN-QLKH"}, STAFF)
    built = {c.key: c for c in available_documents(app, round_id)}
    return tuple(" ".join(docx_text(built[key].build(app, round_id).content).split())  # type: ignore[return-value]
                 for key in ("zero_response_report", "ministry_reply"))


def test_a_call_staff_closed_early_reports_the_day_they_closed_it(ykien_app: App, clock: FrozenClock) -> None:
    round_id = launch(ykien_app, "proposal_call", deadline=date(2025, 12, 5))
    clock.set(local("2025-12-01T15:10"))
    execute(ykien_app, round_id, Close("Đã đủ thời gian thông báo"), STAFF)
    report, reply = letters(ykien_app, round_id)
    assert "Tuy nhiên, hết thời gian thông báo (ngày 01/12/2025)," in report and "05/12/2025" not in report
    assert "Hết thời hạn đề xuất (ngày 01/12/2025)," in reply


@pytest.mark.parametrize("swept_at", ["2025-12-06T00:00", "2025-12-06T07:45"])
def test_a_call_its_timer_closed_reports_its_deadline_not_the_day_the_sweep_ran(
        ykien_app: App, clock: FrozenClock, swept_at: str) -> None:
    round_id = launch(ykien_app, "proposal_call", deadline=date(2025, 12, 5))
    clock.set(local(swept_at))
    run_due(ykien_app)
    report, reply = letters(ykien_app, round_id)
    assert "Tuy nhiên, hết thời gian thông báo (ngày 05/12/2025)," in report
    assert "Hết thời hạn đề xuất (ngày 05/12/2025)," in reply


def test_a_call_a_unit_was_given_more_time_reports_the_extended_deadline(ykien_app: App, clock: FrozenClock) -> None:
    round_id = launch(ykien_app, "proposal_call", deadline=date(2025, 12, 5))
    execute(ykien_app, round_id, Extend(date(2025, 12, 10), "SCT", "Xin thêm thời gian"), STAFF)
    clock.set(local("2025-12-11T00:05"))
    run_due(ykien_app)
    report, _ = letters(ykien_app, round_id)
    assert "Tuy nhiên, hết thời gian thông báo (ngày 10/12/2025)," in report
