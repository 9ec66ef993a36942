"""Scheduler REST sessions: /rest/common/login, connected, logout."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import PlainTextResponse
from starlette.responses import Response

from psa_sim.api.responses import json_response, no_content, text_response
from psa_sim.api.routes.common import Routes, SessionId, errors
from psa_sim.platform.driver import SimDriver


def add_routes(app: FastAPI, driver: SimDriver) -> None:
    r = Routes(app, "/rest/common", "sessions")

    @r.post(
        "/login",
        response_class=PlainTextResponse,
        responses={
            200: {"description": "the session id, as plain text"},
            **errors(401, 429),
        },
    )
    async def login(
        request: Request,
        username: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
    ) -> Response:
        # Missing and empty fields alike (FastAPI reads an empty form field as missing)
        # are bad credentials, as on a real scheduler. Sessions are not simulated state:
        # the driver answers directly (see SimDriver.login).
        address = request.client.host if request.client else None
        session_id = await driver.login(username, password, address)
        return text_response(session_id)

    @r.get("/connected", response_model=bool, responses=errors())
    async def connected(sessionid: SessionId = None) -> Response:
        return json_response(driver.connected(sessionid))

    @r.put("/logout", status_code=204, responses=errors(401))
    async def logout(sessionid: SessionId = None) -> Response:
        driver.logout(sessionid)
        return no_content()
