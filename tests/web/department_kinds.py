"""The department's own kinds the web tests run rounds of (tests/fixtures/s9g_appraisal, "Thẩm định hồ sơ", and
tests/fixtures/s11d_review, "Phản biện đề cương nhiệm vụ"), and what their tests share: a folder of the kinds that
YKIEN_WORKFLOWS_DIR names (or a live site's home holds), a round of a kind (to launch with staff_site.launched_round)
or one in its first state, a DOCX of one heading for the file a round sends, and the words of a page a person sees
or hears.

A module takes its kinds in its own autouse fixture, so that what it reads stays written in it:
`return kinds_folder(tmp_path_factory, monkeypatch, APPRAISAL)`.
"""
from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import docx
import pytest
from staff_site import STAFF

from models.rounds import RecipientRole
from workflows.service.app import App
from workflows.service.rounds import Addressee, NewRound, create_round

if TYPE_CHECKING:
    from conftest import LiveSite

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
APPRAISAL = FIXTURES / "s9g_appraisal"
REVIEW = FIXTURES / "s11d_review"
# What a page names in code only: form fields, links, targets and styles (a script's data-* words are read out).
CODE_ATTRIBUTES = ("name", "id", "value", "href", "action", "class", "for", "form", "aria-describedby")


def kinds_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, *kinds: Path) -> Path:
    """A new folder with the files of `kinds` copied in, named by YKIEN_WORKFLOWS_DIR for the test."""
    folder = tmp_path_factory.mktemp("kinds")
    for kind in kinds:
        shutil.copytree(kind, folder, dirs_exist_ok=True)
    monkeypatch.setenv("YKIEN_WORKFLOWS_DIR", str(folder))
    return folder


def kinds_in_home(site: LiveSite, monkeypatch: pytest.MonkeyPatch, *kinds: Path) -> LiveSite:
    """The live site with `kinds` in its home's workflows folder, as `ykien serve` with YKIEN_HOME reads them."""
    monkeypatch.delenv("YKIEN_WORKFLOWS_DIR", raising=False)
    monkeypatch.setenv("YKIEN_HOME", str(site.home))
    for kind in kinds:
        shutil.copytree(kind, site.home / "workflows", dirs_exist_ok=True)
    return site


def new_round(workflow: str, title: str, deadline: date, *addressees: Addressee, draft_path: Path | None = None,
              dates: dict[str, date] | None = None) -> NewRound:
    """A round of `workflow` from TĐC, with its contact and signer, to `addressees`."""
    return NewRound(title=title, subject="", workflow=workflow, office="TĐC", deadline=deadline,
                    addressees=addressees, contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290",
                    signer_name="Nông Thị Thanh Huyền", draft_path=draft_path, dates=dates or {})


def first_state_round(app: App, workflow: str, dates: dict[str, date] | None = None) -> int:
    """A round created, not launched: in its kind's first state, Sở Công Thương asked to comment."""
    return create_round(app, new_round(workflow, "Hồ sơ thử nghiệm năm 2025", date(2025, 12, 5),
                                       Addressee(units=("SCT",), role=RecipientRole.COMMENT), dates=dates), STAFF)


def heading_docx(path: Path, heading: str, paragraph: str) -> Path:
    """A DOCX at `path` of one heading and one paragraph: the file a round sends."""
    document = docx.Document()
    document.add_heading(heading, 1)
    document.add_paragraph(paragraph)
    document.save(str(path))
    return path


def visible(html: str, data_words: bool = False) -> str:
    """The page's text and the attribute values people see or hear, without scripts, styles and what names code;
    `data_words` keeps the data-* attributes a script reads out (a quote's label)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    attributes = "|".join(CODE_ATTRIBUTES if data_words else (*CODE_ATTRIBUTES, "data-[a-z-]+"))
    html = re.sub(rf'\s({attributes})="[^"]*"', "", html)
    return re.sub(r"<[^>]+>", " ", html)

