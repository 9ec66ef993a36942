"""Scheduler REST sessions: /rest/common/login, connected, logout."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form
from fastapi.responses import PlainTextResponse
from starlette.responses import Response

from psa_sim.api.responses import json_response, no_content, text_response
from psa_sim.api.routes.common import Routes, SessionId, errors
from psa_sim.platform.driver import SimDriver
from psa_sim.platform.platform import Platform


def add_routes(app: FastAPI, driver: SimDriver) -> None:
    r = Routes(app, "/rest/common", "sessions")

    @r.post(
        "/login",
        response_class=PlainTextResponse,
        responses={200: {"description": "the session id, as plain text"}, **errors(401)},
    )
    async def login(
        username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = ""
    ) -> Response:
        # Missing and empty fields alike (FastAPI reads an empty form field as missing)
        # are bad credentials, as on a real scheduler.
        session_id = await driver.call(Platform.login, username=username, password=password)
        return text_response(session_id)

    @r.get("/connected", response_model=bool, responses=errors())
    async def connected(sessionid: SessionId = None) -> Response:
        return json_response(await driver.call(Platform.connected, session_id=sessionid))

    @r.put("/logout", status_code=204, responses=errors(401))
    async def logout(sessionid: SessionId = None) -> Response:
        await driver.call(Platform.logout, session_id=sessionid)
        return no_content()
