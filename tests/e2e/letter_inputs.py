"""What a round's letter needs before it is launched, as staff of a real installation type it (`ykien round
document-inputs`): the Sở's address and mailbox in a call for proposals or a report request, the venue and hour in a
workshop's giấy mời. A launch is refused without them (service/launch.py)."""
from __future__ import annotations

from typing import Any

SO_ADDRESS = ("--department-address", "Số 077, phố Hoàng Đình Giong, phường Thục Phán, tỉnh Cao Bằng",
              "--department-email", "vanthu@skhcn.caobang.gov.vn")
WORKSHOP_PLACE = ("--input", "venue=Hội trường Trung tâm Hội nghị tỉnh Cao Bằng", "--input", "event-time=01 buổi, từ 08 giờ 00")


def give_letter_inputs(cli: Any, round_id: str = "1", inputs: tuple[str, ...] = SO_ADDRESS) -> None:
    """Fill in what the round's letter needs, through the CLI."""
    cli("round", "document-inputs", round_id, *inputs)
