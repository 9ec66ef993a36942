"""Scheduler REST sessions: /rest/common/login, connected, logout.

The login form and its answer are this module's: /rest/rm and /rest/scheduler log in
the same way (same driver sessions), so they register it from here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import PlainTextResponse
from starlette.responses import Response

from psa_sim.api.responses import json_response, no_content, text_response
from psa_sim.api.routes.common import Routes, SessionId, errors
from psa_sim.platform.driver import SimDriver

# The OpenAPI answers of a login: the session id as plain text, or bad/throttled credentials.
LOGIN_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "the session id, as plain text"},
    **errors(401, 429),
}


def client_address(request: Request) -> str | None:
    """The caller's address, which failed-login throttling counts by."""
    return request.client.host if request.client else None


def add_login_route(r: Routes, driver: SimDriver) -> None:
    """POST <prefix>/login: a urlencoded form (username, password) -> the session id."""

    @r.post("/login", response_class=PlainTextResponse, responses=LOGIN_RESPONSES)
    async def login(
        request: Request,
        username: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
    ) -> Response:
        # Missing and empty fields alike (FastAPI reads an empty form field as missing)
        # are bad credentials, as on a real scheduler. Sessions are not simulated state:
        # the driver answers directly (see SimDriver.login).
        session_id = await driver.login(username, password, client_address(request))
        return text_response(session_id)


def add_routes(app: FastAPI, driver: SimDriver) -> None:
    r = Routes(app, "/rest/common", "sessions")
    add_login_route(r, driver)

    @r.get("/connected", response_model=bool, responses=errors())
    async def connected(sessionid: SessionId = None) -> Response:
        return json_response(driver.connected(sessionid))

    @r.put("/logout", status_code=204, responses=errors(401))
    async def logout(sessionid: SessionId = None) -> Response:
        driver.logout(sessionid)
        return no_content()
