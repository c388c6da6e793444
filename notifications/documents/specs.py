"""Which keys each wording file defines and which variables its texts may use."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WordingSpec:
    """What a document's wording file must define and which variables its texts may use.

    `shipped_defaults` are keys added after departments copied the file: a copy without one takes the text of the
    file ykien ships, so an older copy keeps working. `defaults` are such keys whose older copies take another text
    than the shipped one (given here). `retired` are keys an older copy may still hold; they are read and ignored.
    """

    name: str
    texts: frozenset[str]
    blocks: frozenset[str]
    variables: frozenset[str]
    lists: frozenset[str]
    shipped_defaults: frozenset[str] = frozenset()
    defaults: tuple[tuple[str, str], ...] = ()
    retired: frozenset[str] = frozenset()


_LETTER = frozenset({"issuer_name", "governing_body", "place", "subject", "office_code"})
_CONTACT = frozenset({"contact_name", "contact_title", "contact_phone"})
# Texts every document with a title line has: an empty title keeps the công văn layout (V/v ...).
_TITLED = frozenset({"title", "about", "number_type"})
# What the zero-response report and the draft reply to the Ministry both know of the call.
_ZERO_RESPONSE = frozenset({
    "call_purpose", "call_letter", "call_letter_number", "call_letter_date", "ministry_letter", "deadline", "closed_on",
    "units_asked", "considerations", "recommendation", "ministry", "declined_units", "declined_answer",
})
# How the invited units of a workshop answered its registration: invited, attending (the units that come, in all;
# None when the form does not tell a refusal), of_which ([option, count]: the ways of coming other than the plain one,
# "cử người dự thay"), declined ([option, count]: "không tham dự"), answered ([option, count]: every option, for a form
# that tells no refusal), not_registered, choice_label (the form's choice, "Đăng ký tham dự"); informed (the units
# invited only to be told, not asked to register: the press) and informed_units (their names, "A, B").
_ATTENDANCE = frozenset({"invited", "attending", "of_which", "declined", "answered", "not_registered", "choice_label",
                         "informed", "informed_units"})
# How the preparatory tasks were handed in: tasks (given), handed_in, late (handed in after their due date), missing.
_PREPARATION = frozenset({"tasks", "handed_in", "late", "missing"})

SPECS: dict[str, WordingSpec] = {
    spec.name: spec
    for spec in (
        WordingSpec(
            name="request_letter",
            texts=frozenset(),
            blocks=frozenset({"body"}),
            variables=_LETTER | _CONTACT | {
                "draft_title", "draft_kind", "response", "deadline", "silence_is_agreement", "silence_sentence",
                "attachment_note", "asks", "legal_bases", "addressees",
            },
            lists=frozenset({"asks", "legal_bases", "addressees"}),
        ),
        WordingSpec(
            name="call_letter",
            texts=frozenset(),
            blocks=frozenset({"body"}),
            variables=_LETTER | _CONTACT | {
                "references", "ministry_letter", "call_purpose", "external_units", "internal_units",
                "internal_office", "study_documents", "priorities", "business_focus", "department_address",
                "department_email", "deadline", "form", "publishers", "portal", "addressees", "legal_bases",
            },
            lists=frozenset({"references", "study_documents", "publishers", "addressees", "legal_bases"}),
        ),
        WordingSpec(
            name="reminder_letter",
            texts=frozenset({"attached_addressee", "appendix_title", "appendix_note", "column_no", "column_unit"}),
            blocks=frozenset({"body"}),
            variables=_LETTER | _CONTACT | {
                "draft_title", "first_letter_subject", "first_letter_number", "first_letter_sent_on",
                "first_deadline", "new_deadline", "silence_is_agreement", "addressees", "other_deadlines",
                "attached", "response", "awaited", "purpose", "silence_sentence", "letter_number", "letter_date",
            },
            lists=frozenset({"addressees", "other_deadlines"}),
            shipped_defaults=frozenset({"attached_addressee", "appendix_title", "appendix_note", "column_no",
                                        "column_unit"}),
        ),
        WordingSpec(
            name="synthesis",
            texts=frozenset({
                "title", "subtitle", "column_no", "column_unit", "column_comment", "column_handling",
                "section_label", "proposed_label", "quote_label", "handling_accepted", "handling_partly_accepted",
                "handling_not_accepted", "handling_noted", "handling_pending", "sheet_name", "attached_to",
            }),
            blocks=frozenset({"summary"}),
            variables=frozenset({
                "issuer_name", "governing_body", "place", "draft_title", "draft_version", "prepared_on",
                "agreed_units", "silent_units", "pending_units", "not_asked_units", "silence_is_agreement",
                "rows_count", "section", "attached_to", "verb", "document",
            }),
            lists=frozenset({"agreed_units", "silent_units", "pending_units", "not_asked_units"}),
            shipped_defaults=frozenset({"proposed_label", "attached_to"}),
            # A copy from before the kind's word for the document ("Đoạn {{ document }}:") said the consultation's.
            defaults=(("quote_label", "Đoạn dự thảo:"),),
            # The explanation shares the handling's column ("Ý kiến tiếp thu, giải trình"), as officials expect.
            retired=frozenset({"column_explanation"}),
        ),
        WordingSpec(
            name="submission",
            texts=_TITLED,
            blocks=frozenset({"body"}),
            variables=_LETTER | {
                "recipient", "draft_title", "draft_kind", "legal_bases", "necessity", "request_letter",
                "published_on_portal", "consulted", "answered", "answered_with_comments", "answered_agreed",
                "silent", "pending", "silence_is_agreement", "comments_total", "comments_accepted",
                "comments_partly_accepted", "comments_not_accepted", "comments_noted", "main_contents", "proposal",
                "attachments", "purpose", "part", "issued_title", "asked", "publish_asked", "response", "answer",
                "answered_label", "agreed_label", "silence_label", "document",
            },
            lists=frozenset({"legal_bases", "necessity", "purpose", "main_contents", "attachments"}),
        ),
        WordingSpec(
            name="zero_response_report",
            texts=_TITLED,
            blocks=frozenset({"body"}),
            variables=_LETTER | _ZERO_RESPONSE | {"recipient", "references"},
            lists=frozenset({"references", "considerations", "declined_units"}),
        ),
        WordingSpec(
            name="ministry_reply",
            texts=frozenset({"draft_mark"}),
            blocks=frozenset({"body"}),
            variables=_LETTER | _ZERO_RESPONSE | {"department_name"},
            lists=frozenset({"considerations", "declined_units"}),
        ),
        WordingSpec(
            name="proposal_list",
            texts=frozenset({
                "appendix_title", "appendix_subtitle", "appendix_note", "column_no", "column_task",
                "column_unit", "column_sender", "column_objectives", "column_results", "column_duration",
                "column_budget", "column_budget_other", "total", "total_excludes", "duration_months", "sheet_name",
                "sent_by", "continued",
            }),
            blocks=frozenset({"body"}),
            variables=_LETTER | {
                "ministry", "ministry_letter", "call_subject", "call_letter", "call_letter_number",
                "call_letter_date", "deadline", "form", "proposals_count", "units_count", "units",
                "letter_number", "letter_date", "months", "declined_units", "declined_answer", "sender", "amounts",
            },
            lists=frozenset({"units", "declined_units", "amounts"}),
            shipped_defaults=frozenset({"sent_by", "column_budget_other", "total", "total_excludes", "continued"}),
        ),
        # The workshop's documents (seed 004): their title, what they are about and their type in the register.
        *(WordingSpec(name=name, texts=_TITLED, blocks=frozenset(), variables=_LETTER | {"event_name"},
                      lists=frozenset())
          for name in ("workshop_plan", "invitation_letter")),
        # The report also says, in one sentence, how the invited units answered the registration.
        WordingSpec(name="workshop_report", texts=_TITLED | {"attendance", "informed", "preparation"},
                    blocks=frozenset(), variables=_LETTER | {"event_name"} | _ATTENDANCE | _PREPARATION,
                    lists=frozenset(), shipped_defaults=frozenset({"attendance", "informed", "preparation"})),
    )
}
