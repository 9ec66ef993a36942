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
