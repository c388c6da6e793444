"""The register of outgoing documents on SQLite and PostgreSQL: numbers taken and entered for a round's documents,
cancelled, listed and exported, audited in the round's chain; and two OS processes taking numbers from one register
at once, neither getting a number twice nor skipping one."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from config.clock import FrozenClock
from models.db.tables import RegisterCounterRow, RegisterEntryRow
from models.errors import DomainError, InvalidInput, NotFound, RoundNotFound
from models.rounds import ResponseKind
from models.staff import Role, StaffUser
from notifications.documents.wording import default_wording_path
from workflows.engine.events import Launch, Respond
from workflows.service import register
from workflows.service.app import App
from workflows.service.register import EntryTexts, RegisterForbidden
from workflows.service.registry import DEFINITIONS
from workflows.service.rounds import execute
from workflows.service.views import audit_trail

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
REPO = Path(__file__).resolve().parents[2]
LETTER, REMINDER, SUBMISSION = "request_letter", "reminder_letter", "submission"


def at(clock: FrozenClock, moment: str) -> None:
    clock.set(datetime.fromisoformat(moment).replace(tzinfo=TZ))


def numbers(app: App, year: int = 2025) -> list[str]:
    return [e.full_number for e in register.register_year(app, year).entries]


def test_numbers_run_from_01_across_documents_and_rounds_and_restart_each_year(
        app: App, clock: FrozenClock, make_round: Callable[..., int], staff: str) -> None:
    first, second = make_round(), make_round()
    taken = [register.take_number(app, first, LETTER, staff).full_number,
             register.take_number(app, second, LETTER, staff).full_number]
    assert taken == ["01/SKHCN-TĐC", "02/SKHCN-TĐC"]
    for _ in range(8):
        register.take_number(app, first, LETTER, staff, again=True)
    assert register.take_number(app, second, LETTER, staff, again=True).full_number == "11/SKHCN-TĐC"

    # A document signed on 31/12 numbered in the new year goes to the old year's register; the new year starts at 01.
    at(clock, "2026-01-02T08:00")
    assert register.take_number(app, first, LETTER, staff, again=True,
                                issued_on=date(2025, 12, 31)).full_number == "12/SKHCN-TĐC"
    new_year = register.take_number(app, first, LETTER, staff, again=True)
    assert (new_year.full_number, new_year.year, new_year.issued_on) == ("01/SKHCN-TĐC", 2026, date(2026, 1, 2))
    assert numbers(app)[:2] == ["12/SKHCN-TĐC", "11/SKHCN-TĐC"]  # newest first
    assert register.register_year(app).year == 2026 and numbers(app, 2026) == ["01/SKHCN-TĐC"]


def test_the_counter_skips_numbers_the_van_thu_entered_by_hand(
        app: App, make_round: Callable[..., int], staff: str) -> None:
    round_id = make_round()
    register.enter_number(app, round_id, LETTER, "3/SKHCN-TĐC", date(2025, 11, 20), staff)
    register.enter_number(app, round_id, LETTER, "05/SKHCN-TĐC", date(2025, 11, 20), staff, again=True)
    taken = [register.take_number(app, round_id, LETTER, staff, again=True).number for _ in range(4)]
    assert taken == [1, 2, 4, 6]
    sources = {e.number: e.source.value for e in register.register_year(app, 2025).entries}
    assert sources == {1: "assigned", 2: "assigned", 3: "entered", 4: "assigned", 5: "entered", 6: "assigned"}


def test_a_number_is_never_given_twice_and_a_cancelled_one_stays_used(
        app: App, make_round: Callable[..., int], staff: str) -> None:
    round_id = make_round()
    entry = register.take_number(app, round_id, LETTER, staff)
    cancelled = register.cancel_entry(app, entry.id, "Văn bản không ban hành", staff)
    assert cancelled.cancelled and cancelled.cancel_reason == "Văn bản không ban hành"
    with pytest.raises(DomainError) as used:
        register.enter_number(app, round_id, LETTER, "01/SKHCN-TĐC", date(2025, 11, 20), staff)
    assert used.value.code == "number_used" and "đã hủy" in used.value.message
    assert register.take_number(app, round_id, LETTER, staff).full_number == "02/SKHCN-TĐC"
    with pytest.raises(DomainError) as used_again:
        register.enter_number(app, round_id, LETTER, "2/SKHCN-TĐC", date(2025, 11, 20), staff, again=True)
    assert used_again.value.code == "number_used"
    with pytest.raises(DomainError) as twice:
        register.cancel_entry(app, entry.id, "Lần nữa", staff)
    assert twice.value.code == "already_cancelled"
    assert numbers(app) == ["02/SKHCN-TĐC", "01/SKHCN-TĐC"]


def test_a_document_numbered_once_needs_again_for_a_second_number_and_its_latest_is_the_rounds(
        app: App, clock: FrozenClock, make_round: Callable[..., int], staff: str) -> None:
    round_id = make_round()
    first = register.take_number(app, round_id, LETTER, staff)
    with pytest.raises(DomainError) as held:
        register.take_number(app, round_id, LETTER, staff)
    assert held.value.code == "already_numbered" and "01/SKHCN-TĐC" in held.value.message
    with pytest.raises(DomainError):
        register.enter_number(app, round_id, LETTER, "7/SKHCN-TĐC", date(2025, 11, 20), staff)
    second = register.take_number(app, round_id, LETTER, staff, again=True)
    submission = register.enter_number(app, round_id, SUBMISSION, "9/TTr-SKHCN", date(2025, 11, 20), staff)
    assert register.round_numbers(app, round_id) == {LETTER: second, SUBMISSION: submission}
    register.cancel_entry(app, second.id, "Trùng", staff)
    assert register.round_numbers(app, round_id)[LETTER] == first
    assert [e.id for e in register.round_entries(app, round_id)] == [first.id, second.id, submission.id]
    with pytest.raises(RoundNotFound):
        register.round_numbers(app, 999)


def test_a_number_is_taken_only_for_a_document_the_kind_offers_in_the_rounds_state(
        app: App, make_round: Callable[..., int], staff: str) -> None:
    round_id = make_round()  # a draft: the tờ trình comes after consolidation
    with pytest.raises(DomainError) as refused:
        register.take_number(app, round_id, SUBMISSION, staff)
    assert refused.value.code == "document_not_offered" and "Dự thảo" in refused.value.message
    with pytest.raises(DomainError):
        register.take_number(app, round_id, REMINDER, staff)
    # The văn thư records a number given elsewhere whatever the state (it was given when the document left).
    entered = register.enter_number(app, round_id, SUBMISSION, "4/TTr-SKHCN", date(2025, 11, 20), staff)
    assert (entered.full_number, entered.document_type, entered.type_name) == ("04/TTr-SKHCN", "TTr", "Tờ trình")
    assert numbers(app) == ["04/TTr-SKHCN"]


def test_bad_input_is_refused_naming_its_field_and_writes_nothing(
        app: App, make_round: Callable[..., int], staff: str) -> None:
    round_id = make_round()
    cases: list[tuple[Callable[[], object], type[Exception], str]] = [
        (lambda: register.take_number(app, round_id, "synthesis_docx", staff), InvalidInput, "document_unknown"),
        (lambda: register.take_number(app, round_id, "khong-co", staff), InvalidInput, "document_unknown"),
        (lambda: register.take_number(app, 999, LETTER, staff), RoundNotFound, "round_not_found"),
        (lambda: register.take_number(app, round_id, LETTER, staff, issued_on=date(2025, 11, 21)), InvalidInput,
         "date_in_future"),
        (lambda: register.enter_number(app, round_id, LETTER, "5/SKHCN-QLKH", date(2025, 11, 20), staff),
         InvalidInput, "wrong_symbol"),
        (lambda: register.enter_number(app, round_id, SUBMISSION, "5/SKHCN-TĐC", date(2025, 11, 20), staff),
         InvalidInput, "wrong_symbol"),
        (lambda: register.enter_number(app, round_id, LETTER, "năm", date(2025, 11, 20), staff), InvalidInput,
         "bad_number"),
        (lambda: register.take_number(app, round_id, LETTER, staff, texts=EntryTexts(summary="x" * 1001)),
         InvalidInput, "text_too_long"),
        (lambda: register.take_number(app, round_id, LETTER, staff, texts=EntryTexts(signer="Bà\x00A")),
         InvalidInput, "control_character"),
        (lambda: register.cancel_entry(app, 999, "lý do", staff), NotFound, "entry_not_found"),
        (lambda: register.register_year(app, 99999), InvalidInput, "bad_year"),
        (lambda: register.export_xlsx(app, 1999), InvalidInput, "bad_year"),
    ]
    for call, error, code in cases:
        with pytest.raises(error) as refused:
            call()
        assert refused.value.code == code, refused.value  # type: ignore[attr-defined]
    entry = register.take_number(app, round_id, LETTER, staff)
    with pytest.raises(InvalidInput) as no_reason:
        register.cancel_entry(app, entry.id, " \n ", staff)
    assert no_reason.value.message.startswith("reason: ")
    assert numbers(app) == ["01/SKHCN-TĐC"] and not register.get_entry(app, entry.id).cancelled
    assert [e.action for e in audit_trail(app, round_id)[0]] == ["create", "number_taken"]


def test_texts_typed_in_nfd_are_kept_in_nfc(app: App, make_round: Callable[..., int], staff: str) -> None:
    round_id = make_round()
    nfd = lambda text: unicodedata.normalize("NFD", text)  # noqa: E731
    entry = register.enter_number(
        app, round_id, LETTER, nfd("Số: 08/SKHCN-TĐC"), date(2025, 11, 20), nfd("Văn thư Sở"),
        texts=EntryTexts(summary=nfd("V/v xin ý kiến góp ý dự thảo Kế hoạch"), signer=nfd("Nông Thị Thanh Huyền"),
                         recipients=nfd("Các sở, ban, ngành tỉnh")))
    assert entry.summary == "V/v xin ý kiến góp ý dự thảo Kế hoạch"
    assert entry.signer == "Nông Thị Thanh Huyền" and entry.recipients == "Các sở, ban, ngành tỉnh"
    cancelled = register.cancel_entry(app, entry.id, nfd("Sai số ký hiệu"), staff)
    assert cancelled.cancel_reason == "Sai số ký hiệu"
    assert unicodedata.is_normalized("NFC", cancelled.summary)


def test_defaults_come_from_the_round(app: App, make_round: Callable[..., int], staff: str) -> None:
    round_id = make_round()
    entry = register.take_number(app, round_id, LETTER, staff)
    assert entry.signer == "Nông Thị Thanh Huyền" and entry.office == "TĐC"
    assert entry.document_title == "Công văn xin ý kiến" and entry.summary.startswith("Kế hoạch hỗ trợ")
    assert entry.name_and_summary.startswith("Công văn xin ý kiến: Kế hoạch hỗ trợ")
    assert (entry.issued_on, entry.created_by, entry.document_key) == (date(2025, 11, 20), staff, LETTER)


def test_the_recipients_are_whom_the_document_is_addressed_to_unless_the_van_thu_writes_them(
        app: App, make_round: Callable[..., int], staff: str) -> None:
    """The "Nơi nhận văn bản" of an entry is the document's own Kính gửi, short (a large group by its label), written
    when the number is taken; what the văn thư types instead is kept."""
    round_id = make_round()
    letter = register.take_number(app, round_id, LETTER, staff)
    assert letter.recipients == (
        "Các sở, ban, ngành tỉnh; Ủy ban nhân dân phường Tân Giang; Ủy ban nhân dân xã Bảo Lạc; Ủy ban nhân dân xã "
        "Hòa An; Trung tâm Thông tin - Văn phòng UBND tỉnh (để đăng tải); Liên minh Hợp tác xã tỉnh (để biết)")
    submission = register.enter_number(app, round_id, SUBMISSION, "2/TTr-SKHCN", date(2025, 11, 20), staff)
    assert submission.recipients == "Ủy ban nhân dân tỉnh Cao Bằng"
    typed = register.take_number(app, round_id, LETTER, staff, again=True,
                                 texts=EntryTexts(recipients="Như trên"))
    assert typed.recipients == "Như trên"
    execute(app, round_id, Launch(), staff)
    execute(app, round_id, Respond("SCT", ResponseKind.AGREE, staff), staff)
    reminder = register.enter_number(app, round_id, REMINDER, "8/SKHCN-TĐC", date(2025, 11, 20), staff)
    assert reminder.recipients == (  # the units awaited, one by one: not Sở Công Thương, nor those only told
        "Sở Giáo dục và Đào tạo; Sở Nội vụ; Sở Tài chính; Sở Tư pháp; Sở Xây dựng; Sở Y tế; Ủy ban nhân dân phường Tân "
        "Giang; Ủy ban nhân dân xã Bảo Lạc; Ủy ban nhân dân xã Hòa An")
    call = make_round(workflow="proposal_call")
    listed = register.enter_number(app, call, "proposal_list_docx", "9/SKHCN-TĐC", date(2025, 11, 20), staff)
    assert listed.recipients == "Bộ Khoa học và Công nghệ"
    row = [[c.value for c in row] for row in load_workbook(io.BytesIO(register.export_xlsx(app, 2025).content))
           .active.iter_rows(min_row=6)]  # type: ignore[union-attr]
    assert [r[4] for r in row] == [letter.recipients, submission.recipients, typed.recipients, reminder.recipients,
                                   listed.recipients]


def user(role: Role, office: str | None) -> StaffUser:
    return StaffUser(7, "nguoidung", "Người Dùng", role, office)


def test_staff_of_the_rounds_office_and_admins_number_its_documents_leaders_read(
        app: App, make_round: Callable[..., int], staff: str) -> None:
    round_id = make_round()  # office TĐC
    for someone in (user(Role.LEADER, None), user(Role.STAFF, "QLKH")):
        with pytest.raises(RegisterForbidden):
            register.take_number(app, round_id, LETTER, someone.actor, user=someone)
    own = register.take_number(app, round_id, LETTER, "x", user=user(Role.STAFF, "TĐC"))
    by_admin = register.enter_number(app, round_id, SUBMISSION, "2/TTr-SKHCN", date(2025, 11, 20), "x",
                                     user=user(Role.ADMIN, None))
    with pytest.raises(RegisterForbidden):
        register.cancel_entry(app, own.id, "lý do", "x", user=user(Role.LEADER, None))
    with pytest.raises(RegisterForbidden):
        register.cancel_entry(app, by_admin.id, "lý do", "x", user=user(Role.STAFF, "QLKH"))
    register.cancel_entry(app, own.id, "lý do", "x", user=user(Role.STAFF, "TĐC"))
    assert len(register.numbering_choices(app, user(Role.LEADER, None))) == 0
    assert len(register.numbering_choices(app, user(Role.STAFF, "QLKH"))) == 0
    choices = register.numbering_choices(app, user(Role.STAFF, "TĐC"))
    assert [(c.key, c.symbol, c.offered_now) for c in choices] == [
        (LETTER, "SKHCN-TĐC", True), (REMINDER, "SKHCN-TĐC", False), (SUBMISSION, "TTr-SKHCN", False)]


def test_every_take_entry_and_cancellation_is_in_the_rounds_audit_chain(
        app: App, make_round: Callable[..., int], staff: str) -> None:
    round_id = make_round()
    entry = register.take_number(app, round_id, LETTER, staff)
    register.enter_number(app, round_id, SUBMISSION, "3/TTr-SKHCN", date(2025, 11, 20), "Văn thư")
    register.cancel_entry(app, entry.id, "Không ban hành", "Trưởng phòng")
    events, broken = audit_trail(app, round_id)
    assert broken is None
    assert [(e.action, e.actor) for e in events[1:]] == [
        ("number_taken", staff), ("number_entered", "Văn thư"), ("number_cancelled", "Trưởng phòng")]
    assert events[1].details["number"] == "01/SKHCN-TĐC" and events[1].details["document"] == LETTER
    assert events[2].details["source"] == "entered" and events[2].details["issued_on"] == "2025-11-20"
    assert events[3].details["reason"] == "Không ban hành"


def test_the_type_of_a_document_comes_from_its_wording_file(
        app: App, make_round: Callable[..., int], staff: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    round_id = make_round()
    # The department's copy of the tờ trình's wording makes it a report.
    overrides = app.settings.home / "templates" / "documents"
    overrides.mkdir(parents=True)
    text = default_wording_path("submission").read_text(encoding="utf-8")
    assert 'number_type: "TTr"' in text
    (overrides / "submission.yaml").write_text(text.replace('number_type: "TTr"', 'number_type: "BC"'),
                                               encoding="utf-8")
    entered = register.enter_number(app, round_id, SUBMISSION, "6/BC-SKHCN", date(2025, 11, 20), staff)
    assert (entered.full_number, entered.type_name) == ("06/BC-SKHCN", "Báo cáo")
    with pytest.raises(InvalidInput):
        register.enter_number(app, round_id, SUBMISSION, "7/TTr-SKHCN", date(2025, 11, 20), staff, again=True)

    # A kind's own wording file says the type of its own document.
    folder = tmp_path / "kinds"
    (folder / "ke_hoach" / "documents").mkdir(parents=True)
    kind = (DEFINITIONS / "consultation.yaml").read_text(encoding="utf-8")
    kind = kind.replace('name: "consultation"', 'name: "ke_hoach"').replace(
        'wording: "submission"', 'wording: "ke_hoach_trinh"')
    assert 'wording: "ke_hoach_trinh"' in kind
    (folder / "ke_hoach.yaml").write_text(kind, encoding="utf-8")
    shutil.copytree(DEFINITIONS / "consultation" / "documents", folder / "ke_hoach" / "documents", dirs_exist_ok=True)
    (folder / "ke_hoach" / "documents" / "ke_hoach_trinh.yaml").write_text(
        text.replace('number_type: "TTr"', 'number_type: "KH"'), encoding="utf-8")
    monkeypatch.setenv("YKIEN_WORKFLOWS_DIR", str(folder))
    own = make_round(workflow="ke_hoach")
    assert register.enter_number(app, own, SUBMISSION, "1/KH-SKHCN", date(2025, 11, 20),
                                 staff).full_number == "01/KH-SKHCN"


def test_the_export_is_decree_30s_register_of_outgoing_documents(
        app: App, make_round: Callable[..., int], staff: str) -> None:
    round_id = make_round()
    first = register.take_number(app, round_id, LETTER, staff, issued_on=date(2025, 11, 20),
                                 texts=EntryTexts(recipients="Các sở, ban, ngành tỉnh", summary="=HYPERLINK(1)"))
    register.enter_number(app, round_id, SUBMISSION, "2/TTr-SKHCN", date(2025, 11, 20), staff)
    register.cancel_entry(app, first.id, "Sai trích yếu", staff)
    exported = register.export_xlsx(app, 2025)
    assert (exported.filename, exported.year, exported.entries) == ("so-van-ban-di-2025.xlsx", 2025, 2)
    sheet = load_workbook(io.BytesIO(exported.content)).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1][0] == "SỔ ĐĂNG KÝ VĂN BẢN ĐI — NĂM 2025"
    assert rows[3] == ["Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung", "Người ký",
                       "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ghi chú"]
    assert rows[4] == list(range(1, 9))
    letter, submission = rows[5], rows[6]
    assert letter[0] == "01/SKHCN-TĐC" and letter[1] == datetime(2025, 11, 20)
    assert letter[2] == "Công văn xin ý kiến: =HYPERLINK(1)" and letter[4] == "Các sở, ban, ngành tỉnh"
    assert letter[5] == "VT, TĐC" and letter[7].startswith("Đã hủy ngày 20/11/2025: Sai trích yếu")
    assert submission[0] == "02/TTr-SKHCN" and submission[2].startswith("Tờ trình UBND tỉnh: Kế hoạch")
    assert "văn thư nhập" in submission[7]
    assert sheet.cell(6, 3).data_type == "s"  # text, never a formula
    empty = load_workbook(io.BytesIO(register.export_xlsx(app, 2024).content)).active
    assert empty is not None and empty.cell(2, 1).value == "SỔ ĐĂNG KÝ VĂN BẢN ĐI — NĂM 2024"


# --- two processes at once ---------------------------------------------------------------------------------------

TAKER = """
import json, os, sys, time
from pathlib import Path
from workflows.service.app import build_app
from workflows.service.register import take_number

round_id, count, start = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
app = build_app()
with app.uow(read_only=True) as uow:
    uow.rounds.row(round_id)  # connected and warm before the start
Path(sys.argv[4]).touch()
while not start.exists():
    time.sleep(0.001)
began, wall = time.perf_counter(), time.time()
taken = [take_number(app, round_id, "request_letter", f"process {os.getpid()}", again=True).number
         for _ in range(count)]
print(json.dumps({"numbers": taken, "seconds": time.perf_counter() - began, "from": wall, "to": time.time()}))
"""
PROCESSES, PER_PROCESS = 2, 50


def test_two_processes_taking_numbers_at_once_never_get_the_same_number_nor_skip_one(
        app: App, make_round: Callable[..., int], database_url: str, backend: str, tmp_path: Path) -> None:
    rounds = [make_round() for _ in range(PROCESSES)]  # one round each: only the register is shared
    env = {k: v for k, v in os.environ.items() if not k.startswith("YKIEN_")}
    env.update(YKIEN_HOME=str(app.settings.home), YKIEN_DATABASE_URL=database_url, YKIEN_NOW="2025-11-20T09:00",
               PYTHONPATH=str(REPO))
    start = tmp_path / "start"
    ready = [tmp_path / f"ready-{i}" for i in range(PROCESSES)]
    takers = [subprocess.Popen([sys.executable, "-c", TAKER, str(round_id), str(PER_PROCESS), str(start),
                                str(ready[i])], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True) for i, round_id in enumerate(rounds)]
    deadline = time.monotonic() + 120
    while not all(r.exists() for r in ready):
        assert time.monotonic() < deadline and all(t.poll() is None for t in takers), \
            [t.communicate() for t in takers if t.poll() is not None]
        time.sleep(0.01)
    began = time.perf_counter()
    start.touch()
    results = []
    for taker in takers:
        out, err = taker.communicate(timeout=300)
        assert taker.returncode == 0, err
        results.append(json.loads(out))
    elapsed = time.perf_counter() - began
    every = [n for result in results for n in result["numbers"]]
    assert sorted(every) == list(range(1, PROCESSES * PER_PROCESS + 1)), "a number given twice or skipped"
    for result in results:
        assert result["numbers"] == sorted(result["numbers"])  # each process sees the counter only rise
    assert max(r["from"] for r in results) < min(r["to"] for r in results), "the processes did not run at once"
    interleaved = sum(1 for a, b in zip(results[0]["numbers"], results[0]["numbers"][1:], strict=False) if b != a + 1)
    with app.uow() as uow:
        stored = uow.session.scalars(select(RegisterEntryRow.number).order_by(RegisterEntryRow.number)).all()
        counter = uow.session.scalars(select(RegisterCounterRow.last_number)).one()
    assert list(stored) == list(range(1, PROCESSES * PER_PROCESS + 1)) and counter == PROCESSES * PER_PROCESS
    for round_id in rounds:
        events, broken = audit_trail(app, round_id)
        assert broken is None and sum(e.action == "number_taken" for e in events) == PER_PROCESS
    each = ", ".join(f"{result['seconds']:.2f} s" for result in results)
    print(f"\nregister race on {backend}: {PROCESSES} processes x {PER_PROCESS} numbers in {elapsed:.2f} s "
          f"(per process {each}); "
          f"the first process's run was interrupted {interleaved} times by the other")
