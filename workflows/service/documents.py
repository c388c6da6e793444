"""The official documents of a round, built from its data and rendered by notifications.documents."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from models.consolidation import Handling
from models.db.tables import UnitRow
from models.errors import DomainError
from models.rounds import RecipientRole, RoundState
from models.unit_status import AnswerStatus
from notifications import documents as docs
from workflows.service.app import App
from workflows.service.consolidation import triage_items
from workflows.service.views import RoundView, round_view

DRAFT_KINDS = ("Kế hoạch", "Quyết định", "Quy chế", "Quy định", "Đề án", "Chương trình", "Nghị quyết", "Báo cáo")
ROLE_NOTES = {RecipientRole.PUBLISH: "để đăng tải", RecipientRole.INFORM: "để biết"}
COLLECTIVE_GROUP_SIZE = 4  # a group addressed whole is named by its label from this many units on
DEFAULT_CC = ["UBND tỉnh (báo cáo)", "Lãnh đạo Sở"]


@dataclass(frozen=True)
class RenderedDocument:
    filename: str
    title: str
    content: bytes


def _wording_dir(app: App) -> Path | None:
    path = app.settings.home / "templates" / "documents"
    return path if path.is_dir() else None


def issuer(app: App) -> docs.Issuer:
    settings = app.settings
    return docs.Issuer(governing_body=settings.governing_body.upper(), issuer=settings.issuer_name.upper(),
                       issuer_short=settings.issuer_code, place=settings.place_name, name=settings.issuer_name)


def signer(title: str, name: str) -> docs.Signer:
    """"GIÁM ĐỐC", or "KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC" as typed in the round (signing on someone's behalf)."""
    text = title.strip()
    match = re.fullmatch(r"KT\.?\s*(.+?)\s*/\s*(.+)", text, flags=re.IGNORECASE)
    if match:
        return docs.Signer(title=match.group(2).upper(), name=name, on_behalf=match.group(1).upper())
    return docs.Signer(title=text.upper(), name=name)


def draft_kind(title: str) -> str:
    return next((kind for kind in DRAFT_KINDS if title.lower().startswith(kind.lower())), "văn bản")


def _today(app: App) -> date:
    return app.clock.now().astimezone(app.tz).date()


def addressees(app: App, round_id: int) -> list[docs.Addressee]:
    """The Kính gửi list: a group addressed whole by its label when large, otherwise its units by name."""
    with app.uow(read_only=True) as uow:
        state = uow.rounds.get(round_id, lock=False)
        details = uow.rounds.details(round_id)
        groups = uow.directory.groups()
        members: dict[str, list[UnitRow]] = {}
        for unit in uow.directory.units():
            members.setdefault(unit.group_code, []).append(unit)
    out: list[docs.Addressee] = []
    seen: set[str] = set()
    for entry in details.addressees:
        role = RecipientRole(entry.get("role", "comment"))
        note = ROLE_NOTES.get(role)
        for group in entry.get("groups", []):
            units = [u for u in members.get(group, []) if u.code in state.recipients]
            if len(units) >= COLLECTIVE_GROUP_SIZE:
                out.append(docs.Addressee(groups.get(group, group), note))
                seen.update(u.code for u in units)
            else:
                for unit in units:
                    if unit.code not in seen:
                        out.append(docs.Addressee(unit.name, note))
                        seen.add(unit.code)
        for code in entry.get("units", []):
            if code in state.recipients and code not in seen:
                out.append(docs.Addressee(state.recipients[code].unit_name, note))
                seen.add(code)
    return out


def request_letter(app: App, round_id: int) -> RenderedDocument:
    with app.uow(read_only=True) as uow:
        state = uow.rounds.get(round_id, lock=False)
        details = uow.rounds.details(round_id)
    if state.deadline is None:
        raise DomainError("Đợt chưa có hạn trả lời.", "deadline_missing")
    listed = addressees(app, round_id)
    commenters = "; ".join(a.label for a in listed if a.note is None)
    publishers = "; ".join(a.label for a in listed if a.note == ROLE_NOTES[RecipientRole.PUBLISH])
    kind = draft_kind(state.title)
    asks = [f"{commenters} nghiên cứu, đóng góp ý kiến đối với dự thảo {state.title}."]
    if publishers:
        asks.append(f"{publishers} đăng tải dự thảo {kind} trên Cổng thông tin điện tử tỉnh để lấy ý kiến.")
    data = docs.RequestLetterData(
        issuer=issuer(app), head=docs.LetterHead(state.office, state.subject, drafted_on=_sent_on(state, app)),
        addressees=listed, legal_bases=list(details.legal_bases), draft_title=state.title, asks=asks,
        attachment_note=f"{kind} gửi kèm theo Công văn này", deadline=state.deadline,
        contact_name=details.contact_name, contact_title=details.contact_title, contact_phone=details.contact_phone,
        silence_is_agreement=state.silence_is_agreement, cc=DEFAULT_CC,
        signer=signer(details.signer_title, details.signer_name), draft_kind=kind)
    return RenderedDocument("cong-van-xin-y-kien.docx", "Công văn xin ý kiến",
                            docs.render_request_letter(data, wording_dir=_wording_dir(app)))


def _sent_on(state: RoundState, app: App) -> date:
    return state.launched_at.astimezone(app.tz).date() if state.launched_at else _today(app)


def reminder_letter(app: App, round_id: int, new_deadline: date | None = None) -> RenderedDocument:
    """The công văn đôn đốc to the units that have not answered yet."""
    view = round_view(app, round_id)
    state = view.state
    with app.uow(read_only=True) as uow:
        details = uow.rounds.details(round_id)
    pending = [u for u in view.units if u.answer in (AnswerStatus.PENDING, AnswerStatus.SILENT)]
    if not pending:
        raise DomainError("Tất cả cơ quan, đơn vị đã trả lời; không cần công văn đôn đốc.", "nothing_pending")
    if state.deadline is None or state.launched_at is None:
        raise DomainError("Đợt chưa phát hành nên chưa thể đôn đốc.", "not_launched")
    following = new_deadline or app.calendar.add_working_days(_today(app), 3)
    data = docs.ReminderLetterData(
        issuer=issuer(app), head=docs.LetterHead(state.office, f"đôn đốc góp ý đối với dự thảo {state.title}",
                                                 drafted_on=_today(app)),
        addressees=[docs.Addressee(u.unit_name) for u in pending], first_letter_subject=state.subject,
        first_letter_sent_on=_sent_on(state, app), first_deadline=state.deadline, draft_title=state.title,
        new_deadline=following, silence_is_agreement=state.silence_is_agreement,
        contact_name=details.contact_name, contact_title=details.contact_title, contact_phone=details.contact_phone,
        cc=["Lãnh đạo Sở"], signer=signer(details.signer_title, details.signer_name))
    return RenderedDocument("cong-van-don-doc.docx", "Công văn đôn đốc",
                            docs.render_reminder_letter(data, wording_dir=_wording_dir(app)))


def _unit_lists(view: RoundView) -> tuple[list[str], list[str], list[str]]:
    agreed = [u.unit_name for u in view.units if u.answer is AnswerStatus.AGREE]
    silent = [u.unit_name for u in view.units if u.answer in (AnswerStatus.SILENT, AnswerStatus.PENDING)]
    not_asked = [u.unit_name for u in view.units if u.answer is AnswerStatus.NOT_ASKED]
    return agreed, silent, not_asked


def synthesis_data(app: App, round_id: int) -> docs.SynthesisData:
    view = round_view(app, round_id)
    with app.uow(read_only=True) as uow:
        details = uow.rounds.details(round_id)
    items = triage_items(app, round_id)
    unhandled = [i.comment_id for i in items if i.decision is None]
    if unhandled:
        raise DomainError(f"Còn {len(unhandled)} ý kiến chưa xử lý (số {', '.join(map(str, unhandled[:10]))}); "
                          "hãy xử lý trước khi lập bảng tổng hợp.", "comments_unhandled")
    rows = [docs.SynthesisRow(no, item.unit_name, item.section, item.text, item.decision.value, item.explanation)
            for no, item in enumerate(items, start=1) if item.decision is not None]
    agreed, silent, not_asked = _unit_lists(view)
    return docs.SynthesisData(
        issuer=issuer(app), draft_title=view.state.title, draft_version=view.state.draft_version, rows=rows,
        agreed_units=agreed, silent_units=silent, silence_is_agreement=view.state.silence_is_agreement,
        not_asked_units=not_asked, prepared_on=_today(app), signer=signer(details.signer_title, details.signer_name))


def synthesis_documents(app: App, round_id: int) -> list[RenderedDocument]:
    data = synthesis_data(app, round_id)
    wording = _wording_dir(app)
    return [RenderedDocument("bang-tong-hop-y-kien.docx", "Bảng tổng hợp (DOCX)",
                             docs.render_synthesis_docx(data, wording_dir=wording)),
            RenderedDocument("bang-tong-hop-y-kien.xlsx", "Bảng tổng hợp (XLSX)",
                             docs.render_synthesis_xlsx(data, wording_dir=wording))]


def submission(app: App, round_id: int, attachments: list[str]) -> RenderedDocument:
    view = round_view(app, round_id)
    state = view.state
    with app.uow(read_only=True) as uow:
        details = uow.rounds.details(round_id)
    items = triage_items(app, round_id)
    answered = [u for u in view.units if u.answer in (AnswerStatus.COMMENTS, AnswerStatus.AGREE,
                                                      AnswerStatus.PROPOSALS)]
    asked = [u for u in view.units if u.answer is not AnswerStatus.NOT_ASKED]
    count = {h: sum(1 for i in items if i.decision is h) for h in Handling}
    data = docs.SubmissionData(
        issuer=issuer(app), head=docs.LetterHead(state.office, f"ban hành {state.title}", drafted_on=_today(app)),
        recipient=f"Ủy ban nhân dân tỉnh {app.settings.place_name}", legal_bases=list(details.legal_bases),
        draft_title=state.title, necessity=[], consulted=len(asked), answered=len(answered),
        answered_with_comments=sum(1 for u in answered if u.answer is AnswerStatus.COMMENTS),
        silent=len(asked) - len(answered), silence_is_agreement=state.silence_is_agreement,
        comments_accepted=count[Handling.ACCEPTED], comments_partly_accepted=count[Handling.PARTLY_ACCEPTED],
        comments_not_accepted=count[Handling.NOT_ACCEPTED], attachments=attachments, cc=["Lãnh đạo Sở"],
        signer=signer(details.signer_title, details.signer_name),
        published_on_portal=any(u.role == RecipientRole.PUBLISH.value for u in view.units),
        draft_kind=draft_kind(state.title))
    return RenderedDocument("to-trinh.docx", "Tờ trình UBND tỉnh",
                            docs.render_submission(data, wording_dir=_wording_dir(app)))


def zero_response_documents(app: App, round_id: int) -> list[RenderedDocument]:
    """Seed 002: nobody proposed; the report to UBND recommending not to propose, and the draft reply."""
    view = round_view(app, round_id)
    state = view.state
    if any(u.answer in (AnswerStatus.PROPOSALS, AnswerStatus.COMMENTS) for u in view.units):
        raise DomainError("Đã có đơn vị gửi đề xuất; báo cáo \"không có đề xuất\" không áp dụng.", "has_responses")
    with app.uow(read_only=True) as uow:
        details = uow.rounds.details(round_id)
    if state.deadline is None:
        raise DomainError("Đợt chưa có hạn trả lời.", "deadline_missing")
    references = list(details.legal_bases) or [f"Công văn của {app.settings.issuer_name} về việc {state.subject}"]
    purpose = re.sub(r"^(V/v\s*)", "", state.subject)
    province = f"Ủy ban nhân dân tỉnh {app.settings.place_name}"
    reply = docs.MinistryReplyDraft(
        issuer=docs.Issuer(governing_body="", issuer=f"ỦY BAN NHÂN DÂN\nTỈNH {app.settings.place_name.upper()}",
                           issuer_short="UBND", place=app.settings.place_name, name=province),
        head=docs.LetterHead("KGVX", state.subject, drafted_on=_today(app)), ministry="Bộ Khoa học và Công nghệ",
        ministry_request=references[-1], cc=[app.settings.issuer_name, "Lưu: VT, KGVX"],
        signer=docs.Signer(title="PHÓ CHỦ TỊCH", name="", on_behalf="CHỦ TỊCH", collective="ỦY BAN NHÂN DÂN"))
    data = docs.ZeroResponseReportData(
        issuer=issuer(app), head=docs.LetterHead(state.office, state.subject, drafted_on=_today(app)),
        recipient=province, references=references, call_purpose=purpose, deadline=state.deadline,
        recommendation="không đề xuất nhiệm vụ trong đợt này, do không có cơ quan, đơn vị, doanh nghiệp nào "
                       "gửi đề xuất",
        cc=["Lãnh đạo Sở"], signer=signer(details.signer_title, details.signer_name), reply=reply,
        units_asked=sum(1 for u in view.units if u.answer is not AnswerStatus.NOT_ASKED))
    wording = _wording_dir(app)
    return [RenderedDocument("bao-cao-khong-co-de-xuat.docx", "Báo cáo UBND tỉnh (không có đề xuất)",
                             docs.render_zero_response_report(data, wording_dir=wording)),
            RenderedDocument("du-thao-cong-van-tra-loi-bo.docx", "Dự thảo công văn trả lời Bộ KH&CN",
                             docs.render_ministry_reply_draft(data, wording_dir=wording))]


@dataclass(frozen=True)
class DocumentChoice:
    """A document the round can produce now, named without rendering it."""

    filename: str
    title: str
    build: Callable[[App, int], RenderedDocument]


SUBMISSION_ATTACHMENTS = ["Dự thảo đã chỉnh lý", "Bảng tổng hợp, tiếp thu, giải trình ý kiến góp ý",
                          "Danh sách cơ quan, đơn vị được lấy ý kiến"]


def _synthesis_part(index: int) -> Callable[[App, int], RenderedDocument]:
    return lambda app, round_id: synthesis_documents(app, round_id)[index]


def _zero_part(index: int) -> Callable[[App, int], RenderedDocument]:
    return lambda app, round_id: zero_response_documents(app, round_id)[index]


def available_documents(app: App, round_id: int) -> list[DocumentChoice]:
    """What makes sense for the round in its current state; cheap (nothing is rendered)."""
    view = round_view(app, round_id)
    state = view.state
    out = [DocumentChoice("cong-van-xin-y-kien.docx", "Công văn xin ý kiến", request_letter)]
    pending = any(u.answer in (AnswerStatus.PENDING, AnswerStatus.SILENT) for u in view.units)
    if state.launched_at is not None and pending and state.status in ("circulating", "consolidating"):
        out.append(DocumentChoice("cong-van-don-doc.docx", "Công văn đôn đốc",
                                  lambda a, r: reminder_letter(a, r)))
    consolidation_done = state.status in ("consolidated", "submitted", "issued", "returned")
    if state.workflow == "consultation" and (consolidation_done or state.status == "consolidating") \
            and not state.unhandled_comments:
        out.append(DocumentChoice("bang-tong-hop-y-kien.docx", "Bảng tổng hợp (DOCX)", _synthesis_part(0)))
        out.append(DocumentChoice("bang-tong-hop-y-kien.xlsx", "Bảng tổng hợp (XLSX)", _synthesis_part(1)))
    if state.workflow == "consultation" and consolidation_done:
        out.append(DocumentChoice("to-trinh.docx", "Tờ trình UBND tỉnh",
                                  lambda a, r: submission(a, r, SUBMISSION_ATTACHMENTS)))
    if state.status in ("no_proposals", "reported"):
        out.append(DocumentChoice("bao-cao-khong-co-de-xuat.docx", "Báo cáo UBND tỉnh (không có đề xuất)",
                                  _zero_part(0)))
        out.append(DocumentChoice("du-thao-cong-van-tra-loi-bo.docx", "Dự thảo công văn trả lời Bộ KH&CN",
                                  _zero_part(1)))
    return out


def render_document(app: App, round_id: int, filename: str) -> RenderedDocument | None:
    choice = next((c for c in available_documents(app, round_id) if c.filename == filename), None)
    return choice.build(app, round_id) if choice is not None else None


def round_documents(app: App, round_id: int) -> list[RenderedDocument]:
    """Every document that makes sense for the round in its current state, rendered."""
    return [choice.build(app, round_id) for choice in available_documents(app, round_id)]


def unit_list_workbook(app: App, round_id: int) -> bytes:
    """The units consulted with their status, for the submission package and exports."""
    view = round_view(app, round_id)
    units = [docs.UnitRow(u.unit_code, u.unit_name, view.state.recipients[u.unit_code].group, u.role,
                          u.email.value, u.answer.value, u.deadline, u.late, u.extended) for u in view.units]
    comments = [docs.CommentRow(i.unit_name, i.section, i.text, i.proposed_wording,
                                i.decision.value if i.decision else None, i.explanation)
                for i in triage_items(app, round_id)]
    return docs.round_workbook(units, comments, wording_dir=_wording_dir(app))


