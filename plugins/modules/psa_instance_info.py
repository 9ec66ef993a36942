#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: psa_instance_info
short_description: List ProActive Service Automation (PSA) service instances
version_added: "1.0.0"
description:
  - Lists the PSA service instances the server knows, with their endpoints, filtered by
    service, name and state.
  - Values of variables declared C(PA:HIDDEN) or C(PA:CREDENTIAL) by the service's
    workflows are masked.
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
  instance_id:
    description:
      - Only this instance. An unknown id gives an empty list.
    type: int
  service_id:
    description:
      - Only instances of this service (C(pca.service.id)).
    type: str
  name:
    description:
      - Only instances whose C(INSTANCE_NAME) variable is this.
    type: str
  state:
    description:
      - Only instances whose C(instance_status) is one of these, compared exactly
        (V(RUNNING), V(PAUSED), V(FINISHED)...).
      - V(active) stands for every instance that is not FINISHED or KILLED.
    type: list
    elements: str
seealso:
  - module: proactive.psa.psa_instance
"""

EXAMPLES = r"""
- name: Running MongoDB instances
  proactive.psa.psa_instance_info:
    url: https://proactive.example.com:8443
    username: admin
    password: "{{ proactive_password }}"
    service_id: MongoDB
    state: [RUNNING]
  register: mongo

- name: Their endpoints
  ansible.builtin.debug:
    msg: "{{ mongo.instances | map(attribute='endpoints') | list }}"

- name: Every instance not finished yet, whatever the service
  proactive.psa.psa_instance_info:
    state: [active]
"""

RETURN = r"""
instances:
  description:
    - The instances (ServiceInstanceData as the server prints them), newest first, each
      with an added C(endpoints) key (endpoint id to URL, the proxyfied URL when there is
      one). Secret variables are masked.
  returned: always
  type: list
  elements: dict
  sample:
    - instance_id: 12
      service_id: MongoDB
      instance_status: RUNNING
      variables: {INSTANCE_NAME: db1, PASSWORD: "********"}
      endpoints: {mongodb-endpoint-12: "mongodb://node-1:27017"}
  contains:
    instance_id:
      description: The instance's id.
      type: int
      sample: 12
    service_id:
      description: The service (C(pca.service.id)) the instance belongs to.
      type: str
      sample: MongoDB
    bucket_name:
      description: The catalog bucket of the workflow that started the instance.
      type: str
      sample: service-automation
    instance_status:
      description:
        - The instance's state (V(RUNNING), V(PAUSED), V(FINISHED), V(ERROR), V(KILLED),
          any state of its service), or C(FROM -> TO) while a transition runs.
      type: str
      sample: RUNNING
    variables:
      description:
        - The instance's variables, references resolved, C(INSTANCE_NAME) included.
          Secret values (models C(PA:HIDDEN) and C(PA:CREDENTIAL), or a name saying
          PASSWORD, TOKEN, SECRET, KEY...) are masked.
      type: dict
      sample: {INSTANCE_NAME: db1, USER: app, PASSWORD: "********"}
    deployments:
      description: What the instance deployed, each with its C(endpoint) (C(id), C(url), C(proxyfied), C(proxyfiedUrl)) and node.
      type: list
      elements: dict
      sample: [{endpoint: {id: mongodb-endpoint-12, url: "mongodb://node-1:27017", proxyfied: false, proxyfiedUrl: null}}]
    job_submissions:
      description: The scheduler jobs the instance's transitions launched (C(job_id), C(transition_state), C(submission_time)...).
      type: list
      elements: dict
      sample: [{job_id: 40, transition_state: "VOID -> RUNNING"}]
    endpoints:
      description: Added by this module - endpoint id to URL, the proxyfied URL when there is one.
      type: dict
      sample: {mongodb-endpoint-12: "mongodb://node-1:27017"}
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
    argument_spec,
    run_module,
)
from ansible_collections.proactive.psa.plugins.module_utils.instances import (
    endpoints_of,
    get_instance_or_none,
    is_ended,
    list_instances,
    masked,
    name_of,
    state_of,
)

ACTIVE = "active"


def matches(instance, params):
    if params["service_id"] and instance.get("service_id") != params["service_id"]:
        return False
    if params["name"] is not None and name_of(instance) != params["name"]:
        return False
    states = params["state"]
    if states:
        return state_of(instance) in states or (ACTIVE in states and not is_ended(instance))
    return True


def list_matching(client, params):
    if params["instance_id"] is not None:
        instance = get_instance_or_none(client, params["instance_id"])
        found = [instance] if instance else []
    else:
        found = list_instances(client)
    found = [i for i in found if matches(i, params)]
    found.sort(key=lambda i: i.get("instance_id") or 0, reverse=True)
    secrets = {}
    if found:
        # The catalog says which variables are secret; one listing serves every service.
        for service_id, service in load_services(client).items():
            secrets[service_id] = service.secrets
    instances = []
    for instance in found:
        shown = masked(instance, secrets.get(instance.get("service_id"), []))
        shown["endpoints"] = endpoints_of(instance)
        instances.append(shown)
    return {"changed": False, "instances": instances}


def main():
    module = PsaModule(
        argument_spec=argument_spec(
            instance_id=dict(type="int"),
            service_id=dict(type="str"),
            name=dict(type="str"),
            state=dict(type="list", elements="str"),
        ),
        supports_check_mode=True,
    )
    run_module(module, lambda client: list_matching(client, module.params))


if __name__ == "__main__":
    main()
