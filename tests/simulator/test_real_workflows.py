"""Every real PSA workflow of a folder (PSA_REAL_WORKFLOWS_DIR), run as a user would.

Skipped without the variable: the public examples are not redistributed here. With it:
validate every file, then, per service, one instance through its activation and, for
every action reachable in its state graph, a fresh instance driven there by the shortest
path and the action run. It prints, per service, the endpoint, the deployments and the
states reached, and asserts what a client relies on: no unexpected error, every
transition ends, the endpoint a real server would record (Post_Start_Service with its
scheme) is there with that scheme, nothing leaks once every instance is finished.
"""

from __future__ import annotations

import os
from collections import deque
from pathlib import Path

import pytest

from psa_sim.catalog import load_catalog, validate_files
from psa_sim.engine.cluster import NodeSourceConfig
from psa_sim.engine.script_library import plan_of
from psa_sim.engine.simulation import Simulation
from psa_sim.errors import PsaError
from psa_sim.model.endpoints import endpoint_scheme
from psa_sim.states import ENDED_STATES, ERROR, VOID

REAL_DIR = os.environ.get("PSA_REAL_WORKFLOWS_DIR")
pytestmark = pytest.mark.skipif(
    not REAL_DIR, reason="set PSA_REAL_WORKFLOWS_DIR to a directory of real PSA workflow XML files"
)


def _paths(graph: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    """State → the shortest list of workflows leading there from VOID."""
    paths: dict[str, list[str]] = {VOID: []}
    queue = deque([VOID])
    while queue:
        state = queue.popleft()
        for workflow, target in sorted(graph.get(state, {}).items()):
            if target not in paths:
                paths[target] = [*paths[state], workflow]
                queue.append(target)
    return paths


def _settle(sim: Simulation) -> None:
    sim.run(until=sim.now + 3600)


# The services a `<x>_service_instance_id` variable names in the real workflows.
PROVIDERS = {"swarm": "Docker_Swarm", "hdfs": "HDFS", "yarn": "YARN"}


def _links(sim: Simulation, workflow, cache: dict[str, str]) -> dict[str, str]:
    """Values for the workflow's `<x>_service_instance_id` variables: the id of a RUNNING
    instance of that service, started (with its own links) the first time."""
    values = {}
    for variable in workflow.variables:
        name = variable.name
        if not name.endswith("_service_instance_id"):
            continue
        prefix = name[: -len("_service_instance_id")]
        if prefix not in cache:
            _bucket, provider = sim.index.activations(PROVIDERS[prefix])[0]
            instance = sim.submit_activation(provider.name, _links(sim, provider, cache))
            _settle(sim)
            cache[prefix] = str(instance.instance_id)
        values[name] = cache[prefix]
    return values


def test_every_real_service_activates_and_runs_its_actions():
    files = sorted(Path(REAL_DIR).rglob("*.xml"))
    assert files, f"no *.xml under {REAL_DIR}"
    invalid = [f"{r.path}: {r.errors}" for r in validate_files(files) if not r.ok]
    assert invalid == []
    index = load_catalog(REAL_DIR)
    sim = Simulation(index, seed=1, node_sources=[NodeSourceConfig("LocalNodes", 400)])
    rows, problems = [], []
    providers: dict[str, str] = {}
    expected_endpoints = given_endpoints = 0
    expected_masters = given_masters = 0
    for service_id in index.services():
        activations = index.activations(service_id)
        if not activations:
            rows.append(f"{service_id}: no activation")
            continue
        bucket, activation = activations[0]
        graph = index.state_graph(service_id)
        paths = _paths(graph)
        try:
            links = _links(sim, activation, providers)
            instance = sim.submit_activation(activation.name, links, bucket=bucket)
        except PsaError as error:
            problems.append(f"{service_id}: activation refused: {error}")
            continue
        _settle(sim)
        plan = plan_of(activation)
        scheme = endpoint_scheme(instance.variables, plan.scheme_argument)
        endpoints = [d.url for d in instance.deployments]
        if plan.post_start and scheme:
            expected_endpoints += 1
            if any(url.startswith(f"{scheme}://") for url in endpoints):
                given_endpoints += 1
            else:
                problems.append(f"{service_id}: expected a {scheme}:// endpoint, got {endpoints}")
        # Add_deployments_and_update_service: the master's GUI, http and proxyfied, as
        # HDFS, Spark, HBase, Hive and YARN build it (Docker_Swarm's have no URL).
        if plan.deployments_basename and not plan.post_start and not instance.runtime.extra_nodes:
            expected_masters += 1
            master = instance.deployments[0] if instance.deployments else None
            if master is not None and master.url.startswith("http://") and master.proxyfied:
                given_masters += 1
            else:
                problems.append(
                    f"{service_id}: expected a proxyfied http:// master, got {endpoints}"
                )
        if instance.is_transitioning:
            problems.append(f"{service_id}: activation still {instance.instance_status}")
        reached = [f"{activation.name} -> {instance.instance_status}"]
        # Every action of every reachable state, each on a fresh instance driven there.
        for state, path in sorted(paths.items()):
            if state in ENDED_STATES or state in (VOID, ERROR):
                continue
            for workflow in sorted(graph.get(state, {})):
                subject = sim.submit_activation(activation.name, links, bucket=bucket)
                _settle(sim)
                for step in path[1:]:
                    if subject.state != ERROR:
                        sim.submit_action(subject.instance_id, step)
                        _settle(sim)
                if subject.state != state or subject.is_transitioning:
                    problems.append(
                        f"{service_id}: could not reach {state} ({subject.instance_status})"
                    )
                    continue
                sim.submit_action(subject.instance_id, workflow)
                _settle(sim)
                if subject.is_transitioning:
                    problems.append(f"{service_id}: {workflow} still {subject.instance_status}")
                reached.append(f"{state} --{workflow}--> {subject.instance_status}")
        nodes = 1 + len(instance.runtime.extra_nodes) if instance.runtime.node else 0
        rows.append(
            f"{service_id}: endpoint {endpoints or 'none'}; deployments "
            f"{len(instance.deployments)}; nodes {nodes}; {'; '.join(reached)}"
        )
    # Finish what is still alive, so that leaks can be judged.
    for instance in list(sim.store):
        for _bucket, workflow in sim.executable_actions(instance.instance_id):
            if workflow.target_state(instance.state) == "FINISHED":
                sim.submit_action(instance.instance_id, workflow.name)
                break
    _settle(sim)
    print(f"\n{len(files)} real workflow files, {len(index.services())} services")
    print("\n".join(rows))
    print(
        f"endpoints: {given_endpoints} of {expected_endpoints} services whose real "
        f"Post_Start_Service records one get it, with its scheme"
    )
    print(
        f"master endpoints: {given_masters} of {expected_masters} services calling "
        f"Add_deployments_and_update_service with a master GUI get it (http, proxyfied)"
    )
    assert problems == []
    assert sim.leaks() == []
