"""Multi-node services and services deployed on another instance, as the real
Docker_Swarm (TARGETED_NB_PA_NODES) and HDFS/Spark (swarm_service_instance_id) declare."""

from __future__ import annotations

from pathlib import Path

import pytest

from psa_sim.catalog import load_catalog
from psa_sim.engine.cluster import NodeSourceConfig
from psa_sim.engine.simulation import Simulation
from psa_sim.errors import InvalidInput


def _activation(directory: Path, name: str, variables: dict[str, str]) -> None:
    declared = "".join(f'<variable name="{k}" value="{v}"/>' for k, v in variables.items())
    (directory / f"{name}.xml").write_text(
        f'<job xmlns="urn:proactive:jobdescriptor:3.14" name="{name}"><variables>'
        f'<variable name="INSTANCE_NAME" value="{name.lower()}-$PA_JOB_ID"/>{declared}'
        f'</variables><genericInformation><info name="pca.service.id" value="{name}"/>'
        '<info name="pca.states" value="(VOID,RUNNING)"/></genericInformation>'
        '<taskFlow><task name="t"><scriptExecutable><script><code language="bash">true'
        "</code></script></scriptExecutable></task></taskFlow></job>"
    )
    (directory / f"Finish_{name}.xml").write_text(
        f'<job xmlns="urn:proactive:jobdescriptor:3.14" name="Finish_{name}">'
        f'<genericInformation><info name="pca.service.id" value="{name}"/>'
        '<info name="pca.states" value="(RUNNING,FINISHED)(ERROR,FINISHED)"/>'
        '</genericInformation><taskFlow><task name="t"><genericInformation>'
        '<info name="NODE_ACCESS_TOKEN" value="PSA_$INSTANCE_NAME"/></genericInformation>'
        '<scriptExecutable><script><code language="bash">true</code></script>'
        "</scriptExecutable></task></taskFlow></job>"
    )


@pytest.fixture
def sim(tmp_path):
    _activation(tmp_path, "Swarm", {"TARGETED_NB_PA_NODES": "3"})
    _activation(tmp_path, "Hdfs", {"swarm_service_instance_id": "xx"})
    return Simulation(load_catalog(tmp_path), node_sources=[NodeSourceConfig("LocalNodes", 4)])


def _token_nodes(sim: Simulation, token: str) -> list[str]:
    return sorted(n.name for n in sim.cluster.nodes if token in n.tokens)


def test_a_swarm_takes_its_nodes_each_with_the_token_and_gives_them_back(sim):
    swarm = sim.submit_activation("Swarm")
    sim.run(until=600)
    assert swarm.state == "RUNNING"
    assert len(_token_nodes(sim, "PSA_" + swarm.name)) == 3
    sim.submit_action(swarm.instance_id, "Finish_Swarm")
    sim.run(until=1200)
    assert swarm.state == "FINISHED"
    assert _token_nodes(sim, "PSA_" + swarm.name) == [] and sim.leaks() == []


def test_too_few_free_nodes_fail_the_activation_naming_the_variable(sim):
    first = sim.submit_activation("Swarm")
    sim.run(until=600)
    second = sim.submit_activation("Swarm")  # one node left
    sim.run(until=1200)
    assert first.state == "RUNNING" and second.state == "ERROR"
    assert second.error_cause == "TARGETED_NB_PA_NODES: 3 nodes are needed, only 1 free"
    assert len(_token_nodes(sim, "PSA_" + first.name)) == 3 and sim.leaks() == []
    bad = sim.submit_activation("Swarm", {"TARGETED_NB_PA_NODES": "none"})
    sim.run(until=1800)
    assert bad.error_cause == "TARGETED_NB_PA_NODES: 'none' is not a number of nodes (1 or more)"


def test_a_service_on_a_swarm_runs_on_its_nodes(sim):
    swarm = sim.submit_activation("Swarm")
    sim.run(until=600)
    hdfs = sim.submit_activation("Hdfs", {"swarm_service_instance_id": str(swarm.instance_id)})
    sim.run(until=1200)
    assert hdfs.state == "RUNNING"
    assert hdfs.runtime.node.name in _token_nodes(sim, "PSA_" + swarm.name)
    assert hdfs.variables["swarm_token_name"] == "PSA_" + swarm.name


def test_an_unknown_or_unusable_swarm_id_is_refused_naming_the_variable(sim):
    with pytest.raises(InvalidInput, match="swarm_service_instance_id: 'xx' is not the id"):
        sim.submit_activation("Hdfs")
    with pytest.raises(InvalidInput, match="swarm_service_instance_id: '42' is not the id"):
        sim.submit_activation("Hdfs", {"swarm_service_instance_id": "42"})
    swarm = sim.submit_activation("Swarm")
    with pytest.raises(InvalidInput, match=r"swarm_service_instance_id: instance 1 \(Swarm\)"):
        sim.submit_activation("Hdfs", {"swarm_service_instance_id": str(swarm.instance_id)})
    assert len(sim.store) == 1  # nothing half-created


def _multi_node_task_service(directory: Path) -> None:
    """Our own service shaped as the real SSH_Terminal_For_Distributed_Nodes: its start
    task is a multi-node task (`<parallel numberOfNodes="${NUMBER_OF_HOSTS}">`)."""
    (directory / "Hosts.xml").write_text(
        '<job xmlns="urn:proactive:jobdescriptor:3.14" name="Hosts"><variables>'
        '<variable name="INSTANCE_NAME" value="hosts-$PA_JOB_ID"/>'
        '<variable name="NUMBER_OF_HOSTS" value="2" model="PA:INTEGER"/></variables>'
        '<genericInformation><info name="pca.service.id" value="Hosts"/>'
        '<info name="pca.states" value="(VOID,RUNNING)"/></genericInformation>'
        '<taskFlow><task name="Start_On_Hosts"><parallel numberOfNodes="${NUMBER_OF_HOSTS}">'
        "<topology><differentHostsExclusive/></topology></parallel>"
        '<scriptExecutable><script><code language="bash">true</code></script>'
        "</scriptExecutable></task></taskFlow></job>"
    )
    (directory / "Finish_Hosts.xml").write_text(
        '<job xmlns="urn:proactive:jobdescriptor:3.14" name="Finish_Hosts">'
        '<genericInformation><info name="pca.service.id" value="Hosts"/>'
        '<info name="pca.states" value="(RUNNING,FINISHED)(ERROR,FINISHED)"/>'
        '</genericInformation><taskFlow><task name="t"><genericInformation>'
        '<info name="NODE_ACCESS_TOKEN" value="PSA_$INSTANCE_NAME"/></genericInformation>'
        '<scriptExecutable><script><code language="bash">true</code></script>'
        "</scriptExecutable></task></taskFlow></job>"
    )


@pytest.fixture
def hosts_sim(tmp_path):
    _multi_node_task_service(tmp_path)
    return Simulation(load_catalog(tmp_path), node_sources=[NodeSourceConfig("LocalNodes", 5)])


def test_a_multi_node_task_takes_its_number_of_nodes_each_with_the_token(hosts_sim):
    sim = hosts_sim
    hosts = sim.submit_activation("Hosts")
    wide = sim.submit_activation("Hosts", {"NUMBER_OF_HOSTS": "3"})
    sim.run(until=600)
    assert hosts.state == "RUNNING" and wide.state == "RUNNING"
    assert len(_token_nodes(sim, "PSA_" + hosts.name)) == 2
    assert len(_token_nodes(sim, "PSA_" + wide.name)) == 3
    assert len(sim.cluster.free_plain) == 0  # 2 + 3 of the 5 nodes, all reserved
    sim.submit_action(hosts.instance_id, "Finish_Hosts")
    sim.submit_action(wide.instance_id, "Finish_Hosts")
    sim.run(until=1200)
    assert hosts.state == "FINISHED" and wide.state == "FINISHED"
    assert _token_nodes(sim, "PSA_" + hosts.name) == [] and sim.leaks() == []
    assert all(not n.tokens for n in sim.cluster.nodes)


def test_a_multi_node_task_with_too_few_nodes_fails_naming_the_task(hosts_sim):
    sim = hosts_sim
    big = sim.submit_activation("Hosts", {"NUMBER_OF_HOSTS": "6"})
    sim.run(until=600)
    assert big.state == "ERROR"
    assert big.error_cause == (
        "task 'Start_On_Hosts' numberOfNodes: 6 nodes are needed, only 5 free"
    )
    assert all(not n.tokens for n in sim.cluster.nodes) and sim.leaks() == []
    zero = sim.submit_activation("Hosts", {"NUMBER_OF_HOSTS": "0"})
    sim.run(until=1200)
    assert (
        zero.error_cause
        == "task 'Start_On_Hosts' numberOfNodes: '0' is not a number of nodes (1 or more)"
    )
