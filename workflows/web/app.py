"""Build the FastAPI app around one ykien App: pages, the recipient page and the API."""
from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from config.validation_words import said_in_vietnamese
from models.errors import DomainError, InvalidInput, NotFound
from workflows.service.app import App
from workflows.web.headers import SessionAndHeaders
from workflows.web.pages.api_reference import reference
from workflows.web.refusal_words import refusal_message
from workflows.web.security import Forbidden, LoginRequired
from workflows.web.templating import render

STATIC = Path(__file__).parent / "static"
DOCS_URL = "/api/docs"
OPENAPI_URL = "/api/openapi.json"


def _where(error: Any) -> str:
    """The field of a body a validation error is about (dotted), or where JSON that does not parse broke off."""
    if error["type"] == "json_invalid":
        return f"body (ký tự thứ {error['loc'][-1]})"
    return ".".join(str(part) for part in error["loc"][1:]) or "body"


def _return_path(request: Request) -> str:
    """Where a login sends staff back: the page asked for with its query (/rounds/3/extend?unit=SYT), for a page
    that is read; after a form sent without a session, the page itself, as a form cannot be sent again unseen."""
    query = request.url.query
    return f"{request.url.path}?{query}" if query and request.method in ("GET", "HEAD") else request.url.path


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, code: str, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
    return render(request, "error.html", {"status": status, "message": message}, status_code=status)


def _request_threads(app: App) -> Callable[[FastAPI], Any]:
    """The lifespan that sizes the threads running requests' blocking work (sync routes, run_in_threadpool) to
    YKIEN_REQUEST_THREADS: on a small server anyio's 40 threads only take turns at the same cores and the GIL."""
    @asynccontextmanager
    async def lifespan(_web: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = app.settings.request_threads
        yield

    return lifespan


def create_web_app(app: App) -> FastAPI:
    from workflows.web.routes import (
        accounts,
        api,
        assignment_routes,
        attachments,
        auth,
        consolidation,
        dashboard,
        directory,
        jobs,
        mail,
        ops,
        recipient,
        register,
        report_headings,
        rounds,
        signing,
    )

    # docs_url=None: FastAPI's own page loads Swagger UI from a CDN with an inline script, which the policy below
    # blocks (a blank page on an offline machine); /api/docs is ykien's own page, read from the same OpenAPI
    # document: plain HTML, no script, nothing from another host.
    web = FastAPI(title="ykien", version="1", docs_url=None, redoc_url=None, openapi_url=OPENAPI_URL,
                  swagger_ui_oauth2_redirect_url=None, lifespan=_request_threads(app),
                  description="API của ykien: các đợt, cơ quan, đơn vị được đề nghị trả lời và câu trả lời của họ.")
    web.state.ykien = app
    web.mount("/static", StaticFiles(directory=STATIC), name="static")

    @web.get(DOCS_URL, include_in_schema=False)
    def api_docs(request: Request) -> Response:
        return render(request, "api_docs.html", {"openapi_url": OPENAPI_URL, "groups": reference(web.openapi())})

    web.add_middleware(SessionAndHeaders, ykien=app)

    @web.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": {"code": "login_required", "message": "Cần đăng nhập."}}, status_code=401)
        return RedirectResponse(f"/login?next={quote(_return_path(request), safe='')}", status_code=303)

    @web.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return _error(request, 403, "forbidden", exc.message)

    @web.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, exc.code, exc.message)

    @web.exception_handler(DomainError)
    async def _refused(request: Request, exc: DomainError) -> Response:
        return _error(request, 409, exc.code, exc.message)

    @web.exception_handler(InvalidInput)
    async def _invalid(request: Request, exc: InvalidInput) -> Response:
        return _error(request, 422, exc.code, exc.message)

    @web.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        message = refusal_message(exc.status_code, exc.detail, request.method)
        return _error(request, exc.status_code, "http_error", message)

    @web.exception_handler(OperationalError)
    async def _busy(request: Request, exc: OperationalError) -> Response:
        # SQLite's write lock timed out under load: nothing was saved, and the person must know it.
        return _error(request, 503, "busy", "Hệ thống đang bận nên chưa lưu được; vui lòng thử lại sau ít phút.")

    @web.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        if any(e["loc"][:1] == ("path",) for e in exc.errors()):
            # An id in the path out of range (0, negative, 20 digits): no such page, as for any unknown id.
            return _error(request, 404, "not_found", "Không tìm thấy trang.")
        problems = "; ".join(f"{_where(e)}: {said_in_vietnamese(e)}"
                             f"{' (xem ' + DOCS_URL + ')' if e['type'] == 'string_pattern_mismatch' else ''}"
                             for e in exc.errors())
        return _error(request, 422, "invalid_input", f"Dữ liệu không hợp lệ: {problems}")

    def openapi_schema() -> dict[str, Any]:
        """FastAPI lists one security requirement per dependency, which in OpenAPI means "either"; a POST or
        DELETE needs the session cookie and the CSRF header together: one requirement naming both."""
        if web.openapi_schema is None:
            schema = get_openapi(title=web.title, version=web.version, description=web.description,
                                 routes=web.routes)
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    required = operation.get("security")
                    if isinstance(required, list) and len(required) > 1:
                        operation["security"] = [{name: [] for item in required for name in item}]
            web.openapi_schema = schema
        return web.openapi_schema

    web.openapi = openapi_schema  # type: ignore[method-assign]

    # recipient first: a unit's page and answer (/r/{token}...) are most of a round's requests, and each request is
    # matched against the routes in order (at the end, an answer was matched against ~95 routes before its own).
    # consolidation before rounds: its paths (/rounds/{id}/consolidation, ...) are more specific.
    # assignment_routes before rounds too: /rounds/{id}/assignments is not one of the round's {action} forms.
    for module in (recipient, ops, auth, accounts, dashboard, consolidation, report_headings, signing, jobs,
                   assignment_routes, attachments, rounds, directory, register, mail, api):
        # The routes themselves, not include_router: FastAPI would analyse every route's signature again for each
        # app built (on its first requests, ~80 ms of CPU), where the routes, built once a process with their
        # routers' prefix and settings, hold nothing of an app (the App is read from request.app.state).
        web.router.routes.extend(module.router.routes)
    return web
