"""A workshop's RSVP that declines ("Không tham dự", the kind's response.decline) is an answer apart from those that
attend: the round page's counts, filter and grid, `ykien round show` (and --json), the API, the dashboard and the
staff's digest tell how many come, how many do not and how many have not answered, in the kind's words. The counts
are SQL aggregates that agree with the unit-by-unit reading, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

from cli_in_process import run
from fastapi.testclient import TestClient
from test_recipient_page import links
from test_workshop_pages import (  # noqa: F401  (fixtures)
    EVERY_GROUP,
    STAFF,
    TITLE,
    TZ,
    UNITS,
    launch_workshop,
    rsvp,
    staff,
    template_home,
    unit_client,
    workshop_clock,
    ykien_app,
)

from config.clock import FrozenClock
from models.db.round_repository import GridFilter
from models.rounds import ResponseChannel, ResponseKind
from notifications.testing import SmtpCapture
from workflows.engine.events import Launch, Respond
from workflows.service.app import App
from workflows.service.digest import set_digest
from workflows.service.directory import import_units
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.sweep import run_due
from workflows.service.views import round_grid, round_view

ANSWERS = (("SCT", "Cử người dự thay", "Nguyễn Văn A"), ("STC", "Tham dự", "Trần Thị B"),
           ("SNV", "Tham dự", "Hoàng Văn C"), ("SNV", "Không tham dự", ""),  # changed its mind: the latest counts
           ("HND", "Tham dự", "Lê Văn D"))
COMING = {"SCT", "STC", "HND"}


def answered_workshop(app: App, client: TestClient, capture: SmtpCapture) -> int:
    round_id = launch_workshop(app)
    tokens = links(capture)
    for code, attendance, name in ANSWERS:
        rsvp(app, client, tokens[code], attendance, name)
    return round_id


def tags(page: str) -> list[str]:
    found = re.search(r'<div class="counts" id="counts">(.*?)</div>', page, re.S)
    assert found, page[:300]
    return [re.sub(r"\s+", " ", t).strip() for t in re.findall(r"<a class=\"tag[^\"]*\"[^>]*>(.*?)</a>", found.group(1))]


def test_the_round_page_counts_filters_and_labels_who_comes_and_who_declines(
        ykien_app: App, unit_client: TestClient, staff: TestClient, capture: SmtpCapture) -> None:
    round_id = answered_workshop(ykien_app, unit_client, capture)
    page = staff.get(f"/rounds/{round_id}").text
    assert tags(page)[1:4] == ["Tham dự: 3", "Không tham dự: 1", "Chưa trả lời: 16"]
    assert '<option value="declined" >Không tham dự</option>' in page
    declined = staff.get(f"/rounds/{round_id}?answer=declined").text
    assert "Hiển thị 1/20 cơ quan, đơn vị." in declined and "Sở Nội vụ" in declined
    assert '<span class="tag a-declined">Không tham dự</span>' in declined
    coming = staff.get(f"/rounds/{round_id}?answer=proposals").text
    assert "Hiển thị 3/20 cơ quan, đơn vị." in coming and "Sở Nội vụ" not in coming
    assert coming.count('<span class="tag a-proposals">Tham dự</span>') == 3
    answers = staff.get(f"/rounds/{round_id}/responses").text  # each unit's latest answer, tagged as the grid does
    snv = answers[answers.index('id="a-SNV"'):]
    assert snv[:snv.index("</p>")].count('<span class="tag a-declined">Không tham dự</span>') == 1
    assert answers.count('<span class="tag a-proposals">Tham dự</span>') == 3
    told = staff.get(f"/rounds/{round_id}/timeline").text  # each answer as it was: SNV came, then declined
    assert "Sở Nội vụ trả lời: không tham dự, qua đường dẫn trả lời" in told
    assert "Sở Nội vụ trả lời: gửi đăng ký tham dự, qua đường dẫn trả lời" in told
    assert "Sở Công Thương trả lời: gửi đăng ký tham dự" in told
    assert "<b>từ chối</b>: có" in staff.get(f"/rounds/{round_id}/audit").text


def test_the_api_and_round_show_tell_the_declining_unit_apart(
        ykien_app: App, unit_client: TestClient, staff: TestClient, capture: SmtpCapture,
        tmp_path: Path) -> None:
    round_id = answered_workshop(ykien_app, unit_client, capture)
    body = staff.get(f"/api/rounds/{round_id}").json()
    assert (body["counts"]["proposals"], body["counts"]["declined"], body["counts"]["pending"]) == (3, 1, 16)
    units = {u["unit_code"]: (u["answer"], u["answer_label"]) for u in body["units"]}
    assert units["SNV"] == ("declined", "Không tham dự") and units["SCT"] == ("proposals", "Tham dự")
    env = {"YKIEN_HOME": str(tmp_path), "YKIEN_SMTP_URL": f"smtp://127.0.0.1:{capture.target.port}",
           "YKIEN_SECRET_KEY": "w" * 40, "YKIEN_NOW": "2025-08-05T09:00", "YKIEN_DATABASE_URL": None, "COLUMNS": "200"}
    shown = run(["round", "show", str(round_id), "--json"], env)
    assert shown.code == 0, shown.describe()
    data = json.loads(shown.stdout)
    assert (data["counts"]["proposals"], data["counts"]["declined"], data["counts"]["pending"]) == (3, 1, 16)
    assert {u["unit_code"] for u in data["units"] if u["answer"] == "declined"} == {"SNV"}
    told = run(["round", "show", str(round_id)], env)
    assert told.code == 0, told.describe()
    text = " ".join(told.stdout.split())
    assert "Tổng: Tham dự: 3, Không tham dự: 1, Chưa trả lời: 16;" in text
    assert "- Sở Nội vụ: (Không tham dự)" in text and "- Sở Tài chính: (Tham dự)" in text
    form = tmp_path / "khong-tham-du.json"
    form.write_text('{"attendance": "Không tham dự", "rsvp_note": "Trùng lịch"}', encoding="utf-8")
    answered = run(["round", "respond", str(round_id), "STP", "--proposal-file", str(form), "--channel", "paper"], env)
    assert answered.code == 0, answered.describe()
    assert "Đã ghi nhận trả lời của Sở Tư pháp (STP): Không tham dự;" in " ".join(answered.stdout.split())


def test_the_dashboard_sums_who_comes_and_the_digest_says_who_declined(
        ykien_app: App, unit_client: TestClient, staff: TestClient, capture: SmtpCapture,
        workshop_clock: FrozenClock) -> None:
    set_digest(ykien_app, "long", True, "long.pp@skhcn.caobang.gov.vn", STAFF)
    answered_workshop(ykien_app, unit_client, capture)
    dashboard = staff.get("/").text
    assert '<span class="kind-summary">Tham dự 3 (Tham dự 2, Cử người dự thay 1) · Không tham dự 1</span>' in dashboard
    seen = len(capture.messages)
    workshop_clock.set(datetime(2025, 8, 5, 7, 31, tzinfo=TZ))  # Tuesday, after the digest's time
    run_due(ykien_app)
    digest = [m for m in capture.messages[seen:] if str(m["X-Ykien-Kind"]) == "digest"]
    assert len(digest) == 1
    text = digest[0].get_body(("plain",)).get_content()
    assert "Sở Nội vụ: Không tham dự" in text and "Sở Tài chính: Tham dự" in text
    assert "Sở Công Thương: Tham dự" in text


def test_the_sql_classification_agrees_with_the_unit_by_unit_one_on_both_databases(app: App) -> None:
    import_units(app, UNITS, STAFF, create_groups=True)  # `app` starts on 20/11/2025
    new = NewRound(title=TITLE, subject="", workflow="workshop", office="TĐC", deadline=date(2025, 11, 27),
                   dates={"event": date(2025, 12, 4)}, addressees=(Addressee(groups=EVERY_GROUP),),
                   contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290", signer_name="Trịnh Trường Huy")
    round_id = create_round(app, new, STAFF)
    execute(app, round_id, Launch(), STAFF)
    for code, attendance, name in ANSWERS:
        form = {"attendance": attendance}
        if name:
            form.update(attendee_name=name, attendee_position="Giám đốc")
        execute(app, round_id, Respond(code, ResponseKind.PROPOSALS, STAFF, ResponseChannel.PAPER,
                                       proposals=(form,)), STAFF)
    whole = round_view(app, round_id)
    grid = round_grid(app, round_id)
    assert grid.counts == whole.counts
    assert (grid.counts["proposals"], grid.counts["declined"]) == (3, 1)
    assert [u.unit_code for u in round_grid(app, round_id, GridFilter(answer="declined")).units] == ["SNV"]
    assert {u.unit_code for u in round_grid(app, round_id, GridFilter(answer="proposals")).units} == COMING
    assert [(u.unit_code, u.answer.value) for u in grid.units] == [(u.unit_code, u.answer.value) for u in whole.units]
