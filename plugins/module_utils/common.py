# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every module shares: argument specs, the client set-up and the run loop.

The specs here match the doc fragments ``proactive.psa.connection`` and
``proactive.psa.wait`` option for option.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.proactive.psa.plugins.module_utils.client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    PsaApiError,
    PsaClient,
)
from ansible_collections.proactive.psa.plugins.module_utils.models import looks_secret, to_wire


class PsaModuleError(Exception):
    """A failure the module reports as is; ``details`` go into the result."""

    def __init__(self, message, **details):
        super(PsaModuleError, self).__init__(message)
        self.details = details


class PsaModule(AnsibleModule):
    """AnsibleModule that keeps secret variable values out of every output from the start.

    The values of ``secret_variables`` (a no_log option) and of the ``variables`` whose
    name says secret are added to ``no_log_values`` before AnsibleModule logs its
    invocation (syslog or journal), so neither that log nor the result's ``invocation``
    shows them, even when the task fails before the catalog is read.
    """

    def _log_invocation(self):
        hide_secret_values(self)
        super(PsaModule, self)._log_invocation()


def hide_secret_values(module):
    params = module.params
    entries = [params] + list(params.get("instances") or [])
    for entry in entries:
        for name, value in (entry.get("variables") or {}).items():
            if looks_secret(name) and value not in (None, ""):
                module.no_log_values.add(to_wire(value))
        for value in (entry.get("secret_variables") or {}).values():
            if value not in (None, ""):
                module.no_log_values.add(to_wire(value))


def connection_argument_spec():
    return dict(
        url=dict(type="str", required=True, fallback=(env_fallback, ["PSA_URL"])),
        username=dict(type="str", fallback=(env_fallback, ["PSA_USERNAME"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["PSA_PASSWORD"])),
        session_id=dict(type="str", no_log=True),
        validate_certs=dict(
            type="bool", default=True, fallback=(env_fallback, ["PSA_VALIDATE_CERTS"])
        ),
        ca_path=dict(type="path", fallback=(env_fallback, ["PSA_CA_PATH"])),
        timeout=dict(type="float", default=30),
    )


def wait_argument_spec():
    return dict(
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
        wait_sleep=dict(type="float", default=2),
    )


def argument_spec(**options):
    """The connection options, the wait options and the module's own.

    Every module takes the wait options, even one that never waits: what
    ``module_defaults`` sets for the group ``proactive.psa.psa`` must be accepted by each
    module of the group.
    """
    spec = connection_argument_spec()
    spec.update(wait_argument_spec())
    spec.update(options)
    return spec


def check_connection_params(module):
    params = module.params
    if not params.get("session_id") and not (params.get("username") and params.get("password")):
        module.fail_json(
            msg="username and password (or PSA_USERNAME and PSA_PASSWORD) are "
            "required to log in, unless session_id reuses a session"
        )
    if params.get("timeout") is not None and params["timeout"] <= 0:
        module.fail_json(
            msg="timeout: must be a positive number of seconds, got %s" % params["timeout"]
        )
    for name in ("wait_timeout", "wait_sleep"):
        if params.get(name) is not None and params[name] < 0:
            module.fail_json(msg="%s: must not be negative, got %s" % (name, params[name]))


def create_client(module):
    """A PsaClient from the module's connection options (fails if requests is missing)."""
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    check_connection_params(module)
    params = module.params
    url = params["url"]
    if not url.lower().startswith(("http://", "https://")):
        module.fail_json(
            msg="url: %r is not an http:// or https:// URL of the ProActive "
            "server (e.g. https://proactive.example.com:8443)" % url
        )
    ca_path = params.get("ca_path")
    if ca_path and not os.path.isfile(ca_path) and not os.path.isdir(ca_path):
        module.fail_json(msg="ca_path: %s is not a file nor a directory" % ca_path)
    return PsaClient(
        url,
        username=params.get("username"),
        password=params.get("password"),
        session_id=params.get("session_id"),
        validate_certs=params["validate_certs"],
        ca_path=ca_path,
        timeout=params["timeout"],
    )


def run_module(module, work):
    """Run ``work(client)`` and exit with its result; errors become fail_json messages.

    A session this run opened is closed at the end, whatever happened.
    """
    client = create_client(module)
    result = {}
    try:
        result = work(client)
    except PsaApiError as error:
        module.fail_json(
            msg=str(error), url=error.url, status=error.status, server_message=error.server_message
        )
    except PsaModuleError as error:
        module.fail_json(msg=str(error), **error.details)
    finally:
        client.logout()
    module.exit_json(**result)


def wire_variables(variables):
    """The module's ``variables`` option as PSA wants them: every value a string."""
    return {str(name): to_wire(value) for name, value in (variables or {}).items()}


def requested_variables(params):
    """``variables`` and ``secret_variables`` merged, as PSA wants them.

    A name given in both is refused: which value wins would be a guess.
    """
    requested = wire_variables(params.get("variables"))
    secret = wire_variables(params.get("secret_variables"))
    both = sorted(set(requested) & set(secret))
    if both:
        raise PsaModuleError(
            "secret_variables: %s also given in variables; give each variable once"
            % ", ".join(both)
        )
    requested.update(secret)
    return requested
