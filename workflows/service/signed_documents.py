"""The signed PDFs of a round, as its audit trail records them (workflows/service/signing.py makes them); light, so
that pages listing them do not load the signing libraries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from models.db.unit_of_work import UnitOfWork
from workflows.service.app import App

SIGNED_ACTION = "document_signed"


@dataclass(frozen=True)
class SignedRecord:
    """A signed PDF of a round as its audit trail records it: what, by whom, when, and where the file is."""

    document_key: str
    title: str
    file: str  # the name under $YKIEN_HOME/signed/<round>/, unique (it carries part of the file's hash)
    sha256: str
    number: str | None
    copy: bool
    signer: str | None
    signed_at: datetime
    actor: str
    shown: str = ""  # the name people download it by ("giay-moi-hoi-thao-dot-12.pdf"); a record signed before
    # names were shown apart from the stored file has none, and is shown by its stored name

    @property
    def name(self) -> str:
        """The file name units and staff see and download the PDF by."""
        return self.shown or self.file


def signed_documents(app: App, round_id: int, uow: UnitOfWork | None = None) -> list[SignedRecord]:
    """The round's signed PDFs, oldest first, read from its audit trail (the signing events only), in `uow` when the
    caller has one open."""
    if uow is None:
        with app.uow(read_only=True) as own:
            events = own.audit.events(round_id, actions=(SIGNED_ACTION,))
    else:
        events = uow.audit.events(round_id, actions=(SIGNED_ACTION,))
    return [SignedRecord(str(e.details.get("document_key", "")), str(e.details.get("title", "")),
                         str(e.details.get("file", "")), str(e.details.get("sha256", "")), e.details.get("number"),
                         bool(e.details.get("copy")), e.details.get("signer"), e.at, e.actor,
                         str(e.details.get("name") or "")) for e in events]


def shown_name(stem: str, round_id: int, *, copy: bool, version: int) -> str:
    """The name a signed PDF is downloaded by: the kind's document name and the round ("giay-moi-hoi-thao-dot-12.pdf",
    "…-ban-sao.pdf" for a certified copy), with "-v2", "-v3" only from the second signing of the same document on."""
    copied = "-ban-sao" if copy else ""
    again = f"-v{version}" if version > 1 else ""
    return f"{stem}-dot-{round_id}{copied}{again}.pdf"


def signed_download(app: App, round_id: int, name: str) -> tuple[Path, str] | None:
    """The stored signed PDF the trail records under the stored name `name`, with the name to download it by."""
    record = next((r for r in signed_documents(app, round_id) if r.file == name), None)
    if record is None:
        return None
    path = _kept(app, round_id, record.file)
    return (path, record.name) if path is not None else None


def signed_file(app: App, round_id: int, name: str) -> Path | None:
    """The stored signed PDF called `name`, if the round's trail records it and the file is there (a name that
    is not in the trail, or that climbs out of the folder, is never served)."""
    if name not in {record.file for record in signed_documents(app, round_id)}:
        return None
    return _kept(app, round_id, name)


def _kept(app: App, round_id: int, name: str) -> Path | None:
    """The stored file of a name the round's trail records, if it is there and inside the round's folder."""
    path = app.settings.home / "signed" / str(round_id) / name
    return path if path.is_file() and path.parent.name == str(round_id) else None


def signed_letter(app: App, round_id: int, document_key: str | None,
                  uow: UnitOfWork | None = None) -> SignedRecord | None:
    """The round's letter (its kind's `letter:` document) as units read it at their links: the latest signed PDF of
    it whose file is kept (a signed copy, "bản sao", when that came last); None before one is signed."""
    if document_key is None:
        return None
    for record in reversed(signed_documents(app, round_id, uow)):
        # the record comes from the trail just read: only its file is checked, not the trail read again
        if record.document_key == document_key and _kept(app, round_id, record.file) is not None:
            return record
    return None
