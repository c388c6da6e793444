"""Parsing what people type on the command line. Errors name the option."""
from __future__ import annotations

from models.errors import InvalidInput
from workflows.engine.events import CommentInput
from workflows.service.deadlines import parse_date, parse_deadline

__all__ = ["parse_comment", "parse_date", "parse_deadline"]


def parse_comment(text: str, option: str = "--comment") -> CommentInput:
    """"TEXT", "SECTION::TEXT" or "SECTION::TEXT::PROPOSED WORDING"."""
    parts = [p.strip() for p in text.split("::")]
    if len(parts) > 3 or not parts[-1 if len(parts) < 3 else 1]:
        raise InvalidInput(f"{option}: \"{text}\" phải có dạng \"nội dung\", \"Mục::nội dung\" "
                           "hoặc \"Mục::nội dung::đề xuất sửa\".", "bad_comment")
    if len(parts) == 1:
        return CommentInput(text=parts[0])
    if len(parts) == 2:
        return CommentInput(text=parts[1], section=parts[0] or None)
    return CommentInput(text=parts[1], section=parts[0] or None, proposed_wording=parts[2] or None)
