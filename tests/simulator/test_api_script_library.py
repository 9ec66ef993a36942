"""Workflows written as real ones are, delegating to the service-automation script
library (fixtures/library), seen by a client: endpoints, variables, groups, tokens."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from api_helpers import Server

LIBRARY = Path(__file__).parent / "fixtures" / "library"
RAW = "/catalog/buckets/service-automation/resources/{}/raw"


@pytest.fixture(scope="module")
def server():
    server = Server("--catalog", str(LIBRARY), "--nodes", "12")
    yield server
    server.stop()


@pytest.fixture
def admin(server):
    return server.client()


def _tokens(server) -> list[str]:
    text = requests.get(f"{server.url}/rest/rm/model/tokens").text
    return [x for x in text[len("PA:LIST(") : -1].split(",") if x]


def _propagated(admin, job_id: int) -> dict:
    result = admin.get(f"/rest/scheduler/jobs/{job_id}/result").json()
    merged: dict = {}
    for task in result["allResults"].values():
        merged.update(task["propagatedVariables"])
    return merged


def test_post_start_service_argument_gives_the_scheme_and_puts_hostname_and_port(admin):
    created = admin.create("Ledger_DB", {"INSTANCE_NAME": "ledger-1"})
    data = admin.wait_status(created["instance_id"], "RUNNING")
    [deployment] = data["deployments"]
    host, port = deployment["node"]["host"], data["variables"]["PORT"]
    assert data["variables"]["HOSTNAME"] == host
    assert deployment["endpoint"]["url"] == f"ledgerdb://{host}:{port}"
    assert deployment["endpoint"]["proxyfied"] is False
    assert deployment["container"]["name"] == "ledger-1"
    assert data["groups"] == []
    # What the real Python client reads with get_propagated_variable_from_job_result.
    propagated = _propagated(admin, created["job_submissions"][0]["job_id"])
    assert propagated["HOSTNAME"] == host and propagated["PORT"] == port


def test_https_enabled_and_proxyfied_through_pre_start_service(admin):
    created = admin.create("Web_Board", {"INSTANCE_NAME": "board-1"})
    iid = created["instance_id"]
    data = admin.wait_status(iid, "RUNNING")
    [deployment] = data["deployments"]
    endpoint = deployment["endpoint"]
    # HTTPS_ENABLED=false: http, whatever the argument (there is none).
    assert endpoint["url"] == f"http://{deployment['node']['host']}:{data['variables']['PORT']}"
    assert endpoint["proxyfied"] is True
    endpoint_id = data["variables"]["ENDPOINT_ID"]
    assert endpoint["proxyfiedUrl"].endswith(f"/services/{iid}/endpoints/{endpoint_id}/")
    assert data["variables"]["PROXYFIED_URL"] == endpoint["proxyfiedUrl"]
    assert data["variables"]["WS_PROXYFIED_URL"].startswith("ws://")
    assert data["groups"] == ["scheduleradmins", "rmcoreadmins"]
    # HTTPS_ENABLED=true at submission: https.
    other = admin.create("Web_Board", {"INSTANCE_NAME": "board-2", "HTTPS_ENABLED": "true"})
    secure = admin.wait_status(other["instance_id"], "RUNNING")
    assert secure["deployments"][0]["endpoint"]["url"].startswith("https://")


def test_no_argument_and_no_http_variables_means_no_endpoint_but_a_token(admin, server):
    created = admin.create("Bare_Worker", {"INSTANCE_NAME": "bare-1"})
    data = admin.wait_status(created["instance_id"], "RUNNING")
    assert data["deployments"] == []
    assert "PSA_bare-1" in _tokens(server)
    assert data["variables"]["PORT"]  # still put by Post_Start_Service


def test_a_crash_keeps_the_token_until_the_finish_cleans_up(admin, server):
    created = admin.create("Ledger_DB", {"INSTANCE_NAME": "ledger-crash"})
    iid = created["instance_id"]
    admin.wait_status(iid, "RUNNING")
    r = admin.post("/sim-api/faults/crash", json={"instance_id": iid})
    assert r.status_code == 200, r.text
    admin.advance(120)
    assert admin.wait_status(iid, "ERROR")["instance_status"] == "ERROR"
    assert "PSA_ledger-crash" in _tokens(server)  # Check_Instance_Status keeps it
    admin.action(iid, "Finish_Ledger_DB")
    admin.wait_status(iid, "FINISHED")
    assert "PSA_ledger-crash" not in _tokens(server)  # Clean_Trigger_Action removed it
    assert admin.get("/sim-api/metrics").json()["leaks"] == []


def test_the_script_stand_ins_resolve(admin):
    for name in ("Post_Start_Service", "Check_Instance_Status", "Clean_Trigger_Action"):
        r = admin.get(RAW.format(name))
        assert r.status_code == 200, r.text
        assert name in r.text and "interprets" in r.text


def test_add_deployments_gives_the_master_gui_endpoint_proxyfied(admin, server):
    created = admin.create("Ledger_Cluster", {"INSTANCE_NAME": "ledger-cluster-1"})
    iid, job_id = created["instance_id"], created["job_submissions"][0]["job_id"]
    data = admin.wait_status(iid, "RUNNING")
    [deployment] = data["deployments"]
    endpoint = deployment["endpoint"]
    # As HDFS, Spark and Hive build it: `<prefix>-gui-<job id>`, http, proxyfied.
    assert endpoint["id"] == f"ledger-gui-{job_id}"
    assert endpoint["url"].startswith(f"http://{deployment['node']['host']}:")
    assert endpoint["proxyfied"] is True
    assert endpoint["proxyfiedUrl"].endswith(f"/services/{iid}/endpoints/ledger-gui-{job_id}/")
    assert data["groups"] == ["scheduleradmins", "rmcoreadmins"]
    assert "PSA_ledger-cluster-1" in _tokens(server)
    # Add_deployments_and_update_service puts no HOSTNAME/PORT (Post_Start_Service does).
    assert "PORT" not in data["variables"]


def test_add_deployments_endpoint_id_from_sim_endpoint(admin):
    created = admin.create("Board_Cluster", {"INSTANCE_NAME": "board-cluster-1"})
    job_id = created["job_submissions"][0]["job_id"]
    data = admin.wait_status(created["instance_id"], "RUNNING")
    [deployment] = data["deployments"]
    assert deployment["endpoint"]["id"] == f"board-master-{job_id}"


def test_add_deployments_with_count_0_records_nothing_and_reports_error(admin, server):
    message = "Deployment cannot continue: swarm init failed"
    created = admin.create(
        "Grid_Cluster",
        {"INSTANCE_NAME": "grid-dud", "nb_grid_deployments": "0", "DEPLOY_ERROR_MESSAGE": message},
    )
    iid, job_id = created["instance_id"], created["job_submissions"][0]["job_id"]
    data = admin.wait_status(iid, "ERROR")
    assert data["deployments"] == [] and data["groups"] == []
    assert "PSA_grid-dud" not in _tokens(server)  # nothing held: no token, port, container
    job = admin.get(f"/rest/scheduler/jobs/{job_id}").json()
    assert job["jobInfo"]["status"] == "FAILED"
    result = admin.get(f"/rest/scheduler/jobs/{job_id}/result").json()
    errors = {task["exceptionMessage"] for task in result["allResults"].values()}
    assert message in errors  # the deploy error, as the failed task reports it
    assert admin.get("/sim-api/metrics").json()["leaks"] == []
    # The same workflow with a count of 1 records the master GUI as usual.
    other = admin.create("Grid_Cluster", {"INSTANCE_NAME": "grid-ok"})
    running = admin.wait_status(other["instance_id"], "RUNNING")
    [deployment] = running["deployments"]
    assert deployment["endpoint"]["id"] == f"grid-gui-{other['job_submissions'][0]['job_id']}"


def test_a_multi_node_activation_records_one_deployment_per_node_without_url(admin, server):
    created = admin.create("Mesh_Swarm", {"INSTANCE_NAME": "mesh-1"})
    iid = created["instance_id"]
    data = admin.wait_status(iid, "RUNNING")
    deployments = data["deployments"]
    # As the real Docker_Swarm records them: the manager's id is the instance name, each
    # worker's `<name>_<index>`; an endpoint id and the node, no URL, no container.
    assert [d["endpoint"]["id"] for d in deployments] == ["mesh-1", "mesh-1_0", "mesh-1_1"]
    assert [d["id"] for d in deployments] == [1, 2, 3]
    for deployment in deployments:
        assert deployment["endpoint"]["url"] is None
        assert deployment["endpoint"]["proxyfied"] is False
        assert deployment["endpoint"]["proxyfiedUrl"] is None
        assert deployment["container"] is None
    assert len({d["node"]["name"] for d in deployments}) == 3
    assert data["groups"] == []
    assert "PSA_mesh-1" in _tokens(server)  # on each node: test_engine_multi_node.py
    # No URL, nothing to proxy: a 404 that says so.
    r = admin.get(f"/cloud-automation-service/services/{iid}/endpoints/mesh-1_0/")
    assert r.status_code == 404, r.text
    assert "'mesh-1_0'" in r.text and "has no URL" in r.text
