"""The scheduler's REST API as clients use it: every route against the real DTOs.

Field names, types and nesting are those of ow2-proactive/scheduling
rest/rest-api/src/main/java/org/ow2/proactive_grid_cloud_portal/scheduler/dto/*.java
(JobIdData, JobInfoData, JobStateData, TaskStateData, TaskInfoData, UserJobData,
JobResultData, TaskResultData, RestPage, RestMapPage, JobValidationData), written here
from those files, independently of the simulator's own models.
"""

from __future__ import annotations

import json
import uuid
from itertools import pairwise
from pathlib import Path

import requests
from api_helpers import BUNDLED, INSTANCES, assert_error

pytest_plugins = ["api_fixtures"]

S = "/rest/scheduler"
JOBS_DIR = Path(__file__).parent / "fixtures" / "jobs"
BUNDLED_DIR = Path(__file__).resolve().parents[2] / "simulator/psa_sim/catalog/bundled"
OBJ = (dict, type(None))  # an object field Jackson may write as null
STR = (str, type(None))

JOB_ID_DATA = {"id": int, "readableName": str}
JOB_INFO_DATA = {
    "startTime": int,
    "inErrorTime": int,
    "finishedTime": int,
    "submittedTime": int,
    "removedTime": int,
    "status": str,
    "jobId": dict,
    "totalNumberOfTasks": int,
    "numberOfPendingTasks": int,
    "numberOfRunningTasks": int,
    "numberOfFinishedTasks": int,
    "numberOfFailedTasks": int,
    "numberOfFaultyTasks": int,
    "numberOfInErrorTasks": int,
    "priority": str,
    "jobOwner": str,
    "tenant": STR,
    "domain": STR,
    "projectName": STR,
    "description": STR,
    "bucketName": STR,
    "label": STR,
    "toBeRemoved": bool,
    "genericInformation": dict,
    "variables": dict,
    "detailedVariables": dict,
    "signals": list,
    "detailedSignals": dict,
    "visualizationConnectionStrings": dict,
    "visualizationIcons": dict,
    "attachedServices": dict,
    "externalEndpointUrls": dict,
    "resultMapPresent": bool,
    "preciousTasks": list,
    "parentId": (int, type(None)),
    "childrenCount": int,
    "cumulatedCoreTime": int,
    "numberOfNodes": int,
    "numberOfNodesInParallel": int,
    "submissionMode": STR,
    "startAt": (int, type(None)),
}
JOB_STATE_DATA = {
    "id": int,
    "name": str,
    "priority": str,
    "owner": str,
    "tenant": STR,
    "domain": STR,
    "jobInfo": dict,
    "projectName": STR,
    "tasks": dict,
    "genericInformation": dict,
}
TASK_STATE_DATA = {
    "name": str,
    "description": STR,
    "tag": STR,
    "iterationIndex": int,
    "replicationIndex": int,
    "maxNumberOfExecution": int,
    "maxNumberOfExecutionOnFailure": int,
    "taskInfo": dict,
    "parallelEnvironment": OBJ,
    "genericInformation": dict,
}
TASK_INFO_DATA = {
    "jobId": dict,
    "taskId": dict,
    "startTime": int,
    "finishedTime": int,
    "inErrorTime": int,
    "scheduledTime": int,
    "executionDuration": int,
    "taskStatus": str,
    "executionHostName": STR,
    "numberOfExecutionLeft": int,
    "numberOfExecutionOnFailureLeft": int,
    "visualizationActivated": bool,
    "visualizationConnectionString": STR,
    "variables": OBJ,
    "progress": int,
}
USER_JOB_DATA = {"jobid": str, "jobOwner": str, "jobInfo": dict}
JOB_RESULT_DATA = {
    "id": dict,
    "jobInfo": dict,
    "allResults": dict,
    "preciousResults": dict,
    "resultMap": dict,
    "serializedResultMap": dict,
    "exceptionResults": dict,
}
TASK_RESULT_DATA = {
    "id": dict,
    "serializedValue": STR,
    "value": STR,
    "serializedException": STR,
    "exceptionMessage": STR,
    "metadata": dict,
    "propagatedVariables": dict,
    "serializedPropagatedVariables": dict,
    "output": OBJ,
    "raw": bool,
}
JOB_VALIDATION_DATA = {
    "valid": bool,
    "taskName": STR,
    "errorMessage": STR,
    "stackTrace": STR,
    "updatedVariables": dict,
    "updatedModels": dict,
    "updatedDescriptions": dict,
    "updatedGroups": dict,
    "updatedAdvanced": dict,
    "updatedHidden": dict,
}
JOB_STATUSES = {"PENDING", "RUNNING", "STALLED", "FINISHED", "PAUSED", "CANCELED", "FAILED"}
JOB_STATUSES |= {"KILLED", "IN_ERROR"}
TASK_STATUSES = {
    "SUBMITTED",
    "PENDING",
    "PAUSED",
    "RUNNING",
    "WAITING_ON_ERROR",
    "WAITING_ON_FAILURE",
    "FAILED",
    "NOT_STARTED",
    "NOT_RESTARTED",
    "ABORTED",
    "FAULTY",
    "FINISHED",
    "SKIPPED",
    "IN_ERROR",
}


def assert_dto(data, fields: dict, name: str) -> None:
    assert isinstance(data, dict), (name, data)
    assert set(data) == set(fields), (name, set(data) ^ set(fields))
    for key, kind in fields.items():
        assert isinstance(data[key], kind), (name, key, data[key])
        if kind is int:
            assert not isinstance(data[key], bool), (name, key)


def assert_job_info(info: dict) -> None:
    assert_dto(info, JOB_INFO_DATA, "JobInfoData")
    assert_dto(info["jobId"], JOB_ID_DATA, "JobIdData")
    assert info["status"] in JOB_STATUSES
    counted = (
        info["numberOfPendingTasks"]
        + info["numberOfRunningTasks"]
        + info["numberOfFinishedTasks"]
        + info["numberOfInErrorTasks"]
    )
    assert counted == info["totalNumberOfTasks"], info
    assert (
        info["numberOfFaultyTasks"] + info["numberOfFailedTasks"]
        <= info["numberOfFinishedTasks"] + info["numberOfInErrorTasks"]
    )


def assert_task_state(task: dict) -> None:
    assert_dto(task, TASK_STATE_DATA, "TaskStateData")
    assert_dto(task["taskInfo"], TASK_INFO_DATA, "TaskInfoData")
    assert_dto(task["taskInfo"]["jobId"], JOB_ID_DATA, "JobIdData")
    assert_dto(task["taskInfo"]["taskId"], {"id": int, "readableName": str}, "TaskIdData")
    assert task["taskInfo"]["taskStatus"] in TASK_STATUSES


def xml_of(name: str) -> str:
    path = JOBS_DIR / name if (JOBS_DIR / name).exists() else BUNDLED_DIR / name
    return path.read_text(encoding="utf-8")


def submit(client, xml: str, matrix: str = "", variables: dict | None = None, **query):
    files = {"file": ("job.xml", xml.encode(), "application/xml")}
    if variables is not None:
        files["variables"] = (None, json.dumps(variables))
    return client.post(f"{S}/submit{matrix}", files=files, params=query)


def submitted(client, xml: str, matrix: str = "", **kw) -> int:
    r = submit(client, xml, matrix, **kw)
    assert r.status_code == 200, r.text
    assert_dto(r.json(), JOB_ID_DATA, "JobIdData")
    return r.json()["id"]


# --- sessions ------------------------------------------------------------------------
def test_scheduler_login_form_and_multipart_share_sessions(shared_server):
    url = shared_server.url
    r = requests.post(f"{url}{S}/login", data={"username": "admin", "password": "admin"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    form_sid = r.text
    r = requests.post(
        f"{url}{S}/login", files={"username": (None, "admin"), "password": (None, "admin")}
    )
    assert r.status_code == 200, r.text
    multipart_sid = r.text
    for sid in (form_sid, multipart_sid):
        # The scheduler's session works on /rest/common and on PSA, and back.
        assert requests.get(f"{url}/rest/common/connected", headers={"sessionid": sid}).json()
        assert requests.get(f"{url}{INSTANCES}", headers={"sessionid": sid}).status_code == 200
        r = requests.get(f"{url}{S}/isconnected", headers={"sessionid": sid})
        assert r.status_code == 200 and r.json() is True
    common = requests.post(
        f"{url}/rest/common/login", data={"username": "admin", "password": "admin"}
    ).text
    assert requests.get(f"{url}{S}/isconnected", headers={"sessionid": common}).json() is True
    r = requests.put(f"{url}{S}/disconnect", headers={"sessionid": common})
    assert r.status_code == 204
    assert_error(requests.get(f"{url}{S}/isconnected", headers={"sessionid": common}), 401)
    assert (
        requests.get(f"{url}/rest/common/connected", headers={"sessionid": common}).json() is False
    )


def test_scheduler_login_refusals(shared_server):
    url = shared_server.url
    assert_error(
        requests.post(f"{url}{S}/login", data={"username": "admin", "password": "nope"}), 401
    )
    r = requests.post(f"{url}{S}/login", files={"credential": ("cred", b"\x00\x01")})
    assert_error(r, 401, "credential")
    assert_error(requests.get(f"{url}{S}/isconnected"), 401)
    assert_error(requests.put(f"{url}{S}/disconnect"), 401)
    # PUT /session renews a valid session, else logs in.
    sid = requests.post(f"{url}{S}/login", data={"username": "admin", "password": "admin"}).text
    r = requests.put(f"{url}{S}/session", headers={"sessionid": sid})
    assert r.status_code == 200 and r.text == sid
    r = requests.put(f"{url}{S}/session", data={"username": "admin", "password": "admin"})
    assert r.status_code == 200 and r.text != sid


# --- a plain job, followed field for field -----------------------------------------
def test_plain_job_runs_its_tasks_in_order_with_replicas_and_loop(admin):
    job_id = submitted(admin, xml_of("Plain_Pipeline.xml"), ";ROWS=42")
    state = admin.get(f"{S}/jobs/{job_id}").json()
    assert_dto(state, JOB_STATE_DATA, "JobStateData")
    assert state["id"] == job_id and state["name"] == "Plain_Pipeline"
    info = state["jobInfo"]
    assert_job_info(info)
    assert info["status"] == "FINISHED"
    assert info["variables"]["ROWS"] == "42"  # the matrix parameter
    assert info["variables"]["TOKEN_PASSWORD"] == "******"  # PA:HIDDEN never shown
    assert info["detailedVariables"]["ROWS"]["model"] == "PA:Integer"
    assert info["genericInformation"]["submission.mode"] == "rest-api"
    assert info["submissionMode"] == "rest-api"
    names = list(state["tasks"])
    assert names == ["Split", "Process", "Process*1", "Process*2", "Merge", "Check", "Check#1"]
    assert info["totalNumberOfTasks"] == 7 and info["numberOfFinishedTasks"] == 7
    tasks = [state["tasks"][n] for n in names]
    for task in tasks:
        assert_task_state(task)
        assert task["taskInfo"]["taskStatus"] == "FINISHED"
        assert task["taskInfo"]["executionHostName"]
    assert [t["replicationIndex"] for t in tasks[1:4]] == [0, 1, 2]
    assert [t["iterationIndex"] for t in tasks[5:]] == [0, 1]
    # Each task in turn: one starts when the one before it finished.
    times = [(t["taskInfo"]["startTime"], t["taskInfo"]["finishedTime"]) for t in tasks]
    for (_, end), (start, _) in pairwise(times):
        assert start >= end
    assert all(end > start for start, end in times)
    assert info["startTime"] == times[0][0] and info["finishedTime"] == times[-1][1]

    info2 = admin.get(f"{S}/jobs/{job_id}/info").json()
    assert_job_info(info2)
    assert info2 == info

    page = admin.get(f"{S}/jobs/{job_id}/taskstates").json()
    assert set(page) == {"size", "list"} and page["size"] == 7
    for task in page["list"]:
        assert_task_state(task)
    part = admin.get(f"{S}/jobs/{job_id}/taskstates/paginated", params={"offset": 2, "limit": 3})
    assert [t["name"] for t in part.json()["list"]] == names[2:5]
    assert part.json()["size"] == 7
    assert admin.get(f"{S}/jobs/{job_id}/tasks").json() == {"size": 7, "list": names}
    one = admin.get(f"{S}/jobs/{job_id}/tasks/Merge").json()
    assert_task_state(one)
    assert one == state["tasks"]["Merge"]

    result = admin.get(f"{S}/jobs/{job_id}/result").json()
    assert_dto(result, JOB_RESULT_DATA, "JobResultData")
    assert result["id"] == {"id": job_id, "readableName": "Plain_Pipeline"}
    assert set(result["allResults"]) == set(names)
    for task_result in result["allResults"].values():
        assert_dto(task_result, TASK_RESULT_DATA, "TaskResultData")
        assert task_result["propagatedVariables"]["ROWS"] == "42"
    values = admin.get(f"{S}/jobs/{job_id}/result/value").json()
    assert values["Merge"] == "merged" and values["Split"] is None
    r = admin.get(f"{S}/jobs/{job_id}/tasks/Merge/result/value")
    assert r.status_code == 200 and r.text == "merged"
    assert admin.get(f"{S}/jobs/{job_id}/tasks/Split/result/value").status_code == 204
    assert_dto(admin.get(f"{S}/jobs/{job_id}/tasks/Merge/result").json(), TASK_RESULT_DATA, "TRD")
    log = admin.get(f"{S}/jobs/{job_id}/log/full")
    assert log.headers["content-type"].startswith("text/plain")
    assert "task Process*2 started" in log.text
    task_log = admin.get(f"{S}/jobs/{job_id}/tasks/Merge/result/log/all").text
    assert "task Merge started" in task_log and "Process" not in task_log
    assert_error(admin.get(f"{S}/jobs/{job_id}/tasks/Nope"), 404, "Nope", "Merge")


def test_listings_pages_and_filters(shared_server):
    admin = shared_server.client()
    first = submitted(admin, xml_of("Plain_Pipeline.xml"))
    second = submitted(admin, xml_of("Plain_Pipeline.xml"))
    ids = admin.get(f"{S}/jobs").json()
    assert set(ids) == {"size", "list"} and all(isinstance(i, str) for i in ids["list"])
    assert ids["list"].index(str(second)) < ids["list"].index(str(first))  # newest first
    assert ids["size"] == len(ids["list"])
    page = admin.get(f"{S}/jobs", params={"index": 0, "limit": 1}).json()
    assert page["size"] == ids["size"] and len(page["list"]) == 1

    infos = admin.get(f"{S}/jobsinfo", params={"limit": 5}).json()
    assert infos["size"] == ids["size"] and len(infos["list"]) <= 5
    for user_job in infos["list"]:
        assert_dto(user_job, USER_JOB_DATA, "UserJobData")
        assert_job_info(user_job["jobInfo"])
        assert user_job["jobid"] == str(user_job["jobInfo"]["jobId"]["id"])

    revision = admin.get(f"{S}/state/revision").json()
    assert isinstance(revision, int) and revision > 0
    mapped = admin.get(
        f"{S}/revisionjobsinfo", params={"pending": "false", "running": "false"}
    ).json()
    assert set(mapped) == {"size", "map"} and list(mapped["map"]) == [str(revision)]
    listed = next(iter(mapped["map"].values()))
    assert all(j["jobInfo"]["status"] in ("FINISHED", "FAILED", "KILLED") for j in listed)
    assert str(first) in [j["jobid"] for j in listed]
    none = admin.get(
        f"{S}/revisionjobsinfo",
        params={"pending": "false", "running": "false", "finished": "false"},
    ).json()
    assert none["size"] == 0
    named = admin.get(f"{S}/revisionjobsinfo", params={"jobName": "Plain_Pipeline"}).json()
    assert {j["jobInfo"]["jobId"]["readableName"] for j in named["map"][str(revision)]} == {
        "Plain_Pipeline"
    }
    # Something changes: the revision moves.
    submitted(admin, xml_of("Plain_Pipeline.xml"))
    assert admin.get(f"{S}/state/revision").json() > revision


def test_psa_job_runs_one_task_at_a_time_on_its_node(admin):
    name = f"rest-{uuid.uuid4().hex[:8]}"
    instance = admin.create("MongoDB", {"INSTANCE_NAME": name})
    instance = admin.wait_status(instance["instance_id"], "RUNNING")
    job_id = instance["job_submissions"][0]["job_id"]
    state = admin.get(f"{S}/jobs/{job_id}").json()
    assert_dto(state, JOB_STATE_DATA, "JobStateData")
    assert_job_info(state["jobInfo"])
    assert state["jobInfo"]["attachedServices"] == {str(instance["instance_id"]): True}
    # One task at a time on the job's node: the first runs (the loop), the others wait.
    tasks = list(state["tasks"].values())
    assert state["jobInfo"]["numberOfRunningTasks"] == 1
    assert tasks[0]["taskInfo"]["taskStatus"] == "RUNNING"
    assert {t["taskInfo"]["taskStatus"] for t in tasks[1:]} == {"PENDING"}
    host = tasks[0]["taskInfo"]["executionHostName"]
    assert instance["deployments"][0]["node"]["host"] in host
    assert all(t["taskInfo"]["executionHostName"] is None for t in tasks[1:])


# --- acting on jobs ------------------------------------------------------------------
def test_pause_resume_priority_kill_remove(manual_admin):
    admin = manual_admin
    job_id = submitted(admin, xml_of("Plain_Pipeline.xml"))
    admin.advance(0.001)
    assert admin.get(f"{S}/jobs/{job_id}/info").json()["status"] == "RUNNING"
    assert admin.put(f"{S}/jobs/{job_id}/pause").json() is True
    info = admin.get(f"{S}/jobs/{job_id}/info").json()
    assert_job_info(info)
    assert info["status"] == "PAUSED"
    # The running task runs on; the others wait.
    admin.advance(3600)
    states = admin.get(f"{S}/jobs/{job_id}/taskstates").json()["list"]
    assert states[0]["taskInfo"]["taskStatus"] == "FINISHED"
    assert {t["taskInfo"]["taskStatus"] for t in states[1:]} == {"PAUSED"}
    assert admin.put(f"{S}/jobs/{job_id}/resume").json() is True
    assert admin.get(f"{S}/jobs/{job_id}/info").json()["status"] == "RUNNING"

    r = admin.put(f"{S}/jobs/{job_id}/priority/byname/high")
    assert r.status_code == 204
    assert admin.get(f"{S}/jobs/{job_id}").json()["priority"] == "HIGH"
    assert_error(admin.put(f"{S}/jobs/{job_id}/priority/byname/URGENT"), 400, "URGENT")

    assert admin.put(f"{S}/jobs/{job_id}/kill").json() is True
    state = admin.get(f"{S}/jobs/{job_id}").json()
    assert state["jobInfo"]["status"] == "KILLED"
    assert_job_info(state["jobInfo"])
    statuses = [t["taskInfo"]["taskStatus"] for t in state["tasks"].values()]
    assert statuses[0] == "FINISHED" and "ABORTED" in statuses and "NOT_STARTED" in statuses
    assert_error(admin.put(f"{S}/jobs/{job_id}/pause"), 409, "KILLED")

    r = admin.delete(f"{S}/jobs/{job_id}")
    assert r.status_code == 200 and r.json() is True
    assert_error(admin.get(f"{S}/jobs/{job_id}"), 404, str(job_id))
    assert str(job_id) not in admin.get(f"{S}/jobs").json()["list"]


def test_priority_orders_the_queue(manual_server):
    admin = manual_server.client()
    # Fill every node, then queue two jobs: the later one with a higher priority wins.
    blockers = [submitted(admin, xml_of("Plain_Pipeline.xml")) for _ in range(8)]
    low = submitted(admin, xml_of("Plain_Pipeline.xml"))
    high = submitted(admin, xml_of("Plain_Pipeline.xml"))
    admin.advance(0.001)
    assert admin.get(f"{S}/jobs/{low}/info").json()["status"] == "PENDING"
    admin.put(f"{S}/jobs/{high}/priority/byname/HIGHEST")
    while admin.get(f"{S}/jobs/{high}/info").json()["status"] == "PENDING":
        assert admin.get(f"{S}/jobs/{low}/info").json()["status"] == "PENDING"
        admin.advance(1)
    for job in [*blockers, low, high]:
        admin.put(f"{S}/jobs/{job}/kill")


def test_signals_as_the_python_client_sends_them(admin):
    job_id = submitted(admin, xml_of("Plain_Pipeline.xml"))
    info = admin.get(f"{S}/jobs/{job_id}/info").json()
    assert info["signals"] == ["ready_Stop"]  # signalapi.readyForSignal("Stop")
    # Not ready for that one: refused, the job's signals unchanged.
    assert_error(admin.post(f"{S}/job/{job_id}/signals", params={"signal": "Go"}), 409, "Go")
    r = admin.post(
        f"{S}/job/{job_id}/signals", params={"signal": "Stop"}, json={"REASON": "enough"}
    )
    assert r.status_code == 200, r.text
    assert r.json() == ["Stop"]
    info = admin.get(f"{S}/jobs/{job_id}/info").json()
    assert info["signals"] == ["Stop"]
    assert info["detailedSignals"]["Stop"]["REASON"]["value"] == "enough"
    # A ready_X may be sent by anyone: the job is then ready for X.
    r = admin.post(
        f"{S}/job/{job_id}/signals",
        params={"signal": "ready_Go"},
        headers={"Content-Type": "application/octet-stream"},
    )
    assert r.json() == ["Stop", "ready_Go"]
    assert_error(admin.post(f"{S}/job/{job_id}/signals", params={"signal": " "}), 400, "empty")
    assert_error(
        admin.post(f"{S}/job/{job_id}/signals", params={"signal": "Go"}, json=[1]), 400, "body"
    )


# --- submission ----------------------------------------------------------------------
def test_submit_refusals_name_the_problem(admin):
    assert_error(submit(admin, "<job"), 400, "job descriptor")
    r = admin.post(
        f"{S}/submit", files={"file": ("job.xml", xml_of("Plain_Pipeline.xml"), "text/plain")}
    )
    assert_error(r, 400, "Unknown job descriptor type", "text/plain")
    assert_error(submit(admin, xml_of("Plain_Pipeline.xml"), ";ROWS=many"), 400, "ROWS")
    assert_error(admin.post(f"{S}/submit", data={"x": "y"}), 400, "multipart")
    r = submit(admin, xml_of("Plain_Pipeline.xml"), variables=["ROWS"])  # type: ignore[arg-type]
    assert_error(r, 400, "variables")
    bad = xml_of("Plain_Pipeline.xml").replace('<task ref="Merge"/>', '<task ref="Nowhere"/>')
    assert_error(submit(admin, bad), 400, "Nowhere")
    cycle = xml_of("Plain_Pipeline.xml").replace(
        '<task name="Split">', '<task name="Split"><depends><task ref="Check"/></depends>'
    )
    assert_error(submit(admin, cycle), 400, "cycle")
    r = requests.post(f"{admin.url}{S}/submit", files={"file": ("j", b"<job/>", "text/xml")})
    assert_error(r, 401)


def test_variables_part_overrides_matrix(admin):
    job_id = submitted(admin, xml_of("Plain_Pipeline.xml"), ";ROWS=1", variables={"ROWS": 7})
    assert admin.get(f"{S}/jobs/{job_id}/info").json()["variables"]["ROWS"] == "7"


def test_validate_answers_like_the_real_one(admin):
    def validate(xml: str, matrix: str = ""):
        r = admin.post(
            f"{S}/validate{matrix}", files={"file": ("job.xml", xml.encode(), "application/xml")}
        )
        assert r.status_code == 200, r.text
        assert_dto(r.json(), JOB_VALIDATION_DATA, "JobValidationData")
        return r.json()

    ok = validate(xml_of("Plain_Pipeline.xml"), ";ROWS=5")
    assert ok["valid"] is True and ok["errorMessage"] is None
    assert ok["updatedVariables"]["ROWS"] == "5"
    assert ok["updatedVariables"]["TOKEN_PASSWORD"] == "******"
    assert ok["updatedModels"]["ROWS"] == "PA:Integer"
    bad_variable = validate(xml_of("Plain_Pipeline.xml"), ";ROWS=five")
    assert bad_variable["valid"] is False and "ROWS" in bad_variable["errorMessage"]
    bad_xml = validate("<job name='x'><taskFlow>")
    assert bad_xml["valid"] is False and bad_xml["errorMessage"]
    before = admin.get(f"{S}/jobs").json()["size"]
    assert admin.get(f"{S}/jobs").json()["size"] == before  # nothing submitted


def test_submit_from_this_servers_catalog(admin, shared_server):
    link = f"{shared_server.url}/catalog/buckets/{BUNDLED}/resources/MongoDB/raw"
    name = f"url-{uuid.uuid4().hex[:8]}"
    r = admin.post(f"{S}/jobs;INSTANCE_NAME={name}", headers={"link": link})
    assert r.status_code == 200, r.text
    job_id = r.json()["id"]
    listed = admin.get(INSTANCES).json()
    mine = [i for i in listed if i["variables"].get("INSTANCE_NAME") == name]
    assert len(mine) == 1 and mine[0]["job_submissions"][0]["job_id"] == job_id
    assert_error(
        admin.post(f"{S}/jobs", headers={"link": "http://example.com/wf.xml"}), 400, "catalog"
    )


# --- PSA through the scheduler (guide §1.3, "via Workflow Execution Portal") -----------
def test_activation_submitted_as_a_job_is_a_service_instance(admin):
    name = f"wep-{uuid.uuid4().hex[:8]}"
    job_id = submitted(admin, xml_of("MongoDB.xml"), f";INSTANCE_NAME={name}")
    listed = admin.get(INSTANCES).json()
    mine = [i for i in listed if i["variables"].get("INSTANCE_NAME") == name]
    assert len(mine) == 1
    instance = admin.wait_status(mine[0]["instance_id"], "RUNNING")
    assert instance["service_id"] == "MongoDB" and instance["bucket_name"] == BUNDLED
    assert instance["job_submissions"][0]["job_id"] == job_id
    assert instance["job_submissions"][0]["transition_state"] == "VOID -> RUNNING"
    # The same as the serviceInstances POST: same variables, recorded the same way.
    twin = admin.create("MongoDB", {"INSTANCE_NAME": name + "-twin"})
    twin = admin.wait_status(twin["instance_id"], "RUNNING")
    assert twin["instance_id"] == instance["instance_id"] + 1  # one id sequence
    assert set(twin["variables"]) == set(instance["variables"])
    job = admin.get(f"{S}/jobs/{job_id}").json()
    assert job["jobInfo"]["attachedServices"] == {str(instance["instance_id"]): True}

    # An action workflow naming the instance acts on it, with PSA's rules.
    iid = instance["instance_id"]
    finish = xml_of("Finish_MongoDB.xml")
    refused = submit(admin, xml_of("MongoDB.xml"), f";PCA_INSTANCE_ID={iid}")
    assert_error(refused, 409, "MongoDB", "Finish_MongoDB")  # not executable from RUNNING
    action_job = submitted(admin, finish, f";PCA_INSTANCE_ID={iid}")
    done = admin.wait_status(iid, "FINISHED")
    assert done["job_submissions"][0]["job_id"] == action_job
    assert done["job_submissions"][0]["transition_state"] == "RUNNING -> FINISHED"
    assert admin.get(f"{S}/jobs/{action_job}/info").json()["status"] == "FINISHED"
    assert_error(submit(admin, finish), 400, "PCA_INSTANCE_ID")
    assert_error(submit(admin, finish, ";PCA_INSTANCE_ID=987654"), 404, "987654")


def test_action_job_is_refused_while_the_instance_transitions(manual_admin):
    admin = manual_admin
    name = f"busy-{uuid.uuid4().hex[:8]}"
    submitted(admin, xml_of("MongoDB.xml"), f";INSTANCE_NAME={name}")
    instance = next(
        i for i in admin.get(INSTANCES).json() if i["variables"].get("INSTANCE_NAME") == name
    )
    r = submit(admin, xml_of("Finish_MongoDB.xml"), f";PCA_INSTANCE_ID={instance['instance_id']}")
    assert_error(r, 409, "transition")


def test_killing_a_submitted_activation_is_killing_it_through_psa(admin):
    # Both ways, the same: the instance goes to ERROR, its job is KILLED.
    results = []
    for how in ("scheduler", "psa"):
        name = f"kill-{how}-{uuid.uuid4().hex[:6]}"
        if how == "scheduler":
            job_id = submitted(admin, xml_of("MongoDB.xml"), f";INSTANCE_NAME={name}")
            iid = next(
                i["instance_id"]
                for i in admin.get(INSTANCES).json()
                if i["variables"].get("INSTANCE_NAME") == name
            )
        else:
            iid = admin.create("MongoDB", {"INSTANCE_NAME": name})["instance_id"]
            job_id = admin.instance(iid)["job_submissions"][0]["job_id"]
        admin.wait_status(iid, "RUNNING")
        assert admin.put(f"{S}/jobs/{job_id}/kill").json() is True
        instance = admin.wait_status(iid, "ERROR")
        job = admin.get(f"{S}/jobs/{job_id}/info").json()
        results.append((instance["instance_status"], job["status"]))
    assert results[0] == results[1] == ("ERROR", "KILLED")


def test_other_users_jobs_are_not_theirs(tmp_path):
    from api_helpers import Server

    users = tmp_path / "users.yaml"
    users.write_text(
        "- {name: admin, password: admin, admin: true}\n- {name: bob, password: bob}\n"
    )
    server = Server("--users", str(users), "--clock", "manual")
    try:
        admin, bob = server.client(), server.client("bob", "bob")
        job_id = submitted(admin, xml_of("Plain_Pipeline.xml"))
        assert_error(bob.get(f"{S}/jobs/{job_id}"), 403)
        assert_error(bob.put(f"{S}/jobs/{job_id}/kill"), 403)
        assert str(job_id) not in bob.get(f"{S}/jobs").json()["list"]
        own = submitted(bob, xml_of("Plain_Pipeline.xml"))
        assert bob.get(f"{S}/jobs").json()["list"] == [str(own)]
        assert_error(bob.put(f"{S}/jobs/{own}/priority/byname/HIGHEST"), 403, "administrator")
        assert bob.put(f"{S}/jobs/{own}/priority/byname/LOW").status_code == 204
        mine = admin.get(f"{S}/revisionjobsinfo", params={"myjobs": "true"}).json()
        assert {j["jobOwner"] for page in mine["map"].values() for j in page} == {"admin"}
    finally:
        server.stop()


def test_scheduler_changes_survive_kill_9(tmp_path):
    """Submissions, signals, priorities, pauses and removals are journaled: replayed after
    kill -9, the jobs read the same."""
    from api_helpers import Server

    db = tmp_path / "psa.db"
    server = Server("--db", db, "--clock", "manual")
    try:
        admin = server.client()
        plain = submitted(admin, xml_of("Plain_Pipeline.xml"), ";ROWS=3")
        psa = submitted(admin, xml_of("MongoDB.xml"), ";INSTANCE_NAME=durable")
        gone = submitted(admin, xml_of("Plain_Pipeline.xml"))
        admin.advance(5)
        admin.post(f"{S}/job/{plain}/signals", params={"signal": "Stop"}, json={"WHY": "x"})
        admin.put(f"{S}/jobs/{plain}/priority/byname/LOW")
        admin.put(f"{S}/jobs/{plain}/pause")
        admin.delete(f"{S}/jobs/{gone}")
        admin.advance(120)
        before = {j: admin.get(f"{S}/jobs/{j}").json() for j in (plain, psa)}
        listed = admin.get(f"{S}/jobs").json()
    finally:
        server.kill9()
    server = Server("--db", db, "--clock", "manual")
    try:
        admin = server.client()
        assert {j: admin.get(f"{S}/jobs/{j}").json() for j in (plain, psa)} == before
        assert admin.get(f"{S}/jobs").json() == listed
        assert_error(admin.get(f"{S}/jobs/{gone}"), 404)
    finally:
        server.stop()


def test_several_jobs_at_once_xml_priority_by_value_and_task_logs(manual_server):
    admin = manual_server.client()
    first = submitted(admin, xml_of("Plain_Pipeline.xml"))
    second = submitted(admin, xml_of("Plain_Pipeline.xml"))
    listed = admin.get(f"{S}/jobsinfolist", params={"jobsid": [first, second, 987654]}).json()
    assert [j["jobid"] for j in listed] == [str(first), str(second)]  # unknown ids left out
    for user_job in listed:
        assert_dto(user_job, USER_JOB_DATA, "UserJobData")
    r = admin.get(f"{S}/jobs/{first}/xml")
    assert r.headers["content-type"].startswith("application/xml")
    assert r.text == xml_of("Plain_Pipeline.xml")
    assert admin.put(f"{S}/jobs/{first}/priority/byvalue/1").status_code == 204
    assert admin.get(f"{S}/jobs/{first}/info").json()["priority"] == "LOWEST"
    assert_error(admin.put(f"{S}/jobs/{first}/priority/byvalue/9"), 400, "between 0 and 5")
    admin.advance(0.001)
    assert admin.get(f"{S}/jobs/{first}/tasks/Split/result/log/err").text == ""
    assert "task Split started" in admin.get(f"{S}/jobs/{first}/tasks/Split/result/log/out").text
    # All checked first: an unknown job kills nothing.
    assert_error(admin.put(f"{S}/jobs/kill", params={"jobsid": [first, 987654]}), 404)
    assert admin.get(f"{S}/jobs/{first}/info").json()["status"] == "RUNNING"
    assert admin.put(f"{S}/jobs/kill", params={"jobsid": [first, second]}).json() is True
    assert {admin.get(f"{S}/jobs/{j}/info").json()["status"] for j in (first, second)} == {"KILLED"}
    assert_error(admin.delete(f"{S}/jobs"), 400, "olderThan")
    assert admin.delete(f"{S}/jobs", params={"jobsid": [first]}).json() is True
    assert_error(admin.get(f"{S}/jobs/{first}"), 404)
    later = admin.get("/sim-api/clock").json()["now_ms"] + 1
    assert admin.delete(f"{S}/jobs", params={"olderThan": later}).json() is True
    assert_error(admin.get(f"{S}/jobs/{second}"), 404)
