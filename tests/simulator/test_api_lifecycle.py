"""Service life-cycles over HTTP, as a real PSA client drives them."""

from __future__ import annotations

import uuid

from api_helpers import INSTANCES, PSA, assert_error

# The shared servers and clients (admin, shared_server, manual_admin, manual_server).
pytest_plugins = ["api_fixtures"]


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_mongodb_start_pause_resume_finish_clean(admin, shared_server):
    name = _name("mongo")
    created = admin.create(
        "MongoDB", {"INSTANCE_NAME": name, "PROXYFIED": "true", "USER": "app", "PASSWORD": "secret"}
    )
    iid = created["instance_id"]
    # The answer is the instance as the activation was launched: transitioning.
    assert created["instance_status"] == "VOID -> RUNNING"
    assert created["service_id"] == "MongoDB"
    assert created["bucket_name"] == "service-automation"
    assert created["user_name"] == "admin"
    assert created["variables"]["INSTANCE_NAME"] == name
    assert all(isinstance(v, str) for v in created["variables"].values())
    assert [s["transition_state"] for s in created["job_submissions"]] == ["VOID -> RUNNING"]
    assert set(created) == {
        "instance_id",
        "service_id",
        "bucket_name",
        "user_name",
        "label",
        "instance_status",
        "creation_time",
        "finish_time",
        "service_icon",
        "variables",
        "deployments",
        "groups",
        "job_submissions",
    }

    running = admin.wait_status(iid, "RUNNING")
    assert running["finish_time"] is None
    [deployment] = running["deployments"]
    endpoint = deployment["endpoint"]
    assert endpoint["url"].startswith("mongodb://")
    assert endpoint["proxyfied"] is True
    assert endpoint["proxyfiedUrl"] == (
        f"{shared_server.url}{PSA}/services/{iid}/endpoints/{endpoint['id']}/"
    )
    assert "proxyfied_url" not in endpoint
    assert deployment["container"]["name"] == name
    assert deployment["node"]["url"]
    assert {"scheduleradmins", "rmcoreadmins"} <= set(running["groups"])

    # The proxyfied endpoint answers while the instance runs, with or without a path.
    proxied = admin.get(endpoint["proxyfiedUrl"].removeprefix(shared_server.url) + "db/x")
    assert proxied.status_code == 200, proxied.text
    assert proxied.json()["endpoint_id"] == endpoint["id"]
    root = admin.post(f"{PSA}/services/{iid}/endpoints/{endpoint['id']}")
    assert root.status_code == 200, root.text

    paused = admin.action(iid, "Pause_MongoDB")
    assert paused["instance_status"] == "RUNNING -> PAUSED"
    assert paused["job_submissions"][0]["transition_state"] == "RUNNING -> PAUSED"
    admin.wait_status(iid, "PAUSED")
    assert_error(admin.get(f"{PSA}/services/{iid}/endpoints/{endpoint['id']}/"), 503, "PAUSED")

    admin.action(iid, "Resume_MongoDB")
    admin.wait_status(iid, "RUNNING")
    finishing = admin.action(iid, "Finish_MongoDB", {"EXTRA": 7})
    assert finishing["instance_status"] == "RUNNING -> FINISHED"
    finished = admin.wait_status(iid, "FINISHED")
    assert finished["finish_time"] is not None
    assert finished["finish_time"] >= finished["creation_time"]
    # The instance keeps the union of its variables, the action's stringified.
    assert finished["variables"]["EXTRA"] == "7"
    assert finished["variables"]["USER"] == "app"

    # Newest first: index 0 is the job just launched; job ids grow.
    submissions = finished["job_submissions"]
    assert [s["transition_state"] for s in submissions] == [
        "RUNNING -> FINISHED",
        "PAUSED -> RUNNING",
        "RUNNING -> PAUSED",
        "VOID -> RUNNING",
    ]
    ids = [s["job_id"] for s in submissions]
    assert ids == sorted(ids, reverse=True)
    assert all(s["parent_job_id"] is None for s in submissions)
    times = [s["submission_time"] for s in submissions]
    assert times == sorted(times, reverse=True)

    active = {i["instance_id"] for i in admin.get(f"{INSTANCES}/active").json()}
    everything = {i["instance_id"] for i in admin.get(INSTANCES).json()}
    assert iid not in active and iid in everything

    cleaned = admin.delete(f"{INSTANCES}/{iid}")
    assert cleaned.status_code == 204, cleaned.text
    assert_error(admin.get(f"{INSTANCES}/{iid}"), 404, str(iid))


def test_transition_label_and_409_while_transitioning(manual_admin):
    admin = manual_admin
    created = admin.create("MongoDB", {"INSTANCE_NAME": _name("slow")})
    iid = created["instance_id"]
    # Nothing moves on the manual clock until told to: the label stays FROM -> TO.
    assert admin.instance(iid)["instance_status"] == "VOID -> RUNNING"
    assert admin.get(f"/sim-api/instances/{iid}/actions").json() == []
    refused = admin.put(
        f"{INSTANCES}/{iid}/action",
        json={
            "bucket_name": "service-automation",
            "workflow_name": "Finish_MongoDB",
            "variables": {},
        },
    )
    assert_error(refused, 409, "transitioning", "VOID -> RUNNING")

    clock = admin.advance(3600)
    assert clock["simulated_seconds"] >= 3600
    assert admin.instance(iid)["instance_status"] == "RUNNING"
    actions = admin.get(f"/sim-api/instances/{iid}/actions").json()
    assert {a["workflow_name"] for a in actions} == {"Finish_MongoDB", "Pause_MongoDB"}
    assert all(a["from"] == "RUNNING" for a in actions)
    assert {a["to"] for a in actions} == {"FINISHED", "PAUSED"}

    admin.action(iid, "Pause_MongoDB")
    assert admin.instance(iid)["instance_status"] == "RUNNING -> PAUSED"
    admin.advance(600)
    assert admin.instance(iid)["instance_status"] == "PAUSED"
    # Not executable from PAUSED: the 409 lists what is.
    assert_error(
        admin.put(
            f"{INSTANCES}/{iid}/action",
            json={"bucket_name": "service-automation", "workflow_name": "Pause_MongoDB"},
        ),
        409,
        "not executable",
        "Finish_MongoDB",
        "Resume_MongoDB",
    )
    admin.action(iid, "Finish_MongoDB")
    admin.advance(600)
    assert admin.instance(iid)["instance_status"] == "FINISHED"


def test_spark_hdfs_chain_up_and_back(admin):
    created = admin.create("Reserve_Nodes", {"INSTANCE_NAME": _name("spark")})
    iid = created["instance_id"]
    assert created["service_id"] == "Spark_HDFS"
    admin.wait_status(iid, "PA_NODES_RESERVED")
    for action, state in [
        ("Deploy_Swarm", "SWARM_DEPLOYED"),
        ("Deploy_HDFS", "HDFS_DEPLOYED"),
        ("Deploy_Spark", "HDFS_SPARK_DEPLOYED"),
    ]:
        assert admin.action(iid, action)["instance_status"].endswith(f"-> {state}")
        data = admin.wait_status(iid, state)
    assert {d["endpoint"]["id"] for d in data["deployments"]} >= {
        "consul_UI",
        "HDFS_UI",
        "SPARK_UI",
    }
    for action, state in [
        ("Delete_Spark", "HDFS_DEPLOYED"),
        ("Delete_HDFS", "SWARM_DEPLOYED"),
        ("Delete_Swarm", "PA_NODES_RESERVED"),
        ("Release_Nodes", "FINISHED"),
    ]:
        admin.action(iid, action)
        data = admin.wait_status(iid, state)
    assert "SPARK_UI" not in {d["endpoint"]["id"] for d in data["deployments"]}
    assert data["job_submissions"][0]["transition_state"] == "PA_NODES_RESERVED -> FINISHED"
    assert len(data["job_submissions"]) == 8


def test_kafka_brings_up_zookeeper_with_parent_job(admin):
    zk_name = _name("zk")
    kafka = admin.create(
        "Kafka", {"INSTANCE_NAME": _name("kafka"), "ZOOKEEPER_INSTANCE_NAME": zk_name}
    )
    kafka_job = kafka["job_submissions"][0]["job_id"]
    admin.wait_status(kafka["instance_id"], "RUNNING")
    zookeepers = [
        i
        for i in admin.get(INSTANCES).json()
        if i["service_id"] == "Zookeeper" and i["variables"].get("INSTANCE_NAME") == zk_name
    ]
    assert len(zookeepers) == 1
    zk = zookeepers[0]
    assert zk["instance_status"] == "RUNNING"
    assert zk["job_submissions"][0]["parent_job_id"] == kafka_job
    assert kafka["job_submissions"][0]["parent_job_id"] is None

    # A second Kafka on the same Zookeeper reuses it.
    second = admin.create(
        "Kafka", {"INSTANCE_NAME": _name("kafka"), "ZOOKEEPER_INSTANCE_NAME": zk_name}
    )
    admin.wait_status(second["instance_id"], "RUNNING")
    assert (
        len(
            [
                i
                for i in admin.get(INSTANCES).json()
                if i["service_id"] == "Zookeeper" and i["variables"].get("INSTANCE_NAME") == zk_name
            ]
        )
        == 1
    )


def test_update_instance_reports_state_and_variables(admin):
    iid = admin.create("MongoDB", {"INSTANCE_NAME": _name("upd")})["instance_id"]
    data = admin.wait_status(iid, "RUNNING")
    data["variables"]["REPORTED"] = "yes"
    data["label"] = "labelled"
    r = admin.put(f"{INSTANCES}/{iid}", json=data)
    assert r.status_code == 200, r.text
    assert r.json()["variables"]["REPORTED"] == "yes"
    assert r.json()["label"] == "labelled"
    r = admin.put(f"{INSTANCES}/{iid}", json={"instance_status": "FINISHED"})
    assert r.status_code == 200, r.text
    assert r.json()["instance_status"] == "FINISHED"
    assert_error(
        admin.put(f"{INSTANCES}/{iid}", json={"instance_status": "A -> B"}), 400, "instance_status"
    )
