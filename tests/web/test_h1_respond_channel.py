"""The staff form of an answer received outside the link, posted with a channel the list does not have (a page of
an older version, a changed request): the refusal is shown beside the channel, not only "xem các mục tô đỏ"."""
from __future__ import annotations

from pathlib import Path

import pytest
from test_draft_rounds import Site

from workflows.engine.events import Launch
from workflows.service.rounds import execute
from workflows.service.steps import run_step
from workflows.service.views import latest_responses

STAFF = "Phạm Phi Long (TĐC)"


@pytest.fixture
def site(tmp_path: Path) -> Site:
    built = Site(tmp_path / "home")
    yield built  # type: ignore[misc]
    built.app.close()


def test_a_channel_not_in_the_list_is_refused_beside_the_channel(site: Site) -> None:
    execute(site.app, site.draft_id, Launch(), STAFF)
    run_step(site.app, "circulate", round_id=site.draft_id)
    answer = site.as_("canbo").post(f"/rounds/{site.draft_id}/respond", {
        "unit": "SCT", "kind": "agree", "channel": "bồ câu", "confirmed": "yes"})
    assert answer.status_code == 422
    assert '<span class="field-error" id="err-channel" role="alert">Chọn hình thức nhận.</span>' in answer.text
    assert latest_responses(site.app, site.draft_id) == []
