# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the controller-side plugins share: the inventory, the lookup, the EDA source.

They take the modules' connection options (doc fragment ``proactive.psa.connection.plugins``)
as a plain dict, build the same PsaClient the modules use, and show instances with their
secrets masked the same way.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.proactive.psa.plugins.module_utils.catalog import load_services
from ansible_collections.proactive.psa.plugins.module_utils.client import (
    HAS_REQUESTS,
    PsaClient,
)
from ansible_collections.proactive.psa.plugins.module_utils.instances import (
    endpoints_of,
    name_of,
    state_of,
)
from ansible_collections.proactive.psa.plugins.module_utils.models import mask_secrets

CONNECTION_OPTIONS = (
    "url",
    "username",
    "password",
    "session_id",
    "validate_certs",
    "ca_path",
    "timeout",
)


class PsaPluginError(Exception):
    """A configuration or server problem, worded for the user."""


def connect(options):
    """A PsaClient from the connection options (a dict; missing keys take the defaults)."""
    if not HAS_REQUESTS:
        raise PsaPluginError("the requests Python library is required (pip install requests)")
    url = options.get("url")
    if not url:
        raise PsaPluginError("url: the ProActive server URL is required (or set PSA_URL)")
    if not str(url).lower().startswith(("http://", "https://")):
        raise PsaPluginError(
            "url: %r is not an http:// or https:// URL of the ProActive server "
            "(e.g. https://proactive.example.com:8443)" % url
        )
    timeout = options.get("timeout")
    timeout = 30 if timeout is None else float(timeout)
    if timeout <= 0:
        raise PsaPluginError("timeout: must be a positive number of seconds, got %s" % timeout)
    validate_certs = options.get("validate_certs")
    validate_certs = True if validate_certs is None else _boolean(validate_certs)
    ca_path = options.get("ca_path")
    if ca_path and not os.path.isfile(ca_path) and not os.path.isdir(ca_path):
        raise PsaPluginError("ca_path: %s is not a file nor a directory" % ca_path)
    try:
        return PsaClient(
            url,
            username=options.get("username"),
            password=options.get("password"),
            session_id=options.get("session_id"),
            validate_certs=validate_certs,
            ca_path=ca_path,
            timeout=timeout,
        )
    except ValueError as error:
        raise PsaPluginError(str(error))


def _boolean(value):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on", "y", "t"):
        return True
    if text in ("0", "false", "no", "off", "n", "f"):
        return False
    raise PsaPluginError("validate_certs: %r is not a boolean" % value)


class SecretIndex:
    """Which variables of each service are secret, from the catalog's variable models.

    The catalog is listed once; a service it did not know yet (published meanwhile)
    makes it list again, once per unknown service.
    """

    def __init__(self, client):
        self._client = client
        self._secrets = None
        self._unknown = set()

    def secrets_of(self, service_id):
        if self._secrets is None or (
            service_id not in self._secrets and service_id not in self._unknown
        ):
            if self._secrets is not None:
                self._unknown.add(service_id)
            self._secrets = {
                sid: service.secrets for sid, service in load_services(self._client).items()
            }
        return self._secrets.get(service_id, [])

    def mask(self, instance):
        """The instance's variables, secrets (by model or by name) masked."""
        return mask_secrets(
            instance.get("variables") or {}, self.secrets_of(instance.get("service_id"))
        )


def node_host(instance):
    """The host of the node the instance's first deployment runs on, or None."""
    for deployment in instance.get("deployments") or []:
        node = deployment.get("node") or {}
        if node.get("host"):
            return node["host"]
    return None


def instance_view(instance, secrets):
    """What the plugins show of an instance: its identity, state, endpoints, masked vars."""
    return {
        "instance_id": instance.get("instance_id"),
        "service_id": instance.get("service_id"),
        "instance_name": name_of(instance),
        "state": state_of(instance),
        "endpoints": endpoints_of(instance),
        "deployments": instance.get("deployments") or [],
        "variables": secrets.mask(instance),
        "node_host": node_host(instance),
    }
