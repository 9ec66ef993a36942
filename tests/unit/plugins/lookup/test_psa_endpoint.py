# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The psa_endpoint lookup against an in-memory server."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import sys

import pytest
from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader

from ansible_collections.proactive.psa.tests.unit.plugins.modules.psa_fake import FakePsa

PROXY = "https://psa/cloud-automation-service/services/%d/endpoints/%s/"


def endpoint(instance_id, name, port, proxyfied=True):
    return {
        "id": 1,
        "node": {"host": "node-1"},
        "endpoint": {
            "id": name,
            "url": "http://node-1:%d" % port,
            "proxyfied": proxyfied,
            "proxyfiedUrl": PROXY % (instance_id, name) if proxyfied else None,
        },
    }


@pytest.fixture
def lookup(monkeypatch):
    server = FakePsa()
    server.add_instance("MongoDB", "db1", "FINISHED")
    live = server.add_instance("MongoDB", "db1", "RUNNING")
    live["deployments"] = [
        endpoint(2, "mongodb-endpoint-2", 27017),
        endpoint(2, "admin_UI", 8081, proxyfied=False),
    ]
    server.add_instance("MongoDB", "gone", "KILLED")
    plugin = lookup_loader.get("proactive.psa.psa_endpoint")
    connections = []

    def connect(options):
        connections.append(options)
        return server

    monkeypatch.setattr(sys.modules[type(plugin).__module__], "connect", connect)

    def run(*terms, **options):
        options.setdefault("url", "http://fake-psa")
        return plugin.run(list(terms), variables={}, **options)

    run.connections = connections
    return run


def test_one_url_per_term_proxyfied_by_default(lookup):
    urls = lookup("mongodb-endpoint", "admin_UI", service_id="MongoDB", instance_name="db1")
    # the live db1 (instance 2), not the finished one; the -<id> suffix is optional
    assert urls == [PROXY % (2, "mongodb-endpoint-2"), "http://node-1:8081"]


def test_direct_url_on_request(lookup):
    assert lookup("mongodb-endpoint-2", instance_id=2, proxyfied=False) == ["http://node-1:27017"]


def test_connection_options_reach_the_client(lookup):
    lookup("admin_UI", instance_id=2, username="u", password="p", ca_path="/ca.pem")
    assert lookup.connections[-1]["ca_path"] == "/ca.pem"
    assert lookup.connections[-1]["validate_certs"] is True


@pytest.mark.parametrize(
    "terms, options, message",
    [
        (
            ["nope"],
            dict(instance_id=2),
            r"instance 2 \(MongoDB, RUNNING\) has no endpoint 'nope'; "
            r"its endpoints: admin_UI, mongodb-endpoint-2",
        ),
        (["x"], dict(instance_id=99), "instance_id: no PSA service instance 99"),
        (
            ["x"],
            dict(service_id="MongoDB", instance_name="gone"),
            "no instance of MongoDB named gone is live: instance 3 is KILLED",
        ),
        (
            ["x"],
            dict(service_id="MongoDB", instance_name="db9"),
            "no instance of MongoDB named db9",
        ),
        (["x"], dict(service_id="MongoDB"), "give instance_id, or service_id and instance_name"),
        (["x"], dict(instance_id=2, service_id="MongoDB"), "mutually exclusive"),
        ([], dict(instance_id=2), "at least one endpoint name"),
    ],
)
def test_errors(lookup, terms, options, message):
    with pytest.raises(AnsibleLookupError, match=message):
        lookup(*terms, **options)
