"""An instance's life-cycle through the engine, as a PSA user would observe it."""

from __future__ import annotations

import pytest

from psa_sim.engine.jobs import JobStatus
from psa_sim.errors import Conflict, InvalidInput, NotFound
from psa_sim.model.endpoints import PROXY_GROUPS
from psa_sim.states import FINISHED, KILLED, PAUSED, RUNNING


def test_mongodb_start_pause_resume_finish(make_sim):
    sim = make_sim()
    instance = sim.submit_activation("MongoDB", {"USER": "app", "PASSWORD": "secret"})
    assert instance.instance_status == "VOID -> RUNNING"
    activation_job = instance.job_submissions[0].job_id
    # $PA_JOB_ID in the defaults resolves to the activation job's id.
    assert instance.variables["INSTANCE_NAME"] == f"mongodb-server-{activation_job}"

    sim.run(until=40)
    assert instance.instance_status == RUNNING
    [deployment] = instance.deployments
    node = sim.cluster.node(deployment.node["name"])
    assert deployment.url.startswith(f"mongodb://{node.host}:")
    port = int(deployment.url.rsplit(":", 1)[1])
    assert 9000 <= port <= 9999
    token = f"PSA_{instance.name}"
    assert list(node.tokens) == [token]
    assert sim.job(activation_job).status is JobStatus.RUNNING  # it loops on health

    sim.submit_action(instance.instance_id, "Pause_MongoDB")
    assert instance.instance_status == "RUNNING -> PAUSED"
    sim.run(until=55)
    assert instance.instance_status == PAUSED
    assert instance.channel["PAUSE_LAUNCHED"] is True

    sim.submit_action(instance.instance_id, "Resume_MongoDB")
    sim.run(until=70)
    assert instance.instance_status == RUNNING
    assert instance.channel["RESUMED"] is True

    sim.submit_action(instance.instance_id, "Finish_MongoDB")
    sim.run(until=85)
    assert instance.instance_status == FINISHED
    assert instance.finish_time == sim.epoch_ms + 80_000
    # The activation's loop removes the token at its next check (t=120), then ends.
    assert token in sim.cluster.tokens()
    sim.run(until=121)
    assert sim.cluster.tokens() == []
    assert sim.job(activation_job).status is JobStatus.FINISHED
    assert sim.job(activation_job).result["IS_FINISHED"] == "true"
    assert port not in node.ports.used
    assert [s.transition_state for s in instance.job_submissions] == [
        "RUNNING -> FINISHED",
        "PAUSED -> RUNNING",
        "RUNNING -> PAUSED",
        "VOID -> RUNNING",
    ]
    ids = [s.job_id for s in instance.job_submissions]
    assert ids == sorted(ids, reverse=True)
    assert sim.leaks() == []


def test_service_instance_data_has_the_real_fields(make_sim):
    sim = make_sim()
    instance = sim.submit_activation("JupyterLab", {"PROXYFIED": "true"})
    sim.run(until=41)
    data = instance.to_data()
    assert list(data) == [
        "instance_id",
        "service_id",
        "bucket_name",
        "user_name",
        "label",
        "instance_status",
        "creation_time",
        "finish_time",
        "service_icon",
        "variables",
        "deployments",
        "groups",
        "job_submissions",
    ]
    assert data["service_id"] == "JupyterLab"
    assert data["bucket_name"] == "service-automation"
    assert all(isinstance(v, str) for v in data["variables"].values())
    endpoint = data["deployments"][0]["endpoint"]
    assert set(endpoint) == {"id", "url", "proxyfied", "proxyfiedUrl"}
    assert endpoint["proxyfied"] is True
    assert endpoint["proxyfiedUrl"] == (
        f"http://127.0.0.1:8080/cloud-automation-service/services/"
        f"{instance.instance_id}/endpoints/{endpoint['id']}/"
    )
    assert data["groups"] == list(PROXY_GROUPS)
    assert set(data["job_submissions"][0]) == {
        "transition_state",
        "parent_job_id",
        "job_id",
        "submission_time",
    }


@pytest.mark.parametrize(
    "variables, scheme",
    [
        ({"HTTPS_ENABLED": "true"}, "https"),
        ({"HTTPS_ENABLED": "false"}, "http"),
    ],
)
def test_endpoint_scheme_follows_https_enabled(make_sim, variables, scheme):
    sim = make_sim()
    instance = sim.submit_activation("JupyterLab", variables)
    sim.run(until=41)
    assert instance.deployments[0].url.startswith(f"{scheme}://")
    assert instance.deployments[0].proxyfied_url is None
    assert instance.groups == []


def test_no_action_while_transitioning_except_kill(make_sim):
    sim = make_sim()
    instance = sim.submit_activation("MongoDB")
    with pytest.raises(Conflict, match=r"transitioning \(VOID -> RUNNING\).*except a kill"):
        sim.submit_action(instance.instance_id, "Finish_MongoDB")
    sim.kill(instance.instance_id)
    assert instance.instance_status == KILLED
    assert all(sim.job(s.job_id).status is JobStatus.KILLED for s in instance.job_submissions)
    sim.run(until=100)
    assert instance.instance_status == KILLED  # the killed job never reports a state
    assert sim.cluster.tokens() == [] and sim.leaks() == []


def test_kill_a_running_instance_releases_token_and_ports(make_sim):
    sim = make_sim()
    instance = sim.submit_activation("MongoDB")
    sim.run(until=41)
    node = sim.cluster.node(instance.deployments[0].node["name"])
    sim.kill(instance.instance_id)
    assert instance.instance_status == KILLED and instance.finish_time is not None
    assert node.tokens == {} and node.ports.used == set()
    assert node in sim.cluster.free_plain


def test_action_not_executable_lists_the_executable_ones(make_sim):
    sim = make_sim()
    instance = sim.submit_activation("MongoDB")
    sim.run(until=41)
    with pytest.raises(Conflict) as info:
        sim.submit_action(instance.instance_id, "Resume_MongoDB")
    assert "state RUNNING" in str(info.value)
    assert "executable actions: Finish_MongoDB, Pause_MongoDB" in str(info.value)
    assert instance.instance_status == RUNNING and len(instance.job_submissions) == 1


def test_action_of_another_service_is_refused(make_sim):
    sim = make_sim()
    instance = sim.submit_activation("MongoDB")
    sim.run(until=41)
    with pytest.raises(InvalidInput, match="'Finish_MySQL' belongs to service 'MySQL'"):
        sim.submit_action(instance.instance_id, "Finish_MySQL")


def test_unknown_workflow_and_instance(make_sim):
    sim = make_sim()
    with pytest.raises(NotFound, match="Nope"):
        sim.submit_activation("Nope")
    with pytest.raises(NotFound, match="instance_id: no service instance 42"):
        sim.submit_action(42, "Finish_MongoDB")
    with pytest.raises(InvalidInput, match="'Finish_MongoDB' is not an activation"):
        sim.submit_activation("Finish_MongoDB")


def test_invalid_variables_are_refused_and_nothing_is_created(make_sim):
    sim = make_sim()
    with pytest.raises(InvalidInput) as info:
        sim.submit_activation("MongoDB", {"SERVICE_PORT": "abc", "ENGINE": "podman"})
    message = str(info.value)
    assert "SERVICE_PORT" in message and "'abc'" in message
    assert "ENGINE" in message and "'podman'" in message
    assert len(sim.store) == 0 and sim.scheduler.jobs == {}


def test_variables_are_stored_when_the_action_is_submitted_later_wins(make_sim):
    # The guide: an action's variables are stored "when an Action is executed".
    sim = make_sim()
    instance = sim.submit_activation("MongoDB", {"USER": "first"})
    sim.run(until=41)
    sim.action_failure_probability = 1.0
    sim.submit_action(instance.instance_id, "Pause_MongoDB", {"USER": "second", "EXTRA": "x"})
    assert instance.variables["USER"] == "second"
    assert instance.variables["EXTRA"] == "x"
    sim.run(until=60)
    assert instance.instance_status == "ERROR"  # the action failed; its variables stay
    assert instance.variables["USER"] == "second"


def test_clean_removes_only_finished_or_killed(make_sim):
    sim = make_sim()
    running = sim.submit_activation("MongoDB")
    killed = sim.submit_activation("MongoDB")
    sim.run(until=41)
    with pytest.raises(Conflict, match="only FINISHED or KILLED"):
        sim.clean(running.instance_id)
    sim.kill(killed.instance_id)
    sim.clean(killed.instance_id)
    with pytest.raises(NotFound):
        sim.instance(killed.instance_id)
    assert [i.instance_id for i in sim.store.active()] == [running.instance_id]


def test_spark_hdfs_chain_adds_and_removes_endpoints(make_sim):
    sim = make_sim()
    instance = sim.submit_activation("Reserve_Nodes")
    sim.run(until=41)
    assert instance.instance_status == "PA_NODES_RESERVED"
    t = 41
    for step, state, endpoints in [
        ("Deploy_Swarm", "SWARM_DEPLOYED", ["consul_UI"]),
        ("Deploy_HDFS", "HDFS_DEPLOYED", ["consul_UI", "HDFS_UI"]),
        ("Deploy_Spark", "HDFS_SPARK_DEPLOYED", ["consul_UI", "HDFS_UI", "SPARK_UI"]),
        ("Delete_Spark", "HDFS_DEPLOYED", ["consul_UI", "HDFS_UI"]),
    ]:
        sim.submit_action(instance.instance_id, step)
        t += 11
        sim.run(until=t)
        assert instance.instance_status == state
        assert [d.endpoint_id for d in instance.deployments] == endpoints
    node = sim.cluster.node(instance.deployments[0].node["name"])
    assert len(node.ports.used) == 1 + 2  # the platform's own port + two endpoints


def test_spark_without_hdfs_is_the_third_action_at_swarm_deployed(make_sim):
    sim = make_sim()
    instance = sim.submit_activation("Reserve_Nodes")
    sim.run(until=41)
    sim.submit_action(instance.instance_id, "Deploy_Swarm")
    sim.run(until=52)
    assert instance.instance_status == "SWARM_DEPLOYED"
    actions = [w.name for _, w in sim.executable_actions(instance.instance_id)]
    assert actions == ["Delete_Swarm", "Deploy_HDFS", "Deploy_Spark"]
    sim.submit_action(instance.instance_id, "Deploy_Spark")
    sim.run(until=63)
    assert instance.instance_status == "SPARK_DEPLOYED"
    assert [d.endpoint_id for d in instance.deployments] == ["consul_UI", "SPARK_UI"]
    sim.submit_action(instance.instance_id, "Delete_Spark")
    sim.run(until=74)
    assert instance.instance_status == "SWARM_DEPLOYED"
    assert [d.endpoint_id for d in instance.deployments] == ["consul_UI"]


def test_token_keeps_other_services_off_the_node(make_sim):
    sim = make_sim(nodes=1)
    first = sim.submit_activation("MongoDB")
    second = sim.submit_activation("MySQL")
    sim.run(until=100)
    assert first.instance_status == RUNNING
    assert second.instance_status == "VOID -> RUNNING"  # its job waits for a node
    job = sim.job(second.job_submissions[0].job_id)
    assert job.status is JobStatus.PENDING and sim.scheduler.queued() == 1
    sim.submit_action(first.instance_id, "Finish_MongoDB")
    sim.run(until=115)
    assert first.instance_status == FINISHED
    assert second.instance_status == "VOID -> RUNNING"  # the token stays until t=120
    sim.run(until=161)
    assert second.instance_status == RUNNING
    assert job.started_at == 120


def test_action_tasks_run_on_the_node_holding_the_token(make_sim):
    sim = make_sim(nodes=3)
    instances = [sim.submit_activation("MongoDB") for _ in range(3)]
    sim.run(until=41)
    target = instances[1]
    sim.submit_action(target.instance_id, "Pause_MongoDB")
    job = sim.job(target.job_submissions[0].job_id)
    assert job.token == f"PSA_{target.name}"
    assert job.node.name == target.deployments[0].node["name"]


def test_explicit_port_is_used_then_released_at_finish(make_sim):
    sim = make_sim(nodes=1)
    first = sim.submit_activation("MongoDB", {"SERVICE_PORT": "27017"})
    sim.run(until=41)
    assert first.deployments[0].url.endswith(":27017")
    # One node, one host: the second instance waits for it, then asks the same port.
    second = sim.submit_activation("JupyterLab", {"SERVICE_PORT": "27017"})
    sim.submit_action(first.instance_id, "Finish_MongoDB")
    sim.run(until=200)
    # The first instance's port was released at its finish: the second one gets it.
    assert second.instance_status == RUNNING
    assert second.deployments[0].url.endswith(":27017")


def test_port_in_use_puts_the_instance_in_error(make_sim):
    sim = make_sim(nodes=1)
    first = sim.submit_activation("Reserve_Nodes")
    sim.run(until=41)
    node = sim.cluster.nodes[0]
    node.ports.used.add(8888)  # another service on this host already listens there
    sim.submit_action(first.instance_id, "Release_Nodes")
    sim.run(until=121)  # the loop frees the node
    second = sim.submit_activation("JupyterLab", {"SERVICE_PORT": "8888"})
    sim.run(until=200)
    assert second.instance_status == "ERROR"
    assert second.error_cause == f"SERVICE_PORT: port 8888 is already in use on host {node.host}"
    assert sim.job(second.job_submissions[0].job_id).status is JobStatus.FAILED
    assert sim.leaks() == [] and sim.cluster.tokens() == []


def test_token_written_without_prefix_still_reaches_the_instance_node(make_sim, catalog):
    """Older real workflows ask for NODE_ACCESS_TOKEN=$INSTANCE_NAME at job level."""
    from psa_sim.catalog import ServiceIndex, parse_workflow

    pause = catalog.get("service-automation", "Pause_MongoDB")
    xml = pause.xml.replace('value="PSA_$INSTANCE_NAME"', 'value="$INSTANCE_NAME"')
    assert xml != pause.xml
    index = ServiceIndex(catalog.items())
    index.add("service-automation", parse_workflow(xml, "old-style.xml"))
    sim = make_sim(nodes=3)
    sim.index = index
    instances = [sim.submit_activation("MongoDB") for _ in range(3)]
    sim.run(until=41)
    sim.submit_action(instances[2].instance_id, "Pause_MongoDB")
    job = sim.job(instances[2].job_submissions[0].job_id)
    assert job.token == f"PSA_{instances[2].name}"
    assert job.node.name == instances[2].deployments[0].node["name"]
