"""The package that leaves the Sở from a state (the definition's `package:`): its documents built and zipped,
stored, and its event recorded, once; and the packages a round has, as recorded."""
from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from models.db.unit_of_work import UnitOfWork
from models.errors import DomainError
from models.rounds import RoundState
from workflows.definition import Workflow
from workflows.definition.schema import PackageDef
from workflows.engine.decision import Decision
from workflows.engine.events import Command
from workflows.service.app import App
from workflows.service.commands import deliver_decision, run_command
from workflows.service.documents import RenderedDocument, RoundFacts, build_document
from workflows.service.files import file_in_place


@dataclass(frozen=True)
class SubmissionPackage:
    path: Path
    sha256: str
    files: list[str]
    title: str = ""  # the package's title in the definition ("Trình UBND tỉnh")
    done: str = ""  # what staff read afterwards
    mail: str = ""  # how the mail the step queued went (commands.CommandResult.mail: "" sent or none, "later" ...)


def _zip(documents: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in documents:
            archive.writestr(name, content)
    return buffer.getvalue()


def package_refusal(workflow: Workflow, state: RoundState) -> DomainError:
    """Why a round in a state without a package cannot build one: sent already (since it last went out),
    or not there yet."""
    submitted = state.outcome.get("submitted_at")
    if submitted and state.launched_at is not None and datetime.fromisoformat(submitted) >= state.launched_at:
        return DomainError("Đợt này đã được trình; không trình lại lần thứ hai.", "already_submitted")
    return DomainError(f"Không thể lập hồ sơ khi đợt đang ở trạng thái \"{workflow.state_title(state.status)}\".",
                       "not_ready_to_submit")


def package_contents(facts: RoundFacts, on_progress: Callable[[int, int], None] | None = None,
                     ) -> tuple[PackageDef, list[RenderedDocument]]:
    """The package of the round's state and its documents, built in the package's order; refused with the
    words of the first document that cannot be built. `on_progress(done, total)` hears of each document built."""
    package = facts.workflow.package(facts.state.status)
    if package is None:
        raise package_refusal(facts.workflow, facts.state)
    documents = []
    for key in package.documents:
        documents.append(build_document(facts, key))
        if on_progress is not None:
            on_progress(len(documents), len(package.documents))
    return package, documents


def submit_round(app: App, round_id: int, actor: str,
                 on_progress: Callable[[int, int], None] | None = None) -> SubmissionPackage:
    """Build the package first; the state moves (and the package is recorded) in one transaction.
    A refused step removes the file it wrote, so nothing half-done remains. `on_progress(done, total)` hears of
    each document of the package built."""
    facts = RoundFacts(app, round_id)
    package, documents = package_contents(facts, on_progress)
    content = _zip([(d.filename, d.content) for d in documents])
    sha = hashlib.sha256(content).hexdigest()
    # No draft version in the name: the package carries the revised draft (du-thao-v2), not the one consulted (v1),
    # which the packages table shows; the hash tells two packages of one round apart.
    target = package_folder(app, round_id) / f"ho-so-dot-{round_id}-{sha[:8]}.zip"

    def record(uow: UnitOfWork, decision: Decision) -> None:
        uow.submissions.add(round_id, decision.state.draft_version, target.name, sha, app.clock.now(), actor)

    with file_in_place(target) as partial:
        partial.write_bytes(content)
        recorded = run_command(app, round_id, Command(package.event, {"package": target.name, "sha256": sha}),
                               actor, also=record, deliver=False)
    result = deliver_decision(app, round_id, recorded.decision)  # once the package is in place
    return SubmissionPackage(target, sha, [d.filename for d in documents], package.title, package.done,
                             result.mail)


@dataclass(frozen=True)
class Package:
    """A package built for a round, as recorded, with where it is stored."""

    filename: str
    sha256: str
    draft_version: int
    created_at: datetime
    created_by: str
    path: Path


def package_folder(app: App, round_id: int) -> Path:
    return app.settings.home / "submissions" / str(round_id)


def submission_packages(app: App, round_id: int) -> list[Package]:
    """The packages built for a round, newest first, with where they are stored."""
    with app.uow(read_only=True) as uow:
        uow.rounds.row(round_id)
        rows = uow.submissions.for_round(round_id)
    folder = package_folder(app, round_id)
    return [Package(r.filename, r.sha256, r.draft_version, r.created_at, r.created_by, folder / r.filename)
            for r in rows]
