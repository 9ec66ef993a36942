# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The psa_instances inventory against an in-memory server: hosts, groups, vars, cache."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import sys

import pytest
from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

from ansible_collections.proactive.psa.plugins.module_utils.client import PsaApiError
from ansible_collections.proactive.psa.tests.unit.plugins.modules.psa_fake import FakePsa


def deployed(instance, host, endpoint, port):
    instance["deployments"] = [
        {
            "id": 1,
            "node": {"id": "n", "name": "n", "host": host, "url": "pnp://%s:1/n" % host},
            "endpoint": {
                "id": "%s-%s" % (endpoint, instance["instance_id"]),
                "url": "mongodb://%s:%d" % (host, port),
                "proxyfied": True,
                "proxyfiedUrl": "https://psa/cloud-automation-service/services/%s/endpoints/x/"
                % instance["instance_id"],
            },
        }
    ]


@pytest.fixture
def server():
    fake = FakePsa()
    old = fake.add_instance("MongoDB", "db1", "FINISHED", {"PASSWORD": "old-pw"})
    live = fake.add_instance(
        "MongoDB", "db1", "RUNNING", {"PASSWORD": "s3cr3t", "API_TOKEN": "t0k", "ENGINE": "docker"}
    )
    deployed(live, "node-7", "mongodb-endpoint", 27017)
    fake.add_instance("MongoDB", "web-a", "RUNNING -> PAUSED")
    fake.add_instance("MongoDB", "other", "ERROR")
    fake.add_instance("MongoDB", None, "RUNNING")["variables"].pop("INSTANCE_NAME")
    assert old["instance_id"] == 1 and live["instance_id"] == 2
    return fake


@pytest.fixture
def build(server, tmp_path, monkeypatch):
    plugin = inventory_loader.get("proactive.psa.psa_instances")
    module = sys.modules[type(plugin).__module__]
    fetches = []

    def connect(options):
        fetches.append(options)
        return server

    monkeypatch.setattr(module, "connect", connect)

    def run(config, cache=True):
        path = tmp_path / "test.psa.yml"
        lines = ["plugin: proactive.psa.psa_instances", "url: http://fake-psa", "username: u"]
        path.write_text("\n".join(lines) + "\n" + config, encoding="utf-8")
        inventory = InventoryData()
        fresh = inventory_loader.get("proactive.psa.psa_instances")
        assert fresh.verify_file(str(path))
        fresh.parse(inventory, DataLoader(), str(path), cache=cache)
        if getattr(fresh, "_cache", None):  # as ansible's InventoryManager does after parse
            fresh.update_cache_if_changed()
        return inventory

    run.fetches = fetches
    return run


def hostvars(inventory, host):
    return inventory.get_host(host).get_vars()


def members(inventory, group):
    return sorted(h.name for h in inventory.groups[group].get_hosts())


def test_hosts_are_named_by_instance_name_uniquely(build):
    inventory = build("")
    assert sorted(inventory.hosts) == ["MongoDB_5", "db1", "db1_1", "other", "web-a"]
    assert hostvars(inventory, "db1")["psa_instance_id"] == 2  # the live one keeps the name
    assert hostvars(inventory, "db1_1")["psa_state"] == "FINISHED"


def test_host_variables_mask_secrets_and_set_ansible_host(build):
    variables = hostvars(build(""), "db1")
    assert variables["psa_service_id"] == "MongoDB"
    assert variables["psa_state"] == "RUNNING"
    assert variables["ansible_host"] == "node-7"
    assert variables["psa_endpoints"] == {
        "mongodb-endpoint-2": "https://psa/cloud-automation-service/services/2/endpoints/x/"
    }
    assert variables["psa_deployments"][0]["node"]["host"] == "node-7"
    # PASSWORD is PA:HIDDEN in the catalog; API_TOKEN says it is a secret by its name
    assert variables["psa_variables"]["PASSWORD"] == "********"
    assert variables["psa_variables"]["API_TOKEN"] == "********"
    assert variables["psa_variables"]["ENGINE"] == "docker"
    assert "s3cr3t" not in json.dumps(variables)


def test_groups_by_service_and_state(build):
    inventory = build("")
    assert members(inventory, "psa_service_MongoDB") == sorted(inventory.hosts)
    assert members(inventory, "psa_state_RUNNING") == ["MongoDB_5", "db1"]
    assert members(inventory, "psa_state_RUNNING_to_PAUSED") == ["web-a"]
    assert members(inventory, "psa_state_ERROR") == ["other"]
    assert members(inventory, "psa_instances") == sorted(inventory.hosts)


@pytest.mark.parametrize(
    "config, hosts",
    [
        ("states: [active]", ["MongoDB_5", "db1", "other", "web-a"]),
        ("states: [ERROR, FINISHED]", ["db1", "other"]),  # db1 is the finished one now
        ("name_pattern: 'db*'", ["db1", "db1_1"]),
        ("service_ids: [Kafka]", []),
    ],
)
def test_filters(build, config, hosts):
    assert sorted(build(config).hosts) == hosts


def test_compose_groups_and_keyed_groups(build):
    inventory = build(
        "compose:\n  engine: psa_variables.ENGINE | default('none')\n"
        "groups:\n  broken: psa_state == 'ERROR'\n"
        "keyed_groups:\n  - key: psa_variables.ENGINE | default('none')\n    prefix: engine\n"
    )
    assert hostvars(inventory, "db1")["engine"] == "docker"
    assert members(inventory, "broken") == ["other"]
    assert "db1" in members(inventory, "engine_docker")


def test_cache_is_used_and_holds_no_secret(build, tmp_path):
    config = "cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\n" % (
        tmp_path / "cache"
    )
    build(config, cache=False)  # a refresh fills the cache
    build(config, cache=True)
    assert len(build.fetches) == 1
    cached = "".join(
        open(os.path.join(tmp_path / "cache", name), encoding="utf-8").read()
        for name in os.listdir(tmp_path / "cache")
    )
    assert "db1" in cached and "s3cr3t" not in cached and "t0k" not in cached
    build(config, cache=False)
    assert len(build.fetches) == 2


def test_server_errors_name_the_file(build, server, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise PsaApiError("GET", "http://fake-psa/x", 401, "bad session")

    monkeypatch.setattr(server, "get", refuse)
    with pytest.raises(AnsibleParserError, match=r"test\.psa\.yml: GET http://fake-psa/x .*401"):
        build("")


def test_files_not_named_psa_yml_are_not_claimed(tmp_path):
    path = tmp_path / "hosts.yml"
    path.write_text("plugin: proactive.psa.psa_instances\n", encoding="utf-8")
    assert not inventory_loader.get("proactive.psa.psa_instances").verify_file(str(path))
