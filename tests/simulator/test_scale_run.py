"""The mixed day at 10x (10,000 users, 500 nodes): the same seed gives the same summary
byte for byte, and forgetting what ended instances no longer need changes nothing the
summary says while the job table keeps only recent jobs (issue 14). Two runs of ~4 s
CPU each; 100x (~40 s CPU each) is left to the benchmark harness."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from psa_sim.loadtest import runner
from psa_sim.loadtest.runner import run_scenario
from psa_sim.loadtest.scenario import load_scenario

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "mixed-10k-users.yaml"


def test_the_10x_day_is_deterministic_and_forgetting_changes_no_summary_byte(
    catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = load_scenario(SCENARIO)
    forgetting = run_scenario(scenario, catalog)
    monkeypatch.setattr(runner, "FORGET_PERIOD", float("inf"))
    keeping = run_scenario(scenario, catalog)
    assert forgetting.summary["instances"]["created"] > 10_000
    assert json.dumps(forgetting.summary, sort_keys=True) == json.dumps(
        keeping.summary, sort_keys=True
    )
    jobs_kept = len(keeping.simulation.scheduler.jobs)
    assert jobs_kept > 30_000  # every job of the day
    assert len(forgetting.simulation.scheduler.jobs) < jobs_kept / 5
