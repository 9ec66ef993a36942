"""The FastAPI application: ProActive's REST surface over a driver.

``create_app(driver)`` needs only ``await driver.call(operation, **kwargs)``: the driver
runs the operation in the simulation (one coroutine on the same event loop) and raises
the platform's errors, which leave here as PSA's JSON error body with their status.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from psa_sim import __version__
from psa_sim.api.errors import install_error_handlers
from psa_sim.api.limits import BodyLimits, RequestLimits
from psa_sim.api.middleware import CollapseLeadingSlashes, MatrixParameters
from psa_sim.api.routes import catalog, instances, portal, rm, scheduler, sessions, simulator
from psa_sim.platform.driver import SimDriver

DESCRIPTION = """\
A simulated ProActive server: scheduler sessions, Service Automation
(`/cloud-automation-service`), the catalog, scheduler jobs and the resource manager, as
a real server serves them (see docs/wire-contract.md in the psa-sim repository), plus the
simulator's own `/sim-api`.
Authenticated calls send the header `sessionid`. Every error is
`{"httpErrorCode": status, "errorMessage": "..."}`.
"""


class _App(FastAPI):
    def openapi(self) -> dict[str, Any]:
        return _openapi(self)


def create_app(driver: SimDriver, limits: BodyLimits | None = None) -> FastAPI:
    app = _App(
        title="psa-sim",
        version=__version__,
        description=DESCRIPTION,
        docs_url="/sim-api/docs",
        redoc_url=None,
    )
    # Routes are matched in this order: the busiest first, the proxy's catch-alls last.
    for add_routes in (
        instances.add_routes,
        sessions.add_routes,
        catalog.add_routes,
        scheduler.add_scheduler_routes,
        rm.add_rm_routes,
        simulator.add_routes,
        portal.add_routes,
        instances.add_proxy_routes,
    ):
        add_routes(app, driver)
    install_error_handlers(app)
    # Outermost last: slashes collapsed, then the session and size checks, before any
    # body is read.
    store = getattr(driver, "sessions", None)
    app.add_middleware(
        RequestLimits,
        session_valid=store.is_valid if store is not None else None,
        limits=limits or BodyLimits(),
    )
    # Matrix parameters (/submit;NAME=value) leave the path before the limits read it.
    app.add_middleware(MatrixParameters)
    app.add_middleware(CollapseLeadingSlashes)
    return app


ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with its 422 validation answers replaced by our 400."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.get("responses", {})
                responses.pop("422", None)
                for status, response in responses.items():
                    if int(status) >= 400:  # errors are JSON, whatever the route answers
                        response["content"] = {"application/json": {"schema": ERROR_REF}}
        schemas = schema.get("components", {}).get("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        app.openapi_schema = schema
    return app.openapi_schema
