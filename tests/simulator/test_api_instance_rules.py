"""The instance rules a client meets over HTTP: kill while transitioning, final states,
variables stored on submission, and what a PUT of ServiceInstanceData may change."""

from __future__ import annotations

import uuid

from api_helpers import INSTANCES, assert_error

pytest_plugins = ["api_fixtures"]


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _job_status(admin, job_id: int) -> str:
    return admin.get(f"/rest/scheduler/jobs/{job_id}").json()["jobInfo"]["status"]


def test_a_kill_is_accepted_while_transitioning_and_ends_killed(manual_admin):
    admin = manual_admin
    created = admin.create("MongoDB", {"INSTANCE_NAME": _name("kill")})
    iid = created["instance_id"]
    job_id = created["job_submissions"][0]["job_id"]
    assert admin.instance(iid)["instance_status"] == "VOID -> RUNNING"
    r = admin.put(f"{INSTANCES}/{iid}", json={"instance_status": "KILLED"})
    assert r.status_code == 200, r.text
    assert r.json()["instance_status"] == "KILLED"
    assert _job_status(admin, job_id) == "KILLED"
    admin.advance(3600)
    assert admin.instance(iid)["instance_status"] == "KILLED"  # nothing brings it back


def test_finished_and_killed_are_final(admin):
    iid = admin.create("MongoDB", {"INSTANCE_NAME": _name("final")})["instance_id"]
    admin.wait_status(iid, "RUNNING")
    admin.action(iid, "Finish_MongoDB")
    finished = admin.wait_status(iid, "FINISHED")
    # No action applies, not even an (ALL,…) one; the list of executable actions is empty.
    assert admin.get(f"/sim-api/instances/{iid}/actions").json() == []
    refused = admin.put(
        f"{INSTANCES}/{iid}/action",
        json={"bucket_name": "service-automation", "workflow_name": "Pause_MongoDB"},
    )
    assert_error(refused, 409, "FINISHED", "final state")
    # A PUT cannot revive it, nor turn it into KILLED.
    for status in ("RUNNING", "KILLED", "ERROR"):
        assert_error(
            admin.put(f"{INSTANCES}/{iid}", json={"instance_status": status}),
            409,
            "final state",
            status,
        )
    after = admin.instance(iid)
    assert after["instance_status"] == "FINISHED"
    assert after["finish_time"] == finished["finish_time"]


def test_action_variables_are_stored_when_it_is_submitted(manual_admin):
    admin = manual_admin
    iid = admin.create("MongoDB", {"INSTANCE_NAME": _name("vars"), "USER": "first"})["instance_id"]
    admin.advance(3600)
    answer = admin.action(iid, "Pause_MongoDB", {"USER": "second", "EXTRA": "x"})
    assert answer["instance_status"] == "RUNNING -> PAUSED"
    assert answer["variables"]["USER"] == "second"
    assert admin.instance(iid)["variables"]["EXTRA"] == "x"


DEPLOYMENT = {
    "endpoint": {
        "id": "web",
        "url": "http://10.0.0.5:8080",
        "proxyfied": True,
        "proxyfiedUrl": "http://localhost:8080/cloud-automation-service/services/1/endpoints/web/",
    },
    "node": {"name": "n1", "host": "10.0.0.5", "node_source_name": "LocalNodes", "url": "pnp://x"},
    "container": {"id": "abc", "name": "web-1"},
}


def test_put_stores_deployments_and_groups(admin):
    iid = admin.create("MongoDB", {"INSTANCE_NAME": _name("dep")})["instance_id"]
    data = admin.wait_status(iid, "RUNNING")
    before = list(data["deployments"])
    data["deployments"] = [*before, DEPLOYMENT]
    data["groups"] = ["scheduleradmins", "rmcoreadmins"]
    r = admin.put(f"{INSTANCES}/{iid}", json=data)
    assert r.status_code == 200, r.text
    stored = admin.instance(iid)
    assert len(stored["deployments"]) == len(before) + 1
    added = stored["deployments"][-1]
    assert added["endpoint"] == DEPLOYMENT["endpoint"]
    assert added["node"] == DEPLOYMENT["node"]
    assert added["container"] == DEPLOYMENT["container"]
    assert stored["groups"] == ["scheduleradmins", "rmcoreadmins"]
    # Fields the server owns are not changed by a PUT.
    data["service_id"] = "Other"
    data["creation_time"] = 1
    admin.put(f"{INSTANCES}/{iid}", json=data)
    kept = admin.instance(iid)
    assert kept["service_id"] == "MongoDB"
    assert kept["creation_time"] == stored["creation_time"]


def test_a_bad_deployment_is_a_400_naming_the_field_and_changes_nothing(admin):
    iid = admin.create("MongoDB", {"INSTANCE_NAME": _name("bad")})["instance_id"]
    before = admin.wait_status(iid, "RUNNING")
    cases = [
        ([{"node": None}], "deployments[0].endpoint"),
        ([{"endpoint": {"url": "http://x"}}], "deployments[0].endpoint.id"),
        (
            [DEPLOYMENT, {"endpoint": {"id": "e", "proxyfied": "yes"}}],
            "deployments[1].endpoint.proxyfied",
        ),
        ([{"endpoint": {"id": "e"}, "node": {"host": 5}}], "deployments[0].node.host"),
        (
            [{"endpoint": {"id": "e"}, "container": {"colour": "red"}}],
            "deployments[0].container.colour",
        ),
    ]
    for deployments, field in cases:
        body = {"instance_status": "RUNNING", "label": "changed", "deployments": deployments}
        assert_error(admin.put(f"{INSTANCES}/{iid}", json=body), 400, field)
    assert_error(admin.put(f"{INSTANCES}/{iid}", json={"groups": ["ok", ""]}), 400, "groups[1]")
    after = admin.instance(iid)
    assert after["deployments"] == before["deployments"]
    assert after["label"] == before["label"]


def test_catalog_dir_honours_each_workflows_bucket_name(tmp_path):
    from api_helpers import Server

    workflow = (
        '<job xmlns="urn:proactive:jobdescriptor:3.14" name="Model_Server">'
        '<variables><variable name="INSTANCE_NAME" value="ms-$PA_JOB_ID"/></variables>'
        '<genericInformation><info name="bucketName" value="ai-mlops-dashboard"/>'
        '<info name="pca.service.id" value="Model_Server"/>'
        '<info name="pca.states" value="(VOID,RUNNING)"/></genericInformation>'
        '<taskFlow><task name="t"><scriptExecutable><script><code language="bash">true'
        "</code></script></scriptExecutable></task></taskFlow></job>"
    )
    (tmp_path / "Model_Server.xml").write_text(workflow)
    server = Server("--catalog", str(tmp_path))
    try:
        admin = server.client()
        r = admin.get("/catalog/buckets/ai-mlops-dashboard/resources/Model_Server")
        assert r.status_code == 200, r.text
        created = admin.create("Model_Server", bucket="ai-mlops-dashboard")
        assert created["bucket_name"] == "ai-mlops-dashboard"
    finally:
        server.stop()
