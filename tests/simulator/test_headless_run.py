"""`psa-sim run`: scenarios in simulated time, summaries that replay byte for byte."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from psa_sim.errors import PsaError
from psa_sim.loadtest.metrics import cause_key
from psa_sim.loadtest.runner import run_scenario
from psa_sim.loadtest.scenario import ScenarioError, parse_scenario

ROOT = Path(__file__).resolve().parents[2]
QUICK_DEMO = ROOT / "scenarios" / "quick-demo.yaml"
MONGODB_DAY = ROOT / "scenarios" / "mongodb-day.yaml"


def psa_sim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "psa_sim", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


SMALL = """
seed: 5
duration: 6h
cluster:
  node_sources: [{name: LocalNodes, nodes: 6}]
workloads:
  - service: MongoDB
    arrivals_per_hour: 4
    lifetime: 1h
    actions: [{action: Pause_MongoDB, after: 10m}, {action: Resume_MongoDB, after: 20m}]
  - service: Kafka
    arrivals_per_hour: 1
    count: 2
    lifetime: 2h
    variables: {INSTANCE_NAME: kafka-$PA_JOB_ID}
faults:
  container_crash_per_hour: 0.05
  action_failure_probability: 0.05
  node_failures: [{at: 3h, node_source: LocalNodes, count: 1, repair_after: 30m}]
thresholds:
  p95_time_to_running: 1h
"""


def test_same_seed_same_summary_and_another_seed_differs(catalog):
    scenario = parse_scenario(SMALL, "small.yaml")
    first = run_scenario(scenario, catalog).summary
    again = run_scenario(scenario, catalog).summary
    other = run_scenario(scenario, catalog, seed=6).summary
    assert json.dumps(first) == json.dumps(again)
    assert json.dumps(first) != json.dumps(other)


def test_summary_accounts_for_every_instance(catalog):
    summary = run_scenario(parse_scenario(SMALL, "small.yaml"), catalog).summary
    created = summary["instances"]["created"]
    assert created > 10
    assert sum(summary["instances"]["by_state"].values()) == created
    assert summary["time_to_running_s"]["count"] <= created
    ttr = summary["time_to_running_s"]
    assert ttr["p50"] <= ttr["p95"] <= ttr["p99"] <= ttr["max"]
    assert "Zookeeper" in set(summary["action_latencies_s"])
    assert summary["leaks"] == []
    assert summary["events"]["health_checks"] > 0


def test_a_node_failure_shows_in_errors_by_cause(catalog):
    text = SMALL.replace("container_crash_per_hour: 0.05", "container_crash_per_hour: 0")
    text = text.replace("action_failure_probability: 0.05", "action_failure_probability: 0")
    summary = run_scenario(parse_scenario(text, "s.yaml"), catalog).summary
    causes = summary["errors_by_cause"]
    assert set(causes) <= {"node LocalNodes-node-1 failed"}
    assert summary["error_rate"] == pytest.approx(
        sum(causes.values()) / summary["instances"]["created"], abs=1e-4
    )


def test_cli_json_summary_is_byte_identical_between_runs():
    first = psa_sim("run", str(QUICK_DEMO), "--json")
    second = psa_sim("run", str(QUICK_DEMO), "--json")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    summary = json.loads(first.stdout)
    assert summary["passed"] is True
    assert "simulated_seconds_per_wall_second" in first.stderr


def test_seed_option_overrides_the_scenario_seed():
    a = json.loads(psa_sim("run", str(QUICK_DEMO), "--json", "--seed", "1").stdout)
    b = json.loads(psa_sim("run", str(QUICK_DEMO), "--json", "--seed", "2").stdout)
    assert (a["seed"], b["seed"]) == (1, 2)
    assert a != b


def test_failed_threshold_exits_1(tmp_path):
    path = tmp_path / "strict.yaml"
    path.write_text(SMALL.replace("p95_time_to_running: 1h", "p95_time_to_running: 1s"))
    result = psa_sim("run", str(path))
    assert result.returncode == 1
    assert "threshold FAIL p95_time_to_running" in result.stdout


@pytest.mark.parametrize(
    "change, expected",
    [
        (("arrivals_per_hour: 4", "arrivals_per_hour: 4\n    colour: blue"), ["line 9", "colour"]),
        (("service: MongoDB", "service: NoSuchDB"), ["workloads[0].service", "NoSuchDB"]),
        (
            ("action: Pause_MongoDB", "action: Pause_MySQL"),
            ["workloads[0].actions[0].action", "Pause_MySQL"],
        ),
        (("duration: 6h", "duration: 6 fortnights"), ["duration", "6 fortnights", "line 3"]),
        (("seed: 5", "seed: [5"), ["line"]),
    ],
)
def test_bad_scenario_exits_2_naming_key_value_and_line(tmp_path, change, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(SMALL.replace(*change))
    result = psa_sim("run", str(path))
    assert result.returncode == 2, result.stdout
    for fragment in expected:
        assert fragment in result.stderr
    assert result.stdout == ""


def test_unknown_service_is_a_scenario_error(catalog):
    scenario = parse_scenario(SMALL.replace("service: Kafka", "service: Kafkaa"), "s.yaml")
    with pytest.raises(ScenarioError, match=r"workloads\[1\]\.service.*'Kafkaa'"):
        run_scenario(scenario, catalog)


def test_the_architecture_example_runs_and_gates_on_its_thresholds():
    result = psa_sim("run", str(MONGODB_DAY), "--json")
    summary = json.loads(result.stdout)
    assert summary["instances"]["created"] == 500
    assert result.returncode == (0 if summary["passed"] else 1)
    assert summary["leaks"] == []


def test_a_skipped_action_is_grouped_under_a_readable_cause(make_sim):
    sim = make_sim()
    instance = sim.submit_activation("MongoDB")
    sim.run(until=41)
    sim.crash_container(instance.instance_id)
    sim.run(until=60)  # the loop sees the crash: ERROR
    with pytest.raises(PsaError) as refused:
        sim.submit_action(instance.instance_id, "Pause_MongoDB")
    assert f"instance {instance.instance_id}" in str(refused.value)
    # The id goes (causes are counted across instances); the sentence stays whole.
    assert cause_key(str(refused.value)).startswith(
        "action 'Pause_MongoDB' is not executable on the instance in state ERROR; "
    )
    assert cause_key(f"instance {instance.instance_id} is transitioning (job 7)") == (
        "the instance is transitioning"
    )
