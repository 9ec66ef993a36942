"""`psa-sim sweep --dask ADDRESS`: the same rows from a Dask distributed cluster."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

distributed = pytest.importorskip(
    "distributed",
    reason="Dask is not installed (pip install 'psa-sim[dask]'; the 'test' extra includes it)",
)

from psa_sim.cli import main  # noqa: E402
from psa_sim.loadtest.sweep import plan_sweep, run_sweep  # noqa: E402

SCENARIO = """\
seed: 11
duration: 2h
cluster:
  node_sources:
    - {name: LocalNodes, nodes: 3}
workloads:
  - service: MongoDB
    arrivals_per_hour: 6
    lifetime: 30m
    actions: [{action: Pause_MongoDB, after: 10m}]
faults:
  action_failure_probability: 0.05
thresholds:
  p95_time_to_running: 1d
"""
SETS = ["cluster.node_sources[0].nodes=2,4"]


@pytest.fixture
def scenario_file(tmp_path) -> Path:
    path = tmp_path / "dask-sweep.yaml"
    path.write_text(SCENARIO)
    return path


@pytest.fixture(scope="module")
def cluster():
    # Threads in this process: light, and enough to run the real client/scheduler path.
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0"
    ) as local:
        yield local


def test_a_dask_cluster_gives_the_process_pool_rows(catalog, scenario_file, cluster):
    plan = plan_sweep(str(scenario_file), seeds="1..3", sets=SETS, index=catalog)
    on_dask = run_sweep(plan, dask=cluster.scheduler_address)
    pooled = run_sweep(plan, workers=2)
    assert on_dask.performance["executor"] == f"dask {cluster.scheduler_address}"
    assert on_dask.rows == pooled.rows
    assert json.dumps(on_dask.summaries) == json.dumps(pooled.summaries)


def test_cli_sweep_on_dask(catalog, scenario_file, cluster):
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
        code = main(
            [
                "sweep",
                str(scenario_file),
                "--seeds",
                "1..2",
                "--set",
                SETS[0],
                "--dask",
                cluster.scheduler_address,
                "--json",
            ]
        )
    assert code == 0
    plan = plan_sweep(str(scenario_file), seeds="1..2", sets=SETS, index=catalog)
    assert json.loads(stdout.getvalue()) == run_sweep(plan, workers=1).rows


def test_dask_local_starts_its_own_cluster(catalog, scenario_file):
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(
            [
                "sweep",
                str(scenario_file),
                "--seeds",
                "1..2",
                "--dask",
                "local",
                "--workers",
                "1",
                "--json",
            ]
        )
    assert code == 0, stderr.getvalue()
    assert "dask LocalCluster (1 workers)" in stderr.getvalue()
    plan = plan_sweep(str(scenario_file), seeds="1..2", index=catalog)
    assert json.loads(stdout.getvalue()) == run_sweep(plan, workers=1).rows
