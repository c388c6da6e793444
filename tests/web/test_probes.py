"""Probes of issue 10 that the web app failed: caching of staff pages (item 5), huge ids (item 6) and a mail
scanner counted as the unit opening its link (item 12). Each test fails when its hole comes back."""
from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select
from starlette.convertors import IntegerConvertor
from starlette.routing import Route
from test_consolidation_pages import Site, _build
from test_recipient_page import PDF, STAFF, TITLE, links, unit

from models.db.tables import OutboxRow
from workflows.engine.events import Launch
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.steps import run_step
from workflows.web.security import MAX_ID

if TYPE_CHECKING:
    from conftest import LiveSite

HUGE = "9" * 20


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A round in consolidation (comments to triage) and a draft round; staff of TĐC, a leader and an admin."""
    built = _build(tmp_path_factory.mktemp("probes") / "home")
    yield built
    built.app.close()


def _walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI keeps an included router as one node
        if included is not None:
            yield from _walk(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, (Route, APIRoute)):
            yield prefix + route.path, route


def _routes(site: Site) -> list[tuple[str, Any]]:
    """(path, route) of every route of the app: pages, recipient pages, the API and its docs; not /static."""
    return list(_walk(site.web.routes))  # type: ignore[attr-defined]


def _int_params(route: Any) -> set[str]:
    """The path parameters that are ids: an `:int` convertor or an int in the endpoint's signature."""
    found = {name for name, conv in route.param_convertors.items() if isinstance(conv, IntegerConvertor)}
    hints = typing.get_type_hints(route.endpoint, include_extras=True)
    for name in route.param_convertors:
        hint = hints.get(name)
        base = typing.get_args(hint)[0] if typing.get_origin(hint) is typing.Annotated else hint
        if base is int:
            found.add(name)
    return found


def _token(site: Site) -> str:
    with site.app.uow() as uow:
        body = uow.session.scalar(select(OutboxRow.text_body).where(OutboxRow.kind == "invitation"))
    return re.search(r"/r/([A-Za-z0-9_-]+)", body or "").group(1)  # type: ignore[union-attr]


def _fill(path_and_route: tuple[str, Any], site: Site, ints: str | None = None) -> str:
    """The route's path with every parameter given: ids are the round's (or `ints`), the others plausible."""
    strings = {"token": _token(site), "action": "extend", "code": "SCT", "filename": "bao-cao.docx"}
    path, route = path_and_route
    values = {}
    for name in route.param_convertors:
        if name in _int_params(route):
            values[name] = ints or str(site.round_id)
        else:
            values[name] = strings.get(name, "x")
    return re.sub(r"{(\w+)(:\w+)?}", lambda m: values[m.group(1)], path)


# --- item 5: Cache-Control: no-store ---------------------------------------------------------------

def test_every_get_route_logged_in_as_staff_answers_no_store(site: Site) -> None:
    staff = site.as_("canbo")
    gets = [r for r in _routes(site) if r[1].methods and "GET" in r[1].methods]
    assert len(gets) > 30
    seen = {}
    for route in gets:
        url = _fill(route, site)
        response = staff.get(url, follow_redirects=False, headers={"X-CSRF-Token": staff.csrf})
        seen[url] = response.status_code
        assert response.headers.get("cache-control") == "no-store", (url, response.status_code)
    assert seen[f"/rounds/{site.round_id}"] == 200 and seen[f"/rounds/{site.round_id}/audit"] == 200
    assert seen["/mail"] == 200 and seen["/api/rounds"] == 200


def test_anonymous_login_page_and_redirects_are_not_cached_but_static_files_may_be(site: Site) -> None:
    anonymous = site.as_(None)
    for url in ("/login", "/", f"/rounds/{site.round_id}", "/api/rounds"):
        assert anonymous.get(url, follow_redirects=False).headers.get("cache-control") == "no-store", url
    assert anonymous.get("/static/style.css").headers.get("cache-control") != "no-store"


# --- item 6: bounded ids ---------------------------------------------------------------------------

def test_every_route_with_an_id_in_its_path_answers_404_for_a_huge_or_out_of_range_id(site: Site) -> None:
    staff = site.as_("canbo")
    with_ids = [r for r in _routes(site) if _int_params(r[1])]
    assert len(with_ids) >= 30, [path for path, _ in with_ids]
    tried = 0
    for path, route in with_ids:
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue
            for bad in (HUGE, str(MAX_ID + 1), "0"):
                url = _fill((path, route), site, ints=bad)
                response = staff.client.request(method, url, data={"csrf_token": staff.csrf} if method == "POST"
                                                else None, headers={"X-CSRF-Token": staff.csrf},
                                                follow_redirects=False)
                assert response.status_code == 404, (method, url, response.status_code, response.text[:300])
                tried += 1
    assert tried >= 90
    # Every id parameter of the app's own routes is declared bounded (1 … 2**31-1), not only tried.
    for path, route in with_ids:
        if isinstance(route, APIRoute):
            for param in route.dependant.path_params:
                if param.name in _int_params(route):
                    limits = {type(m).__name__: m for m in param.field_info.metadata}
                    assert limits["Ge"].ge == 1 and limits["Le"].le == MAX_ID, (path, param.name)


def test_the_api_answers_a_huge_id_with_its_error_body(site: Site) -> None:
    response = site.as_("canbo").get(f"/api/rounds/{HUGE}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_form_posting_a_huge_comment_id_is_refused_naming_the_field(site: Site) -> None:
    staff = site.as_("canbo")
    for bad in (HUGE, str(MAX_ID + 1), "-1", "1e400"):
        response = staff.post(f"/rounds/{site.round_id}/consolidation/handle",
                              {"comment": bad, "decision": "accepted"})
        assert response.status_code == 422, (bad, response.text[:300])
        assert "ý kiến đã chọn" in response.text  # the field: the comments ticked in the table


# --- item 12: a mail scanner is not the unit opening its link ----------------------------------------

def test_a_plain_get_records_nothing_and_the_page_signal_records_the_opening(site: Site) -> None:
    token = _token(site)
    anonymous = site.as_(None)
    code = _unit_of(site, token)

    def opened() -> tuple[Any, Any]:
        view = next(u for u in _units(site) if u.unit_code == code)
        return view.first_opened_at, view.last_opened_at

    before = opened()
    page = anonymous.get(f"/r/{token}")
    assert page.status_code == 200
    assert opened() == before, "a GET (a mail scanner) must not count as opened"
    assert f'<script src="/static/opened.js" data-opened="/r/{token}/opened" defer></script>' in page.text
    signal = anonymous.client.post(f"/r/{token}/opened")
    assert signal.status_code == 204 and signal.headers["cache-control"] == "no-store"
    first, last = opened()
    assert first is not None and last == site.clock.now()
    assert anonymous.client.post("/r/not-a-real-token-at-all-0000000000/opened").status_code in (404, 410)
    script = anonymous.get("/static/opened.js")
    assert script.status_code == 200 and "keepalive" in script.text and "data-opened" in script.text


def _units(site: Site) -> list[Any]:
    from workflows.service.views import round_view

    return list(round_view(site.app, site.round_id).units)


def _unit_of(site: Site, token: str) -> str:
    with site.app.uow() as uow:
        unit_code = uow.session.scalar(select(OutboxRow.unit_code).where(
            OutboxRow.kind == "invitation", OutboxRow.text_body.contains(f"/r/{token}")))
    assert unit_code
    return str(unit_code)


@pytest.mark.timeout(120)
def test_a_browser_opening_the_link_records_the_opening(live_site: LiveSite, chromium_path: Path, tmp_path: Path,
                                                       request: pytest.FixtureRequest) -> None:
    source = tmp_path / "Dự thảo.pdf"
    source.write_bytes(PDF)
    app = live_site.app
    new = NewRound(title=TITLE, subject=f"xin ý kiến góp ý đối với dự thảo {TITLE}", workflow="consultation",
                   office="TĐC", deadline=date(2026, 1, 8), addressees=(Addressee(units=("SCT", "STC")),),
                   contact_name="Ông Phạm Phi Long", contact_title="Trưởng phòng", contact_phone="0912 130 290",
                   signer_name="Nông Thị Thanh Huyền", draft_path=source)
    round_id = create_round(app, new, STAFF)
    execute(app, round_id, Launch(), STAFF)
    run_step(app, "circulate", round_id=round_id)
    live_site.capture.wait_for(2, timeout=20)
    token = links(live_site.capture)["SCT"]

    # The scanner: a plain GET, no script run.
    import urllib.request

    with urllib.request.urlopen(live_site.url(f"/r/{token}")) as scanned:
        assert scanned.status == 200
    assert unit(app, "SCT").first_opened_at is None

    # Playwright keeps an event loop running while open: start it only once the mail is sent (conftest).
    chromium = request.getfixturevalue("chromium")
    context = chromium.new_context(locale="vi-VN")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        with page.expect_response(lambda r: r.url.endswith(f"/r/{token}/opened")) as signal:
            page.goto(live_site.url(f"/r/{token}"))
        assert signal.value.status == 204
        assert errors == [], errors
    finally:
        context.close()
    opened = unit(app, "SCT")
    assert opened.first_opened_at == live_site.clock.now() and opened.last_opened_at == live_site.clock.now()
    assert unit(app, "STC").first_opened_at is None
