# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """How a module reaches and logs in to the ProActive server."""

    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the ProActive server, for example V(https://proactive.example.com:8443).
      - The scheduler REST API (C(/rest)), the catalog (C(/catalog)) and Service Automation
        (C(/cloud-automation-service)) are reached under it; a URL ending with one of these
        prefixes is understood as the base URL.
      - If not set, the value of the E(PSA_URL) environment variable is used.
    type: str
    required: true
  username:
    description:
      - Login name on the ProActive server.
      - Required unless O(session_id) is given.
      - If not set, the value of the E(PSA_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - Password of O(username).
      - If not set, the value of the E(PSA_PASSWORD) environment variable is used.
    type: str
  session_id:
    description:
      - An existing session id (as returned by C(/rest/common/login)) to reuse instead of
        logging in.
      - When the session has expired and O(username) and O(password) are given, the module
        logs in again once.
    type: str
  validate_certs:
    description:
      - Whether the server's TLS certificate is verified. Set to V(false) only for a test
        server with a self-signed certificate.
      - If not set, the value of the E(PSA_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle (a PEM file, or a directory prepared with C(c_rehash)) to verify the
        server's certificate with, instead of the system's trusted CAs; for a server whose
        certificate a private CA signed.
      - Ignored when O(validate_certs=false).
      - If not set, the value of the E(PSA_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Timeout of each HTTP request, in seconds.
      - Reads (GET) are retried with backoff on connection errors; requests that change
        something (and may launch a job) are never retried.
    type: float
    default: 30
requirements:
  - requests
notes:
  - All the modules of this collection are in the action group C(proactive.psa.psa), so
    C(module_defaults) with C(group/proactive.psa.psa) sets the connection options once.
  - The modules run where the task runs (usually C(localhost) or with C(delegate_to));
    they only talk to the server over HTTP(S).
"""

    # The same options for the inventory and lookup plugins, which read their environment
    # fallbacks through ansible's configuration (env:) rather than an argument spec.
    PLUGINS = r"""
options:
  url:
    description:
      - Base URL of the ProActive server, for example V(https://proactive.example.com:8443).
      - A URL ending with C(/rest), C(/catalog) or C(/cloud-automation-service) is
        understood as the base URL.
    type: str
    required: true
    env:
      - name: PSA_URL
  username:
    description:
      - Login name on the ProActive server. Required unless O(session_id) is given.
    type: str
    env:
      - name: PSA_USERNAME
  password:
    description:
      - Password of O(username).
    type: str
    env:
      - name: PSA_PASSWORD
  session_id:
    description:
      - An existing session id to reuse instead of logging in.
    type: str
  validate_certs:
    description:
      - Whether the server's TLS certificate is verified.
    type: bool
    default: true
    env:
      - name: PSA_VALIDATE_CERTS
  ca_path:
    description:
      - A CA bundle (a PEM file, or a directory prepared with C(c_rehash)) to verify the
        server's certificate with, instead of the system's trusted CAs; for a server whose
        certificate a private CA signed.
      - Ignored when O(validate_certs=false).
    type: path
    env:
      - name: PSA_CA_PATH
  timeout:
    description:
      - Timeout of each HTTP request, in seconds. Reads are retried with backoff on
        connection errors.
    type: float
    default: 30
requirements:
  - requests
"""
