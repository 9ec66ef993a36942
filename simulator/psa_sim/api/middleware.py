"""ASGI middleware kept minimal (pure ASGI: no per-request task or body copy)."""

from __future__ import annotations

from urllib.parse import unquote

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


class MatrixParameters:
    """The scheduler reads job variables from matrix parameters (JAX-RS PathSegment):
    ``POST /rest/scheduler/submit;INSTANCE_NAME=db1;PORT=27017``. They are moved out of
    the path into ``scope["state"]["matrix"]`` so that routes match the bare path."""

    PREFIX = "/rest/scheduler/"

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and ";" in scope["path"]
            and scope["path"].startswith(self.PREFIX)
        ):
            scope = dict(scope)
            raw = scope.get("raw_path") or scope["path"].encode()
            raw_heads = []
            matrix: dict[str, str] = {}
            # Split the raw path: an encoded %3B inside a value is data, not a separator.
            for segment in raw.decode("latin-1").split("/"):
                head, *params = segment.split(";")
                raw_heads.append(head)
                for param in params:
                    if param:
                        key, _, value = param.partition("=")
                        matrix[unquote(key)] = unquote(value)
            raw_path = "/".join(raw_heads)
            scope["path"] = unquote(raw_path)
            scope["raw_path"] = raw_path.encode("latin-1")
            scope["state"] = {**scope.get("state", {}), "matrix": matrix}
        await self.app(scope, receive, send)
