"""Scenarios with plain jobs (`jobs`): batch workflows submitted to the scheduler,
competing with the services' jobs for the same nodes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from psa_sim.catalog import ServiceIndex, bundled_catalog_dir, load_catalog
from psa_sim.loadtest.runner import run_scenario
from psa_sim.loadtest.scenario import ScenarioError, parse_scenario, scenario_to_dict

PIPELINE = Path(__file__).parent / "fixtures" / "jobs" / "Plain_Pipeline.xml"

MIXED = """
seed: 3
duration: 4h
cluster:
  node_sources: [{name: LocalNodes, nodes: 2}]
workloads:
  - service: MongoDB
    arrivals_per_hour: 2
    lifetime: 1h
jobs:
  - workflow: Plain_Pipeline
    name: batch
    arrivals_per_hour: 30
    count: 40
    start: 10m
    variables: {ROWS: 7}
"""


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> ServiceIndex:
    """The bundled services plus one plain workflow, as `psa-sim run --catalog DIR` reads."""
    directory = tmp_path_factory.mktemp("catalog")
    for xml in bundled_catalog_dir().glob("*.xml"):
        shutil.copy(xml, directory)
    shutil.copy(PIPELINE, directory)
    return load_catalog(directory)


def test_plain_jobs_run_beside_services_and_are_summarized(catalog):
    scenario = parse_scenario(MIXED)
    assert scenario.jobs[0].variables == {"ROWS": "7"} and scenario.jobs[0].start == 600
    result = run_scenario(scenario, catalog)
    summary = result.summary
    batch = summary["plain_jobs"]["batch"]
    assert batch["submitted"] == 40
    assert sum(batch["by_status"].values()) == 40
    assert batch["by_status"].get("FINISHED", 0) > 0
    # Two nodes shared with the services: some jobs waited for one.
    assert batch["wait_s"]["max"] > 0
    # Seven tasks one after the other, ~10 s each: a finished job took about a minute.
    assert 30 < batch["duration_s"]["p50"] < 150
    assert summary["instances"]["created"] > 0
    jobs = [job for _, job in result.simulation.scheduler.jobs.items() if job.instance is None]
    assert len(jobs) == 40 and all(job.variables["ROWS"] == "7" for job in jobs)
    # The same seed, the same day.
    assert run_scenario(parse_scenario(MIXED), catalog).summary == summary
    # A scenario without jobs keeps the summary it always had.
    assert (
        "plain_jobs" not in run_scenario(parse_scenario(MIXED.split("jobs:")[0]), catalog).summary
    )


def test_jobs_round_trip_through_the_json_form():
    scenario = parse_scenario(MIXED)
    data = scenario_to_dict(scenario)
    assert data["jobs"][0]["workflow"] == "Plain_Pipeline"
    import json

    again = parse_scenario(json.dumps(data))
    assert again.jobs == scenario.jobs
    assert "jobs" not in scenario_to_dict(parse_scenario(MIXED.split("jobs:")[0]))


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ("{workflow: MongoDB, arrivals_per_hour: 1}", ["jobs[0].workflow", "service", "workloads"]),
        ("{workflow: Nowhere, arrivals_per_hour: 1}", ["jobs[0].workflow", "Nowhere"]),
    ],
)
def test_jobs_name_a_plain_workflow_of_the_catalog(catalog, entry, words):
    text = MIXED.split("jobs:")[0] + f"jobs:\n  - {entry}\n"
    with pytest.raises(ScenarioError) as error:
        run_scenario(parse_scenario(text), catalog)
    for word in words:
        assert word in str(error.value)


def test_jobs_entries_are_checked_where_they_are_written():
    text = (
        MIXED.split("jobs:")[0] + "jobs:\n  - {workflow: Plain_Pipeline, arrivals_per_hour: -1}\n"
    )
    with pytest.raises(ScenarioError) as error:
        parse_scenario(text)
    assert "jobs[0].arrivals_per_hour" in str(error.value)
