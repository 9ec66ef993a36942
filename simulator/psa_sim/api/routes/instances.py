"""PSA service instances, /cloud-automation-service (docs/wire-contract.md, section 2)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.responses import Response

from psa_sim.api.models import ServiceDescription, ServiceInstanceData, ServiceInstanceUpdate
from psa_sim.api.responses import json_response, no_content
from psa_sim.api.routes.common import Routes, SessionId, errors
from psa_sim.platform.driver import SimDriver
from psa_sim.platform.platform import Platform

PREFIX = "/cloud-automation-service"
PROXY_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]


def add_routes(app: FastAPI, driver: SimDriver) -> None:
    r = Routes(app, PREFIX, "service instances")
    call = driver.call

    @r.get("/serviceInstances", response_model=list[ServiceInstanceData], responses=errors(401))
    async def list_instances(sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.list_instances, session_id=sessionid))

    # Declared before /{instance_id}: "active" is not an id.
    @r.get(
        "/serviceInstances/active", response_model=list[ServiceInstanceData], responses=errors(401)
    )
    async def list_active_instances(sessionid: SessionId = None) -> Response:
        return json_response(await call(Platform.list_instances, session_id=sessionid, active=True))

    @r.post(
        "/serviceInstances",
        response_model=ServiceInstanceData,
        responses=errors(401, 403, 404, 409),
    )
    async def create_instance(
        description: ServiceDescription, sessionid: SessionId = None
    ) -> Response:
        return json_response(
            await call(
                Platform.create_instance, session_id=sessionid, description=description.model_dump()
            )
        )

    @r.get(
        "/serviceInstances/{instance_id}",
        response_model=ServiceInstanceData,
        responses=errors(401, 403, 404),
    )
    async def get_instance(instance_id: int, sessionid: SessionId = None) -> Response:
        return json_response(
            await call(Platform.get_instance, session_id=sessionid, instance_id=instance_id)
        )

    @r.put(
        "/serviceInstances/{instance_id}",
        response_model=ServiceInstanceData,
        responses=errors(401, 403, 404, 409),
    )
    async def update_instance(
        instance_id: int, data: ServiceInstanceUpdate, sessionid: SessionId = None
    ) -> Response:
        return json_response(
            await call(
                Platform.update_instance,
                session_id=sessionid,
                instance_id=instance_id,
                data=data.model_dump(exclude_unset=True),
            )
        )

    @r.delete(
        "/serviceInstances/{instance_id}", status_code=204, responses=errors(401, 403, 404, 409)
    )
    async def clean_instance(instance_id: int, sessionid: SessionId = None) -> Response:
        await call(Platform.clean_instance, session_id=sessionid, instance_id=instance_id)
        return no_content()

    @r.put(
        "/serviceInstances/{instance_id}/action",
        response_model=ServiceInstanceData,
        responses=errors(401, 403, 404, 409),
    )
    async def instance_action(
        instance_id: int, description: ServiceDescription, sessionid: SessionId = None
    ) -> Response:
        return json_response(
            await call(
                Platform.instance_action,
                session_id=sessionid,
                instance_id=instance_id,
                description=description.model_dump(),
            )
        )


def add_proxy_routes(app: FastAPI, driver: SimDriver) -> None:
    """The endpoint proxy: one route per method (one operation id each); registered
    last, so that the other routes are matched before these catch-alls."""
    r = Routes(app, PREFIX, "service instances")
    call = driver.call

    async def _proxy(
        instance_id: int, endpoint_id: str, path: str, method: str, sessionid: str | None
    ) -> Response:
        status, body = await call(
            Platform.proxy,
            session_id=sessionid,
            instance_id=instance_id,
            endpoint_id=endpoint_id,
            path=path,
            method=method,
        )
        return json_response(body, status)

    async def proxy(
        instance_id: int, endpoint_id: str, path: str, request: Request, sessionid: SessionId = None
    ) -> Response:
        return await _proxy(instance_id, endpoint_id, path, request.method, sessionid)

    async def proxy_root(
        instance_id: int, endpoint_id: str, request: Request, sessionid: SessionId = None
    ) -> Response:
        return await _proxy(instance_id, endpoint_id, "", request.method, sessionid)

    endpoint = "/services/{instance_id}/endpoints/{endpoint_id}"
    for method in PROXY_METHODS:
        r.add_api_route(
            endpoint + "/{path:path}",
            proxy,
            methods=[method],
            operation_id=f"proxy_{method.lower()}",
            summary="Reverse proxy to a proxyfied endpoint",
            responses=errors(401, 403, 404),
        )
        r.add_api_route(
            endpoint,
            proxy_root,
            methods=[method],
            operation_id=f"proxy_root_{method.lower()}",
            summary="Reverse proxy to a proxyfied endpoint (its root)",
            responses=errors(401, 403, 404),
        )
