"""Answers, formatted once: JSON bytes straight into a Response, no response-model pass."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping

from starlette.responses import Response

JSON = "application/json"
TEXT = "text/plain; charset=utf-8"

encode_json: Callable[[object], bytes]
try:  # ten times faster on big answers (10,000 instances: ~20 ms instead of ~100 ms)
    import orjson

    encode_json = orjson.dumps
except ImportError:  # pragma: no cover - the standard library does the same, slower
    _encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)

    def _encode_with_json(data: object) -> bytes:
        return _encoder.encode(data).encode("utf-8")

    encode_json = _encode_with_json


def json_response(data: object, status: int = 200) -> Response:
    return Response(content=encode_json(data), status_code=status, media_type=JSON)


def text_response(text: str, status: int = 200) -> Response:
    return Response(content=text.encode("utf-8"), status_code=status, media_type=TEXT)


def no_content() -> Response:
    return Response(status_code=204)


def error_body(status: int, message: str) -> dict[str, int | str]:
    """What every PSA error looks like on the wire."""
    return {"httpErrorCode": status, "errorMessage": message}


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        content=encode_json(error_body(status, message)),
        status_code=status,
        media_type=JSON,
        headers=headers,
    )


def pa_list(items: Iterable[object]) -> str:
    """The resource manager's list format: ``PA:LIST(,a,b)``."""
    return "PA:LIST(" + "".join("," + str(item) for item in items) + ")"
