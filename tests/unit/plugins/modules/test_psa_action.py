# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""psa_action against an in-memory server: executable checks, check mode, kill."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.proactive.psa.plugins.modules.psa_action import main
from ansible_collections.proactive.psa.tests.unit.plugins.modules.module_runner import (
    ModuleFailed,
)
from ansible_collections.proactive.psa.tests.unit.plugins.modules.psa_fake import FakePsa

# What every test passes; the rest comes from the module's argument spec.
ARGS = dict(service_id="MongoDB", name="db1", wait_sleep=0)


@pytest.fixture
def run(runner):
    """run(server, check_mode=False, **args): the module's result (ModuleFailed if failed)."""
    return runner.bind(main, ARGS)


@pytest.fixture
def server():
    fake = FakePsa()
    fake.add_instance("MongoDB", "db1", "RUNNING", {"PASSWORD": "pw"}, jobs=[(41, "RUNNING")])
    return fake


def test_runs_the_action_and_waits(server, run):
    result = run(server, action="Pause_MongoDB")
    assert result["changed"] is True
    assert result["executable"] is True
    assert result["action"] == "service-automation/Pause_MongoDB"
    assert result["state"] == "PAUSED"
    assert result["job_ids"] == [1]
    assert result["executable_actions"] == ["Finish_MongoDB", "Pause_MongoDB"]
    assert result["instance"]["variables"]["PASSWORD"] == "********"
    assert result["diff"]["before"]["state"] == "RUNNING"
    assert result["diff"]["after"]["state"] == "PAUSED"


def test_bucket_slash_name_reference(server, run):
    result = run(server, action="service-automation/Finish_MongoDB")
    assert result["state"] == "FINISHED"
    with pytest.raises(ModuleFailed) as caught:
        run(server, action="other-bucket/Finish_MongoDB", name=None, instance_id=1)
    assert "has no workflow 'other-bucket/Finish_MongoDB'" in str(caught.value)


def test_not_executable_fails_listing_the_executable_ones(server, run):
    with pytest.raises(ModuleFailed) as caught:
        run(server, action="Resume_MongoDB")
    assert str(caught.value) == (
        "action: Resume_MongoDB is not executable on instance 1 in "
        "state RUNNING; executable actions: Finish_MongoDB, "
        "Pause_MongoDB"
    )
    assert server.changes() == []


def test_check_mode_predicts_the_real_run(server, run):
    with pytest.raises(ModuleFailed) as real:
        run(server, action="Resume_MongoDB")
    # not executable: check mode fails exactly as the real run does
    with pytest.raises(ModuleFailed) as checked:
        run(server, check_mode=True, action="Resume_MongoDB")
    assert str(checked.value) == str(real.value)
    assert checked.value.details["executable_actions"] == ["Finish_MongoDB", "Pause_MongoDB"]
    result = run(server, check_mode=True, action="Pause_MongoDB")
    assert result["executable"] is True
    assert result["changed"] is True
    assert result["diff"]["after"]["state"] == "PAUSED"
    assert server.changes() == []


def test_the_argument_spec_is_enforced(server, run):
    with pytest.raises(ModuleFailed) as caught:
        run(server, action="Pause_MongoDB", instance_id=1)
    assert "mutually exclusive: name|instance_id" in str(caught.value)
    with pytest.raises(ModuleFailed) as caught:
        run(server, action="Pause_MongoDB", name=None, service_id=None)
    assert "one of the following is required: name, instance_id" in str(caught.value)
    with pytest.raises(ModuleFailed) as caught:
        run(server, action="Pause_MongoDB", service_id=None)
    assert "missing parameter(s) required by 'name': service_id" in str(caught.value)
    result = run(server, action="Pause_MongoDB")
    assert result["invocation"]["module_args"]["wait_timeout"] == 600
    assert result["invocation"]["module_args"]["kill"] is False


def test_variables_are_checked_against_the_action(server, run):
    server.objects[("service-automation", "Pause_MongoDB")]["xml"] = server.objects[
        ("service-automation", "Pause_MongoDB")
    ]["xml"].replace(
        "<variables>", '<variables><variable name="GRACE" value="10" model="PA:Integer"/>'
    )
    with pytest.raises(ModuleFailed) as caught:
        run(server, action="Pause_MongoDB", variables={"GRACE": "soon"})
    assert "variable GRACE of workflow Pause_MongoDB: 'soon' is not an Integer" in str(caught.value)


def test_no_active_instance_of_that_name(server, run):
    server.instances[1]["instance_status"] = "FINISHED"
    with pytest.raises(ModuleFailed) as caught:
        run(server, action="Pause_MongoDB")
    assert (
        "has no instance named 'db1' that is not FINISHED or KILLED; ended ones: 1 "
        "(FINISHED)" in str(caught.value)
    )


def test_kill_kills_running_jobs_and_marks_the_instance(server, run):
    server.jobs[40] = "FINISHED"
    server.instances[1]["job_submissions"].append({"job_id": 40})
    result = run(server, kill=True)
    assert result["changed"] is True
    assert result["state"] == "KILLED"
    assert result["job_ids"] == [41]
    assert ("PUT", "/rest/scheduler/jobs/41/kill") in server.changes()
    assert ("PUT", "/rest/scheduler/jobs/40/kill") not in server.changes()
    update = next(
        body for m, p, _q, body in server.calls if m == "PUT" and p.endswith("/serviceInstances/1")
    )
    assert update["instance_status"] == "KILLED"
    assert update["service_id"] == "MongoDB"


def test_kill_of_an_ended_instance_changes_nothing(server, run):
    server.instances[1]["instance_status"] = "KILLED"
    server.jobs[41] = "KILLED"
    result = run(server, kill=True, name=None, instance_id=1)
    assert result["changed"] is False


def test_kill_in_check_mode(server, run):
    result = run(server, check_mode=True, kill=True)
    assert result["changed"] is True
    assert result["job_ids"] == [41]
    assert server.changes() == []


def test_action_and_kill_are_exclusive(server, run):
    with pytest.raises(ModuleFailed):
        run(server, kill=True, action="Pause_MongoDB")
    with pytest.raises(ModuleFailed):
        run(server)
