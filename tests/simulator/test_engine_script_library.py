"""What the library scripts leave on the synchronization channel, seen inside the engine
(the channel has no HTTP route)."""

from __future__ import annotations

from pathlib import Path

from psa_sim.catalog import load_catalog
from psa_sim.engine.cluster import NodeSourceConfig
from psa_sim.engine.simulation import Simulation

LIBRARY = Path(__file__).parent / "fixtures" / "library"


def test_add_deployments_with_count_0_reports_the_deploy_error_on_the_channel():
    sim = Simulation(load_catalog(LIBRARY), node_sources=[NodeSourceConfig("LocalNodes", 2)])
    dud = sim.submit_activation(
        "Grid_Cluster",
        {"INSTANCE_NAME": "grid-dud", "nb_grid_deployments": "0", "DEPLOY_ERROR_MESSAGE": "boom"},
    )
    sim.run(until=600)
    assert dud.state == "ERROR" and dud.error_cause == "boom"
    assert dud.channel == {
        "RUNNING_STATE": 2,
        "DEPLOY_ERROR_MESSAGE": "boom",
        "INSTANCE_NAME": "grid-dud",
    }
    # Without a message the cause names the script and its count.
    bare = sim.submit_activation(
        "Grid_Cluster", {"INSTANCE_NAME": "grid-bare", "nb_grid_deployments": "0"}
    )
    sim.run(until=1200)
    assert bare.error_cause == (
        "Add_deployments_and_update_service: no deployment to record "
        "(count '$nb_grid_deployments' is 0)"
    )
    assert bare.channel["DEPLOY_ERROR_MESSAGE"] is None
    assert sim.leaks() == []
