"""What every route module shares: the session header and the documented error answers."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any, TypeVar

from fastapi import FastAPI, Header

from psa_sim.api.models import ErrorBody

# A route handler, returned unchanged by the decorators that register it.
Handler = TypeVar("Handler", bound=Callable[..., Any])

SessionId = Annotated[
    str | None,
    Header(
        alias="sessionid",
        description="the session id from POST /rest/common/login (the catalog spells it "
        "sessionID; header names are case-insensitive)",
    ),
]


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses (400 always: a request may not parse)."""
    described = {
        400: "invalid request: the message names the field",
        401: "no session, or an unknown or expired one",
        403: "the session's user may not do this",
        404: "unknown instance, bucket, object, workflow or job",
        409: "refused in the current state",
        413: "a body, upload or variable beyond the server's limits",
        429: "too many failed logins: retry after the Retry-After header's seconds",
        503: "the server cannot make the change durable now (its journal cannot be written)",
    }
    return {s: {"model": ErrorBody, "description": described[s]} for s in sorted({400, *statuses})}


class Routes:
    """Registers a service's routes straight on the app, under its prefix and tag.

    One flat route table: FastAPI matches an included APIRouter level by level on every
    request, which costs more than the handler itself on the hot paths.
    """

    def __init__(self, app: FastAPI, prefix: str, tag: str) -> None:
        self.app, self.prefix = app, prefix
        self.tags: list[str | Enum] = [tag]

    # **kwargs: FastAPI's own route options (response_model, responses, status_code, ...)
    def _route(self, method: str, path: str, **kwargs: Any) -> Callable[[Handler], Handler]:
        register: Callable[[Handler], Handler] = getattr(self.app, method)(
            self.prefix + path, tags=self.tags, **kwargs
        )
        return register

    def get(self, path: str, **kwargs: Any) -> Callable[[Handler], Handler]:
        return self._route("get", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Callable[[Handler], Handler]:
        return self._route("post", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Callable[[Handler], Handler]:
        return self._route("put", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Callable[[Handler], Handler]:
        return self._route("delete", path, **kwargs)

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        self.app.add_api_route(self.prefix + path, endpoint, tags=self.tags, **kwargs)
