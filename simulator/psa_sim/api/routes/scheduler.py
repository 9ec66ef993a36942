"""Scheduler jobs (/rest/scheduler) and the resource manager (/rest/rm), section 4."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Header
from fastapi.responses import PlainTextResponse
from starlette.responses import Response

from psa_sim.api.models import JobResult, JobState
from psa_sim.api.responses import json_response, no_content, pa_list, text_response
from psa_sim.api.routes.common import Routes, SessionId, errors
from psa_sim.platform.driver import SimDriver
from psa_sim.platform.platform import Platform

NodeUrl = Annotated[str, Header(alias="nodeurl", description="the node's URL")]
Token = Annotated[str, Header(alias="token", description="the node token")]


def add_scheduler_routes(app: FastAPI, driver: SimDriver) -> None:
    r = Routes(app, "/rest/scheduler", "scheduler")
    call = driver.call

    @r.get("/jobs/{job_id}", response_model=JobState, responses=errors(401, 403, 404))
    async def get_job(job_id: int, sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.get_job, session_id=sessionid, job_id=job_id))

    @r.get("/jobs/{job_id}/result", response_model=JobResult, responses=errors(401, 403, 404))
    async def get_job_result(job_id: int, sessionid: SessionId = None) -> Response:
        return json_response(
            await call(Platform.get_job_result, session_id=sessionid, job_id=job_id)
        )

    @r.put("/jobs/{job_id}/kill", response_model=bool, responses=errors(401, 403, 404, 409))
    async def kill_job(job_id: int, sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.kill_job, session_id=sessionid, job_id=job_id))

    @r.get(
        "/jobs/{job_id}/log/full", response_class=PlainTextResponse, responses=errors(401, 403, 404)
    )
    async def job_log(job_id: int, sessionid: SessionId = None) -> Response:
        return text_response(await call(Platform.job_log, session_id=sessionid, job_id=job_id))


def add_rm_routes(app: FastAPI, driver: SimDriver) -> None:
    r = Routes(app, "/rest/rm", "resource manager")
    call = driver.call

    # The real Python client reads these three without a session.
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
