"""Kafka and Storm need a Zookeeper: they reuse a RUNNING one or start one."""

from __future__ import annotations

from psa_sim.states import ERROR, RUNNING


def _zookeepers(sim):
    return [i for i in sim.store if i.service_id == "Zookeeper"]


def test_kafka_starts_its_zookeeper_and_records_the_parent_job(make_sim):
    sim = make_sim(nodes=3)
    kafka = sim.submit_activation("Kafka")
    kafka_job = kafka.job_submissions[0].job_id
    [zookeeper] = _zookeepers(sim)
    assert zookeeper.name == "zookeeper-server-1"
    assert zookeeper.job_submissions[0].parent_job_id == kafka_job
    assert sim.job(kafka_job).status.value == "PENDING"  # waits for its Zookeeper
    sim.run(until=41)
    assert zookeeper.instance_status == RUNNING
    assert kafka.instance_status == "VOID -> RUNNING"
    sim.run(until=81)
    assert kafka.instance_status == RUNNING
    assert kafka.deployments[0].node["name"] != zookeeper.deployments[0].node["name"]


def test_a_second_kafka_reuses_the_running_zookeeper(make_sim):
    sim = make_sim(nodes=4)
    sim.submit_activation("Kafka")
    sim.run(until=100)
    second = sim.submit_activation("Kafka", {"INSTANCE_NAME": "kafka-server-2"})
    sim.run(until=141)
    assert second.instance_status == RUNNING
    assert len(_zookeepers(sim)) == 1


def test_two_kafkas_at_once_share_the_zookeeper_being_started(make_sim):
    sim = make_sim(nodes=4)
    sim.submit_activation("Kafka")
    sim.submit_activation("Storm")
    sim.run(until=100)
    assert len(_zookeepers(sim)) == 1


def test_a_failed_zookeeper_fails_the_kafka_activation(make_sim):
    sim = make_sim(nodes=3, action_failure_probability=1.0)
    kafka = sim.submit_activation("Kafka")
    sim.run(until=100)
    [zookeeper] = _zookeepers(sim)
    assert zookeeper.instance_status == ERROR
    assert kafka.instance_status == ERROR
    assert kafka.error_cause == "dependency Zookeeper instance 'zookeeper-server-1' is ERROR"
    assert sim.leaks() == []


def test_kafka_with_another_zookeeper_name_starts_a_second_one(make_sim):
    sim = make_sim(nodes=4)
    sim.submit_activation("Kafka")
    sim.submit_activation("Kafka", {"INSTANCE_NAME": "kafka-2", "ZOOKEEPER_INSTANCE_NAME": "zk-2"})
    sim.run(until=100)
    assert sorted(z.name for z in _zookeepers(sim)) == ["zk-2", "zookeeper-server-1"]


def test_finishing_kafka_finishes_its_zookeeper_unless_told_not_to(make_sim):
    # The real Finish_Kafka's Stop_Zookeeper_Service task, guarded by
    # TERMINATE_ZOOKEEPER_ON_FINISH (default true).
    sim = make_sim(nodes=4)
    kafka = sim.submit_activation("Kafka", {"ZOOKEEPER_INSTANCE_NAME": "zk-a"})
    kept = sim.submit_activation(
        "Kafka",
        {
            "INSTANCE_NAME": "kafka-b",
            "ZOOKEEPER_INSTANCE_NAME": "zk-b",
            "TERMINATE_ZOOKEEPER_ON_FINISH": "false",
        },
    )
    sim.run(until=600)
    [zk_a] = sim.store.find_live_by_name("Zookeeper", "zk-a")
    [zk_b] = sim.store.find_live_by_name("Zookeeper", "zk-b")
    assert kafka.state == kept.state == zk_a.state == zk_b.state == "RUNNING"
    sim.submit_action(kafka.instance_id, "Finish_Kafka")
    sim.submit_action(kept.instance_id, "Finish_Kafka")
    sim.run(until=1200)
    assert kafka.state == kept.state == "FINISHED"
    assert zk_a.state == "FINISHED"  # finished with its Kafka
    assert zk_b.state == "RUNNING"  # TERMINATE_ZOOKEEPER_ON_FINISH=false keeps it
    assert sim.leaks() == []
