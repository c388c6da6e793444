"""What every response of the web app carries: the anonymous session's CSRF cookie when a page made one, and the
headers that keep pages out of shared caches, frames and other sites' scripts.

A plain ASGI middleware: it only rewrites the start of the response, so it costs no task group and no streamed
copy of the body per request (Starlette's @middleware("http") did both, on every answer a unit posts).
"""
from __future__ import annotations

from typing import Any

from fastapi.responses import Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workflows.service.app import App
from workflows.web.security import ANONYMOUS_COOKIE, ANONYMOUS_MAX_AGE, anonymous_cookie

CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                           "frame-ancestors 'none'; form-action 'self'")


class SessionAndHeaders:
    def __init__(self, asgi: ASGIApp, ykien: App) -> None:
        self.asgi = asgi
        self.ykien = ykien

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.asgi(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def starting(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._finish(scope, MutableHeaders(scope=message), static)
            await send(message)

        await self.asgi(scope, receive, starting)

    def _finish(self, scope: Scope, headers: MutableHeaders, static: bool) -> None:
        state: dict[str, Any] = scope.get("state") or {}
        session = state.get("session")
        if session is not None and session.new_anonymous and not state.get("session_written", False):
            # Only the anonymous CSRF cookie is written here; a staff session's cookie is set once, at login.
            cookie = Response()
            cookie.set_cookie(ANONYMOUS_COOKIE, anonymous_cookie(self.ykien, session), max_age=ANONYMOUS_MAX_AGE,
                              httponly=True, samesite="lax", secure=self.ykien.settings.base_url.startswith("https"))
            headers.append("set-cookie", cookie.headers["set-cookie"])
        if not static:
            # Staff pages (grids, audit, mail) and personal links must not stay in the cache of a shared office PC.
            headers.setdefault("Cache-Control", "no-store")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        # Personal links carry their token in the path: never leak it in a Referer header.
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
