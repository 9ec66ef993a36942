# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every key a module returns, on success or on failure, is documented in its RETURN."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import yaml

from ansible_collections.proactive.psa.plugins.modules import (
    psa_action,
    psa_instance,
    psa_instance_info,
)
from ansible_collections.proactive.psa.tests.unit.plugins.modules.module_runner import (
    ModuleFailed,
)
from ansible_collections.proactive.psa.tests.unit.plugins.modules.psa_fake import (
    MONGODB,
    SPARK,
    FakePsa,
)

# What Ansible itself adds to every result.
ANSIBLE_KEYS = {"changed", "failed", "msg", "invocation", "warnings", "deprecations", "diff"}


def documented(module):
    return set(yaml.safe_load(module.RETURN)) | ANSIBLE_KEYS


def returned(runner, module, server, **args):
    try:
        return set(runner.run(module.main, server, dict(args, wait_sleep=0)))
    except ModuleFailed as failure:
        return set(failure.details)


@pytest.fixture
def server():
    fake = FakePsa(
        (("service-automation", "MongoDB", MONGODB), ("service-automation", "Spark_HDFS", SPARK))
    )
    fake.add_instance("MongoDB", "db1", "RUNNING")
    fake.add_instance("MongoDB", "stuck", "ERROR")
    return fake


def test_psa_instance(runner, server):
    keys = returned(runner, psa_instance, server, service_id="MongoDB", name="db2")
    # a state no chain reaches: reachable, executable, instance
    server.objects[("service-automation", "Finish_MongoDB")]["xml"] = server.objects[
        ("service-automation", "Finish_MongoDB")
    ]["xml"].replace("(ERROR,FINISHED)", "")
    keys |= returned(runner, psa_instance, server, service_id="MongoDB", name="stuck")
    # a request the server refuses: url, status, server_message
    server.supports_delete = False
    server.instances[2]["instance_status"] = "FINISHED"
    keys |= returned(runner, psa_instance, server, instances=[{"instance_id": 99, "state": "X"}])
    keys |= returned(
        runner, psa_instance, server, instances=[{"service_id": "MongoDB", "name": "a"}]
    )
    assert {"reachable", "executable", "results"} <= keys
    assert keys <= documented(psa_instance), keys - documented(psa_instance)


def test_psa_action(runner, server):
    keys = returned(runner, psa_action, server, instance_id=1, action="Pause_MongoDB")
    keys |= returned(runner, psa_action, server, instance_id=1, action="Resume_MongoDB")
    keys |= returned(runner, psa_action, server, instance_id=1, kill=True)
    assert "executable_actions" in keys
    assert keys <= documented(psa_action), keys - documented(psa_action)


def test_a_refused_request_names_url_status_and_message(runner, server):
    def refuse(*_args, **_kwargs):
        raise server._error("GET", "/cloud-automation-service/serviceInstances", 503, "busy")

    server._list_instances = refuse
    keys = returned(runner, psa_instance_info, server)
    assert {"url", "status", "server_message"} <= keys
    assert keys <= documented(psa_instance_info), keys - documented(psa_instance_info)
