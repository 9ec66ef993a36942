# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: psa_endpoint
short_description: URL of an endpoint of a ProActive Service Automation (PSA) instance
version_added: "1.0.0"
description:
  - Gives, for each endpoint name, the URL of that endpoint of one PSA service instance -
    the proxyfied URL (through the server's C(/cloud-automation-service) proxy) by
    default, the direct URL with O(proxyfied=false).
  - The instance is O(instance_id), or the instance of O(service_id) named
    O(instance_name) that is not FINISHED or KILLED (the newest if there are several).
  - An endpoint name is the endpoint's id as the server lists it (V(mongodb-endpoint-12))
    or that id without the C(-<instance_id>) the service scripts append
    (V(mongodb-endpoint)).
  - One URL per term, in the order of the terms - C(query) (or C(wantlist=true)) returns
    a list; C(lookup) joins several with commas, as every lookup does.
author:
  - ProActive PSA collection contributors (@proactive-psa)
extends_documentation_fragment:
  - proactive.psa.connection.plugins
options:
  _terms:
    description:
      - Endpoint names.
    type: list
    elements: str
    required: true
  instance_id:
    description:
      - The instance's id. Mutually exclusive with O(service_id) and O(instance_name).
    type: int
  service_id:
    description:
      - The instance's service (C(pca.service.id)); with O(instance_name).
    type: str
  instance_name:
    description:
      - The instance's C(INSTANCE_NAME); with O(service_id).
    type: str
  proxyfied:
    description:
      - Whether to give the proxyfied URL. When the endpoint is not proxyfied (its
        service was started without C(PROXYFIED=true)) its direct URL is given.
      - V(false) gives the direct URL (the node's host and port).
    type: bool
    default: true
seealso:
  - plugin: proactive.psa.psa_instances
    plugin_type: inventory
  - module: proactive.psa.psa_instance
"""

EXAMPLES = r"""
- name: The MongoDB endpoint of db1 (connection from PSA_URL, PSA_USERNAME, PSA_PASSWORD)
  ansible.builtin.debug:
    msg: "{{ lookup('proactive.psa.psa_endpoint', 'mongodb-endpoint',
             service_id='MongoDB', instance_name='db1') }}"

- name: The direct URL, not the proxyfied one
  ansible.builtin.set_fact:
    mongo_url: "{{ lookup('proactive.psa.psa_endpoint', 'mongodb-endpoint',
                   service_id='MongoDB', instance_name='db1', proxyfied=false) }}"

- name: Several endpoints of instance 12 as a list
  ansible.builtin.set_fact:
    spark_urls: "{{ query('proactive.psa.psa_endpoint', 'SPARK_UI', 'HDFS_UI', instance_id=12,
                    url='https://proactive.example.com:8443', username='admin',
                    password=proactive_password) }}"
"""

RETURN = r"""
_raw:
  description:
    - One URL per endpoint name, in the order of the names.
  type: list
  elements: str
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.proactive.psa.plugins.module_utils.client import PsaApiError
from ansible_collections.proactive.psa.plugins.module_utils.instances import (
    get_instance_or_none,
    instances_named,
    is_ended,
    list_instances,
    state_of,
)
from ansible_collections.proactive.psa.plugins.plugin_utils.psa import (
    CONNECTION_OPTIONS,
    PsaPluginError,
    connect,
)


def find_instance(client, instance_id=None, service_id=None, instance_name=None):
    """The instance the options designate; a readable error when there is none."""
    if instance_id is not None:
        instance = get_instance_or_none(client, instance_id)
        if instance is None:
            raise PsaPluginError("instance_id: no PSA service instance %s" % instance_id)
        return instance
    named = instances_named(list_instances(client), service_id, instance_name)
    for instance in named:
        if not is_ended(instance):
            return instance
    if named:
        raise PsaPluginError(
            "no instance of %s named %s is live: %s"
            % (
                service_id,
                instance_name,
                ", ".join("instance %s is %s" % (i.get("instance_id"), state_of(i)) for i in named),
            )
        )
    raise PsaPluginError("no instance of %s named %s" % (service_id, instance_name))


def endpoint_url(instance, name, proxyfied=True):
    """The URL of the endpoint ``name`` (its id, or its id without ``-<instance id>``)."""
    suffixed = "%s-%s" % (name, instance.get("instance_id"))
    endpoints = [
        (deployment.get("endpoint") or {}) for deployment in instance.get("deployments") or []
    ]
    for wanted in (name, suffixed):
        for endpoint in endpoints:
            if endpoint.get("id") == wanted:
                if proxyfied and endpoint.get("proxyfiedUrl"):
                    return endpoint["proxyfiedUrl"]
                return endpoint.get("url")
    known = ", ".join(sorted(str(e.get("id")) for e in endpoints if e.get("id"))) or "none"
    raise PsaPluginError(
        "instance %s (%s, %s) has no endpoint %r; its endpoints: %s"
        % (instance.get("instance_id"), instance.get("service_id"), state_of(instance), name, known)
    )


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        instance_id = self.get_option("instance_id")
        service_id = self.get_option("service_id")
        instance_name = self.get_option("instance_name")
        if instance_id is not None and (service_id or instance_name):
            raise AnsibleLookupError(
                "instance_id is mutually exclusive with service_id and instance_name"
            )
        if instance_id is None and not (service_id and instance_name):
            raise AnsibleLookupError(
                "give instance_id, or service_id and instance_name, to name the instance"
            )
        if not terms:
            raise AnsibleLookupError("give at least one endpoint name")
        options = {name: self.get_option(name) for name in CONNECTION_OPTIONS}
        try:
            client = connect(options)
            try:
                instance = find_instance(client, instance_id, service_id, instance_name)
            finally:
                client.logout()
            proxyfied = self.get_option("proxyfied")
            return [endpoint_url(instance, str(term), proxyfied) for term in terms]
        except (PsaPluginError, PsaApiError) as error:
            raise AnsibleLookupError(str(error))
