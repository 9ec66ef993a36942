"""The simulator's own administration, /sim-api (admin users only; not part of PSA)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.responses import Response

from psa_sim.api.models import (
    Advance,
    ClockSetting,
    ClockState,
    CrashFault,
    ExecutableAction,
    NodeFailure,
    NodeRepair,
    SimTime,
)
from psa_sim.api.responses import json_response
from psa_sim.api.routes.common import Routes, SessionId, errors
from psa_sim.platform.driver import SimDriver
from psa_sim.platform.platform import Platform

ADMIN = (401, 403)


def add_routes(app: FastAPI, driver: SimDriver) -> None:
    r = Routes(app, "/sim-api", "simulator")
    call = driver.call

    @r.post(
        "/reset",
        responses=errors(*ADMIN),
        summary="Forget every instance, job and token; back to simulated time 0",
    )
    async def reset(sessionid: SessionId = None) -> Response:
        return json_response(await call(SimDriver.reset, session_id=sessionid))

    @r.get("/clock", response_model=ClockState, responses=errors(*ADMIN))
    async def get_clock(sessionid: SessionId = None) -> Response:
        return json_response(await call(SimDriver.clock, session_id=sessionid))

    @r.put("/clock", response_model=ClockState, responses=errors(*ADMIN))
    async def set_clock(setting: ClockSetting, sessionid: SessionId = None) -> Response:
        return json_response(
            await call(
                SimDriver.set_clock, session_id=sessionid, mode=setting.mode, speed=setting.speed
            )
        )

    @r.post(
        "/advance",
        response_model=SimTime,
        responses=errors(*ADMIN),
        summary="Run simulated time forward (manual clock only)",
    )
    async def advance(step: Advance, sessionid: SessionId = None) -> Response:
        return json_response(
            await call(Platform.advance, session_id=sessionid, seconds=step.seconds)
        )

    @r.post(
        "/faults/crash",
        responses=errors(*ADMIN, 404),
        summary="Crash an instance's container; its health loop notices next check",
    )
    async def crash(fault: CrashFault, sessionid: SessionId = None) -> Response:
        return json_response(
            await call(
                Platform.crash_container, session_id=sessionid, instance_id=fault.instance_id
            )
        )

    @r.post("/faults/node-failure", responses=errors(*ADMIN, 404))
    async def node_failure(fault: NodeFailure, sessionid: SessionId = None) -> Response:
        return json_response(
            await call(
                Platform.fail_node,
                session_id=sessionid,
                node=fault.node,
                repair_after=fault.repair_after,
            )
        )

    @r.post("/faults/node-repair", responses=errors(*ADMIN, 404))
    async def node_repair(repair: NodeRepair, sessionid: SessionId = None) -> Response:
        return json_response(
            await call(Platform.repair_node, session_id=sessionid, node=repair.node)
        )

    @r.get(
        "/instances/{instance_id}/actions",
        response_model=list[ExecutableAction],
        responses=errors(*ADMIN, 404),
        summary="The actions an instance accepts now (none while transitioning)",
    )
    async def executable_actions(instance_id: int, sessionid: SessionId = None) -> Response:
        return json_response(
            await call(Platform.executable_actions, session_id=sessionid, instance_id=instance_id)
        )

    @r.get("/metrics", responses=errors(*ADMIN))
    async def metrics(sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.metrics, session_id=sessionid))
