"""Ký số of units' replies: every uploaded reply PDF is checked against the roots the Sở trusts, and the check is
kept with the file (its SHA-256) for the grid and the answers tab. An unsigned PDF is accepted and shown so.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from models.signatures import SignatureReport
from workflows.service.app import App


def check_reply(app: App, content: bytes) -> SignatureReport:
    """The signatures of one reply PDF, checked against `YKIEN_TRUST_ROOTS` (no roots: signed means untrusted)."""
    from notifications.signing import load_trust_roots, verify_pdf  # pyHanko, loaded by the first reply PDF

    return verify_pdf(content, load_trust_roots(app.settings.trust_roots_resolved))


def record_reply_check(app: App, round_id: int, sha256: str, report: SignatureReport) -> None:
    """Keep the check of a round's reply file, in its own short transaction."""
    with app.uow() as uow:
        uow.reply_signatures.record(round_id, sha256, report, app.clock.now())
        uow.commit()


@dataclass(frozen=True)
class Rechecked:
    attachment_name: str
    report: SignatureReport | None  # None: the file is no longer under the home


def recheck_round(app: App, round_id: int) -> list[Rechecked]:
    """Check again every reply file of a round (after the Sở added or removed a root)."""
    with app.uow(read_only=True) as uow:
        uow.rounds.row(round_id)  # raises when the round does not exist
        files = uow.reply_signatures.files_of_round(round_id)
    results = []
    for name, _sha in files:
        path = app.settings.home / "replies" / str(round_id) / name
        if not path.is_file():
            results.append(Rechecked(name, None))
            continue
        content = path.read_bytes()
        report = check_reply(app, content)
        record_reply_check(app, round_id, hashlib.sha256(content).hexdigest(), report)
        results.append(Rechecked(name, report))
    return results


__all__ = ["Rechecked", "check_reply", "recheck_round", "record_reply_check"]
