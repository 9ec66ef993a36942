"""The real Python client (`proactive` on PyPI, as published) against psa-sim serve.

Its REST methods: `ProactiveRestApi` (login, connected, the RM model lists, a job's
result and log, the PSA instances, a catalog object, logout) and the REST methods of
`ProActiveGateway` (`sendSignal`, `startService`, `finishService`). The gateway's other
methods drive a Java scheduler client through py4j; its constructor starts a JVM, so it
is made without it (`__new__`), given what those REST methods read: `base_url` and a
`proactive_scheduler_client` whose `getSession()` is the REST session.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest_plugins = ["api_fixtures"]

rest_api = pytest.importorskip("proactive.ProactiveRestApi", reason="pip install '.[test]'")
gateway_module = pytest.importorskip("proactive.ProactiveGateway")

BUCKET = "service-automation"
PIPELINE = (Path(__file__).parent / "fixtures" / "jobs" / "Plain_Pipeline.xml").read_text()


@pytest.fixture
def client(shared_server):
    api = rest_api.ProactiveRestApi()
    assert api.login(shared_server.url + "/rest", "admin", "admin") is True
    yield api
    api.logout()


@pytest.fixture
def gateway(shared_server, client):
    gw = gateway_module.ProActiveGateway.__new__(gateway_module.ProActiveGateway)
    gw.base_url = shared_server.url
    gw.proactive_scheduler_client = SimpleNamespace(getSession=lambda: client.session_id)
    gw.logger = logging.getLogger("proactive-client-test")
    return gw


def _submit(client, xml: str) -> int:
    import requests

    r = requests.post(
        client.base_url + "/scheduler/submit",
        headers={"sessionid": client.session_id},
        files={"file": ("job.xml", xml.encode(), "application/xml")},
    )
    assert r.status_code == 200, r.text
    return r.json()["id"]


def test_rest_api_session_and_rm_lists(shared_server):
    api = rest_api.ProactiveRestApi()
    assert api.login(shared_server.url + "/rest", "admin", "wrong") is False
    assert api.connected() is False
    assert api.login(shared_server.url + "/rest", "admin", "admin") is True
    assert api.connected() is True
    # The client keeps the empty item before PA:LIST's first comma, as with a real server.
    assert set(api.get_rm_model_nodesources()) - {""} == {"LocalNodes"}
    assert len(set(api.get_rm_model_hosts()) - {""}) == 64
    assert isinstance(api.get_rm_model_tokens(), list)
    assert api.logout() is True
    assert api.connected() is False


def test_rest_api_reads_jobs_instances_and_catalog(client):
    job_id = _submit(client, PIPELINE)
    result = client.get_job_result(job_id)
    assert result["jobInfo"]["status"] == "FINISHED"
    assert client.get_propagated_variable_from_job_result(job_id, "Merge", "ROWS") == "10"
    assert f"job {job_id} (Plain_Pipeline)" in client.get_job_log_full(job_id)
    xml = client.get_object_from_catalog(BUCKET, "MongoDB")
    assert xml and "pca.service.id" in xml


def test_gateway_send_signal(client, gateway):
    job_id = _submit(client, PIPELINE)
    assert gateway.sendSignal(job_id, "Stop", {"REASON": "enough"}) is True
    info = client.get_job_result(job_id)["jobInfo"]
    assert info["signals"] == ["Stop"]
    assert info["detailedSignals"]["Stop"]["REASON"]["value"] == "enough"
    # Not ready for that one: the client reports False, as against a real server.
    assert gateway.sendSignal(job_id, "Never", {}) is False


def test_gateway_starts_and_finishes_a_service(client, gateway):
    name = f"py-{uuid.uuid4().hex[:8]}"
    started = gateway.startService(BUCKET, "MongoDB", {"INSTANCE_NAME": name})
    iid = started["instance_id"]
    instance = client.get_service_instance_by_id(iid)
    assert instance["instance_status"] == "RUNNING"
    assert client.get_service_deployment_endpoint_url(iid).startswith("mongodb://")
    mine = client.get_service_instances(filterBy={"instance_id": iid})
    assert len(mine) == 1
    assert any(i["instance_id"] == iid for i in client.get_active_service_instances())
    gateway.finishService(iid, BUCKET, "Finish_MongoDB")
    assert client.get_service_instance_by_id(iid)["instance_status"] == "FINISHED"
