# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""psa_instance against an in-memory server: plans, idempotency, check mode, failures."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.proactive.psa.plugins.modules.psa_instance import main
from ansible_collections.proactive.psa.tests.unit.plugins.modules.module_runner import (
    ModuleFailed,
)
from ansible_collections.proactive.psa.tests.unit.plugins.modules.psa_fake import (
    MONGODB,
    SPARK,
    FakePsa,
)

SERVICES = (("service-automation", "MongoDB", MONGODB), ("service-automation", "Spark_HDFS", SPARK))
# What every test passes; the rest comes from the module's argument spec.
ARGS = dict(service_id="MongoDB", name="db1", wait_sleep=0)


@pytest.fixture
def run(runner):
    """run(server, check_mode=False, **args): the module's result (ModuleFailed if failed)."""
    return runner.bind(main, ARGS)


@pytest.fixture
def server():
    return FakePsa(SERVICES)


def test_start_from_nothing(server, run):
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


def test_second_run_changes_nothing(server, run):
    run(server)
    calls = len(server.changes())
    result = run(server)
    assert result["changed"] is False
    assert result["actions"] == []
    assert "diff" not in result
    assert len(server.changes()) == calls


def test_pause_runs_the_action_on_the_existing_instance(server, run):
    run(server)
    result = run(server, state="PAUSED")
    assert result["actions"] == ["Pause_MongoDB"]
    assert ("PUT", "/cloud-automation-service/serviceInstances/1/action") in server.changes()
    assert result["state"] == "PAUSED"
    assert result["diff"] == {
        "before": {"state": "RUNNING", "variables": result["diff"]["before"]["variables"]},
        "after": {"state": "PAUSED", "variables": result["diff"]["after"]["variables"]},
    }


def test_check_mode_plans_and_changes_nothing(server, run):
    result = run(server, check_mode=True, state="PAUSED", variables={"USER": "app"})
    assert result["changed"] is True
    assert result["actions"] == ["MongoDB", "Pause_MongoDB"]
    assert result["job_ids"] == []
    assert server.changes() == []
    assert result["diff"]["after"] == {
        "state": "PAUSED",
        "variables": {"USER": "app", "INSTANCE_NAME": "db1"},
    }


def test_chain_of_four_actions_in_one_task(server, run):
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


def test_back_down_the_chain(server, run):
    run(server, service_id="Spark_HDFS", name="sp", state="HDFS_SPARK_DEPLOYED")
    result = run(server, service_id="Spark_HDFS", name="sp", state="SWARM_DEPLOYED")
    assert result["actions"] == ["Delete_Spark", "Delete_HDFS"]


def test_bad_variable_fails_before_anything_is_submitted(server, run):
    with pytest.raises(ModuleFailed) as caught:
        run(server, variables={"SERVICE_PORT": "eighty", "ENGINE": "podman"})
    message = str(caught.value)
    assert "variable SERVICE_PORT of workflow MongoDB: 'eighty' is not an Integer" in message
    assert "variable ENGINE of workflow MongoDB: 'podman' is not one of" in message
    assert server.changes() == []


def test_range_of_a_later_step_is_checked_too(server, run):
    with pytest.raises(ModuleFailed) as caught:
        run(
            server,
            service_id="Spark_HDFS",
            name="sp",
            state="HDFS_SPARK_DEPLOYED",
            variables={"NUMBER_OF_NODES": 100},
        )
    assert "'100' is above the maximum 64" in str(caught.value)
    assert server.changes() == []


def test_unknown_state_lists_the_states(server, run):
    with pytest.raises(ModuleFailed) as caught:
        run(server, state="STOPPED")
    assert (
        "state: 'STOPPED' is not a state the service MongoDB can be brought to; its "
        "states: FINISHED, PAUSED, RUNNING" in str(caught.value)
    )


def test_unknown_service_lists_the_services(server, run):
    with pytest.raises(ModuleFailed) as caught:
        run(server, service_id="Redis")
    assert "no PSA service 'Redis'" in str(caught.value)
    assert "MongoDB, Spark_HDFS" in str(caught.value)


def test_unreachable_target_lists_reachable_states(server, run):
    with pytest.raises(ModuleFailed) as caught:
        run(server, service_id="Spark_HDFS", name="sp", state="RUNNING")
    assert "is not a state the service Spark_HDFS" in str(caught.value)
    server.add_instance("MongoDB", "db1", "ERROR")
    with pytest.raises(ModuleFailed) as caught:
        run(server, state="PAUSED")
    message = str(caught.value)
    assert "instance 1 (ERROR)" in message
    assert "reachable states: FINISHED" in message
    assert "actions executable from ERROR: Finish_MongoDB" in message
    assert caught.value.details["executable"] == ["Finish_MongoDB"]


def test_error_instance_is_finished_by_the_action_allowed_from_error(server, run):
    server.add_instance("MongoDB", "db1", "ERROR")
    result = run(server, state="finished")
    assert result["actions"] == ["Finish_MongoDB"]
    assert result["state"] == "FINISHED"


def test_newest_active_instance_is_selected(server, run):
    server.add_instance("MongoDB", "db1", "PAUSED")
    server.add_instance("MongoDB", "db1", "RUNNING")
    server.add_instance("MongoDB", "db1", "FINISHED")
    server.add_instance("MongoDB", "other", "RUNNING")
    result = run(server, state="RUNNING")
    assert result["changed"] is False
    assert result["instance"]["instance_id"] == 2


def test_finished_instances_are_not_the_instance(server, run):
    server.add_instance("MongoDB", "db1", "FINISHED")
    result = run(server, state="finished")
    assert result["changed"] is False
    assert result["state"] == "FINISHED"
    result = run(server, state="RUNNING")
    assert result["actions"] == ["MongoDB"]
    assert result["instance"]["instance_id"] == 2


def test_variables_differ_warns_and_recreate_replaces(server, run):
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


def test_secrets_are_masked_and_hidden(server, run):
    result = run(server, variables={"PASSWORD": "s3cret"})
    assert result["instance"]["variables"]["PASSWORD"] == "********"
    assert result["diff"]["after"]["variables"]["PASSWORD"] == "********"
    assert "s3cret" not in json.dumps(result)
    assert server.instances[1]["variables"]["PASSWORD"] == "s3cret"


def test_secrets_are_hidden_from_the_start_even_when_the_service_is_unknown(server, run, runner):
    # PASSWORD is secret by its name, API_KEY by secret_variables: neither the failure's
    # invocation nor the module's log (syslog / journal) shows them.
    with pytest.raises(ModuleFailed) as caught:
        run(
            server,
            service_id="MongoDb",
            variables={"PASSWORD": "s3cr3t-pw", "USER": "app"},
            secret_variables={"API_KEY": "k3y-value"},
        )
    assert "no PSA service 'MongoDb'" in str(caught.value)
    shown = json.dumps(caught.value.details) + "\n".join(runner.logged)
    assert runner.logged, "the module logged its invocation"
    assert "s3cr3t-pw" not in shown
    assert "k3y-value" not in shown
    assert "app" in json.dumps(caught.value.details["invocation"])


def test_secret_variables_are_sent_merged_and_masked(server, run):
    result = run(
        server,
        variables={"USER": "app"},
        secret_variables={"DB_PASS": "hunter22"},
    )
    start = next(c for c in server.calls if c[0] == "POST")
    assert start[3]["variables"]["DB_PASS"] == "hunter22"
    assert start[3]["variables"]["USER"] == "app"
    assert result["instance"]["variables"]["DB_PASS"] == "********"
    assert "hunter22" not in json.dumps(result)
    with pytest.raises(ModuleFailed) as caught:
        run(server, variables={"DB_PASS": "first-pw"}, secret_variables={"DB_PASS": "other-pw"})
    assert "secret_variables: DB_PASS also given in variables" in str(caught.value)


def test_variables_holding_references_settle(server, run):
    # The server keeps MOUNT_DB_PATH resolved (/tmp/db1): that is the value requested.
    variables = {"MOUNT_DB_PATH": "/tmp/$INSTANCE_NAME", "LABEL": "${USER}-db"}
    first = run(server, variables=dict(variables, USER="app"), recreate=True)
    assert server.instances[1]["variables"]["MOUNT_DB_PATH"] == "/tmp/db1"
    for _run in range(2):
        again = run(server, variables=dict(variables, USER="app"), recreate=True)
        assert again["changed"] is False
        assert again["variables_differ"] == []
        assert again["warnings"] == []
        assert again["instance"]["instance_id"] == first["instance"]["instance_id"]
    # a value that resolves differently does differ
    other = run(server, variables={"MOUNT_DB_PATH": "/data/$INSTANCE_NAME"})
    assert other["variables_differ"] == ["MOUNT_DB_PATH"]
    # a reference the instance cannot resolve ($PA_JOB_ID) is not compared
    job = run(server, variables={"MOUNT_DB_PATH": "/tmp/$PA_JOB_ID"})
    assert job["variables_differ"] == []


def test_transition_ending_elsewhere_fails_with_the_instance(server, run):
    server.outcomes["MongoDB"] = "ERROR"
    with pytest.raises(ModuleFailed) as caught:
        run(server)
    assert "should have brought instance 1 from VOID to RUNNING, but it is ERROR" in str(
        caught.value
    )
    assert caught.value.details["instance"]["instance_status"] == "ERROR"


def test_timeout_reports_the_last_instance(server, run):
    server.never_settle = True
    with pytest.raises(ModuleFailed) as caught:
        run(server, wait_timeout=0)
    assert "timed out" in str(caught.value)
    assert caught.value.details["instance"]["instance_status"] == "VOID -> RUNNING"


def test_no_wait_returns_while_transitioning(server, run):
    server.never_settle = True
    result = run(server, wait=False)
    assert result["changed"] is True
    assert result["state"] == "VOID -> RUNNING"


def test_transitioning_instance_is_waited_for_first(server, run):
    run(server)
    server.instances[1]["instance_status"] = "RUNNING -> PAUSED"
    server.pending[1] = [1, "PAUSED", 99]
    result = run(server, state="RUNNING")
    assert result["actions"] == ["Resume_MongoDB"]


def test_absent_finishes_then_cleans_every_instance_of_that_name(server, run):
    server.add_instance("MongoDB", "db1", "FINISHED")
    run(server)
    result = run(server, state="absent")
    assert result["actions"] == ["Finish_MongoDB"]
    assert sorted(result["cleaned"]) == [1, 2]
    assert result["state"] == "absent"
    assert server.instances == {}
    again = run(server, state="absent")
    assert again["changed"] is False


def test_absent_without_delete_support_warns(server, run):
    server.supports_delete = False
    run(server)
    result = run(server, state="absent")
    assert result["changed"] is True
    assert result["cleaned"] == []
    assert result["state"] == "FINISHED"
    assert any("does not remove instances" in w for w in result["warnings"])
    again = run(server, state="absent")
    assert again["changed"] is False


def test_absent_check_mode_agrees_with_the_real_run_without_delete(server, run):
    server.supports_delete = False
    run(server)
    run(server, state="finished")
    checked = run(server, check_mode=True, state="absent")
    real = run(server, state="absent")
    assert real["changed"] is False
    assert checked["changed"] is False
    assert any("does not remove instances" in w for w in checked["warnings"]), checked
    assert server.instances[1]["instance_status"] == "FINISHED"


def test_absent_in_check_mode(server, run):
    run(server)
    before = len(server.changes())
    result = run(server, check_mode=True, state="absent")
    assert result["changed"] is True
    assert result["actions"] == ["Finish_MongoDB"]
    assert result["diff"]["after"] == {"state": "absent", "variables": {}}
    assert len(server.changes()) == before


def test_instance_id_selection(server, run):
    server.add_instance("MongoDB", "db1", "RUNNING")
    result = run(server, name=None, service_id=None, instance_id=1, state="PAUSED")
    assert result["actions"] == ["Pause_MongoDB"]
    result = run(server, name=None, service_id=None, instance_id=7, state="finished")
    assert result["changed"] is False
    with pytest.raises(ModuleFailed) as caught:
        run(server, name=None, service_id="Spark_HDFS", instance_id=1)
    assert "belongs to service MongoDB" in str(caught.value)


def test_instance_finishing_meanwhile_is_replaced_by_a_new_one(server, run):
    run(server)
    server.instances[1]["instance_status"] = "RUNNING -> FINISHED"
    server.pending[1] = [1, "FINISHED", 98]
    result = run(server, state="RUNNING")
    assert result["actions"] == ["MongoDB"]
    assert result["instance"]["instance_id"] == 2


def test_ended_instance_chosen_by_id_cannot_be_moved(server, run):
    server.add_instance("MongoDB", "db1", "FINISHED")
    with pytest.raises(ModuleFailed) as caught:
        run(server, name=None, instance_id=1, state="RUNNING")
    assert "instance 1 is FINISHED: an ended instance cannot be moved on" in str(caught.value)


def test_absent_of_an_instance_finishing_meanwhile_cleans_it(server, run):
    run(server)
    server.instances[1]["instance_status"] = "RUNNING -> FINISHED"
    server.pending[1] = [1, "FINISHED", 98]
    result = run(server, state="absent")
    assert result["actions"] == []
    assert result["cleaned"] == [1]
    assert server.instances == {}


def test_ca_path_reaches_the_client(server, run, runner, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    run(server, ca_path=str(bundle))
    assert runner.client_options[-1]["ca_path"] == str(bundle)
    assert runner.client_options[-1]["validate_certs"] is True
    with pytest.raises(ModuleFailed) as caught:
        run(server, ca_path=str(tmp_path / "missing.pem"))
    assert "ca_path: %s is not a file nor a directory" % (tmp_path / "missing.pem") in str(
        caught.value
    )


# --- many instances in one task (instances, parallel) -------------------------------------


def batch(run, server, entries, check_mode=False, **args):
    return run(server, check_mode=check_mode, service_id=None, name=None, instances=entries, **args)


def test_instances_bring_each_entry_to_its_state(server, run):
    server.add_instance("MongoDB", "db2", "RUNNING")
    entries = [
        {"service_id": "MongoDB", "name": "db1"},
        {"service_id": "MongoDB", "name": "db2", "state": "PAUSED"},
        {"service_id": "Spark_HDFS", "name": "spark", "state": "HDFS_DEPLOYED"},
    ]
    result = batch(run, server, entries, parallel=2)
    batch_calls = list(server.calls)
    assert result["changed"] is True
    assert [r["state"] for r in result["results"]] == ["RUNNING", "PAUSED", "HDFS_DEPLOYED"]
    assert [r["actions"] for r in result["results"]] == [
        ["MongoDB"],
        ["Pause_MongoDB"],
        ["Reserve_Nodes", "Deploy_Swarm", "Deploy_HDFS"],
    ]
    assert all(r["failed"] is False for r in result["results"])
    # the same keys as the single form, per entry
    single = run(server, name="db9")
    for entry_result in result["results"]:
        assert set(single) - {"invocation", "warnings"} <= set(entry_result)
    assert len(result["diff"]) == 3
    assert result["diff"][1]["before"]["state"] == "RUNNING"
    assert result["diff"][1]["after"]["state"] == "PAUSED"
    # one catalog read and one listing for the whole batch
    reads = [path for method, path, _params, _body in batch_calls if method == "GET"]
    assert reads.count("/cloud-automation-service/serviceInstances") == 1
    assert reads.count("/catalog/buckets") == 1


def test_instances_are_idempotent_and_predicted_per_entry(server, run):
    entries = [{"service_id": "MongoDB", "name": "db%d" % i} for i in range(1, 6)]
    checked = batch(run, server, entries, check_mode=True)
    assert checked["changed"] is True
    assert [r["actions"] for r in checked["results"]] == [["MongoDB"]] * 5
    assert server.changes() == []
    batch(run, server, entries)
    entries[2]["state"] = "PAUSED"
    checked = batch(run, server, entries, check_mode=True)
    assert [r["changed"] for r in checked["results"]] == [False, False, True, False, False]
    again = batch(run, server, entries)
    assert [r["changed"] for r in again["results"]] == [False, False, True, False, False]
    assert batch(run, server, entries)["changed"] is False


def test_instances_failing_entries_are_listed_and_the_others_done(server, run):
    entries = [
        {"service_id": "MongoDB", "name": "db1"},
        {"service_id": "Redis", "name": "cache"},
        {"service_id": "MongoDB", "name": "db3", "variables": {"SERVICE_PORT": "port"}},
        {"service_id": "MongoDB", "name": "db4"},
    ]
    with pytest.raises(ModuleFailed) as caught:
        batch(run, server, entries)
    message = str(caught.value)
    assert message.startswith("2 of 4 entries failed (the others were done): ")
    assert "instances[1] (Redis cache): service_id: no PSA service 'Redis'" in message
    assert "instances[2] (MongoDB db3): variables: variable SERVICE_PORT" in message
    results = caught.value.details["results"]
    assert [r["failed"] for r in results] == [False, True, True, False]
    assert caught.value.details["changed"] is True
    running = sorted(i["variables"]["INSTANCE_NAME"] for i in server.instances.values())
    assert running == ["db1", "db4"]


def test_instances_hide_each_entrys_secrets(server, run, runner):
    entries = [
        {"service_id": "MongoDB", "name": "db1", "secret_variables": {"PASSWORD": "entry-pw-1"}},
        {"service_id": "MongoDB", "name": "db2", "variables": {"PASSWORD": "entry-pw-2"}},
    ]
    result = batch(run, server, entries)
    shown = json.dumps(result) + "\n".join(runner.logged)
    assert "entry-pw-1" not in shown
    assert "entry-pw-2" not in shown
    assert server.instances[1]["variables"]["PASSWORD"] in ("entry-pw-1", "entry-pw-2")


def test_instances_refuse_the_single_form_options_and_duplicates(server, run):
    with pytest.raises(ModuleFailed) as caught:
        run(server, instances=[{"service_id": "MongoDB", "name": "db1"}])
    assert "mutually exclusive" in str(caught.value)
    with pytest.raises(ModuleFailed) as caught:
        batch(run, server, [{"name": "db1"}])
    assert "service_id" in str(caught.value)
    with pytest.raises(ModuleFailed) as caught:
        batch(
            run,
            server,
            [{"service_id": "MongoDB", "name": "db1"}, {"service_id": "MongoDB", "name": "db1"}],
        )
    assert "instances[0] (MongoDB db1) and instances[1] (MongoDB db1) select the same" in str(
        caught.value
    )
    assert server.changes() == []
    with pytest.raises(ModuleFailed) as caught:
        batch(run, server, [{"service_id": "MongoDB", "name": "db1"}], parallel=0)
    assert "parallel: must be at least 1, got 0" in str(caught.value)


def test_the_argument_spec_is_enforced(server, run):
    with pytest.raises(ModuleFailed) as caught:
        run(server, instance_id=1)
    assert "mutually exclusive: name|instance_id" in str(caught.value)
    with pytest.raises(ModuleFailed) as caught:
        run(server, name=None, service_id=None)
    assert "one of the following is required: name, instance_id, instances" in str(caught.value)
    with pytest.raises(ModuleFailed) as caught:
        run(server, service_id=None)
    assert "missing parameter(s) required by 'name': service_id" in str(caught.value)
    with pytest.raises(ModuleFailed) as caught:
        run(server, wait_timeout="soon")
    assert "wait_timeout" in str(caught.value)
    assert server.changes() == []
    defaults = run(server)["invocation"]["module_args"]
    assert defaults["state"] == "RUNNING"
    assert defaults["wait_timeout"] == 600
    assert defaults["parallel"] == 10
    assert defaults["recreate"] is False
