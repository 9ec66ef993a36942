"""ASGI middleware kept minimal (pure ASGI: no per-request task or body copy)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class CollapseLeadingSlashes:
    """Real clients sometimes send ``//catalog/...``: serve it as ``/catalog/...``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path.startswith("//"):
                scope = dict(scope)
                scope["path"] = "/" + path.lstrip("/")
                raw = scope.get("raw_path")
                if raw:
                    scope["raw_path"] = b"/" + raw.lstrip(b"/")
        await self.app(scope, receive, send)
