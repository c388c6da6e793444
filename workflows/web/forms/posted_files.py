"""What is wrong with the files of a posted form as a whole, before any one file is looked at: more than one file
for an input that takes one, and a body too large to read to its end (the file being read there named at its own
input, not at another one). Each mistake is a Problem on the input it belongs to, named as the page labels it."""
from __future__ import annotations

from collections.abc import Mapping

from workflows.service.answer_input import Problem
from workflows.web.forms.capped_upload import CappedForm


def _megabytes(size: int) -> str:
    return f"{size / 1048576:.1f}".replace(".", ",")


def several_files(read: CappedForm, places: Mapping[str, str]) -> list[Problem]:
    """An input of one file sent with several (a post no browser makes from this page, or a tampered one)."""
    return [Problem(name, f"{places[name]}: chỉ nhận một tệp, nhưng đã gửi {count} tệp. Hãy chọn lại một tệp.")
            for name, count in read.counts.items() if count > 1 and name in places]


def cut_short(read: CappedForm, places: Mapping[str, str], limit_mb: int, body_cap: int) -> list[Problem]:
    """The body was left unread past `body_cap` bytes: the file input being read there, and any other file already
    seen over the limit, named at its own input. Empty when the body was read whole, or cut outside a file input
    (the caller then says so at the top of the page)."""
    if read.cut_at is None:
        return []
    problems = []
    for name, size in read.sizes.items():
        if name not in places or (name != read.cut_at and size <= limit_mb * 1024 * 1024):
            continue
        if size > limit_mb * 1024 * 1024:
            reason = f"tệp lớn hơn {_megabytes(size)} MB, vượt xa giới hạn {limit_mb} MB"
        else:
            reason = f"các tệp đã chọn cộng lại lớn hơn {_megabytes(body_cap)} MB"
        problems.append(Problem(name, f"{places[name]}: {reason} nên không nhận được. Hãy chọn tệp nhỏ hơn."))
    return problems


def unread_notice(read: CappedForm, places: Mapping[str, str], last_input: str) -> str | None:
    """What the summary of mistakes says of a body cut short at a file input: what was typed after it was not
    received (None when that input is `last_input`, the form's last, or the body was not cut at a file input)."""
    if read.cut_at is None or read.cut_at == last_input or read.cut_at not in places:
        return None
    return (f"Tệp quá lớn nên Sở chỉ đọc được biểu mẫu đến ô \"{places[read.cut_at]}\": những gì nhập trước ô đó "
            "vẫn còn nguyên, những gì nhập sau ô đó chưa nhận được và cần nhập lại;")


__all__ = ["cut_short", "several_files", "unread_notice"]
