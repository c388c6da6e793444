"""A round addressed to a group with no unit in the directory, beside groups that have units: created all the same,
and told (service/empty_groups.py) until it goes out, against the directory as it is now; a group a workshop's
participants section covers through another of its groups is not named. On SQLite and PostgreSQL (the one query)."""
from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from models.directory import DEFAULT_GROUPS
from models.rounds import RecipientRole
from workflows.engine.events import Launch
from workflows.service.app import App
from workflows.service.commands import run_command
from workflows.service.directory import import_units
from workflows.service.draft_rounds import draft_round, edit_round
from workflows.service.empty_groups import empty_groups
from workflows.service.rounds import Addressee, NewRound, create_round

STAFF = "Phạm Phi Long (TĐC)"
UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
SPEC = NewRound(title="Kế hoạch thử", subject="", workflow="consultation", office="TĐC", deadline=date(2025, 12, 5),
                addressees=(), contact_name="Ông Phạm Phi Long", contact_phone="0912130290",
                signer_name="Nông Thị Thanh Huyền")
CENTRAL = "trung-uong"  # a group `ykien init` seeds that units_12.csv leaves empty
CENTRAL_LABEL = "Cơ quan trung ương"


def _round_to(app: App, *addressees: Addressee, **more: object) -> int:
    import_units(app, UNITS_CSV, STAFF)
    return create_round(app, dataclasses.replace(SPEC, addressees=addressees, **more), STAFF)  # type: ignore[arg-type]


def _add_unit(app: App, tmp_path: Path, group: str) -> None:
    extra = tmp_path / "more.csv"
    extra.write_text(f"code,name,group,email\nVPCP,Văn phòng Chính phủ,{group},vpcp@example.vn\n", encoding="utf-8")
    import_units(app, extra, STAFF)


def test_an_empty_group_beside_others_is_named_and_the_round_is_created(app: App) -> None:
    round_id = _round_to(app, Addressee(groups=("so-ban-nganh", CENTRAL)),
                         Addressee(units=("LMHTX",), role=RecipientRole.INFORM))
    [group] = empty_groups(app, round_id)
    assert (group.code, group.label, group.units_now) == (CENTRAL, CENTRAL_LABEL, 0)
    assert group.notice.startswith(f"Nhóm «{CENTRAL_LABEL}» chưa có đơn vị nào trong danh bạ: thư sẽ không gửi cho "
                                   "nhóm này.")
    with app.uow(read_only=True) as uow:
        assert uow.rounds.unit_count(round_id) == 8  # 7 departments and LMHTX: the round went ahead


def test_a_round_whose_groups_all_have_units_has_no_notice(app: App) -> None:
    round_id = _round_to(app, Addressee(groups=("so-ban-nganh", "xa-phuong")),
                         Addressee(groups=("hiep-hoi",), role=RecipientRole.INFORM))
    assert empty_groups(app, round_id) == ()


def test_an_empty_group_in_any_role_is_named(app: App) -> None:
    round_id = _round_to(app, Addressee(groups=("so-ban-nganh",)),
                         Addressee(groups=(CENTRAL, "bao-chi"), role=RecipientRole.INFORM))
    assert [group.code for group in empty_groups(app, round_id)] == [CENTRAL, "bao-chi"]  # in the order named


def test_a_unit_added_after_saving_changes_the_notice_until_the_draft_is_saved_again(app: App, tmp_path: Path
                                                                                       ) -> None:
    round_id = _round_to(app, Addressee(groups=("so-ban-nganh", CENTRAL)))
    _add_unit(app, tmp_path, CENTRAL)
    [group] = empty_groups(app, round_id)  # the directory now has the unit; the round's recipients do not yet
    assert group.units_now == 1
    assert "nay có 1 đơn vị trong danh bạ" in group.notice and "thư sẽ không gửi cho họ" in group.notice
    saved, _ = draft_round(app, round_id)
    assert edit_round(app, round_id, saved, STAFF) == ["recipients"]
    assert empty_groups(app, round_id) == ()
    with app.uow(read_only=True) as uow:
        assert "VPCP" in uow.rounds.get(round_id).recipients


def test_a_launched_round_has_no_notice(app: App) -> None:
    round_id = _round_to(app, Addressee(groups=("so-ban-nganh", CENTRAL)))
    assert empty_groups(app, round_id)
    run_command(app, round_id, Launch(), STAFF)
    assert empty_groups(app, round_id) == ()


def test_a_workshop_section_reached_through_another_of_its_groups_is_not_named(app: App) -> None:
    """workshop.yaml's "business" section gathers hiep-hoi and doanh-nghiep: the associations are invited, so an
    empty doanh-nghiep leaves no part of the plan out; "banks" gathers ngan-hang alone, so its emptiness is named."""
    with app.uow() as uow:
        uow.directory.ensure_groups({**DEFAULT_GROUPS, "doanh-nghiep": "Doanh nghiệp", "ngan-hang": "Các ngân hàng"})
        uow.commit()
    round_id = _round_to(app, Addressee(groups=("so-ban-nganh", "hiep-hoi", "doanh-nghiep", "ngan-hang")),
                         workflow="workshop", deadline=date(2025, 12, 5), dates={"event": date(2025, 12, 12)})
    assert [group.code for group in empty_groups(app, round_id)] == ["ngan-hang"]
