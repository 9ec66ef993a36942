"""The resource manager's REST API (/rest/rm), as RMRestInterface declares it.

The `model/*` lists answer without a session (the real Python client reads them so);
the state and monitoring views need one. Sessions are shared with /rest/common.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Header
from fastapi.responses import PlainTextResponse
from starlette.responses import Response

from psa_sim.api import scheduler_models as m
from psa_sim.api.responses import json_response, no_content, pa_list, text_response
from psa_sim.api.routes.common import Routes, SessionId, errors
from psa_sim.api.routes.sessions import add_login_route
from psa_sim.platform.driver import SimDriver
from psa_sim.platform.platform import Platform

NodeUrl = Annotated[str, Header(alias="nodeurl", description="the node's URL")]
Token = Annotated[str, Header(alias="token", description="the node token")]
ClientCounter = Annotated[
    str, Header(alias="clientCounter", description="the last counter the client saw")
]


def add_rm_routes(app: FastAPI, driver: SimDriver) -> None:
    r = Routes(app, "/rest/rm", "resource manager")
    call = driver.call

    add_login_route(r, driver)

    @r.post("/disconnect", status_code=204, responses=errors(401))
    async def disconnect(sessionid: SessionId = None) -> Response:
        driver.logout(sessionid)
        return no_content()

    @r.get("/isactive", response_model=bool, responses=errors(401))
    async def is_active(sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.rm_is_active, session_id=sessionid))

    @r.get("/state", response_model=m.RMState, responses=errors(401))
    async def state(sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.rm_state, session_id=sessionid))

    @r.get("/monitoring/full", response_model=m.RMStateFull, responses=errors(401))
    async def monitoring_full(sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.rm_monitoring, session_id=sessionid, full=True))

    @r.get("/monitoring", response_model=m.RMStateDelta, responses=errors(401))
    async def monitoring(
        sessionid: SessionId = None, clientCounter: ClientCounter = "-1"
    ) -> Response:
        # Every answer is the whole state: a client asking from any counter is up to date.
        return json_response(await call(Platform.rm_monitoring, session_id=sessionid, full=False))

    @r.get(
        "/model/hosts",
        response_class=PlainTextResponse,
        responses={200: {"description": "PA:LIST(,host1,host2)"}},
    )
    async def hosts() -> Response:
        return text_response(pa_list(await call(Platform.rm_hosts)))

    @r.get(
        "/model/nodesources",
        response_class=PlainTextResponse,
        responses={200: {"description": "PA:LIST(,source1,source2)"}},
    )
    async def node_sources() -> Response:
        return text_response(pa_list(await call(Platform.rm_node_sources)))

    @r.get(
        "/model/tokens",
        response_class=PlainTextResponse,
        responses={200: {"description": "PA:LIST(,token1,token2)"}},
    )
    async def tokens() -> Response:
        return text_response(pa_list(await call(Platform.rm_tokens)))

    @r.post("/node/token", status_code=204, responses=errors(401, 403, 404))
    async def add_node_token(
        nodeurl: NodeUrl, token: Token, sessionid: SessionId = None
    ) -> Response:
        await call(Platform.add_node_token, session_id=sessionid, node_url=nodeurl, token=token)
        return no_content()

    @r.delete("/node/token", status_code=204, responses=errors(401, 403, 404))
    async def remove_node_token(
        nodeurl: NodeUrl, token: Token, sessionid: SessionId = None
    ) -> Response:
        await call(Platform.remove_node_token, session_id=sessionid, node_url=nodeurl, token=token)
        return no_content()
