"""`psa-sim sweep`: every combination of seeds and --set values, compared."""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import json
import os
import socket
from pathlib import Path

import pytest

from psa_sim.cli import main
from psa_sim.loadtest.runner import run_scenario
from psa_sim.loadtest.scenario import load_scenario, parse_scenario, scenario_to_dict
from psa_sim.loadtest.sweep import (
    CHART_METRICS,
    SweepError,
    parse_seeds,
    parse_set,
    plan_sweep,
    run_sweep,
    scenario_data,
    scenario_with,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

SCENARIO = """\
seed: 11
duration: 3h
cluster:
  node_sources:
    - {name: LocalNodes, nodes: 3}
workloads:
  - service: MongoDB
    arrivals_per_hour: 6
    lifetime: 30m
    variables: {USER: app, VERSION: 3.10}
    actions: [{action: Pause_MongoDB, after: 10m}]
faults:
  action_failure_probability: 0.05
thresholds:
  p95_time_to_running: 1d
"""


@pytest.fixture
def scenario_file(tmp_path) -> Path:
    path = tmp_path / "sweep-me.yaml"
    path.write_text(SCENARIO)
    return path


def cli(*args: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(list(args))
    return code, stdout.getvalue(), stderr.getvalue()


# -- the options ----------------------------------------------------------------------


def test_parse_seeds():
    assert parse_seeds("1..3", 0) == [1, 2, 3]
    assert parse_seeds(" 4 .. 4 ", 0) == [4]
    assert parse_seeds("7", 0) == [7]
    assert parse_seeds("1,5,9", 0) == [1, 5, 9]
    assert parse_seeds(None, 42) == [42]
    for bad in ("5..1", "x", "1..", "-1..3", "1,1", "1.5", ""):
        with pytest.raises(SweepError, match="--seeds"):
            parse_seeds(bad, 0)


def test_parse_set_reads_yaml_scalars():
    assert parse_set("cluster.node_sources[0].nodes=10,20,40") == (
        "cluster.node_sources[0].nodes",
        [10, 20, 40],
    )
    assert parse_set("a.b=2m, 0.5 ,true,null,never") == ("a.b", ["2m", 0.5, True, None, "never"])
    for bad in ("nodes", "=1", "a=", "a=1,,2", "a=[1]", "a b=1", "seed=1,2", "a..b=1"):
        with pytest.raises(SweepError):
            parse_set(bad)


def test_scenario_with_changes_only_what_is_set(scenario_file):
    scenario = load_scenario(scenario_file)
    base = scenario_data(scenario)
    same = scenario_with(base, (), scenario.source)
    assert same == scenario and same.source == scenario.source
    assert same.workloads[0].variables["VERSION"] == "3.10"  # as written, not 3.1
    changed = scenario_with(
        base,
        (
            ("cluster.node_sources[0].nodes", 7),
            ("workloads[0].variables.EXTRA", "x"),
            ("thresholds.error_rate", 0.1),
        ),
        scenario.source,
    )
    assert changed.cluster[0].nodes == 7
    assert changed.workloads[0].variables == {"USER": "app", "VERSION": "3.10", "EXTRA": "x"}
    assert changed.thresholds == {"p95_time_to_running": 86400.0, "error_rate": 0.1}
    assert base == scenario_to_dict(scenario)  # not modified


def test_action_indexes_count_as_written(tmp_path):
    path = tmp_path / "actions.yaml"
    path.write_text(
        SCENARIO.replace(
            "actions: [{action: Pause_MongoDB, after: 10m}]",
            "actions: [{action: Resume_MongoDB, after: 20m}, {action: Pause_MongoDB, after: 10m}]",
        )
    )
    scenario = load_scenario(path)
    assert [a.action for a in scenario.workloads[0].actions] == ["Pause_MongoDB", "Resume_MongoDB"]
    base = scenario_data(scenario)
    assert scenario_with(base, (), scenario.source) == scenario
    later = scenario_with(base, (("workloads[0].actions[0].after", "25m"),), scenario.source)
    assert [(a.action, a.after) for a in later.workloads[0].actions] == [
        ("Pause_MongoDB", 600),
        ("Resume_MongoDB", 1500),
    ]


# -- results ----------------------------------------------------------------------------


def expected_summary(catalog, source: Path, seed: int, nodes: int, rate: float) -> dict:
    """A single run of the file edited by hand: what the sweep must give for that task."""
    text = SCENARIO.replace("nodes: 3", f"nodes: {nodes}").replace(
        "arrivals_per_hour: 6", f"arrivals_per_hour: {rate}"
    )
    return run_scenario(parse_scenario(text, str(source)), catalog, seed=seed).summary


def test_sweep_results_equal_single_runs(catalog, scenario_file):
    plan = plan_sweep(
        str(scenario_file),
        seeds="1..2",
        sets=["cluster.node_sources[0].nodes=2,4", "workloads[0].arrivals_per_hour=4,9.5"],
        index=catalog,
    )
    assert [(dict(t.overrides), t.seed) for t in plan.tasks][:3] == [
        ({"cluster.node_sources[0].nodes": 2, "workloads[0].arrivals_per_hour": 4}, 1),
        ({"cluster.node_sources[0].nodes": 2, "workloads[0].arrivals_per_hour": 4}, 2),
        ({"cluster.node_sources[0].nodes": 2, "workloads[0].arrivals_per_hour": 9.5}, 1),
    ]
    result = run_sweep(plan, workers=1)
    assert len(result.rows) == len(result.summaries) == 8
    for task, row, summary in zip(plan.tasks, result.rows, result.summaries):
        values = dict(task.overrides)
        expected = expected_summary(
            catalog,
            scenario_file,
            task.seed,
            values["cluster.node_sources[0].nodes"],
            values["workloads[0].arrivals_per_hour"],
        )
        assert json.dumps(summary) == json.dumps(expected)
        assert row["seed"] == task.seed and row["run"] == task.index
        assert row["cluster.node_sources[0].nodes"] == values["cluster.node_sources[0].nodes"]
        assert row["p95_time_to_running"] == expected["time_to_running_s"]["p95"]
        assert row["node_utilization"] == expected["nodes"]["utilization"]
        assert row["error_rate"] == expected["error_rate"]
        assert row["passed"] is expected["passed"]
    # More nodes, less waiting: the sweep answers the question it is for.
    waits = {
        r["cluster.node_sources[0].nodes"]: r["p95_queue_wait"]
        for r in result.rows
        if r["workloads[0].arrivals_per_hour"] == 9.5 and r["seed"] == 1
    }
    assert waits[4] <= waits[2]


def test_the_process_pool_gives_the_same_rows(catalog, scenario_file):
    plan = plan_sweep(
        str(scenario_file), seeds="1..3", sets=["cluster.node_sources[0].nodes=2,4"], index=catalog
    )
    pooled = run_sweep(plan, workers=2)
    here = run_sweep(plan, workers=1)
    assert pooled.performance["executor"].startswith("process pool")
    assert here.performance["executor"] == "in-process"
    assert pooled.rows == here.rows
    assert json.dumps(pooled.summaries) == json.dumps(here.summaries)
    # Each run's wall time and where it ran: in the pool's processes, or in this one.
    this_process = f"{socket.gethostname()} pid {os.getpid()}"
    by_run = pooled.performance["by_run"]
    assert [r["run"] for r in by_run] == [task.index for task in plan.tasks]
    assert all(r["wall_seconds"] > 0 for r in by_run)
    assert 1 <= len({r["worker"] for r in by_run}) <= 2
    assert this_process not in {r["worker"] for r in by_run}
    assert {r["worker"] for r in here.performance["by_run"]} == {this_process}


def test_cli_sweep_report_and_runs_match_psa_sim_run(scenario_file, tmp_path):
    out = tmp_path / "sweep"
    code, stdout, stderr = cli(
        "sweep",
        str(scenario_file),
        "--seeds",
        "1..3",
        "--set",
        "thresholds.p95_time_to_running=1s,1d",
        "--workers",
        "1",
        "--out",
        str(out),
    )
    assert code == 1, stderr  # the runs with a 1 s limit fail it
    assert "sweep of" in stdout and "0/3" in stdout and "3/3" in stdout
    assert stderr.startswith("performance: ") and stderr.count("\n") == 1

    names = {p.name for p in out.iterdir()}
    charts = {f"sweep_{m}.png" for m in CHART_METRICS}
    assert names == {"sweep.csv", "sweep.html", "summaries.json", "performance.json"} | charts
    by_run = json.loads((out / "performance.json").read_text())["by_run"]
    assert [r["run"] for r in by_run] == [0, 1, 2, 3, 4, 5] and all(r["worker"] for r in by_run)
    with (out / "sweep.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["thresholds.p95_time_to_running"], r["seed"]) for r in rows] == [
        ("1s", "1"),
        ("1s", "2"),
        ("1s", "3"),
        ("1d", "1"),
        ("1d", "2"),
        ("1d", "3"),
    ]
    assert [r["passed"] for r in rows] == ["false"] * 3 + ["true"] * 3
    assert rows[0]["failed_thresholds"] == "p95_time_to_running"

    # Each run is the single run of the same seed (the limit changes only the verdict).
    summaries = json.loads((out / "summaries.json").read_text())
    for seed in (1, 2, 3):
        code, single, _ = cli("run", str(scenario_file), "--seed", str(seed), "--json")
        assert code == 0
        assert summaries[seed + 2]["summary"] == json.loads(single)
        assert summaries[seed + 2]["overrides"] == {"thresholds.p95_time_to_running": "1d"}
        # With the other limit, only the thresholds and the verdict differ.
        strict = dict(summaries[seed - 1]["summary"])
        relaxed = dict(json.loads(single))
        for key in ("thresholds", "passed"):
            strict.pop(key), relaxed.pop(key)
        assert strict == relaxed

    html = (out / "sweep.html").read_text()
    for name in charts:
        png = (out / name).read_bytes()
        assert png.startswith(PNG_SIGNATURE) and len(png) > 1024
        assert base64.b64encode(png).decode() in html
    assert "thresholds.p95_time_to_running" in html and "1..3" in html


def test_cli_sweep_json_prints_the_rows(scenario_file):
    code, stdout, _ = cli(
        "sweep",
        str(scenario_file),
        "--seeds",
        "4,6",
        "--set",
        "cluster.node_sources[0].nodes=1,2",
        "--workers",
        "1",
        "--json",
    )
    assert code == 0
    rows = json.loads(stdout)
    assert [(r["cluster.node_sources[0].nodes"], r["seed"]) for r in rows] == [
        (1, 4),
        (1, 6),
        (2, 4),
        (2, 6),
    ]
    assert set(rows[0]) >= {
        "run",
        "seed",
        "p50_time_to_running",
        "p95_time_to_running",
        "error_rate",
        "node_utilization",
        "p95_queue_wait",
        "passed",
    }


@pytest.mark.parametrize(
    "args, named",
    [
        (["--set", "cluster.node_sources[5].nodes=1"], ["cluster.node_sources[5]"]),
        (["--set", "workloads[0].colour=red"], ["workloads[0].colour", "'colour'"]),
        (
            ["--set", "cluster.node_sources[0].nodes=abc"],
            ["cluster.node_sources[0].nodes", "'abc'", "whole number"],
        ),
        (["--set", "cluster.node_sources[0].nodes=2,abc"], ["nodes=abc", "'abc'"]),
        (["--set", "duration=2h,forever"], ["duration", "'forever'"]),
        (["--set", "workloads[0].service=NoSuchDB"], ["workloads[0].service", "NoSuchDB"]),
        (["--set", "thresholds.p42_time=1s"], ["thresholds.p42_time", "unknown key"]),
        (["--set", "nodes"], ["--set", "KEY=V1,V2"]),
        (["--set", "seed=1,2"], ["--seeds"]),
        (["--set", "duration=1h", "--set", "duration=2h"], ["duration", "twice"]),
        (["--seeds", "5..1"], ["--seeds", "5..1"]),
        (["--seeds", "x"], ["--seeds", "'x'"]),
        (["--dask", "tcp://127.0.0.1:9", "--workers", "2"], ["--workers", "--dask"]),
    ],
)
def test_bad_options_exit_2_naming_them(scenario_file, args, named):
    code, stdout, stderr = cli("sweep", str(scenario_file), "--workers", "1", *args)
    assert code == 2, stderr
    assert stdout == ""
    assert stderr.startswith("psa-sim sweep: error: ")
    for fragment in named:
        assert fragment in stderr


def test_a_bad_worker_count_is_a_usage_error(scenario_file, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["sweep", str(scenario_file), "--workers", "0"])
    assert exit_.value.code == 2
    assert "--workers" in capsys.readouterr().err
