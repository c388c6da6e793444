"""Official documents of a round as pure renderers: data in, DOCX/XLSX/CSV bytes out (Decree 30/2020).

The wording of each document lives in templates/<name>.yaml and can be overridden per department.
"""
from __future__ import annotations

from notifications.documents.data import (
    HANDLINGS,
    Addressee,
    CallLetterData,
    DocumentDataError,
    Handling,
    Issuer,
    LetterHead,
    LetterRef,
    MinistryReplyDraft,
    Proposal,
    ProposalField,
    ProposalListData,
    ReminderLetterData,
    RequestLetterData,
    Signer,
    SubmissionData,
    SynthesisData,
    SynthesisRow,
    UnitDeadline,
    UnitGroup,
    ZeroResponseReportData,
)
from notifications.documents.exports import AuditWords, CommentRow, FormSheet, UnitRow, audit_csv, round_workbook
from notifications.documents.letters import (
    render_call_letter,
    render_ministry_reply_draft,
    render_reminder_letter,
    render_request_letter,
    render_submission,
    render_zero_response_report,
)
from notifications.documents.proposals import render_proposal_list_docx, render_proposal_list_xlsx
from notifications.documents.synthesis import render_synthesis_docx, render_synthesis_xlsx
from notifications.documents.wording import WordingError, default_wording_path, load_wording

__all__ = [
    "HANDLINGS",
    "Addressee",
    "AuditWords",
    "CallLetterData",
    "CommentRow",
    "DocumentDataError",
    "FormSheet",
    "Handling",
    "Issuer",
    "LetterHead",
    "LetterRef",
    "MinistryReplyDraft",
    "Proposal",
    "ProposalField",
    "ProposalListData",
    "ReminderLetterData",
    "RequestLetterData",
    "Signer",
    "SubmissionData",
    "SynthesisData",
    "SynthesisRow",
    "UnitDeadline",
    "UnitGroup",
    "UnitRow",
    "WordingError",
    "ZeroResponseReportData",
    "audit_csv",
    "default_wording_path",
    "load_wording",
    "render_call_letter",
    "render_ministry_reply_draft",
    "render_proposal_list_docx",
    "render_proposal_list_xlsx",
    "render_reminder_letter",
    "render_request_letter",
    "render_submission",
    "render_synthesis_docx",
    "render_synthesis_xlsx",
    "render_zero_response_report",
    "round_workbook",
]
