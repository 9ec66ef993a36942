# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action group: what module_defaults sets for group/proactive.psa.psa must be
accepted by every module of the group (meta/runtime.yml)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import os

import pytest
import yaml

from ansible_collections.proactive.psa.tests.unit.plugins.modules.psa_fake import FakePsa

COLLECTION = os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
)
with open(os.path.join(COLLECTION, "meta", "runtime.yml")) as runtime:
    GROUP = yaml.safe_load(runtime)["action_groups"]["psa"]

# One module_defaults block: connection and wait options together.
GROUP_DEFAULTS = dict(validate_certs=False, timeout=10, wait=True, wait_timeout=120, wait_sleep=0.5)
# What each module needs besides, to do something harmless.
OWN_ARGS = {
    "psa_action": dict(instance_id=1, action="Pause_MongoDB"),
    "psa_instance": dict(service_id="MongoDB", name="db1", state="finished"),
    "psa_instance_info": dict(),
    "psa_service": dict(service_id="MongoDB", state="absent", bucket="nothing-here"),
    "psa_service_info": dict(),
}


def test_every_module_of_the_group_has_its_args():
    assert sorted(GROUP) == sorted(OWN_ARGS)


@pytest.mark.parametrize("name", sorted(OWN_ARGS))
def test_group_defaults_are_accepted_by_every_module(name, runner):
    server = FakePsa()
    server.add_instance("MongoDB", "db1", "RUNNING")
    server.buckets["nothing-here"] = "GROUP:public-objects"
    module = importlib.import_module("ansible_collections.proactive.psa.plugins.modules." + name)
    args = dict(GROUP_DEFAULTS, **OWN_ARGS[name])
    result = runner.run(module.main, server, args, check_mode=True)
    assert "failed" not in result
