"""Deployments and endpoints, with the URL scheme rules the real service scripts follow."""

from __future__ import annotations

from dataclasses import dataclass

from psa_sim.errors import InvalidInput


def _is_true(value: str | None) -> bool:
    return value is not None and value.strip().lower() == "true"


def endpoint_scheme(variables: dict[str, str], service_scheme: str | None) -> str | None:
    """The scheme of a service endpoint, or None when no deployment is recorded.

    As Post_Start_Service decides it: when HTTPS_ENABLED is set, https if it is true
    and http otherwise; else http if HTTP_ENABLED is true; else the service's own scheme
    (its first argument, e.g. mongodb); else nothing.
    """
    https = variables.get("HTTPS_ENABLED")
    if https is not None:
        return "https" if _is_true(https) else "http"
    if _is_true(variables.get("HTTP_ENABLED")):
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
    url: str | None  # None: an endpoint id only (Docker_Swarm's one per node)
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


# Keys a deployment's node and container may carry (ServiceInstanceData's Node and
# Container): a PUT may send any of them, each a string or null.
NODE_KEYS = ("id", "name", "node_source_name", "host", "url")
CONTAINER_KEYS = ("id", "name")


def deployments_from_data(items: object) -> list[Deployment]:
    """The `deployments` of a PUT, checked; InvalidInput names the first bad field.

    Each item is {"endpoint": {"id", "url", "proxyfied", "proxyfiedUrl"}, "node": {…} or
    null, "container": {…} or null, "id": optional int}; endpoint.id is required.
    """
    if not isinstance(items, list):
        raise InvalidInput(f"deployments: {items!r} is not a list of deployments")
    out: list[Deployment] = []
    for position, item in enumerate(items):
        where = f"deployments[{position}]"
        if not isinstance(item, dict):
            raise InvalidInput(f"{where}: {item!r} is not a deployment object")
        endpoint = item.get("endpoint")
        if not isinstance(endpoint, dict):
            raise InvalidInput(f"{where}.endpoint: {endpoint!r} is not an endpoint object")
        endpoint_id = endpoint.get("id")
        if not isinstance(endpoint_id, str) or not endpoint_id.strip():
            raise InvalidInput(f"{where}.endpoint.id: {endpoint_id!r} is not a non-empty string")
        url = endpoint.get("url")
        if url is not None and not isinstance(url, str):
            raise InvalidInput(f"{where}.endpoint.url: {url!r} is not a string")
        proxy = endpoint.get("proxyfied", False)
        if proxy is None:
            proxy = False
        if not isinstance(proxy, bool):
            raise InvalidInput(f"{where}.endpoint.proxyfied: {proxy!r} is not true or false")
        proxy_url = endpoint.get("proxyfiedUrl")
        if proxy_url is not None and not isinstance(proxy_url, str):
            raise InvalidInput(f"{where}.endpoint.proxyfiedUrl: {proxy_url!r} is not a string")
        deployment_id = item.get("id")
        if deployment_id is None:
            deployment_id = (out[-1].id + 1) if out else 1
        elif isinstance(deployment_id, bool) or not isinstance(deployment_id, int):
            raise InvalidInput(f"{where}.id: {deployment_id!r} is not an integer")
        out.append(
            Deployment(
                id=deployment_id,
                endpoint_id=endpoint_id,
                url=url or None,
                proxyfied=proxy,
                proxyfied_url=proxy_url,
                node=_part(item.get("node"), f"{where}.node", NODE_KEYS),
                container=_part(item.get("container"), f"{where}.container", CONTAINER_KEYS),
            )
        )
    return out


def _part(value: object, where: str, keys: tuple[str, ...]) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidInput(f"{where}: {value!r} is not an object")
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise InvalidInput(f"{where}.{unknown[0]}: unknown field (allowed: {', '.join(keys)})")
    for key, text in value.items():
        if text is not None and not isinstance(text, str):
            raise InvalidInput(f"{where}.{key}: {text!r} is not a string")
    return {key: value.get(key) for key in keys if key in value}


def groups_from_data(items: object) -> list[str]:
    if not isinstance(items, list):
        raise InvalidInput(f"groups: {items!r} is not a list of group names")
    out: list[str] = []
    for position, group in enumerate(items):
        if not isinstance(group, str) or not group.strip():
            raise InvalidInput(f"groups[{position}]: {group!r} is not a group name")
        if group not in out:
            out.append(group)
    return out
