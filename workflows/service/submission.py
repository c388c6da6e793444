"""Submit to UBND tỉnh: build the package (tờ trình, revised draft, synthesis table, units) and record it."""
from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from models.db.tables import SubmissionRow
from models.db.unit_of_work import UnitOfWork
from models.errors import DomainError
from workflows.engine.decision import Decision
from workflows.engine.events import Command
from workflows.service.app import App
from workflows.service.documents import (RenderedDocument, submission, synthesis_documents, unit_list_workbook,
                                         zero_response_documents)
from workflows.service.drafts import latest_version
from workflows.service.files import file_in_place
from workflows.service.rounds import execute


@dataclass(frozen=True)
class SubmissionPackage:
    path: Path
    sha256: str
    files: list[str]


def _zip(documents: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in documents:
            archive.writestr(name, content)
    return buffer.getvalue()


def _package_contents(app: App, round_id: int, status: str) -> tuple[str, list[RenderedDocument]]:
    """The step the workflow takes and the documents that go with it."""
    if status == "consolidated":
        draft = latest_version(app, round_id)
        if draft is None or not draft.path.is_file():
            raise DomainError("Chưa có tệp dự thảo đã chỉnh lý: hãy tải lên phiên bản dự thảo mới trước khi trình.",
                              "revised_draft_missing")
        attachments = [f"Dự thảo (phiên bản {draft.version})", "Bảng tổng hợp, tiếp thu, giải trình ý kiến góp ý",
                       "Danh sách cơ quan, đơn vị được lấy ý kiến"]
        documents = [submission(app, round_id, attachments),
                     RenderedDocument(f"du-thao-v{draft.version}{draft.path.suffix}", "Dự thảo", draft.path.read_bytes()),
                     *synthesis_documents(app, round_id),
                     RenderedDocument("danh-sach-don-vi.xlsx", "Danh sách đơn vị", unit_list_workbook(app, round_id))]
        return "submit", documents
    if status == "no_proposals":
        return "report_submitted", zero_response_documents(app, round_id)
    if status == "reviewing":
        return "forward_proposals", [RenderedDocument("danh-sach-de-xuat.xlsx", "Danh sách đề xuất",
                                                      unit_list_workbook(app, round_id))]
    if status in ("submitted", "issued", "returned", "reported", "forwarded"):
        raise DomainError("Đợt này đã được trình; không trình lại lần thứ hai.", "already_submitted")
    raise DomainError("Chưa thể trình: đợt phải hoàn thành tổng hợp ý kiến trước.", "not_ready_to_submit")


def submit_round(app: App, round_id: int, actor: str) -> SubmissionPackage:
    """Build the package first; the state moves (and the package is recorded) in one transaction.
    A refused step removes the file it wrote, so nothing half-done remains."""
    with app.uow(read_only=True) as uow:
        state = uow.rounds.get(round_id, lock=False)
    event_name, documents = _package_contents(app, round_id, state.status)
    content = _zip([(d.filename, d.content) for d in documents])
    sha = hashlib.sha256(content).hexdigest()
    folder = app.settings.home / "submissions" / str(round_id)
    target = folder / f"ho-so-dot-{round_id}-v{state.draft_version}-{sha[:8]}.zip"

    def record(uow: UnitOfWork, decision: Decision) -> None:
        uow.session.add(SubmissionRow(round_id=round_id, draft_version=decision.state.draft_version,
                                      filename=target.name, sha256=sha, created_at=app.clock.now(), created_by=actor))

    with file_in_place(target) as partial:
        partial.write_bytes(content)
        execute(app, round_id, Command(event_name, {"package": target.name, "sha256": sha}), actor, also=record)
    return SubmissionPackage(target, sha, [d.filename for d in documents])
