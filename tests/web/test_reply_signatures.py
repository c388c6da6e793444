"""Ký số of units' replies: a unit uploads a signed, an altered, an untrusted or an unsigned PDF through its
link; the check against the Sở's trust roots (YKIEN_TRUST_ROOTS) shows in the grid and the answers tab."""
from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from signing_ca import ORGANISATION, SIGNER_NAME, CertificateAuthority, blank_pdf, make_ca
from sqlite_template import copy_migrated_sqlite
from test_recipient_page import STAFF, UNITS_CSV, form, launch, links, settings_for

from config.clock import FrozenClock
from models.signatures import SignatureStatus
from notifications.signing import Pkcs12Signer, sign_pdf
from notifications.testing import SmtpCapture
from workflows.service.app import App, build_app
from workflows.service.directory import import_units
from workflows.service.reply_signatures import recheck_round
from workflows.service.staff import add_user
from workflows.service.views import latest_answers, round_view
from workflows.web.app import create_web_app

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2025, 11, 20, 8, 30, tzinfo=TZ)
PASSWORD = "matkhau-rat-dai"


@pytest.fixture(scope="module")
def ca() -> CertificateAuthority:
    return make_ca()


@pytest.fixture(scope="module")
def replies(ca: CertificateAuthority, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """unit code -> the PDF it sends: signed by the Sở's CA, signed then altered, signed by a stranger, unsigned."""
    folder = tmp_path_factory.mktemp("keys")
    signed = sign_pdf(blank_pdf(), Pkcs12Signer(ca.pkcs12(folder), b"mat-khau-thu"))
    altered = bytearray(signed)
    altered[altered.index(b"stream") + 10] ^= 0xFF
    stranger = make_ca("Unknown Root CA")
    (folder / "other").mkdir()
    foreign = sign_pdf(blank_pdf(), Pkcs12Signer(stranger.pkcs12(folder / "other"), b"mat-khau-thu"))
    return {"SCT": signed, "STP": bytes(altered), "SYT": foreign, "SNV": blank_pdf()}


@pytest.fixture
def ykien_app(tmp_path: Path, capture: SmtpCapture, clock: FrozenClock, ca: CertificateAuthority,
              migrated_sqlite: Path) -> Iterator[App]:
    roots = tmp_path / "roots"
    roots.mkdir()
    (roots / "vgca-thu.pem").write_bytes(ca.root.cert_pem)
    home = tmp_path / "home"
    copy_migrated_sqlite(migrated_sqlite, home)  # the session's migrated SQLite file: no alembic upgrade per test
    app = build_app(settings_for(home, capture, trust_roots=roots), clock, create_schema=True)
    import_units(app, UNITS_CSV, STAFF)
    add_user(app, "canbo", "Phạm Phi Long", "staff", PASSWORD, "TĐC", "test")
    yield app
    app.close()


def _answer_all(app: App, tmp_path: Path, capture: SmtpCapture, replies: dict[str, bytes]) -> int:
    source = tmp_path / "in"
    source.mkdir()
    round_id = launch(app, source)
    tokens = links(capture)
    client = TestClient(create_web_app(app))
    for code, pdf in replies.items():
        answered = client.post(f"/r/{tokens[code]}", data=form(app, tokens[code], answer="agree"),
                               files={"reply_pdf": ("cong-van.pdf", pdf, "application/pdf")})
        assert answered.status_code == 200, answered.text
    return round_id


def test_each_reply_pdf_is_checked_and_an_unsigned_one_is_accepted(
        ykien_app: App, tmp_path: Path, capture: SmtpCapture, replies: dict[str, bytes]) -> None:
    round_id = _answer_all(ykien_app, tmp_path, capture, replies)
    found = {code: report.status for code, report in round_view(ykien_app, round_id).signatures.items()}
    assert found == {"SCT": SignatureStatus.VALID, "STP": SignatureStatus.MODIFIED,
                     "SYT": SignatureStatus.UNTRUSTED, "SNV": SignatureStatus.UNSIGNED}
    answers = {a.unit_code: a for a in latest_answers(ykien_app, round_id)}
    valid = answers["SCT"].signature
    assert valid is not None and (valid.signer_name, valid.organisation) == (SIGNER_NAME, ORGANISATION)
    assert valid.signing_time is not None


def test_the_grid_and_the_answers_tab_show_the_check(
        ykien_app: App, tmp_path: Path, capture: SmtpCapture, replies: dict[str, bytes]) -> None:
    round_id = _answer_all(ykien_app, tmp_path, capture, replies)
    staff = TestClient(create_web_app(ykien_app))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', staff.get("/login").text).group(1)  # type: ignore[union-attr]
    assert staff.post("/login", data={"username": "canbo", "password": PASSWORD, "csrf_token": csrf},
                      follow_redirects=False).status_code == 303
    grid = staff.get(f"/rounds/{round_id}").text
    for code, mark in (("SCT", "Ký số: hợp lệ"), ("STP", "Ký số: đã bị sửa"), ("SYT", "Ký số: chưa tin cậy"),
                       ("SNV", "Ký số: không ký")):
        row = re.search(rf'<tr id="u-{code}">.*?</tr>', grid, re.S)
        assert row is not None and mark in row.group(0), code
    answers = staff.get(f"/rounds/{round_id}/responses").text
    valid = re.search(r'id="a-SCT".*?</section>', answers, re.S).group(0)  # type: ignore[union-attr]
    assert "hợp lệ" in valid and SIGNER_NAME in valid and ORGANISATION in valid and "Thời gian ký" in valid
    unsigned = re.search(r'id="a-SNV".*?</section>', answers, re.S).group(0)  # type: ignore[union-attr]
    assert "không có chữ ký số" in unsigned


def test_a_reply_checked_again_after_its_root_is_removed_is_untrusted(
        ykien_app: App, tmp_path: Path, capture: SmtpCapture, replies: dict[str, bytes]) -> None:
    round_id = _answer_all(ykien_app, tmp_path, capture, {"SCT": replies["SCT"]})
    roots = ykien_app.settings.trust_roots_resolved
    shutil.rmtree(roots)
    assert {r.report.status for r in recheck_round(ykien_app, round_id) if r.report} == {SignatureStatus.UNTRUSTED}
    assert round_view(ykien_app, round_id).signatures["SCT"].status is SignatureStatus.UNTRUSTED
