"""uvicorn's HTTP/1.1 protocol (h11), answering requests it cannot parse as PSA does.

uvicorn answers any unparsable request with a plain 400 and closes the connection at
once; a client still sending (200 large headers, say) then sees a connection reset
instead of the answer. Here the status is the one h11 suggests (431 when the request
head exceeds MAX_HEAD_BYTES), the body is PSA's JSON error, and the connection is
closed gracefully: our side is shut for writing and what the client still sends is read
and dropped for a moment, so the answer reaches it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from psa_sim.api.responses import encode_json, error_body

# What a request's line and headers may take (h11 refuses more): generous for a
# ProActive client, which sends a handful of short headers.
MAX_HEAD_BYTES = 64 * 1024
# How long, and how much, a refused client may still send before the socket is closed.
LINGER_SECONDS = 2.0
LINGER_BYTES = 8 * 1024 * 1024

_REASONS = {400: "Bad Request", 431: "Request Header Fields Too Large"}


class _Connection(h11.Connection):
    """h11's connection, remembering why it refused the client's request."""

    last_error: h11.RemoteProtocolError | None = None

    def next_event(self) -> Any:
        try:
            return super().next_event()
        except h11.RemoteProtocolError as exc:
            self.last_error = exc
            raise


class PsaH11Protocol(H11Protocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conn = _Connection(h11.SERVER, MAX_HEAD_BYTES)
        self._lingering = 0
        self._linger_timer: asyncio.TimerHandle | None = None

    def data_received(self, data: bytes) -> None:
        if self._linger_timer is not None:  # refused: drop what still comes
            self._lingering += len(data)
            if self._lingering > LINGER_BYTES:
                self.transport.close()
            return
        super().data_received(data)

    def send_400_response(self, msg: str) -> None:
        error = self.conn.last_error if isinstance(self.conn, _Connection) else None
        status = error.error_status_hint if error is not None else 400
        if status == 431:
            message = (
                f"request headers too large: a request's line and headers may take "
                f"{MAX_HEAD_BYTES // 1024} KB"
            )
        else:
            message = f"invalid HTTP request: {error or msg}"
        body = encode_json(error_body(status, message))
        head = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Bad Request')}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(body)}\r\n"
            f"connection: close\r\n\r\n"
        ).encode("ascii")
        self.transport.write(head + body)
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self._linger_timer = self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._linger_timer is not None:
            self._linger_timer.cancel()
        super().connection_lost(exc)
