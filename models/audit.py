"""The audit trail of a round is a hash chain: each event seals the one before it."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEvent:
    round_id: int | None
    seq: int
    at: datetime
    actor: str
    action: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def canonical(details: dict[str, Any]) -> str:
    return json.dumps(details, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def seal(round_id: int | None, seq: int, at: datetime, actor: str, action: str,
         details: dict[str, Any], prev_hash: str) -> str:
    """The hash of one event over its content and the previous hash."""
    payload = "\x1f".join([
        str(round_id), str(seq), at.isoformat(timespec="microseconds"), actor, action,
        canonical(details), prev_hash,
    ])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def verify_chain(events: Sequence[AuditEvent] | Iterable[AuditEvent]) -> ChainBreak | None:
    """Return the first place where the chain is broken, or None when it is intact."""
    expected_prev = GENESIS
    expected_seq = 1
    for event in events:
        if event.seq != expected_seq:
            return ChainBreak(event.seq, f"thiếu sự kiện số {expected_seq} (gặp số {event.seq})")
        if event.prev_hash != expected_prev:
            return ChainBreak(event.seq, "liên kết với sự kiện trước không khớp")
        recomputed = seal(event.round_id, event.seq, event.at, event.actor, event.action,
                          event.details, event.prev_hash)
        if recomputed != event.hash:
            return ChainBreak(event.seq, "nội dung sự kiện đã bị sửa sau khi ghi")
        expected_prev = event.hash
        expected_seq += 1
    return None
