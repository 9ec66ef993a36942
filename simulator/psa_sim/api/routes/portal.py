"""The portal's files under /automation-dashboard/, and / leading there.

Static files only: the pages call the same REST routes as any client.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.responses import RedirectResponse
from starlette.staticfiles import StaticFiles

from psa_sim.platform.driver import SimDriver
from psa_sim.portal import BASE_PATH, HOME, STATIC_DIR


def add_routes(app: FastAPI, driver: SimDriver) -> None:
    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse(HOME, status_code=307)

    @app.api_route(BASE_PATH, methods=["GET", "HEAD"], include_in_schema=False)
    async def portal_without_slash() -> RedirectResponse:
        return RedirectResponse(HOME, status_code=307)

    app.mount(BASE_PATH, StaticFiles(directory=STATIC_DIR, html=True), name="portal")
