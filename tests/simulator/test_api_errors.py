"""Every error a client can meet, as PSA's JSON body with its status; and sessions."""

from __future__ import annotations

import uuid

import pytest
import requests
from api_helpers import INSTANCES, PSA, Server, assert_error

# The shared servers and clients (admin, shared_server, manual_admin, manual_server).
pytest_plugins = ["api_fixtures"]

MONGO = {"bucket_name": "service-automation", "workflow_name": "MongoDB"}


def _mongo(admin) -> int:
    iid = admin.create("MongoDB", {"INSTANCE_NAME": f"err-{uuid.uuid4().hex[:8]}"})["instance_id"]
    admin.wait_status(iid, "RUNNING")
    return iid


# --- 400 -----------------------------------------------------------------------------
def test_invalid_variables_name_the_variable_value_and_model(admin):
    r = admin.post(
        INSTANCES, json={**MONGO, "variables": {"SERVICE_PORT": "abc", "ENGINE": "podman"}}
    )
    assert_error(
        r,
        400,
        "SERVICE_PORT",
        "'abc'",
        "PA:Integer",
        "ENGINE",
        "'podman'",
        "PA:List(docker,singularity)",
    )


def test_action_with_invalid_variable_is_refused_and_changes_nothing(admin):
    iid = _mongo(admin)
    r = admin.put(
        f"{INSTANCES}/{iid}/action",
        json={
            "bucket_name": "service-automation",
            "workflow_name": "Finish_MongoDB",
            "variables": {"INSTANCE_NAME": {"nested": 1}},
        },
    )
    assert_error(r, 400, "variables.INSTANCE_NAME")
    assert admin.instance(iid)["instance_status"] == "RUNNING"


@pytest.mark.parametrize(
    "path",
    [
        f"{INSTANCES}/abc",
        f"{INSTANCES}/1.5",
        f"{INSTANCES}/abc/action",
        "/rest/scheduler/jobs/x",
        "/rest/scheduler/jobs/x/result",
        "/sim-api/instances/one/actions",
    ],
)
def test_non_integer_ids_are_400_naming_the_parameter(admin, path):
    method = "PUT" if path.endswith("/action") else "GET"
    r = admin.request(method, path, json=MONGO)
    message = assert_error(r, 400)
    assert "_id" in message and "integer" in message


@pytest.mark.parametrize(
    "body, words",
    [
        ("{not json", ["body", "malformed JSON"]),
        ("[1, 2]", ["body"]),
        ('"just a string"', ["body"]),
        ("{}", ["bucket_name", "workflow_name", "missing"]),
        ('{"bucket_name": 1, "workflow_name": "MongoDB"}', ["bucket_name"]),
        ('{"bucket_name": "b", "workflow_name": "w", "variables": [1]}', ["variables"]),
        ('{"bucket_name": "b", "workflow_name": "w", "variables": {"A": [1]}}', ["variables.A"]),
        ("", ["body"]),
    ],
)
def test_malformed_bodies_are_400_never_5xx(admin, body, words):
    r = admin.post(INSTANCES, data=body, headers={"content-type": "application/json"})
    assert_error(r, 400, *words)


def test_wrong_content_types_are_4xx(admin, shared_server):
    iid = _mongo(admin)
    for method, path in [
        ("POST", INSTANCES),
        ("PUT", f"{INSTANCES}/{iid}/action"),
        ("PUT", f"{INSTANCES}/{iid}"),
        ("PUT", "/sim-api/clock"),
        ("POST", "/sim-api/advance"),
    ]:
        for kwargs in (
            {"data": "bucket_name=x"},
            {"data": b"\xff\xfe\x00garbage"},
            {"files": {"file": ("a.xml", b"<job/>")}},
        ):
            r = admin.request(method, path, **kwargs)
            assert 400 <= r.status_code < 500, (method, path, kwargs, r.text)
            assert r.json()["httpErrorCode"] == r.status_code
    # Login takes form fields: sent otherwise, there are no credentials.
    r = requests.post(
        shared_server.url + "/rest/common/login", json={"username": "admin", "password": "admin"}
    )
    assert_error(r, 401, "username or password")


def test_numbers_must_be_finite(admin):
    for body in (
        '{"seconds": NaN}',
        '{"seconds": Infinity}',
        '{"seconds": 1e400}',
        '{"seconds": "soon"}',
        '{"seconds": null}',
        "{}",
    ):
        r = admin.post("/sim-api/advance", data=body, headers={"content-type": "application/json"})
        assert_error(r, 400, "seconds")


# --- 404 -----------------------------------------------------------------------------
def test_unknown_things_are_404(admin):
    assert_error(admin.get(f"{INSTANCES}/987654"), 404, "987654")
    assert_error(
        admin.put(
            f"{INSTANCES}/987654/action",
            json={"bucket_name": "service-automation", "workflow_name": "Finish_MongoDB"},
        ),
        404,
        "987654",
    )
    assert_error(admin.delete(f"{INSTANCES}/987654"), 404, "987654")
    assert_error(
        admin.post(
            INSTANCES,
            json={"bucket_name": "service-automation", "workflow_name": "No_Such_Service"},
        ),
        404,
        "No_Such_Service",
    )
    assert_error(admin.get("/catalog/buckets/no-such-bucket/resources"), 404, "no-such-bucket")
    assert_error(admin.get("/catalog/buckets/service-automation/resources/Nope"), 404, "Nope")
    assert_error(admin.get("/rest/scheduler/jobs/987654"), 404, "987654")
    assert_error(admin.get("/rest/scheduler/jobs/987654/log/full"), 404, "987654")


def test_unknown_routes_and_methods_are_json(shared_server):
    r = requests.get(shared_server.url + "/no/such/route")
    assert_error(r, 404, "/no/such/route")
    r = requests.delete(shared_server.url + "/rest/common/login")
    assert_error(r, 405, "DELETE")
    assert "POST" in r.headers["allow"]
    r = requests.patch(shared_server.url + INSTANCES)
    assert_error(r, 405)


# --- 409 -----------------------------------------------------------------------------
def test_not_executable_lists_the_executable_actions(admin):
    iid = _mongo(admin)
    r = admin.put(
        f"{INSTANCES}/{iid}/action",
        json={"bucket_name": "service-automation", "workflow_name": "Resume_MongoDB"},
    )
    assert_error(r, 409, "Resume_MongoDB", "RUNNING", "Finish_MongoDB", "Pause_MongoDB")
    # Cleaning is for FINISHED or KILLED instances only.
    assert_error(admin.delete(f"{INSTANCES}/{iid}"), 409, "RUNNING")


def test_another_services_action_is_400(admin):
    iid = _mongo(admin)
    r = admin.put(
        f"{INSTANCES}/{iid}/action",
        json={"bucket_name": "service-automation", "workflow_name": "Finish_MySQL"},
    )
    assert_error(r, 400, "Finish_MySQL", "MongoDB")


# --- 401 and sessions ------------------------------------------------------------------
PROTECTED = [
    ("GET", INSTANCES),
    ("GET", f"{INSTANCES}/active"),
    ("GET", f"{INSTANCES}/1"),
    ("POST", INSTANCES),
    ("GET", "/catalog/buckets"),
    ("GET", "/rest/scheduler/jobs/1"),
    ("GET", "/sim-api/metrics"),
    ("GET", "/sim-api/clock"),
    ("GET", f"{PSA}/services/1/endpoints/e/"),
]


@pytest.mark.parametrize("method, path", PROTECTED)
@pytest.mark.parametrize("header", [None, "", "not-a-session"])
def test_no_or_bad_session_is_401(shared_server, method, path, header):
    headers = {} if header is None else {"sessionid": header}
    r = requests.request(
        method, shared_server.url + path, headers=headers, json=MONGO if method == "POST" else None
    )
    assert_error(r, 401, "sessionid")


def test_bad_credentials_are_401(shared_server):
    r = requests.post(
        shared_server.url + "/rest/common/login", data={"username": "admin", "password": "wrong"}
    )
    assert_error(r, 401)
    r = requests.post(
        shared_server.url + "/rest/common/login", data={"username": "nobody", "password": "admin"}
    )
    assert_error(r, 401)


def test_connected_and_logout(shared_server):
    client = shared_server.client()
    url = shared_server.url + "/rest/common/connected"
    assert requests.get(url, headers={"sessionid": client.session_id}).json() is True
    assert requests.get(url, headers={"sessionid": "nope"}).json() is False
    assert requests.get(url).json() is False
    # The catalog's spelling of the header is the same header.
    r = requests.get(
        shared_server.url + "/catalog/buckets", headers={"sessionID": client.session_id}
    )
    assert r.status_code == 200
    assert client.put("/rest/common/logout").status_code == 204
    assert requests.get(url, headers={"sessionid": client.session_id}).json() is False
    assert_error(client.get(INSTANCES), 401)


# --- 403: users of their own ----------------------------------------------------------
@pytest.fixture(scope="module")
def two_users(tmp_path_factory):
    users = tmp_path_factory.mktemp("users") / "users.yaml"
    users.write_text("- {name: alice, password: alice-pw}\n- {name: bob, password: bob-pw}\n")
    server = Server("--users", users, "--nodes", "4")
    yield server
    server.stop()


def test_users_file_is_announced_and_replaces_the_demo_user(two_users):
    assert two_users.lines[1].startswith("users from ")
    assert two_users.lines[1].endswith("users.yaml")
    r = requests.post(
        two_users.url + "/rest/common/login", data={"username": "admin", "password": "admin"}
    )
    assert_error(r, 401)


def test_another_users_instance_is_403(two_users):
    alice = two_users.client("alice", "alice-pw")
    bob = two_users.client("bob", "bob-pw")
    iid = alice.create("MongoDB", {"INSTANCE_NAME": "alice-db"})["instance_id"]
    data = alice.wait_status(iid, "RUNNING")
    assert data["user_name"] == "alice"
    assert_error(bob.get(f"{INSTANCES}/{iid}"), 403, str(iid))
    assert_error(
        bob.put(
            f"{INSTANCES}/{iid}/action",
            json={"bucket_name": "service-automation", "workflow_name": "Finish_MongoDB"},
        ),
        403,
    )
    assert_error(bob.put(f"{INSTANCES}/{iid}", json={"label": "mine"}), 403)
    assert_error(bob.delete(f"{INSTANCES}/{iid}"), 403)
    job = data["job_submissions"][0]["job_id"]
    assert_error(bob.get(f"/rest/scheduler/jobs/{job}"), 403)
    assert_error(bob.put(f"/rest/scheduler/jobs/{job}/kill"), 403)
    assert iid not in {i["instance_id"] for i in bob.get(INSTANCES).json()}
    assert iid in {i["instance_id"] for i in alice.get(INSTANCES).json()}
    # The simulator's administration is for administrators only.
    for method, path in [
        ("GET", "/sim-api/metrics"),
        ("GET", "/sim-api/clock"),
        ("POST", "/sim-api/reset"),
    ]:
        assert_error(bob.request(method, path), 403, "bob")
    assert_error(bob.post("/sim-api/advance", json={"seconds": 1}), 403)
    # Nothing of it changed alice's instance.
    assert alice.instance(iid)["instance_status"] == "RUNNING"
