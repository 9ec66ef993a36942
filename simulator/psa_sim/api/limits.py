"""Closed doors at the HTTP layer: a session before any body, and bodies of bounded size.

Pure ASGI, in front of the application:
- a request that carries a body must carry a valid session, checked before a byte of the
  body is read (login is the exception: it is how a session is had);
- a body beyond its route's cap is refused with 413 (from Content-Length when there is
  one, else while it streams), so 300 MB of junk costs nothing;
- more than MAX_HEADERS headers are refused with 431 (their size is bounded in
  protocol.py).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from psa_sim.api.responses import encode_json, error_body
from psa_sim.errors import PayloadTooLarge

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_HEADERS = 100
MB = 1024 * 1024

# Routes that take a body without a session: the logins.
_LOGIN = re.compile(r"^/+rest/((common|scheduler|rm)/login|scheduler/session)/?$")
# Catalog uploads (an object, a revision) and job descriptors: their own, larger cap.
_UPLOAD = re.compile(
    r"^/+(catalog/buckets/[^/]+/resources(/[^/]+/revisions)?|rest/scheduler/(submit|validate))/?$"
)
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class BodyLimits:
    """Largest bodies accepted, in bytes (`psa-sim serve --max-upload-bytes`, …)."""

    upload: int = 10 * MB  # a catalog object: the biggest real workflow XML is ~1 MB
    json: int = 1 * MB  # any other body: a ServiceDescription, variables, a clock setting
    login: int = 16 * 1024  # a login form


class _TooLarge(PayloadTooLarge):
    pass


class RequestLimits:
    def __init__(
        self,
        app: ASGIApp,
        session_valid: Callable[[str | None], bool] | None,
        limits: BodyLimits,
    ) -> None:
        self.app = app
        self.session_valid = session_valid
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        if len(headers) > MAX_HEADERS:
            await _refuse(send, 431, f"request headers: {len(headers)} sent, at most {MAX_HEADERS}")
            return
        method = scope["method"]
        if method not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        length: int | None = None
        session: str | None = None
        chunked = False
        for name, value in headers:
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    await _refuse(send, 400, f"content-length: {value!r} is not a number")
                    return
            elif name == b"sessionid":
                session = value.decode("latin-1")
            elif name == b"transfer-encoding":
                chunked = True
        if not length and not chunked:  # no body: nothing to guard
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if _LOGIN.match(path):
            cap, what = self.limits.login, "a login form"
        else:
            if self.session_valid is not None and not self.session_valid(session):
                message = (
                    "sessionid: a session is required (log in at /rest/common/login)"
                    if not session
                    else "sessionid: unknown or expired session"
                )
                await _refuse(send, 401, message)
                return
            if _UPLOAD.match(path):
                cap, what = self.limits.upload, "a catalog upload (--max-upload-bytes)"
            else:
                cap, what = self.limits.json, "a request body (--max-body-bytes)"
        message = f"request body too large: {what} may take {cap} bytes"
        if length is not None and length > cap:
            await _refuse(send, 413, f"{message}, this one has {length}")
            return
        received = 0
        too_large = False

        async def counted() -> Message:
            nonlocal received, too_large
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > cap:
                    too_large = True
                    raise _TooLarge(message)
            return event

        answered = False

        async def watched(event: Message) -> None:
            # However the application reports the aborted read (FastAPI makes it a 400
            # "error parsing the body"), the client is told the truth: 413.
            nonlocal answered
            if too_large:
                if not answered:
                    answered = True
                    await _refuse(send, 413, message)
                return
            await send(event)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not answered:
                await _refuse(send, 413, message)


async def _refuse(send: Send, status: int, message: str) -> None:
    body = encode_json(error_body(status, message))
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode("ascii")),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
