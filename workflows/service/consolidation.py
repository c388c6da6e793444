"""Triage: give every comment of the current draft a handling, alone or grouped with identical ones."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from models import limits
from models.consolidation import Handling, check_handling
from models.db.numbering_repository import NumberingShown
from models.db.response_repository import TriageItem
from models.errors import DomainError, InvalidInput
from models.text import capfirst, lowfirst, nfc_or_none
from workflows.definition.schema import Capability, Workflow
from workflows.service.app import App
from workflows.service.draft_html import draft_preview, section_order, section_rank
from workflows.service.registry import get_workflow


def triage_items(app: App, round_id: int) -> list[TriageItem]:
    """Every comment in the units' latest answers to the current draft version, grouped by the part of the draft it
    names: the sections in the order of the draft's headings (a DOCX, draft_html), each in unit order, then the
    comments naming no section of it, in unit order. A draft without headings to read keeps the unit order."""
    with app.uow(read_only=True) as uow:
        row = uow.rounds.row(round_id)
        version = row.draft_version
        items = uow.responses.triage(round_id, version)
        stored = uow.drafts.get(round_id, version)
        filename, sha = (stored.filename, stored.sha256) if stored is not None else (row.draft_filename,
                                                                                     row.draft_sha256)
    preview = draft_preview(app, round_id, version, filename, sha) if items else None
    sections = preview.html.sections if preview is not None and preview.html is not None else ()
    return in_draft_order(items, sections)


def triages_comments(workflow: Workflow) -> bool:
    """True when the kind's answers are comments that staff handle one by one (tiếp thu / giải trình) in some state
    of its course; a form kind has none (a report with headings is consolidated heading by heading instead)."""
    return workflow.response.kind == "comments" and bool(workflow.states_allowing(Capability.TRIAGE))


def no_triage(workflow: Workflow) -> DomainError:
    """Why a round of this kind has no comments to handle, in the kind's words (the answers' tab and `round show`
    heading are "<terms.answer> đã nhận"); a kind with headings is pointed to its consolidation by heading."""
    if workflow.response.sections:
        return DomainError(f"Quy trình \"{workflow.title}\" tổng hợp {workflow.terms.answer} theo từng mục của đề "
                           "cương (trang Tổng hợp, `ykien round headings`), không tiếp thu, giải trình từng ý kiến.",
                           "no_triage")
    return DomainError(f"Quy trình \"{workflow.title}\" không có bước tiếp thu, giải trình từng ý kiến: "
                       f"{workflow.terms.answer} của các đơn vị xem ở mục \"{capfirst(workflow.terms.answer)} đã "
                       "nhận\".", "no_triage")


def comments_to_triage(app: App, round_id: int) -> tuple[Workflow, list[TriageItem]]:
    """The round's kind and its comments to handle (triage_items); DomainError (no_triage) for a kind whose answers
    are not comments handled one by one, whose table would only be an empty one in a consultation's words."""
    with app.uow(read_only=True) as uow:
        workflow = get_workflow(uow.rounds.row(round_id).workflow)
    if not triages_comments(workflow):
        raise no_triage(workflow)
    return workflow, triage_items(app, round_id)


def in_draft_order(items: list[TriageItem], sections: Sequence[str]) -> list[TriageItem]:
    """The comments by the section they name, sections in document order; the others after, as they came."""
    order = section_order(sections)
    if not order:
        return list(items)

    def place(item: TriageItem) -> tuple[int, int]:
        rank = section_rank(item.section, order)
        return (0, rank) if rank is not None else (1, 0)

    return sorted(items, key=place)


class NumberedComment(NamedTuple):
    """A comment with its number: the STT of its row in the bảng tổng hợp."""

    number: int
    item: TriageItem


def numbered(items: Iterable[TriageItem]) -> list[NumberedComment]:
    """The comments of triage_items with their numbers, from 1 in its order: the one numbering of a comment that the
    synthesis table, the pages, the CLI and every message listing comments use. A late answer may add a comment
    before others (its section comes first in the draft) and so move their numbers; ids never move."""
    return [NumberedComment(number, item) for number, item in enumerate(items, start=1)]


def unhandled_numbers(items: Iterable[TriageItem]) -> list[int]:
    """The numbers (numbered) of the comments that wait for a handling, in the table's order."""
    return [number for number, item in numbered(items) if item.decision is None]


def comments_numbered(items: Sequence[TriageItem], numbers: Sequence[int]) -> list[NumberedComment]:
    """The comments of the table at these numbers, in the order given; InvalidInput (comment_repeated,
    comment_unknown) for a number given twice or one the table has not, all of them named in one line."""
    repeated = sorted({n for n in numbers if numbers.count(n) > 1})
    if repeated:
        raise InvalidInput(f"Số {', '.join(map(str, repeated))} được nhập nhiều lần; mỗi ý kiến chỉ ghi một lần.",
                           "comment_repeated")
    table = numbered(items)
    unknown = [n for n in numbers if not 1 <= n <= len(table)]
    if unknown:
        has = f"từ 1 đến {len(table)}" if table else "chưa có ý kiến nào"
        raise InvalidInput(f"Không có ý kiến số {', '.join(map(str, unknown))} trong bảng tổng hợp của đợt này "
                           f"({has}).", "comment_unknown")
    return [table[n - 1] for n in numbers]


def comment_line(entry: NumberedComment) -> str:
    """"số 2: Sở Y tế, Mục III.1: Đề nghị bổ sung …": a numbered comment in one line."""
    return f"số {entry.number}: {_described(entry.item)}"


def _described(item: TriageItem) -> str:
    """"Sở Y tế, Mục III.1: Đề nghị bổ sung …": its unit, its section and its text cut near 80 letters."""
    text = " ".join(item.text.split())
    excerpt = text if len(text) <= 80 else text[:80].rsplit(" ", 1)[0] + " …"
    section = f", {item.section}" if item.section else ""
    return f"{item.unit_name}{section}: {excerpt}"


def show_numbers(app: App, round_id: int, items: Sequence[TriageItem], shown_to: str) -> None:
    """Keep the numbers of `items` (triage_items, in its order) as shown to `shown_to` now: that person's
    `round handle` refuses a number that names another comment later. A database that cannot be written now (a copy
    opened read-only, another process holding the lock past the busy timeout) keeps nothing, and the table is shown
    all the same: numbers kept from before are then held against at worst, and listing again clears it."""
    from sqlalchemy.exc import DBAPIError

    from workflows.service.database_errors import database_problem

    try:
        with app.uow() as uow:
            version = uow.rounds.row(round_id).draft_version
            if uow.numberings.remember(round_id, version, shown_to, [item.comment_id for item in items],
                                       app.clock.now()):
                uow.commit()
    except DBAPIError as error:
        problem = database_problem(error, app.settings)
        if problem is None or problem.code not in ("database_read_only", "database_locked"):
            raise


def _moved(app: App, round_id: int, chosen: Sequence[NumberedComment], shown: NumberingShown | None) -> None:
    """DomainError (numbers_moved) when a number chosen names another comment than when the table was last shown
    to the person handling it; nothing shown to them, nothing to hold against."""
    if shown is None:
        return
    moved = [entry for entry in chosen
             if entry.number > len(shown.comment_ids) or shown.comment_ids[entry.number - 1] != entry.item.comment_id]
    if not moved:
        return
    at = shown.shown_at.astimezone(app.tz).strftime("%H:%M ngày %d/%m/%Y")
    now = "; ".join(f"số {entry.number} nay là {_described(entry.item)}" for entry in moved)
    raise DomainError(f"Số thứ tự trong bảng tổng hợp đã đổi từ lần bạn xem bảng lúc {at} (có đơn vị trả lời hoặc "
                      f"sửa ý kiến sau đó): {now}. Chưa ghi gì. Hãy xem lại bảng (ykien round comments {round_id}) "
                      "rồi xử lý theo số mới.", "numbers_moved")


@dataclass(frozen=True)
class Handled:
    """A handling recorded: its id and the comments it covers, each with its number in the table at that moment."""

    handling_id: int
    comments: list[NumberedComment]


def handle_comments(app: App, round_id: int, comment_ids: list[int], decision: str, explanation: str | None,
                    actor: str) -> int:
    """Give one handling to the comments with these ids (the pages' ticks; several units' identical comments share
    it); returns the handling's id."""
    table = triage_items(app, round_id)
    by_id = {entry.item.comment_id: entry for entry in numbered(table)}
    chosen = [by_id[i] for i in dict.fromkeys(comment_ids) if i in by_id]
    unknown = sorted(set(comment_ids) - set(by_id))
    return _record(app, round_id, table, chosen, unknown, decision, explanation, actor).handling_id


def handle_numbered_comments(app: App, round_id: int, numbers: list[int], decision: str, explanation: str | None,
                             actor: str, shown_to: str | None = None) -> Handled:
    """Give one handling to the comments at these numbers of the bảng tổng hợp (numbered), as a clerk reads them
    in the table; refused (table_changed) when a comment came or went between reading the table and writing, and
    (numbers_moved) when a number names another comment than when the table was last shown to `shown_to`."""
    table = triage_items(app, round_id)
    return _record(app, round_id, table, comments_numbered(table, numbers), [], decision, explanation, actor,
                   shown_to)


def _checked_handling(decision: str, explanation: str | None) -> tuple[Handling, str | None]:
    try:
        handling = Handling(decision)
    except ValueError:
        raise InvalidInput(f"decision: \"{decision}\" không hợp lệ ({', '.join(h.value for h in Handling)}).",
                           "bad_decision") from None
    explanation = nfc_or_none(explanation)
    limits.check_text("explanation", explanation, limits.EXPLANATION)
    check_handling(handling, explanation)
    return handling, explanation


def _record(app: App, round_id: int, table: list[TriageItem], chosen: list[NumberedComment], unknown: list[int],
            decision: str, explanation: str | None, actor: str, shown_to: str | None = None) -> Handled:
    """One handling for the chosen comments of `table` (triage_items, read before this transaction), audited with
    their ids and numbers; refused when the round's comments are no longer those of `table`, or, chosen by number
    (`shown_to` given), when a number moved since the table was last shown to that person."""
    handling, explanation = _checked_handling(decision, explanation)
    if not chosen and not unknown:
        raise InvalidInput("Chưa chọn ý kiến nào.", "no_comments")
    now = app.clock.now()
    with app.uow() as uow:
        round_row = uow.rounds.row(round_id, lock=True)  # the round's row only: its units are not needed
        workflow = get_workflow(round_row.workflow)
        if not workflow.allows(round_row.status, Capability.TRIAGE):
            raise DomainError(f"Không thể xử lý ý kiến khi đợt đang ở trạng thái "
                              f"\"{workflow.state_title(round_row.status)}\".", "triage_not_allowed")
        if unknown:
            raise DomainError(f"Ý kiến mã {', '.join(map(str, unknown))} không thuộc bản trả lời mới nhất của "
                              f"{lowfirst(workflow.terms.document)} hiện hành trong đợt này.", "comment_unknown")
        current = {item.comment_id for item in uow.responses.triage(round_id, round_row.draft_version)}
        if current != {item.comment_id for item in table}:
            raise DomainError("Bảng tổng hợp vừa thay đổi (có đơn vị vừa trả lời hoặc sửa ý kiến) nên số thứ tự "
                              "của các ý kiến có thể đã khác; chưa ghi gì. Hãy xem lại bảng rồi xử lý lại.",
                              "table_changed")
        if shown_to is not None:
            _moved(app, round_id, chosen, uow.numberings.last_shown(round_id, round_row.draft_version, shown_to))
        ids = [entry.item.comment_id for entry in chosen]
        handling_id = uow.responses.handle_comments(round_id, round_row.draft_version, ids, handling,
                                                    explanation, actor, now)
        uow.audit.append(round_id, now, actor, [("comments_handled", {
            "numbers": sorted(entry.number for entry in chosen), "comments": sorted(ids),
            "decision": handling.value, "explanation": explanation})])
        uow.commit()
    return Handled(handling_id, chosen)
