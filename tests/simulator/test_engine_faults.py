"""Faults: crashed containers, failing actions, failing nodes; nothing may leak."""

from __future__ import annotations

import pytest

from psa_sim.engine.cluster import NodeSourceConfig
from psa_sim.engine.jobs import JobStatus
from psa_sim.errors import InvalidInput
from psa_sim.states import ERROR, FINISHED, PAUSED, RUNNING


def test_crash_is_seen_at_the_next_health_check(make_sim):
    sim = make_sim()
    instance = sim.submit_activation("MongoDB")
    sim.run(until=41)
    sim.crash_container(instance.instance_id)
    assert instance.instance_status == RUNNING  # nobody has looked yet
    sim.run(until=59)
    assert instance.instance_status == RUNNING
    sim.run(until=60)  # the cron loop, on the minute
    assert instance.instance_status == ERROR
    assert instance.error_cause == "container crashed"
    assert instance.channel["RUNNING_STATE"] == 2
    activation = sim.job(instance.job_submissions[0].job_id)
    assert activation.status is JobStatus.IN_ERROR
    # Check_Instance_Status ends the loop without removing the token: it stays (with the
    # port) until the clean-up path removes it, so the node stays reserved meanwhile.
    assert sim.cluster.tokens() == ["PSA_mongodb-server-1"] and sim.leaks() == []
    assert instance.runtime.ports


def test_finish_from_error_runs_on_the_instance_node_and_removes_the_token(make_sim):
    sim = make_sim()
    instance = sim.submit_activation("MongoDB")
    sim.run(until=41)
    node = instance.runtime.node
    sim.crash_container(instance.instance_id)
    sim.run(until=60)
    other = sim.submit_activation("MongoDB")  # the crashed one's node stays reserved
    sim.run(until=101)
    assert other.instance_status == RUNNING and other.runtime.node is not node
    finish = sim.submit_action(instance.instance_id, "Finish_MongoDB")
    finish_job = sim.job(finish.job_submissions[0].job_id)
    assert finish_job.token == "PSA_mongodb-server-1"  # it runs on the instance's node
    sim.run(until=120)
    assert instance.instance_status == FINISHED
    # Clean_Trigger_Action: the activation's job is over, so the finish removed it.
    assert "PSA_mongodb-server-1" not in sim.cluster.tokens()
    assert not instance.runtime.ports and sim.leaks() == []


def test_a_paused_instance_is_not_put_in_error(make_sim):
    sim = make_sim()
    instance = sim.submit_activation("MongoDB")
    sim.run(until=41)
    sim.submit_action(instance.instance_id, "Pause_MongoDB")
    sim.run(until=52)
    assert instance.instance_status == PAUSED
    with pytest.raises(InvalidInput, match="no running container"):
        sim.crash_container(instance.instance_id)
    sim.run(until=300)
    assert instance.instance_status == PAUSED


def test_crash_while_finishing_is_ignored(make_sim):
    sim = make_sim()
    instance = sim.submit_activation("MongoDB")
    sim.run(until=55)
    sim.submit_action(instance.instance_id, "Finish_MongoDB")  # runs 55..65
    sim.run(until=56)
    sim.crash_container(instance.instance_id)  # FINISH_LAUNCHED is set
    sim.run(until=61)
    assert instance.instance_status == "RUNNING -> FINISHED"
    sim.run(until=130)
    assert instance.instance_status == FINISHED and sim.leaks() == []


def test_container_crash_rate_over_a_long_run(make_sim):
    sim = make_sim(nodes=20, container_crash_per_hour=1.0, seed=3)
    instances = [sim.submit_activation("MongoDB") for _ in range(20)]
    sim.run(until=10 * 3600)
    assert all(i.instance_status == ERROR for i in instances)
    assert {i.error_cause for i in instances} == {"container crashed"}
    # Every crashed instance still holds its token until someone finishes it.
    assert len(sim.cluster.tokens()) == 20 and sim.leaks() == []
    for instance in instances:
        sim.submit_action(instance.instance_id, "Finish_MongoDB")
    sim.run(until=11 * 3600)
    assert all(i.instance_status == FINISHED for i in instances)
    assert sim.cluster.tokens() == [] and sim.leaks() == []


def test_action_failure_puts_the_instance_in_error_with_its_cause(make_sim):
    sim = make_sim(action_failure_probability=1.0)
    instance = sim.submit_activation("MongoDB")
    sim.run(until=41)
    job_id = instance.job_submissions[0].job_id
    assert instance.instance_status == ERROR
    assert instance.error_cause == f"action 'MongoDB' failed (job {job_id})"
    assert sim.job(job_id).status is JobStatus.FAILED
    assert sim.cluster.tokens() == [] and sim.leaks() == []
    assert len(sim.cluster.free_plain) == 2


def test_node_failure_errs_its_instances_and_fails_its_jobs(make_sim):
    sim = make_sim(nodes=2)
    deployed = sim.submit_activation("MongoDB")
    sim.run(until=41)
    starting = sim.submit_activation("MySQL")  # deploying on the other node
    deployed_node = deployed.deployments[0].node["name"]
    other = next(n for n in sim.cluster.nodes if n.name != deployed_node)
    sim.run(until=50)
    sim.fail_node(deployed_node, repair_after=600)
    sim.fail_node(other.name)
    assert deployed.instance_status == ERROR
    assert deployed.error_cause == f"node {deployed_node} failed"
    assert starting.instance_status == ERROR
    assert sim.job(starting.job_submissions[0].job_id).status is JobStatus.FAILED
    assert sim.cluster.tokens() == [] and sim.leaks() == []
    # With both nodes down, a new activation waits; the repair lets it run.
    waiting = sim.submit_activation("MongoDB")
    sim.run(until=640)
    assert waiting.instance_status == "VOID -> RUNNING"
    sim.run(until=700)
    assert waiting.instance_status == RUNNING
    assert waiting.deployments[0].node["name"] == deployed_node


def test_jobs_wait_in_the_queue_in_order(make_sim):
    sim = make_sim(nodes=1)
    first = sim.submit_activation("Reserve_Nodes")
    queued = [sim.submit_activation("MongoDB") for _ in range(2)]
    sim.run(until=41)
    sim.submit_action(first.instance_id, "Release_Nodes")
    sim.run(until=121)
    assert [i.instance_status for i in queued] == [RUNNING, "VOID -> RUNNING"]


def test_dynamic_node_source_provisions_after_its_delay(make_sim):
    sim = make_sim(
        node_sources=[
            NodeSourceConfig("LocalNodes", 1),
            NodeSourceConfig("AzureCloud", 0, max_nodes=2, provisioning_delay=180),
        ]
    )
    instances = [sim.submit_activation("MongoDB") for _ in range(4)]
    sim.run(until=41)
    assert [i.instance_status for i in instances].count(RUNNING) == 1
    sim.run(until=220)
    assert [i.instance_status for i in instances].count(RUNNING) == 3
    assert len(sim.cluster.nodes) == 3  # never beyond max_nodes
    assert instances[3].instance_status == "VOID -> RUNNING"


def test_instances_sharing_a_name_each_keep_their_own_token(make_sim):
    sim = make_sim(nodes=3)
    first = sim.submit_activation("MongoDB", {"INSTANCE_NAME": "db"})
    second = sim.submit_activation("MongoDB", {"INSTANCE_NAME": "db"})
    sim.run(until=41)
    second_node = sim.cluster.node(second.deployments[0].node["name"])
    sim.kill(first.instance_id)
    assert second.instance_status == RUNNING
    assert list(second_node.tokens) == ["PSA_db"]
    sim.fail_node(second_node.name)
    assert second.instance_status == ERROR and sim.cluster.tokens() == []
    assert sim.leaks() == []


def test_an_invalid_service_port_is_refused_before_anything_is_created(make_sim):
    sim = make_sim()
    with pytest.raises(InvalidInput, match=r"SERVICE_PORT: 70000 is not -1 nor a port"):
        sim.submit_activation("MongoDB", {"SERVICE_PORT": "70000"})
    assert list(sim.store) == [] and sim.cluster.tokens() == []
    # No job id was taken by the refused request either.
    instance = sim.submit_activation("MongoDB")
    assert instance.job_submissions[0].job_id == 1
