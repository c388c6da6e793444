"""Which keys each wording file defines and which variables its texts may use."""
from __future__ import annotations

from notifications.documents.wording import WordingSpec

_LETTER = frozenset({"issuer_name", "governing_body", "place", "subject", "office_code"})
_CONTACT = frozenset({"contact_name", "contact_title", "contact_phone"})
# Texts every document with a title line has: an empty title keeps the công văn layout (V/v ...).
_TITLED = frozenset({"title", "about", "number_type"})

SPECS: dict[str, WordingSpec] = {
    spec.name: spec
    for spec in (
        WordingSpec(
            name="request_letter",
            texts=frozenset(),
            blocks=frozenset({"body"}),
            variables=_LETTER | _CONTACT | {
                "draft_title", "draft_kind", "deadline", "silence_is_agreement", "attachment_note",
                "asks", "legal_bases", "addressees",
            },
            lists=frozenset({"asks", "legal_bases", "addressees"}),
        ),
        WordingSpec(
            name="reminder_letter",
            texts=frozenset(),
            blocks=frozenset({"body"}),
            variables=_LETTER | _CONTACT | {
                "draft_title", "first_letter_subject", "first_letter_number", "first_letter_sent_on",
                "first_deadline", "new_deadline", "silence_is_agreement", "addressees",
            },
            lists=frozenset({"addressees"}),
        ),
        WordingSpec(
            name="synthesis",
            texts=frozenset({
                "title", "subtitle", "column_no", "column_unit", "column_comment", "column_handling",
                "column_explanation", "section_label", "handling_accepted", "handling_partly_accepted",
                "handling_not_accepted", "handling_noted", "handling_pending", "sheet_name",
            }),
            blocks=frozenset({"summary"}),
            variables=frozenset({
                "issuer_name", "governing_body", "place", "draft_title", "draft_version", "prepared_on",
                "agreed_units", "silent_units", "not_asked_units", "silence_is_agreement", "rows_count",
                "section",
            }),
            lists=frozenset({"agreed_units", "silent_units", "not_asked_units"}),
        ),
        WordingSpec(
            name="submission",
            texts=_TITLED,
            blocks=frozenset({"body"}),
            variables=_LETTER | {
                "recipient", "draft_title", "draft_kind", "legal_bases", "necessity", "request_letter",
                "published_on_portal", "consulted", "answered", "answered_with_comments", "answered_agreed",
                "silent", "silence_is_agreement", "comments_total", "comments_accepted",
                "comments_partly_accepted", "comments_not_accepted", "main_contents", "proposal", "attachments",
            },
            lists=frozenset({"legal_bases", "necessity", "main_contents", "attachments"}),
        ),
        WordingSpec(
            name="zero_response_report",
            texts=_TITLED,
            blocks=frozenset({"body"}),
            variables=_LETTER | {
                "recipient", "references", "call_purpose", "call_letter", "deadline", "units_asked",
                "considerations", "recommendation", "ministry",
            },
            lists=frozenset({"references", "considerations"}),
        ),
        WordingSpec(
            name="ministry_reply",
            texts=frozenset({"draft_mark"}),
            blocks=frozenset({"body"}),
            variables=_LETTER | {
                "ministry", "ministry_request", "department_name", "call_purpose", "deadline", "units_asked",
                "considerations", "recommendation",
            },
            lists=frozenset({"considerations"}),
        ),
    )
}
