#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: psa_service_info
short_description: List the ProActive Service Automation (PSA) services of the catalog
version_added: "1.0.0"
description:
  - Lists the PSA services the catalog holds - every C(workflow/psa) object grouped by its
    C(pca.service.id) - with their workflows, variables and state graph.
  - Read-only; never reports a change.
author:
  - ProActive PSA collection contributors (@proactive-psa)
extends_documentation_fragment:
  - proactive.psa.connection
  - proactive.psa.wait_unused
  - proactive.psa.attributes
attributes:
  check_mode:
    support: full
    details: This module only reads.
  diff_mode:
    support: N/A
    details: This module never changes anything.
options:
  service_id:
    description:
      - Only this service (C(pca.service.id)). The module fails if the catalog has no such
        service.
    type: str
  bucket:
    description:
      - Only this catalog bucket. By default every bucket holding C(workflow/psa) objects.
    type: str
seealso:
  - module: proactive.psa.psa_service
  - module: proactive.psa.psa_instance
"""

EXAMPLES = r"""
- name: Every PSA service
  proactive.psa.psa_service_info:
    url: https://proactive.example.com:8443
    username: admin
    password: "{{ proactive_password }}"
  register: catalog

- name: Service ids
  ansible.builtin.debug:
    msg: "{{ catalog.services | map(attribute='service_id') | list }}"

- name: What MongoDB can do from RUNNING
  proactive.psa.psa_service_info:
    service_id: MongoDB
  register: mongo

- name: Show the actions executable from RUNNING
  ansible.builtin.debug:
    msg: "{{ mongo.services[0].graph.RUNNING }}"
"""

RETURN = r"""
services:
  description: The services found, sorted by service id.
  returned: always
  type: list
  elements: dict
  contains:
    service_id:
      description: The C(pca.service.id).
      type: str
      sample: MongoDB
    buckets:
      description: Buckets holding its workflows.
      type: list
      elements: str
      sample: [service-automation]
    activations:
      description: Workflows that start an instance (from VOID).
      type: list
      elements: str
      sample: [MongoDB]
    states:
      description: Every state the workflows name, and PSA's predefined ones.
      type: list
      elements: str
      sample: [ERROR, FINISHED, KILLED, PAUSED, RUNNING, VOID]
    graph:
      description: FROM state to {workflow - TO state}, ALL expanded.
      type: dict
      sample: {RUNNING: {Finish_MongoDB: FINISHED, Pause_MongoDB: PAUSED}}
    workflows:
      description:
        - The workflows, with C(bucket), C(name), C(pca_states), C(transitions) (list of
          C(from)/C(to)), C(activation), C(variables) (default values; secret ones masked),
          C(models), C(secrets) (names of HIDDEN/CREDENTIAL variables), C(commit_time).
      type: list
      elements: dict
      sample:
        - bucket: service-automation
          name: Pause_MongoDB
          pca_states: (RUNNING,PAUSED)
          transitions: [{from: RUNNING, to: PAUSED}]
          activation: false
          variables: {INSTANCE_NAME: ""}
          models: {}
          secrets: []
          commit_time: "2026-01-01T00:00:00"
url:
  description: The URL of the request to the server that failed.
  returned: when a request to the server failed
  type: str
  sample: https://proactive.example.com:8443/cloud-automation-service/serviceInstances
status:
  description: The HTTP status the server answered the failed request with (none when it could not be reached).
  returned: when a request to the server failed
  type: int
  sample: 409
server_message:
  description: What the server said about the failed request (its C(errorMessage), or the body).
  returned: when a request to the server failed
  type: str
  sample: "Action Pause_MongoDB is not executable in state PAUSED"
"""

from ansible_collections.proactive.psa.plugins.module_utils.catalog import load_services
from ansible_collections.proactive.psa.plugins.module_utils.common import (
    PsaModule,
    PsaModuleError,
    argument_spec,
    run_module,
)


def list_services(client, params, warn):
    services = load_services(client, params["bucket"])
    service_id = params["service_id"]
    if service_id:
        if service_id not in services:
            raise PsaModuleError(
                "service_id: no PSA service %r in %s; services found: %s"
                % (
                    service_id,
                    "bucket %s" % params["bucket"] if params["bucket"] else "any catalog bucket",
                    ", ".join(sorted(services)) or "none",
                )
            )
        services = {service_id: services[service_id]}
    for service_id in sorted(services):
        for warning in services[service_id].warnings:
            warn(warning)
    return {"changed": False, "services": [services[sid].to_dict() for sid in sorted(services)]}


def main():
    module = PsaModule(
        argument_spec=argument_spec(
            service_id=dict(type="str"),
            bucket=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    run_module(module, lambda client: list_services(client, module.params, module.warn))


if __name__ == "__main__":
    main()
