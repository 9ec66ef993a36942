"""Engine operations the server exposes: idle detection, job kill, reported states, tokens."""

from __future__ import annotations

import pytest

from psa_sim.engine.jobs import JobStatus
from psa_sim.errors import Conflict, InvalidInput, NotFound
from psa_sim.states import ERROR, FINISHED, PAUSED, RUNNING


def test_run_until_idle_completes_work_and_stops_on_healthy_loops(make_sim):
    sim = make_sim()
    instance = sim.submit_activation("MongoDB")
    sim.run_until_idle()
    assert instance.instance_status == RUNNING and sim.now == 40
    assert not sim.has_work()
    sim.submit_action(instance.instance_id, "Finish_MongoDB")
    sim.run_until_idle()
    # Finished at 50, and the loop released the token at its next check, on the minute.
    assert instance.instance_status == FINISHED and sim.now == 60
    assert sim.cluster.tokens() == []


def test_run_until_idle_reaches_the_check_that_sees_a_crash(make_sim):
    sim = make_sim()
    instance = sim.submit_activation("MongoDB")
    sim.run_until_idle()
    sim.crash_container(instance.instance_id)
    assert sim.has_work()
    sim.run_until_idle()
    assert instance.instance_status == ERROR and sim.now == 60


def test_a_paused_instance_crashed_mid_pause_errs_after_resume(make_sim):
    sim = make_sim()
    instance = sim.submit_activation("MongoDB")
    sim.run_until_idle()
    sim.submit_action(instance.instance_id, "Pause_MongoDB")
    sim.run(until=45)  # the pause job runs: PAUSE_LAUNCHED is set
    sim.crash_container(instance.instance_id)
    sim.run_until_idle()
    assert instance.instance_status == PAUSED and not sim.has_work()
    sim.submit_action(instance.instance_id, "Resume_MongoDB")
    sim.run_until_idle()
    assert instance.instance_status == ERROR


def test_kill_job_of_a_transition_puts_the_instance_in_error(make_sim):
    sim = make_sim()
    instance = sim.submit_activation("MongoDB")
    job_id = instance.job_submissions[0].job_id
    sim.kill_job(job_id)
    assert sim.job(job_id).status is JobStatus.KILLED
    assert instance.instance_status == ERROR
    assert instance.error_cause == f"job {job_id} was killed"
    with pytest.raises(Conflict, match="already KILLED"):
        sim.kill_job(job_id)
    with pytest.raises(NotFound, match="no job 999"):
        sim.kill_job(999)


def test_a_reported_finished_state_ends_the_loop(make_sim):
    sim = make_sim()
    instance = sim.submit_activation("MongoDB")
    with pytest.raises(Conflict, match="transitioning"):
        sim.update_instance(instance.instance_id, status=FINISHED)
    sim.run_until_idle()
    sim.update_instance(instance.instance_id, status=FINISHED, variables={"NOTE": 1}, label="done")
    assert instance.variables["NOTE"] == "1" and instance.label == "done"
    sim.run_until_idle()
    assert sim.cluster.tokens() == [] and sim.leaks() == []
    with pytest.raises(InvalidInput, match="'A -> B'"):
        sim.update_instance(instance.instance_id, status="A -> B")


def test_node_tokens_added_and_removed_by_url(make_sim):
    sim = make_sim(nodes=1)
    node = sim.cluster.nodes[0]
    sim.add_node_token(node.url, "reserved")
    instance = sim.submit_activation("MongoDB")
    sim.run(until=100)
    assert instance.instance_status == "VOID -> RUNNING"  # the node is reserved
    sim.remove_node_token(node.url, "reserved")
    sim.run_until_idle()
    assert instance.instance_status == RUNNING
    with pytest.raises(NotFound, match="does not hold token 'reserved'"):
        sim.remove_node_token(node.url, "reserved")
    with pytest.raises(NotFound, match="nodeurl"):
        sim.add_node_token("pnp://nowhere:1/x", "t")


def test_a_long_idle_advance_jumps_over_the_healthy_checks_and_counts_them(make_sim):
    sim = make_sim(nodes=3)
    instances = [sim.submit_activation("MongoDB") for _ in range(3)]
    sim.run(until=60)  # running since 40, checked once at 60
    checks, events = sim.counters.health_checks, sim.counters.events
    ten_years = 10 * 365 * 86400
    sim.run(until=ten_years)
    assert sim.now == ten_years
    ticks = ten_years // 60 - 1  # every minute from 120 to ten_years
    assert sim.counters.health_checks - checks == 3 * ticks
    assert sim.counters.events - events < 100  # not one event per tick
    # Time still works afterwards: the next action and the next check happen.
    sim.submit_action(instances[0].instance_id, "Finish_MongoDB")
    sim.run(until=ten_years + 120)
    assert instances[0].instance_status == "FINISHED" and sim.leaks() == []
    assert len(sim.cluster.tokens()) == 2


def test_a_skip_stops_short_of_the_next_real_event(make_sim):
    sim = make_sim(nodes=2)
    first = sim.submit_activation("MongoDB")
    sim.run(until=100)
    sim.fail_node(sim.cluster.nodes[1].name, repair_after=5000)  # a repair to come
    sim.run(until=10_000)
    assert sim.cluster.nodes[1].up
    second = sim.submit_activation("MongoDB")
    sim.run(until=10_100)
    assert second.deployments[0].node["name"] == sim.cluster.nodes[1].name
    assert first.instance_status == "RUNNING"


def test_an_activation_workflow_without_a_service_id_is_refused(catalog, make_sim):
    from psa_sim.catalog import ServiceIndex, parse_workflow

    mongodb = catalog.get("service-automation", "MongoDB")
    xml = mongodb.xml.replace('name="pca.service.id"', 'name="not.a.service.id"')
    assert xml != mongodb.xml
    index = ServiceIndex(catalog.items())
    index.add("lone-workflows", parse_workflow(xml.replace('name="MongoDB"', 'name="Lone"', 1)))
    sim = make_sim()
    sim.index = index
    with pytest.raises(InvalidInput, match=r"'Lone' has no pca\.service\.id"):
        sim.submit_activation("Lone")
    assert list(sim.store) == []
