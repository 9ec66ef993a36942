"""Scenario files: parsing, defaults, every error naming line, key path and value."""

from __future__ import annotations

import dataclasses
import json
import math
import pickle
from pathlib import Path

import pytest

from psa_sim.engine.cluster import NodeSourceConfig
from psa_sim.engine.timing import Distribution, TimingSpec
from psa_sim.errors import InvalidInput
from psa_sim.loadtest.scenario import (
    THRESHOLD_KEYS,
    ActionSpec,
    FaultSpec,
    NodeFailureSpec,
    Scenario,
    ScenarioError,
    WorkloadSpec,
    check_against_catalog,
    load_scenario,
    parse_scenario,
    scenario_to_dict,
)

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

# Line numbers below refer to this text (line 1 is "duration: 1h").
BASE = """\
duration: 1h
cluster:
  node_sources:
    - {name: Local, nodes: 2}
workloads:
  - service: MongoDB
    arrivals_per_hour: 10
"""

CATALOG = {
    "MongoDB": {"MongoDB", "Finish_MongoDB", "Pause_MongoDB", "Resume_MongoDB"},
    "JupyterLab": ["JupyterLab", "Finish_JupyterLab"],
}


def parse(text: str) -> Scenario:
    return parse_scenario(text, "s.yaml")


def error_of(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse(text)
    return info.value


def assert_error(text: str, line: int, path: str, *fragments: str) -> ScenarioError:
    """The error is at ``line``, names ``path`` and contains every fragment (the value...)."""
    error = error_of(text)
    message = str(error)
    assert (error.line, error.path) == (line, path), message
    prefix = f"s.yaml: line {line}: {path}: " if path else f"s.yaml: line {line}: "
    assert message.startswith(prefix), message
    for fragment in fragments:
        assert fragment in message, message
    assert isinstance(error, InvalidInput)
    return error


# -- the example files ----------------------------------------------------------------


def test_mongodb_day_is_the_architecture_example() -> None:
    s = load_scenario(SCENARIOS / "mongodb-day.yaml")
    assert s.source == str(SCENARIOS / "mongodb-day.yaml")
    assert (s.seed, s.duration, s.health_period) == (42, 86400.0, 60.0)
    assert s.cluster == (
        NodeSourceConfig("LocalNodes", 20),
        NodeSourceConfig("AzureCloud", 0, 50, 180.0),
    )
    assert [spec.dynamic for spec in s.cluster] == [False, True]
    assert [spec.capacity for spec in s.cluster] == [20, 50]
    assert s.port_range == (9000, 9999)
    assert s.workloads == (
        WorkloadSpec(
            service="MongoDB",
            arrivals_per_hour=30.0,
            count=500,
            lifetime=7200.0,
            variables={"USER": "app", "PASSWORD": "secret"},
            actions=(ActionSpec("Pause_MongoDB", 1800.0), ActionSpec("Resume_MongoDB", 2700.0)),
        ),
    )
    assert s.faults == FaultSpec(0.01, 0.02, (NodeFailureSpec(21600.0, "LocalNodes", 2, 3600.0),))
    assert s.thresholds == {"p95_time_to_running": 300.0, "error_rate": 0.05}
    assert s.timing == TimingSpec()
    check_against_catalog(s, CATALOG)


def test_quick_demo_is_small() -> None:
    s = load_scenario(SCENARIOS / "quick-demo.yaml")
    assert s.duration == 7200.0
    assert sum(spec.capacity for spec in s.cluster) == 5
    services = {w.service: w for w in s.workloads}
    assert set(services) == {"MongoDB", "JupyterLab"}
    assert [a.action for a in services["MongoDB"].actions] == ["Pause_MongoDB", "Resume_MongoDB"]
    assert all(w.count is not None and w.count <= 10 for w in s.workloads)
    check_against_catalog(s, CATALOG)


# -- defaults and values --------------------------------------------------------------


def test_defaults() -> None:
    s = parse(BASE)
    assert s.seed == 0
    assert s.health_period == 60.0
    assert s.port_range == (9000, 9999)
    assert s.faults == FaultSpec(0.0, 0.0, ())
    assert s.thresholds == {}
    assert s.source == "s.yaml"
    (w,) = s.workloads
    assert w == WorkloadSpec("MongoDB", 10.0)
    assert (w.count, w.lifetime, w.variables, w.actions) == (None, math.inf, {}, ())
    assert (w.workflow, w.start, w.name) == (None, 0.0, "MongoDB")
    assert s.cluster[0].provisioning_delay == 0.0
    assert s.timing.activation == Distribution("lognormal", 40.0, 10.0)
    assert s.timing.finish == Distribution("lognormal", 15.0, 5.0)
    assert s.timing.pause == Distribution("lognormal", 5.0, 2.0)
    assert s.timing.resume == Distribution("lognormal", 5.0, 2.0)
    assert s.timing.action == Distribution("lognormal", 30.0, 10.0)


def test_empty_optional_sections_are_defaults() -> None:
    s = parse(
        BASE.replace("arrivals_per_hour: 10", "arrivals_per_hour: 10\n    lifetime:\n    count: ~")
        + "faults:\nthresholds:\ntiming:\nseed:\n"
    )
    assert s == parse(BASE)


def test_workload_optional_keys() -> None:
    s = parse(
        BASE + "    name: mongo-users\n    workflow: MongoDB\n    start: 30m\n"
        "    count: 3\n    lifetime: never\n"
    )
    (w,) = s.workloads
    assert (w.name, w.workflow, w.start, w.count, w.lifetime) == (
        "mongo-users",
        "MongoDB",
        1800.0,
        3,
        math.inf,
    )


def test_variables_are_strings() -> None:
    s = parse(
        BASE + "    variables: {A: 1, B: true, C: no, D: 1.50, E: ~, F: text, "
        "G: 2024-01-01, ON: x, H: '007', I: 0x1F}\n"
    )
    assert s.workloads[0].variables == {
        "A": "1",
        "B": "true",
        "C": "false",
        "D": "1.50",
        "E": "",
        "F": "text",
        "G": "2024-01-01",
        "ON": "x",
        "H": "007",
        "I": "31",
    }
    assert list(s.workloads[0].variables) == [*list("ABCDEFG"), "ON", "H", "I"]


def test_actions_sorted_by_after_stably() -> None:
    s = parse(
        BASE + "    actions:\n"
        "      - {action: X, after: 30m}\n"
        "      - {action: Y, after: 10m}\n"
        "      - {action: Z, after: 1800}\n"
    )
    assert s.workloads[0].actions == (
        ActionSpec("Y", 600.0),
        ActionSpec("X", 1800.0),
        ActionSpec("Z", 1800.0),
    )


def test_cluster_options() -> None:
    s = parse(
        BASE.replace(
            "    - {name: Local, nodes: 2}",
            "    - {name: Local, nodes: 2, max_nodes: 2}\n"
            "    - {name: Cloud, nodes: 1, max_nodes: 4, provisioning_delay: 90s}\n"
            "  port_range: '10000   10100'",
        )
    )
    local, cloud = s.cluster
    assert (local.dynamic, local.capacity) == (False, 2)
    assert (cloud.dynamic, cloud.capacity, cloud.provisioning_delay) == (True, 4, 90.0)
    assert s.port_range == (10000, 10100)
    assert s.node_source("Cloud") is cloud


def test_only_dynamic_nodes_is_a_cluster() -> None:
    s = parse(BASE.replace("{name: Local, nodes: 2}", "{name: Cloud, nodes: 0, max_nodes: 3}"))
    assert s.cluster[0].dynamic


def test_empty_workload_list_is_allowed() -> None:
    assert (
        parse(BASE.split("  - service")[0].replace("workloads:", "workloads: []")).workloads == ()
    )


def test_quoted_numbers_are_numbers() -> None:
    s = parse(BASE.replace("arrivals_per_hour: 10", "arrivals_per_hour: '2.5'\n    count: '4'"))
    assert (s.workloads[0].arrivals_per_hour, s.workloads[0].count) == (2.5, 4)


def test_faults() -> None:
    s = parse(
        BASE + "faults:\n"
        "  container_crash_per_hour: 0.5\n"
        "  action_failure_probability: 1\n"
        "  node_failures:\n"
        "    - {at: 10m, node_source: Local}\n"
        "    - {at: 5m, node_source: Local, count: 2, repair_after: never}\n"
        "    - {at: 1m, node_source: Local, repair_after: 30s}\n"
    )
    assert s.faults == FaultSpec(
        0.5,
        1.0,
        (
            NodeFailureSpec(600.0, "Local", 1, None),
            NodeFailureSpec(300.0, "Local", 2, None),
            NodeFailureSpec(60.0, "Local", 1, 30.0),
        ),
    )


def test_thresholds_in_canonical_order() -> None:
    s = parse(
        BASE + "thresholds:\n  error_rate: 0.1\n  max_queue_wait: 2m\n"
        "  p50_time_to_running: 90\n  max_node_utilization: 1\n"
    )
    assert list(s.thresholds.items()) == [
        ("p50_time_to_running", 90.0),
        ("max_queue_wait", 120.0),
        ("error_rate", 0.1),
        ("max_node_utilization", 1.0),
    ]
    assert set(THRESHOLD_KEYS.values()) == {"duration", "fraction"}
    assert len(THRESHOLD_KEYS) == 7


def test_timing_overrides_a_subset() -> None:
    s = parse(
        BASE + "timing:\n"
        "  activation: 20s\n"
        "  finish: {distribution: uniform, low: 10s, high: 30s}\n"
        "  pause: {distribution: exponential, mean: 20s}\n"
        "  resume: {distribution: normal, mean: 1m, sd: 0}\n"
    )
    assert s.timing == TimingSpec(
        activation=Distribution("constant", 20.0),
        finish=Distribution("uniform", 20.0, low=10.0, high=30.0),
        pause=Distribution("exponential", 20.0),
        resume=Distribution("normal", 60.0, 0.0),
    )
    assert s.timing.action == Distribution("lognormal", 30.0, 10.0)
    constant = parse(BASE + "timing: {action: {distribution: constant, mean: 2m}}\n")
    assert constant.timing.action == Distribution("constant", 120.0)


def test_anchors_and_merge_keys() -> None:
    s = parse(
        BASE + "    variables: &vars {USER: a, PASSWORD: b}\n"
        "  - <<: {service: MongoDB, arrivals_per_hour: 5}\n"
        "    arrivals_per_hour: 7\n"
        "    variables: *vars\n"
    )
    assert s.workloads[1] == WorkloadSpec("MongoDB", 7.0, variables={"USER": "a", "PASSWORD": "b"})


def test_layout_does_not_matter_for_equality_and_hash() -> None:
    flow = parse(
        "{duration: 3600, cluster: {node_sources: [{name: Local, nodes: 2}]}, "
        "workloads: [{service: MongoDB, arrivals_per_hour: 10.0}]}"
    )
    block = parse(BASE)
    assert flow == block
    assert hash(flow) == hash(block)
    assert flow.positions != block.positions
    assert "positions" not in repr(block)


def test_positions_record_lines_of_keys_and_items() -> None:
    s = parse(BASE)
    assert s.positions["duration"] == 1
    assert s.positions["cluster.node_sources[0]"] == 4
    assert s.positions["cluster.node_sources[0].nodes"] == 4
    assert s.positions["workloads[0].arrivals_per_hour"] == 7


def test_scenario_pickles() -> None:
    s = load_scenario(SCENARIOS / "mongodb-day.yaml")
    copy = pickle.loads(pickle.dumps(s))
    assert copy == s
    assert copy.positions == s.positions


def test_dataclasses_are_frozen() -> None:
    s = parse(BASE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.seed = 1  # type: ignore[misc]


# -- errors ---------------------------------------------------------------------------

ERRORS = [
    # (text, line, key path, fragments the message must contain)
    (
        BASE.replace("arrivals_per_hour: 10", "arrivals_per_hour: lots"),
        7,
        "workloads[0].arrivals_per_hour",
        "'lots' is not a number",
    ),
    (
        BASE.replace("arrivals_per_hour: 10", "arrivals_per_hour: 0"),
        7,
        "workloads[0].arrivals_per_hour",
        "0 must be greater than 0",
    ),
    (
        BASE.replace("arrivals_per_hour: 10", "arrivals_per_hour: .inf"),
        7,
        "workloads[0].arrivals_per_hour",
        ".inf is not a finite number",
    ),
    (
        BASE.replace("arrivals_per_hour: 10", "arrivals_per_hour: .nan"),
        7,
        "workloads[0].arrivals_per_hour",
        ".nan is not a finite number",
    ),
    (
        BASE.replace("arrivals_per_hour: 10", "arrivals_per_hour: [10]"),
        7,
        "workloads[0].arrivals_per_hour",
        "a list where a number is expected",
    ),
    (
        BASE.replace("duration: 1h", "duration: 3 parsecs"),
        1,
        "duration",
        "'3 parsecs' is not a duration (use e.g. 90s, 3m, 1.5h, 2d)",
    ),
    (BASE.replace("duration: 1h", "duration: 0s"), 1, "duration", "'0s' must be longer than 0s"),
    (
        BASE.replace("duration: 1h", "duration: never"),
        1,
        "duration",
        "'never'",
        "finite duration is required",
    ),
    (
        BASE.replace("duration: 1h", "duration: 1h\nhealth_period: -1m"),
        2,
        "health_period",
        "'-1m' is negative",
    ),
    (BASE + "    lifetime: yes\n", 8, "workloads[0].lifetime", "yes is a boolean"),
    (BASE + "    lifetime: -5\n", 8, "workloads[0].lifetime", "-5 is negative"),
    (BASE + "    count: 2.5\n", 8, "workloads[0].count", "2.5 is not a whole number"),
    (BASE + "    count: 0\n", 8, "workloads[0].count", "0 must be greater than 0"),
    (BASE + "    count: true\n", 8, "workloads[0].count", "true is not a whole number", "boolean"),
    (BASE + "    start: 1h\n", 8, "workloads[0].start", "'1h' is not before the end of the run"),
    (BASE + "    name: ''\n", 8, "workloads[0].name", "'' is not a name"),
    (BASE + "    workflow: ' MongoDB'\n", 8, "workloads[0].workflow", "' MongoDB'", "spaces"),
    (
        BASE + "    variables: [USER]\n",
        8,
        "workloads[0].variables",
        "a list where a mapping of variables is expected",
    ),
    (
        BASE + "    variables: {USER: {name: a}}\n",
        8,
        "workloads[0].variables.USER",
        "a mapping where a single value",
    ),
    (
        BASE + "    variables: {'': a}\n",
        8,
        "workloads[0].variables.",
        "variable name cannot be empty",
    ),
    (
        BASE + "    actions:\n      - {action: Pause_MongoDB}\n",
        9,
        "workloads[0].actions[0]",
        "missing required key 'after'",
    ),
    (
        BASE + "    actions:\n      - {action: A, after: 1m}\n      - {action: B, after: soon}\n",
        10,
        "workloads[0].actions[1].after",
        "'soon' is not a duration",
    ),
    (
        BASE + "    actions: {action: A, after: 1m}\n",
        8,
        "workloads[0].actions",
        "a mapping where a list of actions is expected",
    ),
    (
        BASE + "    lifetme: 2h\n",
        8,
        "workloads[0].lifetme",
        "unknown key 'lifetme'",
        "did you mean 'lifetime'?",
        "allowed keys: service, name, workflow, arrivals_per_hour, "
        "count, start, lifetime, variables, actions",
    ),
    (
        BASE.replace("  - service: MongoDB\n", "  - name: m\n"),
        6,
        "workloads[0]",
        "missing required key 'service'",
    ),
    (
        BASE.replace("  - service: MongoDB", "  - service:"),
        6,
        "workloads[0].service",
        "required but its value is empty",
    ),
    (BASE + "  - MongoDB\n", 8, "workloads[1]", "'MongoDB' where a workload mapping"),
    (
        BASE.split("workloads:")[0] + "workloads: {}\n",
        5,
        "workloads",
        "a mapping where a list of workloads is expected",
    ),
    (
        BASE.split("workloads:")[0] + "workloads:\n",
        5,
        "workloads",
        "required but its value is empty",
    ),
    (BASE.split("workloads:")[0], 1, "", "missing required key 'workloads'"),
    (BASE.replace("duration: 1h\n", ""), 1, "", "missing required key 'duration'"),
    (BASE + "seed: -1\n", 8, "seed", "-1 must be 0 or more"),
    (BASE + "seed: 1\nseed: 2\n", 9, "seed", "duplicate key 'seed' (first at line 8)"),
    (BASE + "extra: 1\n", 8, "extra", "unknown key 'extra'", "allowed keys: seed, duration"),
    # cluster
    (
        BASE.replace("nodes: 2}", "nodes: two}"),
        4,
        "cluster.node_sources[0].nodes",
        "'two' is not a whole number",
    ),
    (
        BASE.replace("nodes: 2}", "nodes: -2}"),
        4,
        "cluster.node_sources[0].nodes",
        "-2 must be 0 or more",
    ),
    (
        BASE.replace("nodes: 2}", "nodes: 2, max_nodes: 1}"),
        4,
        "cluster.node_sources[0].max_nodes",
        "1 is less than nodes (2)",
    ),
    (
        BASE.replace("nodes: 2}", "nodes: 2, provisioning_delay: 3 years}"),
        4,
        "cluster.node_sources[0].provisioning_delay",
        "'3 years' is not a duration",
    ),
    (
        BASE.replace("nodes: 2}", "nodes: 2, size: 3}"),
        4,
        "cluster.node_sources[0].size",
        "unknown key 'size'",
        "allowed keys: name, nodes, max_nodes, provisioning_delay",
    ),
    (
        BASE.replace(
            "{name: Local, nodes: 2}", "{name: Local, nodes: 2}\n    - {name: Local, nodes: 1}"
        ),
        5,
        "cluster.node_sources[1].name",
        "'Local'",
        "(line 4)",
        "unique",
    ),
    (
        BASE.replace("{name: Local, nodes: 2}", "{name: Local, nodes: 0}"),
        3,
        "cluster.node_sources",
        "the cluster has no node",
    ),
    (
        BASE.replace("{name: Local, nodes: 2}", "{name: Local, nodes: 0, max_nodes: 0}"),
        3,
        "cluster.node_sources",
        "the cluster has no node",
    ),
    (
        BASE.replace("  node_sources:\n    - {name: Local, nodes: 2}", "  node_sources: []"),
        3,
        "cluster.node_sources",
        "at least one node source",
    ),
    (
        BASE.replace("    - {name: Local, nodes: 2}", "    - Local"),
        4,
        "cluster.node_sources[0]",
        "'Local' where a node source mapping",
    ),
    (
        BASE.replace("  node_sources:", "  port_range: 9000\n  node_sources:"),
        3,
        "cluster.port_range",
        "9000 is not a port range",
        '"LOWER UPPER"',
    ),
    (
        BASE.replace("  node_sources:", "  port_range: '9999 9000'\n  node_sources:"),
        3,
        "cluster.port_range",
        "'9999 9000' is not a port range",
    ),
    (
        BASE.replace("  node_sources:", "  port_range: '0 10'\n  node_sources:"),
        3,
        "cluster.port_range",
        "'0 10' is not a port range",
    ),
    (
        BASE.replace("  node_sources:", "  port_range: '9000 70000'\n  node_sources:"),
        3,
        "cluster.port_range",
        "'9000 70000' is not a port range",
    ),
    (
        BASE.replace("cluster:\n", "cluster: [1]\n").split("  node_sources")[0] + "workloads: []\n",
        2,
        "cluster",
        "a list where a mapping is expected",
    ),
    # faults
    (
        BASE + "faults:\n  action_failure_probability: 1.5\n",
        9,
        "faults.action_failure_probability",
        "1.5 must be between 0 and 1",
    ),
    (
        BASE + "faults:\n  container_crash_per_hour: -1\n",
        9,
        "faults.container_crash_per_hour",
        "-1 must be 0 or more",
    ),
    (
        BASE + "faults:\n  node_failures: [{at: 1m, node_source: Remote}]\n",
        9,
        "faults.node_failures[0].node_source",
        "'Remote' is not a node source of the cluster",
        "node sources: Local",
    ),
    (
        BASE + "faults:\n  node_failures: [{at: 1m, node_source: Local, count: 3}]\n",
        9,
        "faults.node_failures[0].count",
        "3 is more than the 2 nodes 'Local' can hold",
    ),
    (
        BASE + "faults:\n  node_failures: [{at: 2h, node_source: Local}]\n",
        9,
        "faults.node_failures[0].at",
        "'2h' is not before the end of the run (duration 1h)",
    ),
    (
        BASE + "faults:\n  node_failures:\n    - {node_source: Local}\n",
        10,
        "faults.node_failures[0]",
        "missing required key 'at'",
    ),
    (
        BASE + "faults:\n  node_failures: [{at: 1m, node_source: Local, repair_after: soon}]\n",
        9,
        "faults.node_failures[0].repair_after",
        "'soon' is not a duration",
    ),
    (
        BASE + "faults:\n  disk_full: 1\n",
        9,
        "faults.disk_full",
        "unknown key 'disk_full'",
        "allowed keys: container_crash_per_hour, action_failure_probability, node_failures",
    ),
    # thresholds
    (
        BASE + "thresholds:\n  error_rate: 1.5\n",
        9,
        "thresholds.error_rate",
        "1.5 must be between 0 and 1",
    ),
    (
        BASE + "thresholds:\n  max_node_utilization: half\n",
        9,
        "thresholds.max_node_utilization",
        "'half' is not a number",
    ),
    (
        BASE + "thresholds:\n  p95_time_to_running: never\n",
        9,
        "thresholds.p95_time_to_running",
        "'never'",
        "finite duration is required",
    ),
    (
        BASE + "thresholds:\n  p95_queue_wait: fast\n",
        9,
        "thresholds.p95_queue_wait",
        "'fast' is not a duration",
    ),
    (
        BASE + "thresholds:\n  p90_time_to_running: 1m\n",
        9,
        "thresholds.p90_time_to_running",
        "unknown key 'p90_time_to_running'",
        "p50_time_to_running",
        "max_node_utilization",
    ),
    # timing
    (
        BASE + "timing:\n  activation: {distribution: lognormal, mean: 40s}\n",
        9,
        "timing.activation",
        "missing required key 'sd'",
        "mean and sd",
    ),
    (
        BASE + "timing:\n  activation: {distribution: uniform, high: 4s}\n",
        9,
        "timing.activation",
        "missing required key 'low'",
    ),
    (
        BASE + "timing:\n  activation: {mean: 4s}\n",
        9,
        "timing.activation",
        "missing required key 'distribution'",
    ),
    (
        BASE + "timing:\n  activation: {distribution: uniform, mean: 4s, low: 1s, high: 8s}\n",
        9,
        "timing.activation.mean",
        "a uniform distribution takes no 'mean'",
    ),
    (
        BASE + "timing:\n  activation: {distribution: gamma, mean: 4s}\n",
        9,
        "timing.activation.distribution",
        "'gamma' is not a distribution",
        "constant, uniform, normal, lognormal, exponential",
    ),
    (
        BASE + "timing:\n  activation: {distribution: uniform, low: 9s, high: 8s}\n",
        9,
        "timing.activation.high",
        "'8s' is less than low (9s)",
    ),
    (
        BASE + "timing:\n  activation: {distribution: exponential, mean: 0}\n",
        9,
        "timing.activation.mean",
        "0 must be longer than 0s",
    ),
    (
        BASE + "timing:\n  activation: {distribution: normal, mean: 4s, sd: wide}\n",
        9,
        "timing.activation.sd",
        "'wide' is not a duration",
    ),
    (BASE + "timing:\n  activation: [1s]\n", 9, "timing.activation", "a list where a duration"),
    (
        BASE + "timing:\n  health: 1s\n",
        9,
        "timing.health",
        "unknown key 'health'",
        "allowed keys: activation, finish, pause, resume, action",
    ),
    # YAML itself
    (
        BASE + "seed: !!python/object/apply:os.system ['true']\n",
        8,
        "seed",
        "tag '!!python/object/apply:os.system' is not allowed",
    ),
    (
        BASE + "    variables: !!set {a, b}\n",
        8,
        "workloads[0].variables",
        "tag '!!set' is not allowed",
    ),
    (BASE + "    name: !custom x\n", 8, "workloads[0].name", "tag '!custom' is not allowed"),
    (
        BASE + "    variables: {A: !!binary aGVsbG8=}\n",
        8,
        "workloads[0].variables.A",
        "tag '!!binary' is not allowed",
    ),
    (BASE + "    variables: {[a]: 1}\n", 8, "workloads[0].variables", "a list cannot be a key"),
    ("", 1, "", "the scenario is empty"),
    ("# nothing\n", 1, "", "the scenario is empty"),
    ("- duration: 1h\n", 1, "", "a list where a mapping of scenario keys"),
]


@pytest.mark.parametrize(
    ("text", "line", "path", "fragments"),
    [(t, ln, p, f) for t, ln, p, *f in ERRORS],
    ids=[f"{e[2] or 'document'}-{i}" for i, e in enumerate(ERRORS)],
)
def test_errors_name_line_path_and_value(
    text: str, line: int, path: str, fragments: list[str]
) -> None:
    assert_error(text, line, path, *fragments)


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        (BASE + "seed: [1\n", 9, 1, "expected ',' or ']'"),
        (BASE + "\tseed: 1\n", 8, 1, "found character '\\t' that cannot start any token"),
        (
            BASE + "---\nduration: 2h\n",
            8,
            1,
            "expected a single document in the stream, but found another document",
        ),
        ("duration: 'open\n", 2, 1, "found unexpected end of stream"),
    ],
)
def test_yaml_syntax_errors_give_line_and_column(
    text: str, line: int, column: int, fragment: str
) -> None:
    error = error_of(text)
    assert (error.line, error.column) == (line, column), str(error)
    assert str(error).startswith(f"s.yaml: line {line}, column {column}: YAML syntax error: ")
    assert fragment in str(error)


def test_merge_of_a_non_mapping_is_an_error() -> None:
    assert_error(BASE + "    <<: [1]\n", 8, "workloads[0]", "a merge key (<<) needs a mapping")


def test_unknown_key_in_a_merged_mapping_is_reported_where_written() -> None:
    assert_error("defaults: &d {x: 1}\n" + BASE, 1, "defaults", "unknown key 'defaults'")
    assert_error(
        BASE + "  - <<: {service: A, speed: 3}\n    arrivals_per_hour: 1\n",
        8,
        "workloads[1].speed",
        "unknown key 'speed'",
    )


def test_parse_scenario_wants_text() -> None:
    with pytest.raises(TypeError):
        parse_scenario(BASE.encode())  # type: ignore[arg-type]


def test_default_source_name() -> None:
    with pytest.raises(ScenarioError, match=r"^<scenario>: line 1: duration: "):
        parse_scenario(BASE.replace("duration: 1h", "duration: x"))


# -- files ----------------------------------------------------------------------------


def test_load_scenario_missing_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(missing)
    assert str(info.value) == f"{missing}: no such scenario file"


def test_load_scenario_directory_and_bad_encoding(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read the scenario file"):
        load_scenario(tmp_path)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(BASE.encode() + b"    variables: {A: caf\xe9}\n")
    with pytest.raises(ScenarioError, match="not a UTF-8 text file"):
        load_scenario(latin)


def test_load_scenario_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BASE.replace("arrivals_per_hour: 10", "arrivals_per_hour: lots"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(path))
    assert str(info.value) == (
        f"{path}: line 7: workloads[0].arrivals_per_hour: 'lots' is not a number"
    )


# -- check_against_catalog ------------------------------------------------------------


def catalog_error(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        check_against_catalog(parse(text), CATALOG)
    return info.value


def test_catalog_accepts_known_names() -> None:
    s = parse(BASE + "    workflow: MongoDB\n    actions: [{action: Pause_MongoDB, after: 1m}]\n")
    assert check_against_catalog(s, CATALOG) is None


def test_catalog_unknown_service() -> None:
    error = catalog_error(BASE.replace("service: MongoDB", "service: Mongo"))
    assert str(error) == (
        "s.yaml: line 6: workloads[0].service: 'Mongo' is not a known service "
        "(known services: JupyterLab, MongoDB)"
    )


def test_catalog_unknown_workflow() -> None:
    error = catalog_error(BASE + "    workflow: Start_MongoDB\n")
    assert (error.line, error.path) == (8, "workloads[0].workflow")
    assert "'Start_MongoDB' is not a workflow of the service 'MongoDB'" in str(error)
    assert "Finish_MongoDB, MongoDB, Pause_MongoDB, Resume_MongoDB" in str(error)


def test_catalog_unknown_action_is_named_by_its_index_in_the_file() -> None:
    error = catalog_error(
        BASE + "    actions:\n"
        "      - {action: Resume_MongoDB, after: 2h}\n"
        "      - {action: Pause_MongoDB, after: 1h}\n"
        "      - {action: Explode, after: 3m}\n"
    )
    assert str(error).startswith(
        "s.yaml: line 11: workloads[0].actions[2].action: 'Explode' is not a workflow of the "
        "service 'MongoDB'"
    )


def test_catalog_reports_the_first_problem_in_file_order() -> None:
    error = catalog_error(
        BASE + "    actions: [{action: Nope1, after: 1m}]\n"
        "  - service: JupyterLab\n    arrivals_per_hour: 1\n"
        "    actions: [{action: Nope2, after: 1s}]\n"
    )
    assert error.path == "workloads[0].actions[0].action"
    assert "'Nope1'" in str(error)


def test_catalog_check_without_positions() -> None:
    s = Scenario(
        duration=60.0, cluster=(NodeSourceConfig("n", 1),), workloads=(WorkloadSpec("Redis", 1.0),)
    )
    with pytest.raises(ScenarioError) as info:
        check_against_catalog(s, {})
    assert str(info.value) == (
        "<scenario>: workloads[0].service: 'Redis' is not a known service (known services: none)"
    )


# -- scenario_to_dict -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["mongodb-day.yaml", "quick-demo.yaml"])
def test_to_dict_is_json_and_parses_back(name: str) -> None:
    s = load_scenario(SCENARIOS / name)
    data = scenario_to_dict(s)
    text = json.dumps(data, allow_nan=False)
    assert parse_scenario(text, s.source) == s
    assert json.dumps(scenario_to_dict(load_scenario(SCENARIOS / name)), allow_nan=False) == text


def test_to_dict_shape() -> None:
    s = parse(
        BASE + "    actions: [{action: B, after: 2m}, {action: A, after: 1m}]\n"
        "thresholds: {error_rate: 0.5, p95_time_to_running: 90s}\n"
    )
    data = scenario_to_dict(s)
    assert list(data) == [
        "seed",
        "duration",
        "health_period",
        "cluster",
        "workloads",
        "faults",
        "thresholds",
        "timing",
    ]
    assert data["duration"] == 3600
    assert data["cluster"] == {
        "node_sources": [{"name": "Local", "nodes": 2, "max_nodes": None, "provisioning_delay": 0}],
        "port_range": "9000 9999",
    }
    (w,) = data["workloads"]
    assert w["lifetime"] == "never"
    assert w["actions"] == [{"action": "A", "after": 60}, {"action": "B", "after": 120}]
    assert list(data["thresholds"].items()) == [("p95_time_to_running", 90), ("error_rate", 0.5)]
    assert data["timing"]["activation"] == {"distribution": "lognormal", "mean": 40, "sd": 10}
    assert data["faults"] == {
        "container_crash_per_hour": 0.0,
        "action_failure_probability": 0.0,
        "node_failures": [],
    }
