# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""psa_instance against an in-memory server: plans, idempotency, check mode, failures."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.proactive.psa.plugins.module_utils.common import PsaModuleError
from ansible_collections.proactive.psa.plugins.modules.psa_instance import InstanceState
from ansible_collections.proactive.psa.tests.unit.plugins.modules.psa_fake import (
    MONGODB,
    SPARK,
    FakePsa,
)

SERVICES = (("service-automation", "MongoDB", MONGODB), ("service-automation", "Spark_HDFS", SPARK))


def params(**overrides):
    values = dict(
        service_id="MongoDB",
        name="db1",
        instance_id=None,
        state="RUNNING",
        bucket=None,
        variables={},
        recreate=False,
        wait=True,
        wait_timeout=60,
        wait_sleep=0,
    )
    values.update(overrides)
    return values


def run(server, check_mode=False, **overrides):
    warnings, hidden = [], []
    task = InstanceState(
        server,
        params(**overrides),
        check_mode,
        warnings.append,
        hide=hidden.append,
        sleep=lambda seconds: None,
    )
    result = task.run()
    result["warnings"] = warnings
    result["hidden"] = hidden
    return result


@pytest.fixture
def server():
    return FakePsa(SERVICES)


def test_start_from_nothing(server):
    result = run(server, variables={"USER": "app", "SERVICE_PORT": 27017})
    assert result["changed"] is True
    assert result["actions"] == ["MongoDB"]
    assert result["state"] == "RUNNING"
    assert result["job_ids"] == [1]
    assert result["endpoints"] == {"ep-1": "http://node:9001"}
    start = next(c for c in server.calls if c[0] == "POST")
    assert start[1] == "/cloud-automation-service/serviceInstances"
    assert start[3] == {
        "bucket_name": "service-automation",
        "workflow_name": "MongoDB",
        "variables": {"USER": "app", "SERVICE_PORT": "27017", "INSTANCE_NAME": "db1"},
    }
    assert result["diff"]["before"] == {"state": "absent", "variables": {}}
    assert result["diff"]["after"]["state"] == "RUNNING"


def test_second_run_changes_nothing(server):
    run(server)
    calls = len(server.changes())
    result = run(server)
    assert result["changed"] is False
    assert result["actions"] == []
    assert "diff" not in result
    assert len(server.changes()) == calls


def test_pause_runs_the_action_on_the_existing_instance(server):
    run(server)
    result = run(server, state="PAUSED")
    assert result["actions"] == ["Pause_MongoDB"]
    assert ("PUT", "/cloud-automation-service/serviceInstances/1/action") in server.changes()
    assert result["state"] == "PAUSED"
    assert result["diff"] == {
        "before": {"state": "RUNNING", "variables": result["diff"]["before"]["variables"]},
        "after": {"state": "PAUSED", "variables": result["diff"]["after"]["variables"]},
    }


def test_check_mode_plans_and_changes_nothing(server):
    result = run(server, check_mode=True, state="PAUSED", variables={"USER": "app"})
    assert result["changed"] is True
    assert result["actions"] == ["MongoDB", "Pause_MongoDB"]
    assert result["job_ids"] == []
    assert server.changes() == []
    assert result["diff"]["after"] == {
        "state": "PAUSED",
        "variables": {"USER": "app", "INSTANCE_NAME": "db1"},
    }


def test_chain_of_four_actions_in_one_task(server):
    result = run(
        server,
        service_id="Spark_HDFS",
        name="sp",
        state="HDFS_SPARK_DEPLOYED",
        variables={"NUMBER_OF_NODES": 4, "HDFS_PORT": 9001, "OTHER": "x"},
    )
    assert result["actions"] == ["Reserve_Nodes", "Deploy_Swarm", "Deploy_HDFS", "Deploy_Spark"]
    assert result["job_ids"] == [1, 2, 3, 4]
    assert result["state"] == "HDFS_SPARK_DEPLOYED"
    sent = {body["workflow_name"]: body["variables"] for _m, _p, _q, body in server.calls if body}
    # the start gets its own variables, the undeclared ones and the name; actions theirs
    assert sent["Reserve_Nodes"] == {"NUMBER_OF_NODES": "4", "OTHER": "x", "INSTANCE_NAME": "sp"}
    assert sent["Deploy_Swarm"] == {}
    assert sent["Deploy_HDFS"] == {"HDFS_PORT": "9001"}


def test_back_down_the_chain(server):
    run(server, service_id="Spark_HDFS", name="sp", state="HDFS_SPARK_DEPLOYED")
    result = run(server, service_id="Spark_HDFS", name="sp", state="SWARM_DEPLOYED")
    assert result["actions"] == ["Delete_Spark", "Delete_HDFS"]


def test_bad_variable_fails_before_anything_is_submitted(server):
    with pytest.raises(PsaModuleError) as caught:
        run(server, variables={"SERVICE_PORT": "eighty", "ENGINE": "podman"})
    message = str(caught.value)
    assert "variable SERVICE_PORT of workflow MongoDB: 'eighty' is not an Integer" in message
    assert "variable ENGINE of workflow MongoDB: 'podman' is not one of" in message
    assert server.changes() == []


def test_range_of_a_later_step_is_checked_too(server):
    with pytest.raises(PsaModuleError) as caught:
        run(
            server,
            service_id="Spark_HDFS",
            name="sp",
            state="HDFS_SPARK_DEPLOYED",
            variables={"NUMBER_OF_NODES": 100},
        )
    assert "'100' is above the maximum 64" in str(caught.value)
    assert server.changes() == []


def test_unknown_state_lists_the_states(server):
    with pytest.raises(PsaModuleError) as caught:
        run(server, state="STOPPED")
    assert (
        "state: 'STOPPED' is not a state the service MongoDB can be brought to; its "
        "states: FINISHED, PAUSED, RUNNING" in str(caught.value)
    )


def test_unknown_service_lists_the_services(server):
    with pytest.raises(PsaModuleError) as caught:
        run(server, service_id="Redis")
    assert "no PSA service 'Redis'" in str(caught.value)
    assert "MongoDB, Spark_HDFS" in str(caught.value)


def test_unreachable_target_lists_reachable_states(server):
    with pytest.raises(PsaModuleError) as caught:
        run(server, service_id="Spark_HDFS", name="sp", state="RUNNING")
    assert "is not a state the service Spark_HDFS" in str(caught.value)
    server.add_instance("MongoDB", "db1", "ERROR")
    with pytest.raises(PsaModuleError) as caught:
        run(server, state="PAUSED")
    message = str(caught.value)
    assert "instance 1 (ERROR)" in message
    assert "reachable states: FINISHED" in message
    assert "actions executable from ERROR: Finish_MongoDB" in message
    assert caught.value.details["executable"] == ["Finish_MongoDB"]


def test_error_instance_is_finished_by_the_action_allowed_from_error(server):
    server.add_instance("MongoDB", "db1", "ERROR")
    result = run(server, state="finished")
    assert result["actions"] == ["Finish_MongoDB"]
    assert result["state"] == "FINISHED"


def test_newest_active_instance_is_selected(server):
    server.add_instance("MongoDB", "db1", "PAUSED")
    server.add_instance("MongoDB", "db1", "RUNNING")
    server.add_instance("MongoDB", "db1", "FINISHED")
    server.add_instance("MongoDB", "other", "RUNNING")
    result = run(server, state="RUNNING")
    assert result["changed"] is False
    assert result["instance"]["instance_id"] == 2


def test_finished_instances_are_not_the_instance(server):
    server.add_instance("MongoDB", "db1", "FINISHED")
    result = run(server, state="finished")
    assert result["changed"] is False
    assert result["state"] == "FINISHED"
    result = run(server, state="RUNNING")
    assert result["actions"] == ["MongoDB"]
    assert result["instance"]["instance_id"] == 2


def test_variables_differ_warns_and_recreate_replaces(server):
    run(server, variables={"USER": "app"})
    result = run(server, variables={"USER": "other"})
    assert result["changed"] is False
    assert result["variables_differ"] == ["USER"]
    assert any("USER" in w and "recreate" in w for w in result["warnings"])
    result = run(server, variables={"USER": "other"}, recreate=True)
    assert result["actions"] == ["Finish_MongoDB", "MongoDB"]
    assert result["instance"]["instance_id"] == 2
    assert result["instance"]["variables"]["USER"] == "other"
    assert server.instances[1]["instance_status"] == "FINISHED"


def test_secrets_are_masked_and_hidden(server):
    result = run(server, variables={"PASSWORD": "s3cret"})
    assert result["instance"]["variables"]["PASSWORD"] == "********"
    assert result["diff"]["after"]["variables"]["PASSWORD"] == "********"
    assert result["hidden"] == ["s3cret"]
    assert server.instances[1]["variables"]["PASSWORD"] == "s3cret"


def test_transition_ending_elsewhere_fails_with_the_instance(server):
    server.outcomes["MongoDB"] = "ERROR"
    with pytest.raises(PsaModuleError) as caught:
        run(server)
    assert "should have brought instance 1 from VOID to RUNNING, but it is ERROR" in str(
        caught.value
    )
    assert caught.value.details["instance"]["instance_status"] == "ERROR"


def test_timeout_reports_the_last_instance(server):
    server.never_settle = True
    with pytest.raises(PsaModuleError) as caught:
        run(server, wait_timeout=0)
    assert "timed out" in str(caught.value)
    assert caught.value.details["instance"]["instance_status"] == "VOID -> RUNNING"


def test_no_wait_returns_while_transitioning(server):
    server.never_settle = True
    result = run(server, wait=False)
    assert result["changed"] is True
    assert result["state"] == "VOID -> RUNNING"


def test_transitioning_instance_is_waited_for_first(server):
    run(server)
    server.instances[1]["instance_status"] = "RUNNING -> PAUSED"
    server.pending[1] = [1, "PAUSED", 99]
    result = run(server, state="RUNNING")
    assert result["actions"] == ["Resume_MongoDB"]


def test_absent_finishes_then_cleans_every_instance_of_that_name(server):
    server.add_instance("MongoDB", "db1", "FINISHED")
    run(server)
    result = run(server, state="absent")
    assert result["actions"] == ["Finish_MongoDB"]
    assert sorted(result["cleaned"]) == [1, 2]
    assert result["state"] == "absent"
    assert server.instances == {}
    again = run(server, state="absent")
    assert again["changed"] is False


def test_absent_without_delete_support_warns(server):
    server.supports_delete = False
    run(server)
    result = run(server, state="absent")
    assert result["changed"] is True
    assert result["cleaned"] == []
    assert result["state"] == "FINISHED"
    assert any("does not remove instances" in w for w in result["warnings"])
    again = run(server, state="absent")
    assert again["changed"] is False


def test_absent_in_check_mode(server):
    run(server)
    before = len(server.changes())
    result = run(server, check_mode=True, state="absent")
    assert result["changed"] is True
    assert result["actions"] == ["Finish_MongoDB"]
    assert result["diff"]["after"] == {"state": "absent", "variables": {}}
    assert len(server.changes()) == before


def test_instance_id_selection(server):
    server.add_instance("MongoDB", "db1", "RUNNING")
    result = run(server, name=None, service_id=None, instance_id=1, state="PAUSED")
    assert result["actions"] == ["Pause_MongoDB"]
    result = run(server, name=None, service_id=None, instance_id=7, state="finished")
    assert result["changed"] is False
    with pytest.raises(PsaModuleError) as caught:
        run(server, name=None, service_id="Spark_HDFS", instance_id=1)
    assert "belongs to service MongoDB" in str(caught.value)


def test_instance_finishing_meanwhile_is_replaced_by_a_new_one(server):
    run(server)
    server.instances[1]["instance_status"] = "RUNNING -> FINISHED"
    server.pending[1] = [1, "FINISHED", 98]
    result = run(server, state="RUNNING")
    assert result["actions"] == ["MongoDB"]
    assert result["instance"]["instance_id"] == 2


def test_ended_instance_chosen_by_id_cannot_be_moved(server):
    server.add_instance("MongoDB", "db1", "FINISHED")
    with pytest.raises(PsaModuleError) as caught:
        run(server, name=None, instance_id=1, state="RUNNING")
    assert "instance 1 is FINISHED: an ended instance cannot be moved on" in str(caught.value)


def test_absent_of_an_instance_finishing_meanwhile_cleans_it(server):
    run(server)
    server.instances[1]["instance_status"] = "RUNNING -> FINISHED"
    server.pending[1] = [1, "FINISHED", 98]
    result = run(server, state="absent")
    assert result["actions"] == []
    assert result["cleaned"] == [1]
    assert server.instances == {}
