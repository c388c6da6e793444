"""The API's list of rounds filters by one state of one kind, `?status=kind:state`, as the dashboard does: two kinds
of a department that name a state alike ("preparing": the appraisal's "Chuẩn bị hồ sơ", the review's "Soạn đề
cương") no longer answer together for one of them. A state's name alone still means that state in every kind that
has it. A kind or a state the catalogue lacks is refused with 422 naming `status` and listing the valid names.
Real web app on a real SQLite database, the two kinds read from the department's folder."""
from __future__ import annotations

from pathlib import Path

import pytest
from department_kinds import APPRAISAL, REVIEW, first_state_round, kinds_folder
from fastapi.testclient import TestClient
from staff_site import log_in, staff, template_home, ykien_app  # noqa: F401

from workflows.service.app import App


@pytest.fixture(autouse=True)
def department(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    return kinds_folder(tmp_path_factory, monkeypatch, APPRAISAL, REVIEW)


def preparing(app: App, workflow: str) -> int:
    """A round created, not launched: in its kind's first state, "preparing" for both kinds."""
    return first_state_round(app, workflow)


def listed(client: TestClient, status: str) -> list[tuple[int, str, str]]:
    answer = client.get("/api/rounds", params={"status": status})
    assert answer.status_code == 200, answer.text
    return [(r["id"], r["workflow"], r["status_title"]) for r in answer.json()]


def refused(client: TestClient, status: str) -> str:
    answer = client.get("/api/rounds", params={"status": status})
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "status_unknown"
    return str(error["message"])


def test_a_kinds_state_lists_that_kinds_rounds_and_a_bare_name_every_kinds(ykien_app: App, staff: TestClient) -> None:
    appraisal, review, consultation = preparing(ykien_app, "appraisal"), preparing(ykien_app, "review"), \
        preparing(ykien_app, "consultation")
    log_in(staff)
    assert listed(staff, "appraisal:preparing") == [(appraisal, "appraisal", "Chuẩn bị hồ sơ")]
    assert listed(staff, "review:preparing") == [(review, "review", "Soạn đề cương")]
    assert sorted(listed(staff, "preparing")) == [(appraisal, "appraisal", "Chuẩn bị hồ sơ"),
                                                  (review, "review", "Soạn đề cương")]
    assert listed(staff, "consultation:draft") == [(consultation, "consultation", "Dự thảo")]
    assert listed(staff, " review:preparing ") == [(review, "review", "Soạn đề cương")]  # as typed, trimmed
    assert listed(staff, "review:under_review") == []  # a state the kind has, no round in it: an empty list


def test_an_unknown_kind_or_state_is_refused_naming_status_and_listing_the_valid_ones(
        ykien_app: App, staff: TestClient) -> None:
    preparing(ykien_app, "review")
    log_in(staff)
    kind = refused(staff, "reveiw:preparing")
    assert kind.startswith('status: không có quy trình "reveiw" (viết quy_trình:trạng_thái; các quy trình: ')
    assert "appraisal, consultation, proposal_call, report_collection, review, workshop" in kind
    assert kind.endswith('Có phải "review"?'), kind
    state = refused(staff, "review:draft")  # the consultation's first state, not the review's
    assert state == ('status: quy trình "review" không có trạng thái "draft" (các trạng thái: preparing, '
                     "under_review, reviewed, finished).")
    typo = refused(staff, "appraisal:apraised")
    assert typo.endswith('Có phải "appraised"?') and "under_appraisal, appraised, result_sent" in typo
    for empty in ("review:", ":preparing", ":"):
        message = refused(staff, empty)
        assert message.startswith(f'status: "{empty}" thiếu tên quy trình hoặc tên trạng thái (viết '
                                  "quy_trình:trạng_thái, ví dụ "), message
    bare = refused(staff, "preparin")
    assert bare.startswith('status: không có trạng thái "preparin" trong quy trình nào (') and "preparing" in bare
    assert refused(staff, "review:preparing:x").startswith('status: quy trình "review" không có trạng thái')
