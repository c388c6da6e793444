"""Ký số: what the check of a PDF's digital signature found, and the words staff read for it.

The check itself (pyHanko, the Sở's trust roots) is in notifications.signing; this is the result, kept with
a unit's reply and shown in the grid and the answers tab.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class SignatureStatus(StrEnum):
    """One word for the grid: the worst thing found wins (modified before untrusted before valid)."""

    VALID = "valid"
    UNTRUSTED = "untrusted"
    MODIFIED = "modified"
    UNSIGNED = "unsigned"


STATUS_LABELS = {
    SignatureStatus.VALID: "hợp lệ",
    SignatureStatus.UNTRUSTED: "chưa tin cậy",
    SignatureStatus.MODIFIED: "đã bị sửa",
    SignatureStatus.UNSIGNED: "không có chữ ký số",
}

# The grid's short mark ("Ký số: hợp lệ"); an unsigned reply says "không ký".
GRID_LABELS = {**STATUS_LABELS, SignatureStatus.UNSIGNED: "không ký"}


@dataclass(frozen=True)
class SignatureReport:
    """The signatures of one PDF: the last one's signer, organisation and time, and whether all hold."""

    signed: bool
    signer_name: str = ""
    organisation: str = ""
    signing_time: datetime | None = None
    intact: bool = False
    trusted: bool = False
    problems: tuple[str, ...] = field(default_factory=tuple)
    signature_count: int = 0
    timestamped: bool = False  # the time comes from a timestamp server (PAdES B-T), not the signer's clock

    @property
    def status(self) -> SignatureStatus:
        if not self.signed:
            return SignatureStatus.UNSIGNED
        if not self.intact:
            return SignatureStatus.MODIFIED
        if not self.trusted:
            return SignatureStatus.UNTRUSTED
        return SignatureStatus.VALID

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def grid_label(self) -> str:
        return GRID_LABELS[self.status]

    def to_json(self) -> dict[str, Any]:
        return {
            "signed": self.signed,
            "status": self.status.value,
            "signer_name": self.signer_name,
            "organisation": self.organisation,
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "intact": self.intact,
            "trusted": self.trusted,
            "problems": list(self.problems),
            "signature_count": self.signature_count,
            "timestamped": self.timestamped,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SignatureReport:
        when = data.get("signing_time")
        return cls(
            signed=bool(data.get("signed")),
            signer_name=str(data.get("signer_name") or ""),
            organisation=str(data.get("organisation") or ""),
            signing_time=datetime.fromisoformat(when) if when else None,
            intact=bool(data.get("intact")),
            trusted=bool(data.get("trusted")),
            problems=tuple(str(p) for p in data.get("problems") or ()),
            signature_count=int(data.get("signature_count") or 0),
            timestamped=bool(data.get("timestamped")),
        )


UNSIGNED = SignatureReport(signed=False)
