"""Errors raised by the model and the engine.

Each carries the HTTP status a ProActive server answers with, so that the HTTP layer
(psa_sim.api.errors) only formats them: ``{"httpErrorCode": status, "errorMessage": str(e)}``.
"""

from __future__ import annotations


class PsaError(Exception):
    """Base of every error a user can cause; the message names the field and value."""

    http_status = 400


class InvalidInput(PsaError):
    """A request whose content is wrong (bad variable, unknown key, malformed value)."""

    http_status = 400


class NotFound(PsaError):
    """An unknown instance, service, workflow, bucket or job."""

    http_status = 404


class Conflict(PsaError):
    """An action refused in the instance's current state."""

    http_status = 409


class Unauthorized(PsaError):
    """No session, or one that is unknown or expired."""

    http_status = 401


class Forbidden(PsaError):
    """A user acting on what belongs to another (non-admins own their instances only)."""

    http_status = 403


class PayloadTooLarge(PsaError):
    """A request body, variable or upload beyond the server's limits."""

    http_status = 413


class TooManyRequests(PsaError):
    """Repeated failed logins: the next attempt must wait (the message says how long)."""

    http_status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceUnavailable(PsaError):
    """The server cannot make the change durable now (its journal cannot be written)."""

    http_status = 503
