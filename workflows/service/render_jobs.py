"""A document's PDF as a background job: built from the round's current state (step 1), converted by LibreOffice
(step 2), kept in the database for its download link. It runs in a thread of the web process, or, when that process
hands its steps to Prefect, as a "render" flow run on a `ykien worker` (which needs LibreOffice), given only the
job's id, the round's id and the PDF's name."""
from __future__ import annotations

from collections.abc import Callable

from models.errors import DomainError
from notifications.pdf import PdfError, pdf_name, pdf_sources, to_pdf
from workflows.service.app import App
from workflows.service.documents import available_documents, render_document
from workflows.service.jobs import RENDER_FLOW, JobControl, JobOutcome, RemoteWork, run_handed_over, start_job

PDF_ACTION = "pdf"  # the job's action
PDF_TYPE = "application/pdf"
NAME_LIMIT = 255


class DocumentUnavailable(DomainError):
    def __init__(self) -> None:
        super().__init__("Văn bản này không có ở trạng thái hiện tại của đợt.", "document_unavailable")


def pdf_source(app: App, round_id: int, document: str) -> str:
    """The document of the round's current state that the PDF named `document` is made from (its DOCX, or the XLSX
    without a DOCX of its name); DocumentUnavailable for a name the state does not offer (nothing is rendered)."""
    if not isinstance(document, str) or len(document) > NAME_LIMIT:
        raise DocumentUnavailable()
    source = pdf_sources([d.filename for d in available_documents(app, round_id)]).get(document)
    if source is None:
        raise DocumentUnavailable()
    return source


def render_work(app: App, round_id: int, document: str, server: str | None) -> Callable[[JobControl], JobOutcome]:
    """The job's work; LibreOffice missing or failing is the job's message, as the 503 page says it. `server` is
    the address of a warm LibreOffice (unoserver) of this process, if any."""
    def work(control: JobControl) -> JobOutcome:
        control.step("compose")(0, 2)
        rendered = render_document(app, round_id, pdf_source(app, round_id, document))
        if rendered is None:  # the state moved on between the two reads
            raise DocumentUnavailable()
        control.step("convert")(1, 2)
        try:
            pdf = to_pdf(rendered.content, rendered.filename, server)
        except PdfError as problem:
            raise DomainError(problem.message, problem.code) from None
        control.keep(pdf_name(rendered.filename), pdf, PDF_TYPE)
        control.step("converted")(2, 2)
        return JobOutcome(f"/rounds/{round_id}/jobs/{control.job_id}/file")
    return work


def start_render(app: App, round_id: int, document: str, actor: str, server: str | None = None) -> str:
    """Start the PDF named `document` of the round as a job (on a worker when the process hands steps to Prefect);
    its id. DocumentUnavailable, before any job is recorded, for a name the round's state does not offer."""
    pdf_source(app, round_id, document)
    return start_job(app, round_id, PDF_ACTION, actor, render_work(app, round_id, document, server),
                     RemoteWork(RENDER_FLOW, {"round_id": round_id, "document": document}))


def run_render(app: App, job_id: str, round_id: int, document: str, server: str | None = None) -> str | None:
    """The render flow's work on a worker: the job handed over, run here through the worker's warm LibreOffice
    (`server`) or one started for it; how it ended (None when it was not waiting for a worker)."""
    return run_handed_over(app, job_id, render_work(app, round_id, document, server))
