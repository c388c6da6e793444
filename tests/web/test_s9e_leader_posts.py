"""A leader (Lãnh đạo Sở, read only) is refused every page route that changes something, found by walking the app's
routers rather than listed by hand, so a route added later without its check fails here: 403 whatever the form holds
(even empty: the refusal comes before the form is read), and not one row of the database changes. The JSON API's
writes are refused with valid bodies in test_api.py (test_leader_reads_everything_and_changes_nothing)."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from staff_site import STAFF, leader_client, template_home, trial_consultation, ykien_app  # noqa: F401

from models.db.tables import Base
from workflows.engine.events import Launch
from workflows.service.app import App
from workflows.service.register import take_number
from workflows.service.rounds import Addressee, NewRound, create_round, execute

# Routes anyone logged in may post (their own session, password and digest), and the units' own pages.
NOT_STAFF_CHANGES = {"/login", "/logout", "/account/password", "/account/digest"}
# Rows a request may write without changing anything staff see: the session's last use, login attempts.
BOOKKEEPING = {"staff_sessions", "login_failures"}


def _unsafe_page_routes(web: Any) -> list[tuple[str, str]]:
    """Every (method, path) of the app's staff pages that is not a GET: the app's routes, and those of any router
    it includes (FastAPI keeps an included router whole, as `original_router`)."""
    found = []
    for node in web.router.routes:
        router = getattr(node, "original_router", None)
        for route in router.routes if router is not None else [node]:
            if not isinstance(route, APIRoute) or route.path.startswith(("/api/", "/r/")):
                continue
            for method in sorted(route.methods - {"GET", "HEAD"}):
                if route.path not in NOT_STAFF_CHANGES:
                    found.append((method, route.path))
    return found


def _counts(app: App) -> dict[str, int]:
    with app.uow(read_only=True) as uow:
        return {table.name: uow.session.scalar(select(func.count()).select_from(table)) or 0
                for table in Base.metadata.sorted_tables if table.name not in BOOKKEEPING}


@pytest.fixture
def round_id(ykien_app: App) -> int:
    created = trial_consultation(ykien_app)
    take_number(ykien_app, created, "request_letter", STAFF)
    return created


@pytest.fixture
def workshop_id(ykien_app: App) -> int:
    """A round of a kind that gives units tasks: its assignments' routes exist (a consultation's answer 404)."""
    new = NewRound(title="Hội thảo thử", subject="", workflow="workshop", office="TĐC", deadline=date(2025, 11, 27),
                   dates={"event": date(2025, 12, 4)}, addressees=(Addressee(units=("SCT", "STC")),),
                   contact_name="Ông Phạm Phi Long", contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền")
    created = create_round(ykien_app, new, STAFF)
    execute(ykien_app, created, Launch(), STAFF)
    return created


@pytest.fixture
def leader(ykien_app: App) -> TestClient:
    return leader_client(ykien_app)


@pytest.mark.parametrize("form", [{}, {"confirmed": "yes", "reason": "Thử", "document": "1:request_letter",
                                       "date": "20/11/2025", "number": "9/SKHCN-TĐC", "role": "admin",
                                       "office": "TĐC", "active": "0"}], ids=["empty", "filled"])
def test_a_leader_is_refused_every_page_route_that_changes_something(
        ykien_app: App, leader: TestClient, round_id: int, workshop_id: int, form: dict[str, str]) -> None:
    values = {"round_id": str(round_id), "assignment_id": "1", "key": "request_letter", "entry_id": "1",
              "code": "SCT", "username": "long", "action": "remind"}
    routes = _unsafe_page_routes(leader.app)
    assert len(routes) >= 30, routes
    before = _counts(ykien_app)
    refused = {}
    for method, path in routes:
        of_round = {**values, "round_id": str(workshop_id)} if "/assignments" in path else values
        url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda named, given=of_round: given[named.group(1)], path)
        refused[f"{method} {path}"] = leader.request(method, url, data=form).status_code
    assert {route: status for route, status in refused.items() if status != 403} == {}
    assert _counts(ykien_app) == before
