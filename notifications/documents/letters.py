"""The letters, the submission and the report: data + wording -> DOCX bytes.

Every function takes an optional `wording_dir`, the department's override directory
($YKIEN_HOME/templates/documents); wording files found there replace ours.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from notifications.documents import vietnamese
from notifications.documents.data import (
    Addressee,
    CallLetterData,
    Issuer,
    LetterHead,
    LetterRef,
    ReminderLetterData,
    RequestLetterData,
    Signer,
    SubmissionData,
    ZeroResponseReportData,
    strip_number,
)
from notifications.documents.decree30 import Decree30Document, Heading, number_line
from notifications.documents.wording import Wording, load_wording


def render_request_letter(data: RequestLetterData, *, wording_dir: Path | None = None) -> bytes:
    """A công văn đề nghị in the wording given: the shared one asks neutrally; the consultation's (its kind's own file)
    is the công văn xin ý kiến góp ý đối với dự thảo of seed 000."""
    wording = load_wording("request_letter", wording_dir)
    context = letter_context(data.issuer, data.head) | {
        "draft_title": _text(data.draft_title),
        "draft_kind": _text(data.draft_kind),
        "response": _text(data.response),
        "deadline": data.deadline,
        "contact_name": _text(data.contact_name),
        "contact_title": _optional(data.contact_title),
        "contact_phone": _text(data.contact_phone),
        "silence_is_agreement": data.silence_is_agreement,
        "silence_sentence": _optional(data.silence_sentence),
        "attachment_note": _optional(data.attachment_note),
        "asks": [strip_number(_text(ask)) for ask in data.asks],
        "legal_bases": [_text(basis) for basis in data.legal_bases],
        "addressees": [addressee.text() for addressee in data.addressees],
    }
    return _letter(data.issuer, data.head, wording, context, data.addressees, data.cc, data.signer)


def render_call_letter(data: CallLetterData, *, wording_dir: Path | None = None) -> bytes:
    """The công văn đề nghị đề xuất nhiệm vụ KH&CN (seed 001), with the form named as attached."""
    wording = load_wording("call_letter", wording_dir)
    internal = _optional(data.internal_units)
    context = letter_context(data.issuer, data.head) | {
        "references": [reference_text(item) for item in data.references if item.strip()],
        "legal_bases": [reference_text(item) for item in data.legal_bases if item.strip()],
        "ministry_letter": _clause(data.ministry_letter),
        "call_purpose": _clause(data.call_purpose),
        "external_units": _clause(data.external_units).rstrip(":"),
        "internal_units": _clause(internal).rstrip(":") if internal else None,
        "internal_office": _clause(data.internal_office) if internal and data.internal_office else None,
        "study_documents": [_clause(item) for item in data.study_documents if item.strip()],
        "priorities": _clause(data.priorities) if _optional(data.priorities) else None,
        "business_focus": _clause(data.business_focus) if _optional(data.business_focus) else None,
        "department_address": _clause(data.department_address),
        "department_email": _text(data.department_email),
        "deadline": data.deadline,
        "form": _clause(data.form),
        "publishers": [_clause(item) for item in data.publishers if item.strip()],
        "portal": _clause(data.portal),
        "contact_name": _text(data.contact_name),
        "contact_title": _optional(data.contact_title),
        "contact_phone": _text(data.contact_phone),
        "addressees": [addressee.text() for addressee in data.addressees],
    }
    return _letter(data.issuer, data.head, wording, context, data.addressees, data.cc, data.signer)


def render_reminder_letter(data: ReminderLetterData, *, wording_dir: Path | None = None) -> bytes:
    """The công văn đôn đốc to the units that have not answered yet; with `attached_units`, addressed to "the units
    named in the attached list", which follows the letter on its own page (STT, unit, under each group's label)."""
    wording = load_wording("reminder_letter", wording_dir)
    groups = [group for group in data.attached_units if group.units]
    context = letter_context(data.issuer, data.head) | own_reference(data.issuer, data.head) | {
        "draft_title": _text(data.draft_title),
        "first_letter_subject": _text(data.first_letter_subject),
        "first_letter_number": _optional(data.first_letter_number),
        "first_letter_sent_on": data.first_letter_sent_on,
        "first_deadline": data.first_deadline,
        "new_deadline": data.new_deadline,
        "other_deadlines": [{"unit": _text(item.unit), "deadline": item.deadline} for item in data.other_deadlines],
        "silence_is_agreement": data.silence_is_agreement,
        "silence_sentence": _optional(data.silence_sentence),
        "response": _clause(data.response),
        "awaited": _clause(data.awaited),
        "purpose": _clause(data.purpose),
        "attached": bool(groups),
        "contact_name": _text(data.contact_name),
        "contact_title": _optional(data.contact_title),
        "contact_phone": _text(data.contact_phone),
        "addressees": [addressee.text() for addressee in data.addressees],
    }
    addressees = [Addressee(wording.text("attached_addressee", context))] if groups else data.addressees
    document = Decree30Document(title=subject_line(data.head), author=data.issuer.display_name)
    fill_letter(document, data.issuer, data.head, wording, context, addressees, data.cc, data.signer)
    if groups:
        document.new_section(landscape=False)
        document.appendix_heading(wording.text("appendix_title", context), [], wording.text("appendix_note", context))
        table = document.grid((LIST_NO_MM, document.text_width_mm - LIST_NO_MM),
                              [wording.text("column_no", context), wording.text("column_unit", context)])
        number = 0
        for index, group in enumerate(groups, start=1):
            if len(groups) > 1:
                document.grid_row(table, [[(vietnamese.roman(index), True, False)],
                                          [(_text(group.label), True, False)]], ("center", "left"))
            for unit in group.units:
                number += 1
                document.grid_row(table, [str(number), _text(unit)], ("center", "left"))
    return document.to_bytes()


def render_submission(data: SubmissionData, *, wording_dir: Path | None = None) -> bytes:
    """The tờ trình to UBND tỉnh in the wording given: the shared one speaks in the kind's words; the consultation's
    (its kind's own file) proposes to issue the draft revised after the comments."""
    wording = load_wording("submission", wording_dir)
    comments_total = (data.comments_accepted + data.comments_partly_accepted + data.comments_not_accepted
                      + data.comments_noted)
    necessity = [_text(item) for item in data.necessity if item.strip()]
    purpose = [_text(item) for item in data.purpose if item.strip()]
    main_contents = [_text(item) for item in data.main_contents if item.strip()]
    context = letter_context(data.issuer, data.head) | {
        "recipient": _text(data.recipient),
        "draft_title": _text(data.draft_title),
        "draft_kind": _text(data.draft_kind),
        "legal_bases": [_text(basis) for basis in data.legal_bases],
        "necessity": necessity,
        "purpose": purpose,
        "part": _submission_parts(necessity=bool(necessity), purpose=bool(purpose),
                                  main_contents=bool(main_contents)),
        "issued_title": _text(data.issued_title or data.draft_title),
        "request_letter": _optional(data.request_letter),
        "published_on_portal": data.published_on_portal,
        "consulted": data.consulted,
        "answered": data.answered,
        "answered_with_comments": data.answered_with_comments,
        "answered_agreed": data.answered - data.answered_with_comments,
        "silent": data.silent,
        "pending": data.pending,
        "silence_is_agreement": data.silence_is_agreement,
        "comments_total": comments_total,
        "comments_accepted": data.comments_accepted,
        "comments_partly_accepted": data.comments_partly_accepted,
        "comments_not_accepted": data.comments_not_accepted,
        "comments_noted": data.comments_noted,
        "main_contents": main_contents,
        "proposal": _optional(data.proposal),
        "attachments": [_text(item) for item in data.attachments],
        "asked": _text(data.asked),
        "publish_asked": _text(data.publish_asked),
        "response": _text(data.response),
        "answer": _text(data.answer),
        "answered_label": _text(data.answered_label),
        "agreed_label": _text(data.agreed_label),
        "silence_label": _text(data.silence_label),
        "document": _text(data.document),
    }
    recipients = [Addressee(data.recipient)]
    return _letter(data.issuer, data.head, wording, context, recipients, data.cc, data.signer)


def _submission_parts(**present: bool) -> dict[str, str]:
    """The Roman numbers of the tờ trình's parts in their order, the optional ones counted only when present:
    necessity, purpose, process (always), main_contents, proposal (always)."""
    order = ("necessity", "purpose", "process", "main_contents", "proposal")
    shown = [part for part in order if present.get(part, True)]
    return {part: vietnamese.roman(shown.index(part) + 1) if part in shown else "" for part in order}


def render_zero_response_report(data: ZeroResponseReportData, *, wording_dir: Path | None = None) -> bytes:
    """The report to UBND tỉnh recommending not to propose anything when no unit answered (seed 002)."""
    wording = load_wording("zero_response_report", wording_dir)
    context = letter_context(data.issuer, data.head) | _zero_response_context(data) | {
        "recipient": _text(data.recipient),
        "references": [reference_text(item) for item in data.references if item.strip()],
    }
    recipients = [Addressee(data.recipient)]
    return _letter(data.issuer, data.head, wording, context, recipients, data.cc, data.signer)


def render_ministry_reply_draft(data: ZeroResponseReportData, *, wording_dir: Path | None = None) -> bytes:
    """The draft letter of UBND tỉnh to the Ministry, attached to the zero-response report."""
    reply = data.reply
    wording = load_wording("ministry_reply", wording_dir)
    context = letter_context(reply.issuer, reply.head) | _zero_response_context(data) | {
        "department_name": data.issuer.display_name,
    }
    document = Decree30Document(title=subject_line(reply.head), author=reply.issuer.display_name)
    document.draft_mark(wording.text("draft_mark", context))
    fill_letter(document, reply.issuer, reply.head, wording, context, [Addressee(reply.ministry)], reply.cc,
                reply.signer)
    return document.to_bytes()


# -- shared steps ----------------------------------------------------------------------------------


def _letter(issuer: Issuer, head: LetterHead, wording: Wording, context: dict[str, Any],
            addressees: list[Addressee], cc: list[str], signer: Signer) -> bytes:
    document = Decree30Document(title=subject_line(head), author=issuer.display_name)
    fill_letter(document, issuer, head, wording, context, addressees, cc, signer)
    return document.to_bytes()


def fill_letter(document: Decree30Document, issuer: Issuer, head: LetterHead, wording: Wording,
                context: dict[str, Any], addressees: list[Addressee], cc: list[str], signer: Signer | None) -> None:
    """Header, "Kính gửi:", the body of `wording`, "./.", then "Nơi nhận:" and the signature."""
    title = wording.text("title", context) if "title" in wording.texts else ""
    if title:
        heading = Heading(
            number_line=number_line(issuer.issuer_short, head.office_code, wording.text("number_type", context),
                                    head.number),
            place_date=vietnamese.place_date_line(issuer.place, head.issued_on, head.drafted_on),
            title=title,
            about=wording.text("about", context) or None,
        )
    else:
        heading = Heading(
            number_line=number_line(issuer.issuer_short, head.office_code, number=head.number),
            place_date=vietnamese.place_date_line(issuer.place, head.issued_on, head.drafted_on),
            subject_line=subject_line(head),
        )
    document.header(issuer, heading)
    document.recipients([addressee.text() for addressee in addressees])
    document.body(wording.paragraphs("body", context))
    document.close()
    document.footer(receivers_lines(cc, head.office_code, has_addressee=bool(addressees)), signer)


def receivers_lines(cc: list[str], office_code: str, *, has_addressee: bool = True) -> list[str]:
    """The "Nơi nhận:" lines: "- Như trên;" first, the given ones, "- Lưu: VT, TĐC." last."""
    items = [vietnamese.without_end_mark(item.lstrip(" -–•")) for item in cc]
    items = [item for item in items if item]
    if has_addressee and not (items and items[0].casefold() == "như trên"):
        items.insert(0, "Như trên")
    if not (items and items[-1].startswith("Lưu")):
        items.append(f"Lưu: VT, {vietnamese.nfc(office_code).strip()}")
    return vietnamese.list_item_lines(items)


def _zero_response_context(data: ZeroResponseReportData) -> dict[str, Any]:
    return {
        "call_purpose": _clause(data.call_purpose),
        "call_letter": data.call_letter.citation(),
        "call_letter_number": data.call_letter.known_number,
        "call_letter_date": data.call_letter.sent_on,
        "ministry_letter": _clause(data.reply.ministry_letter),
        "deadline": data.deadline,
        "closed_on": data.closed_on or data.deadline,
        "units_asked": data.units_asked,
        "declined_units": [_text(unit) for unit in data.declined_units],
        "declined_answer": _text(data.declined_answer),
        "considerations": [_text(item) for item in data.considerations],
        "recommendation": _text(data.recommendation),
        "ministry": _text(data.reply.ministry),
    }


NUMBER_MARK, DAY_MARK = vietnamese.NUMBER_MARK, vietnamese.DAY_MARK
LIST_NO_MM = 15  # the STT column of a list attached to a letter


def own_reference(issuer: Issuer, head: LetterHead) -> dict[str, str]:
    """The letter's own number and date as a list attached to it cites them ("Kèm theo Công văn số      /SKHCN-TĐC
    ngày      tháng 12 năm 2025"): `letter_number` and `letter_date`, blanks marked for `vietnamese.with_blanks`."""
    if head.issued_on is not None:
        letter_date = vietnamese.long_date(head.issued_on)
    else:
        assert head.drafted_on is not None  # LetterHead guarantees one of the two
        letter_date = (f"ngày{DAY_MARK}tháng {vietnamese.month_text(head.drafted_on.month)} "
                       f"năm {head.drafted_on.year}")
    blank = f"{NUMBER_MARK}/{_text(issuer.issuer_short)}-{_text(head.office_code)}"
    number = _text(head.number) if head.number else blank
    return {"letter_number": number, "letter_date": letter_date}


def blank_citation(ref: LetterRef) -> str:
    """A citation as a document attached to `ref` carries it: "Tờ trình số 05/TTr-SKHCN ngày 20/11/2025", or with
    the number and the day blank (marked for `vietnamese.with_blanks`) while the register has not given it: "Tờ trình số
         /TTr-SKHCN ngày      tháng 11 năm 2025"."""
    if ref.known_number is not None or not ref.symbol:
        return ref.citation()
    month = vietnamese.month_text(ref.sent_on.month)
    return (f"{_text(ref.kind)} số{NUMBER_MARK}/{_text(ref.symbol)} ngày{DAY_MARK}tháng {month} "
            f"năm {ref.sent_on.year}")


def reference_text(text: str) -> str:
    """A reference of a "Thực hiện ..." sentence without its own opener and end mark."""
    body = vietnamese.without_end_mark(_text(text))
    return _OPENER.sub("", body, count=1)


_OPENER = re.compile(r"^(Thực hiện|Căn cứ)\s+", re.IGNORECASE)


def letter_context(issuer: Issuer, head: LetterHead) -> dict[str, Any]:
    return {
        "issuer_name": issuer.display_name,
        "governing_body": _text(issuer.governing_body),
        "place": _text(issuer.place),
        "subject": _text(head.subject),
        "office_code": _text(head.office_code),
    }


def subject_line(head: LetterHead) -> str:
    subject = _text(head.subject)
    return subject if subject.startswith("V/v") else f"V/v {subject}"


def _text(value: str) -> str:
    return " ".join(vietnamese.nfc(value).split())


def _clause(value: str | None) -> str:
    """A text set inside a sentence: one line, no end mark of its own (none for a missing one)."""
    return vietnamese.clause(value or "")


def _optional(value: str | None) -> str | None:
    return _text(value) or None if value is not None else None
