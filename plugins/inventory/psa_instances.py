# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: psa_instances
short_description: ProActive Service Automation (PSA) service instances as inventory hosts
version_added: "1.0.0"
description:
  - Every PSA service instance the server lists becomes a host, named by its
    C(INSTANCE_NAME) variable, so that a play can configure the service it just started
    (the MongoDB behind an instance, for example).
  - Host names are unique even when two instances share a name (two services, or an
    instance finished and a new one started under the same name) - the instance not
    FINISHED or KILLED, else the newest, keeps the plain name; the others are named
    C(<name>_<instance_id>). An instance without C(INSTANCE_NAME) is named
    C(<service_id>_<instance_id>).
  - Hosts are grouped by service (C(psa_service_<service_id>)) and by state
    (C(psa_state_<state>); a transition C(RUNNING -> PAUSED) gives
    C(psa_state_RUNNING_to_PAUSED)), every host is in C(psa_instances); characters a
    group name cannot hold become C(_).
  - Host variables - C(psa_instance_id), C(psa_service_id), C(psa_instance_name),
    C(psa_state), C(psa_endpoints) (endpoint id to URL, the proxyfied one when there is
    one), C(psa_deployments) (the deployments as the server lists them), C(psa_variables)
    (the instance's variables, the values of secrets masked) and C(ansible_host) (the
    host of the node the first deployment runs on, when there is one).
  - Secrets are the variables whose model is C(PA:HIDDEN) or C(PA:CREDENTIAL) in the
    service's catalog workflows, and those whose name says so (PASSWORD, TOKEN, SECRET,
    KEY...). They are masked before anything is cached.
  - Configured by a YAML file whose name ends with C(psa.yml) or C(psa.yaml).
author:
  - ProActive PSA collection contributors (@proactive-psa)
extends_documentation_fragment:
  - proactive.psa.connection.plugins
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description:
      - The name of this plugin; marks the file as one of its sources.
    type: str
    required: true
    choices: [proactive.psa.psa_instances]
  service_ids:
    description:
      - Only instances of these services (C(pca.service.id)). All when empty.
    type: list
    elements: str
    default: []
  states:
    description:
      - Only instances whose C(instance_status) is one of these, compared exactly
        (V(RUNNING), V(PAUSED), V(ERROR)...). V(active) stands for every instance that is
        not FINISHED or KILLED. All when empty.
    type: list
    elements: str
    default: []
  name_pattern:
    description:
      - Only instances whose C(INSTANCE_NAME) matches this shell-style pattern
        (V(db*), V(web-?)), case-sensitive.
    type: str
notes:
  - The server is read once per inventory build - one listing of the instances and one
    of the catalog (to know which variables are secret) - or not at all when the cache
    is on and fresh.
seealso:
  - module: proactive.psa.psa_instance_info
  - plugin: proactive.psa.psa_endpoint
    plugin_type: lookup
"""

EXAMPLES = r"""
# inventory/prod.psa.yml: every instance not finished, connection from PSA_URL,
# PSA_USERNAME and PSA_PASSWORD
plugin: proactive.psa.psa_instances
states: [active]

# inventory/mongo.psa.yml: running MongoDB instances, a group per ENGINE and
# the port of the endpoint as a host variable; the password from PSA_PASSWORD
plugin: proactive.psa.psa_instances
url: https://proactive.example.com:8443
username: operator
ca_path: /etc/pki/proactive-ca.pem
service_ids: [MongoDB]
states: [RUNNING]
name_pattern: "db*"
keyed_groups:
  - key: psa_variables.ENGINE
    prefix: engine
compose:
  mongo_port: psa_variables.SERVICE_PORT
groups:
  proxied: psa_variables.PROXYFIED == 'true'
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/psa-inventory
cache_timeout: 300
"""

import fnmatch
import re

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.proactive.psa.plugins.module_utils.client import PsaApiError
from ansible_collections.proactive.psa.plugins.module_utils.instances import list_instances
from ansible_collections.proactive.psa.plugins.module_utils.planner import ENDED_STATES
from ansible_collections.proactive.psa.plugins.plugin_utils.psa import (
    CONNECTION_OPTIONS,
    PsaPluginError,
    SecretIndex,
    connect,
    instance_view,
)

from ansible.utils.vars import load_extra_vars

ACTIVE = "active"
ALL_GROUP = "psa_instances"
_NOT_IN_GROUP_NAME = re.compile(r"[^A-Za-z0-9_]")


def group_name(prefix, value):
    """``psa_state_RUNNING_to_PAUSED`` from ``RUNNING -> PAUSED``."""
    text = str(value).replace("->", " to ")
    text = "_".join(text.split())
    return prefix + _NOT_IN_GROUP_NAME.sub("_", text)


def host_names(views):
    """{instance_id: host name}, unique: see DOCUMENTATION for the rule."""
    by_name = {}
    for view in views:
        by_name.setdefault(view["instance_name"], []).append(view)
    names = {}
    for name, views_named in by_name.items():
        if not name:
            for view in views_named:
                names[view["instance_id"]] = "%s_%s" % (view["service_id"], view["instance_id"])
            continue
        # The live one (else the newest) keeps the plain name.
        ranked = sorted(
            views_named,
            key=lambda v: (v["state"] in ENDED_STATES, -(v["instance_id"] or 0)),
        )
        names[ranked[0]["instance_id"]] = name
        for view in ranked[1:]:
            names[view["instance_id"]] = "%s_%s" % (name, view["instance_id"])
    return names


def selected(view, service_ids, states, name_pattern):
    if service_ids and view["service_id"] not in service_ids:
        return False
    if states and not (
        view["state"] in states or (ACTIVE in states and view["state"] not in ENDED_STATES)
    ):
        return False
    if name_pattern is not None and not fnmatch.fnmatchcase(
        view["instance_name"] or "", name_pattern
    ):
        return False
    return True


def fetch_views(client):
    """Every instance the server lists, as instance views (secrets masked)."""
    secrets = SecretIndex(client)
    return [instance_view(instance, secrets) for instance in list_instances(client)]


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "proactive.psa.psa_instances"

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(
            ("psa.yml", "psa.yaml")
        )

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        # cache=False from the caller means "refresh" (--flush-cache, meta: refresh_inventory).
        use_cache = self.get_option("cache") and cache
        update_cache = self.get_option("cache") and not cache
        views = None
        if use_cache:
            try:
                views = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if views is None:
            views = self._fetch(path)
        if update_cache:
            self._cache[cache_key] = views
        self._populate(views)

    def _fetch(self, path):
        options = {name: self.get_option(name) for name in CONNECTION_OPTIONS}
        try:
            client = connect(options)
            try:
                return fetch_views(client)
            finally:
                client.logout()
        except (PsaPluginError, PsaApiError) as error:
            raise AnsibleParserError("%s: %s" % (path, error))

    def _populate(self, views):
        service_ids = self.get_option("service_ids") or []
        states = self.get_option("states") or []
        name_pattern = self.get_option("name_pattern")
        views = [v for v in views if selected(v, service_ids, states, name_pattern)]
        names = host_names(views)
        strict = self.get_option("strict")
        extra_vars = {}
        if self.get_option("use_extra_vars"):
            extra_vars = load_extra_vars(self.loader)
        self.inventory.add_group(ALL_GROUP)
        for view in sorted(views, key=lambda v: v["instance_id"] or 0):
            host = names[view["instance_id"]]
            self.inventory.add_host(host, group=ALL_GROUP)
            hostvars = {
                "psa_instance_id": view["instance_id"],
                "psa_service_id": view["service_id"],
                "psa_instance_name": view["instance_name"],
                "psa_state": view["state"],
                "psa_endpoints": view["endpoints"],
                "psa_deployments": view["deployments"],
                "psa_variables": view["variables"],
            }
            if view["node_host"]:
                hostvars["ansible_host"] = view["node_host"]
            for name, value in hostvars.items():
                self.inventory.set_variable(host, name, value)
            for group in (
                group_name("psa_service_", view["service_id"]),
                group_name("psa_state_", view["state"]),
            ):
                self.inventory.add_group(group)
                self.inventory.add_child(group, host)
            if extra_vars:
                hostvars = dict(hostvars, **extra_vars)
            self._set_composite_vars(self.get_option("compose"), hostvars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), hostvars, host, strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, host, strict)
