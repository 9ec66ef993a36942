"""Answers, formatted once: JSON bytes straight into a Response, no response-model pass."""

from __future__ import annotations

import json

from starlette.responses import Response

try:  # ten times faster on big answers (10,000 instances: ~20 ms instead of ~100 ms)
    import orjson
except ImportError:  # pragma: no cover - the standard library does the same, slower
    orjson = None

JSON = "application/json"
TEXT = "text/plain; charset=utf-8"

if orjson is not None:
    encode_json = orjson.dumps
else:
    _encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)

    def encode_json(data) -> bytes:
        return _encoder.encode(data).encode("utf-8")


def json_response(data, status: int = 200) -> Response:
    return Response(content=encode_json(data), status_code=status, media_type=JSON)


def text_response(text: str, status: int = 200) -> Response:
    return Response(content=text.encode("utf-8"), status_code=status, media_type=TEXT)


def no_content() -> Response:
    return Response(status_code=204)


def error_body(status: int, message: str) -> dict:
    """What every PSA error looks like on the wire."""
    return {"httpErrorCode": status, "errorMessage": message}


def error_response(status: int, message: str, headers: dict | None = None) -> Response:
    return Response(
        content=encode_json(error_body(status, message)),
        status_code=status,
        media_type=JSON,
        headers=headers,
    )


def pa_list(items) -> str:
    """The resource manager's list format: ``PA:LIST(,a,b)``."""
    return "PA:LIST(" + "".join("," + str(item) for item in items) + ")"
