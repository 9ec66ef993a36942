"""The HTTP layer alone, over a scripted driver: what it parses, how it formats, and
that even a driver bug leaves as PSA's JSON error body. uvicorn runs in a thread."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests
import uvicorn
from api_helpers import assert_error

from psa_sim.api import create_app
from psa_sim.api.serve import _url, _users_line
from psa_sim.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from psa_sim.platform.operations import registered


class ScriptedDriver:
    """Records each call by its operation's name; answers from `answers` (a value, or an
    exception to raise)."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.answers: dict[str, object] = {}

    async def call(self, op, /, **kwargs):
        method = registered(op).name
        self.calls.append((method, kwargs))
        answer = self.answers.get(method)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    # Sessions are the driver's own (never queued to the simulation).
    async def login(self, username, password, address=None):
        self.calls.append(("login", {"username": username, "password": password}))
        return self.answers.get("login")

    def logout(self, session_id):
        self.calls.append(("logout", {"session_id": session_id}))

    def connected(self, session_id):
        self.calls.append(("connected", {"session_id": session_id}))
        return bool(self.answers.get("connected"))


@pytest.fixture(scope="module")
def layer():
    driver = ScriptedDriver()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(create_app(driver), log_level="critical", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", driver
    server.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture
def http(layer):
    url, driver = layer
    driver.calls.clear()
    driver.answers.clear()
    return url, driver


@pytest.mark.parametrize(
    "error, status",
    [
        (InvalidInput("variables.X: bad"), 400),
        (Unauthorized("sessionid: unknown"), 401),
        (Forbidden("instance_id: not yours"), 403),
        (NotFound("instance_id: no 7"), 404),
        (Conflict("instance 7 is transitioning"), 409),
    ],
)
def test_platform_errors_keep_their_status_and_message(http, error, status):
    url, driver = http
    driver.answers["get_instance"] = error
    r = requests.get(
        url + "/cloud-automation-service/serviceInstances/7", headers={"sessionid": "s"}
    )
    assert assert_error(r, status) == str(error)
    assert driver.calls == [("get_instance", {"session_id": "s", "instance_id": 7})]


def test_a_driver_bug_is_a_json_500(http):
    url, driver = http
    driver.answers["list_instances"] = KeyError("boom")
    r = requests.get(url + "/cloud-automation-service/serviceInstances")
    assert_error(r, 500, "KeyError")


def test_requests_become_platform_calls(http):
    url, driver = http
    driver.answers.update(
        {
            "create_instance": {"instance_id": 1},
            "proxy": (200, {"a": 1}),
            "rm_tokens": [],
            "rm_hosts": ["h1", "h2"],
            "login": "sid",
            "get_raw": (b"<job/>", "application/xml"),
            "job_log": "line\n",
            "add_object": {"object": []},
        }
    )
    h = {"SessionID": "s"}
    r = requests.post(
        url + "/cloud-automation-service/serviceInstances",
        headers=h,
        json={
            "bucket_name": "b",
            "workflow_name": "w",
            "variables": {"N": 3, "B": True, "S": "x"},
            "extra": 1,
        },
    )
    assert r.status_code == 200 and r.json() == {"instance_id": 1}
    assert driver.calls[-1] == (
        "create_instance",
        {
            "session_id": "s",
            "description": {
                "bucket_name": "b",
                "workflow_name": "w",
                "variables": {"N": 3, "B": True, "S": "x"},
                "extra": 1,
            },
        },
    )
    # The proxy passes the method, the path and the session on, with or without a path.
    r = requests.delete(
        url + "/cloud-automation-service/services/4/endpoints/ep/a/b?q=1", headers=h
    )
    assert r.status_code == 200 and r.json() == {"a": 1}
    assert driver.calls[-1] == (
        "proxy",
        {
            "session_id": "s",
            "instance_id": 4,
            "endpoint_id": "ep",
            "path": "a/b",
            "method": "DELETE",
        },
    )
    r = requests.head(url + "/cloud-automation-service/services/4/endpoints/ep")
    assert r.status_code == 200 and r.content == b""
    assert driver.calls[-1][1]["path"] == "" and driver.calls[-1][1]["method"] == "HEAD"

    assert requests.get(url + "/rest/rm/model/tokens").text == "PA:LIST()"
    assert requests.get(url + "/rest/rm/model/hosts").text == "PA:LIST(,h1,h2)"
    r = requests.post(url + "/rest/common/login", data={"username": "u", "password": "p"})
    assert r.text == "sid" and r.headers["content-type"].startswith("text/plain")
    r = requests.get(url + "///catalog/buckets/b/resources/n%20m/raw", headers=h)
    assert r.content == b"<job/>" and r.headers["content-type"] == "application/xml"
    assert driver.calls[-1] == ("get_raw", {"session_id": "s", "bucket": "b", "name": "n m"})
    assert requests.get(url + "/rest/scheduler/jobs/3/log/full").text == "line\n"
    r = requests.post(
        url + "/catalog/buckets/b/resources",
        params={
            "kind": "workflow/psa",
            "commitMessage": "c",
            "objectContentType": "application/xml",
            "projectName": "p",
            "tags": "t1,t2",
        },
        files={"file": ("x.xml", b"<job/>")},
        headers=h,
    )
    assert r.status_code == 201
    assert driver.calls[-1] == (
        "add_object",
        {
            "session_id": "s",
            "bucket": "b",
            "content": b"<job/>",
            "name": None,
            "kind": "workflow/psa",
            "commit_message": "c",
            "content_type": "application/xml",
            "project_name": "p",
            "tags": "t1,t2",
        },
    )


def test_update_passes_only_the_keys_sent(http):
    url, driver = http
    driver.answers["update_instance"] = {}
    requests.put(
        url + "/cloud-automation-service/serviceInstances/2",
        json={"instance_status": "RUNNING", "unknown": [1]},
    )
    assert driver.calls[-1][1]["data"] == {"instance_status": "RUNNING", "unknown": [1]}


def test_bad_requests_never_reach_the_driver(http):
    url, driver = http
    for method, path, kwargs in [
        ("GET", "/cloud-automation-service/serviceInstances/x", {}),
        ("POST", "/cloud-automation-service/serviceInstances", {"data": "{"}),
        ("POST", "/sim-api/advance", {"json": {"seconds": True}}),
        ("POST", "/sim-api/faults/crash", {"json": {"instance_id": "1"}}),
        ("PUT", "/sim-api/clock", {"json": {"mode": "fast"}}),
        ("POST", "/sim-api/faults/node-failure", {"json": {"node": 1}}),
        ("POST", "/rest/rm/node/token", {"headers": {"nodeurl": "u"}}),
    ]:
        r = requests.request(method, url + path, **kwargs)
        assert_error(r, 400)
    assert driver.calls == []


def test_the_document_describes_every_route_and_its_errors(http):
    url, _ = http
    document = requests.get(url + "/openapi.json").json()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    operations = [
        (path, method, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
    ]
    assert len(operations) >= 40
    ids = [op["operationId"] for _, _, op in operations]
    assert len(ids) == len(set(ids))
    for path, method, op in operations:
        assert "422" not in op["responses"], (path, method)
        if op.get("parameters") or "requestBody" in op:
            assert "400" in op["responses"], (path, method)
        for status, response in op["responses"].items():
            if status >= "400":
                assert list(response["content"]) == ["application/json"], (path, status)
        names = {p["name"] for p in op.get("parameters", [])}
        for segment in path.split("/"):
            if segment.startswith("{"):
                assert segment.strip("{}") in names, (path, method)
    create = document["paths"]["/cloud-automation-service/serviceInstances"]["post"]
    assert {"sessionid"} <= {p["name"] for p in create["parameters"]}
    for code in ("401", "404", "409"):
        assert code in create["responses"]


def test_ready_lines():
    assert _url("127.0.0.1", 80) == "http://127.0.0.1:80"
    assert _url("::1", 80) == "http://[::1]:80"
    assert (
        _users_line({"demo_user": ("admin", "admin"), "users_file": None})
        == "demo user: admin / admin (no --users file given)"
    )
    assert _users_line({"demo_user": None, "users_file": "/x/u.yaml"}) == "users from /x/u.yaml"
