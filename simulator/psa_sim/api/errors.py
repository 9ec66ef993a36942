"""Every error leaves as ``{"httpErrorCode": status, "errorMessage": "..."}``.

The platform's errors carry their status (``PsaError.http_status``); the framework's own
(unknown route, wrong method, a request that does not parse) are reshaped to the same
body, request validation into a 400 naming the field. Anything else is a bug, answered
as a JSON 500 all the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from psa_sim.api.responses import error_response
from psa_sim.errors import PsaError, ServiceUnavailable, TooManyRequests

# Where a parameter came from, as FastAPI's error locations say it.
_SOURCES = {"path", "query", "header", "cookie", "body"}
_MAX_SHOWN = 80


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(PsaError, _platform_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)


# Starlette types every handler as taking any Exception; each is registered for one class.
async def _platform_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PsaError)
    headers = None
    if isinstance(exc, TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after)}
    elif isinstance(exc, ServiceUnavailable):
        headers = {"Retry-After": "5"}
    return error_response(exc.http_status, str(exc), headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code in (404, 405):
        detail = f"{detail}: {request.method} {request.url.path}"
    return error_response(exc.status_code, detail, headers=exc.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return error_response(400, validation_message(exc.errors()))


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    # Starlette re-raises it once answered: uvicorn logs the traceback.
    return error_response(500, f"internal error: {type(exc).__name__}: {exc}")


def validation_message(errors: Sequence[Any]) -> str:
    """One clause per problem, each naming its field: ``instance_id (path): ...``."""
    clauses = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        source = loc[0] if loc and loc[0] in _SOURCES else None
        field = ".".join(loc[1:] if source else loc)
        kind = error.get("type", "")
        msg = error.get("msg", "invalid").removeprefix("Value error, ")
        if kind == "json_invalid":
            ctx = error.get("ctx") or {}
            clauses.append(f"body: malformed JSON ({ctx.get('error', msg)})")
            continue
        if kind == "missing":
            where = f" ({source})" if source else ""
            name = field or source or "request"
            clauses.append(f"{name}{where}: required {_kind_of(source)} is missing")
            continue
        name = field or source or "request"
        where = f" ({source})" if source and field else ""
        clause = f"{name}{where}: {msg}"
        if "input" in error and not isinstance(error["input"], (dict, list)):
            shown = repr(error["input"])
            if len(shown) > _MAX_SHOWN:
                shown = shown[:_MAX_SHOWN] + "..."
            clause += f" (got {shown})"
        clauses.append(clause)
    return "; ".join(clauses) or "invalid request"


def _kind_of(source: str | None) -> str:
    return {
        "path": "path parameter",
        "query": "query parameter",
        "header": "header",
        "cookie": "cookie",
        "body": "field",
    }.get(source or "", "field")
