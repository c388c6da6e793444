"""Fixtures of the integration tests: a consultation round on the 12-unit directory, and a mail log
that tells which emails arrived since the last look.

The directory (tests/fixtures/units_12.csv): 7 departments (so-ban-nganh) and 3 communes
(xa-phuong) are asked to comment, TTTT-VP to publish the draft, LMHTX receives it for information.
"""
from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest

from models.rounds import RecipientRole
from notifications.testing import SmtpCapture
from workflows.service.app import App
from workflows.service.directory import import_units
from workflows.service.rounds import Addressee, NewRound, create_round

STAFF = "Phạm Phi Long (TĐC)"
UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
TITLE = "Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng giai đoạn 2026 – 2030"


def unit_emails() -> dict[str, str]:
    with UNITS_CSV.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["email"] for row in csv.DictReader(handle)}


def new_round_spec(deadline: date = date(2025, 12, 5), workflow: str = "consultation") -> NewRound:
    return NewRound(
        title=TITLE, subject=f"xin ý kiến góp ý đối với dự thảo {TITLE}", workflow=workflow, office="TĐC",
        deadline=deadline,
        addressees=(Addressee(groups=("so-ban-nganh", "xa-phuong")),
                    Addressee(units=("TTTT-VP",), role=RecipientRole.PUBLISH),
                    Addressee(units=("LMHTX",), role=RecipientRole.INFORM)),
        contact_name="Ông Phạm Phi Long", contact_title="Trưởng phòng Quản lý Tiêu chuẩn Đo lường Chất lượng",
        contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền", signer_title="GIÁM ĐỐC")


@pytest.fixture
def make_round(app: App) -> Callable[..., int]:
    """make_round(deadline=..., workflow=...) imports the directory and creates a round for its 12 units."""

    def make(**kwargs: object) -> int:
        import_units(app, UNITS_CSV, STAFF)
        return create_round(app, new_round_spec(**kwargs), STAFF)  # type: ignore[arg-type]

    return make


@dataclass
class MailLog:
    """Reads the capture server incrementally: `take_kinds()` returns what arrived since the last call."""

    capture: SmtpCapture
    emails: dict[str, str]
    seen: int = 0
    message_ids: list[str] = field(default_factory=list)

    def take(self) -> list[EmailMessage]:
        messages = self.capture.messages[self.seen:]
        self.seen += len(messages)
        self.message_ids.extend(str(m["Message-ID"]) for m in messages)
        return messages

    def take_kinds(self) -> Counter[tuple[str, str]]:
        """(unit, kind) of each new message; each must have gone to that unit's own address."""
        kinds: Counter[tuple[str, str]] = Counter()
        for message in self.take():
            unit = str(message["X-Ykien-Unit"])
            assert str(message["To"]).endswith(self.emails[unit]), (unit, str(message["To"]))
            kinds[(unit, str(message["X-Ykien-Kind"]))] += 1
        return kinds


@pytest.fixture
def mail(capture: SmtpCapture) -> MailLog:
    return MailLog(capture, unit_emails())


@pytest.fixture
def staff() -> str:
    return STAFF
