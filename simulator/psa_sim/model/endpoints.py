"""Deployments and endpoints, with the URL scheme rules the real service scripts follow."""

from __future__ import annotations

from dataclasses import dataclass


def _is_true(value: str | None) -> bool:
    return value is not None and value.strip().lower() == "true"


def _is_false(value: str | None) -> bool:
    return value is not None and value.strip().lower() == "false"


def endpoint_scheme(variables: dict[str, str], service_scheme: str | None) -> str | None:
    """The scheme of a service endpoint, or None when no deployment is recorded.

    https if HTTPS_ENABLED is true; http if it is false or HTTP_ENABLED is true;
    else the service's own scheme (e.g. mongodb); else nothing.
    """
    https = variables.get("HTTPS_ENABLED")
    if _is_true(https):
        return "https"
    if _is_false(https) or _is_true(variables.get("HTTP_ENABLED")):
        return "http"
    return service_scheme or None


def proxyfied_url(public_base: str, instance_id: int, endpoint_id: str) -> str:
    return (
        f"{public_base.rstrip('/')}/cloud-automation-service/services/"
        f"{instance_id}/endpoints/{endpoint_id}/"
    )


# Groups a proxyfied endpoint is opened to, as the real Pre_Start_Service script sets.
PROXY_GROUPS = ("scheduleradmins", "rmcoreadmins")


@dataclass(slots=True)
class Deployment:
    """One deployed endpoint of an instance, with the node and container behind it."""

    id: int
    endpoint_id: str
    url: str
    proxyfied: bool
    proxyfied_url: str | None
    node: dict | None
    container: dict | None

    def to_data(self) -> dict:
        return {
            "id": self.id,
            "container": dict(self.container) if self.container else None,
            "node": dict(self.node) if self.node else None,
            "endpoint": {
                "id": self.endpoint_id,
                "url": self.url,
                "proxyfied": self.proxyfied,
                "proxyfiedUrl": self.proxyfied_url,
            },
        }


def is_proxyfied(variables: dict[str, str]) -> bool:
    return _is_true(variables.get("PROXYFIED"))
