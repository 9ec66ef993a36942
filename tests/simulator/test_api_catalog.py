"""The catalog over HTTP: buckets, uploads in the real job XML format, revisions, raw
content, and a service uploaded by a client then activated through PSA."""

from __future__ import annotations

import uuid

from api_helpers import INSTANCES, assert_error

# The shared servers and clients (admin, shared_server, manual_admin, manual_server).
pytest_plugins = ["api_fixtures"]

ACTIVATION = """<?xml version="1.0" encoding="UTF-8"?>
<job xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
     xmlns="urn:proactive:jobdescriptor:3.14"
     xsi:schemaLocation="urn:proactive:jobdescriptor:3.14 http://www.activeeon.com/public_content/schemas/proactive/jobdescriptor/3.14/schedulerjob.xsd"
     name="{name}" projectName="Tests" priority="normal" onTaskError="cancelJob">
  <variables>
    <variable name="INSTANCE_NAME" value="echo-$PA_JOB_ID" model="PA:NOT_EMPTY_STRING"
              description="Service instance name" group="Service Parameters"
              advanced="false" hidden="false"/>
    <variable name="ENDPOINT_ID" value="echo-http" model="PA:NOT_EMPTY_STRING"/>
    <variable name="HTTP_ENABLED" value="true" model="PA:Boolean"/>
    <variable name="GREETING" value="hello" model="PA:List(hello,bonjour)"/>
  </variables>
  <description><![CDATA[ An echo service written for the HTTP tests. ]]></description>
  <genericInformation>
    <info name="pca.service.id" value="{service}"/>
    <info name="pca.states" value="(VOID,RUNNING)"/>
    <info name="workflow.icon" value="/icons/echo.png"/>
  </genericInformation>
  <taskFlow>
    <task name="Start_Echo" fork="true">
      <scriptExecutable>
        <script><code language="bash"><![CDATA[ echo "$variables_GREETING" ]]></code></script>
      </scriptExecutable>
    </task>
  </taskFlow>
</job>
"""

FINISH = """<?xml version="1.0" encoding="UTF-8"?>
<job xmlns="urn:proactive:jobdescriptor:3.14" name="Finish_{name}" projectName="Tests">
  <variables>
    <variable name="INSTANCE_NAME" value=""/>
  </variables>
  <genericInformation>
    <info name="pca.service.id" value="{service}"/>
    <info name="pca.states" value="(RUNNING,FINISHED)(ERROR,FINISHED)"/>
  </genericInformation>
  <taskFlow>
    <task name="Stop_Echo">
      <genericInformation><info name="NODE_ACCESS_TOKEN" value="PSA_$INSTANCE_NAME"/></genericInformation>
      <scriptExecutable><script><code language="bash"><![CDATA[ true ]]></code></script></scriptExecutable>
    </task>
  </taskFlow>
</job>
"""


def _upload(admin, bucket, content: str, **params):
    params.setdefault("kind", "workflow/psa")
    return admin.post(
        f"/catalog/buckets/{bucket}/resources",
        params=params,
        files={"file": ("workflow.xml", content.encode(), "application/xml")},
    )


def test_upload_a_service_and_activate_it_through_psa(admin):
    suffix = uuid.uuid4().hex[:8]
    bucket, name, service = f"tests-{suffix}", f"Echo_{suffix}", f"Echo_Service_{suffix}"
    r = admin.post("/catalog/buckets", params={"name": bucket, "owner": "GROUP:tests"})
    assert r.status_code == 201, r.text
    assert r.json()["name"] == bucket
    assert_error(admin.post("/catalog/buckets", params={"name": bucket}), 409, bucket)
    assert bucket in {b["name"] for b in admin.get("/catalog/buckets").json()}

    r = _upload(
        admin,
        bucket,
        ACTIVATION.format(name=name, service=service),
        name=name,
        commitMessage="first",
        objectContentType="application/xml",
        projectName="Tests",
        tags="echo,test",
    )
    assert r.status_code == 201, r.text
    [meta] = r.json()["object"]
    assert meta["name"] == name and meta["bucket_name"] == bucket
    assert meta["kind"] == "workflow/psa"
    assert meta["commit_message"] == "first"
    generic = {
        kv["key"]: kv["value"]
        for kv in meta["object_key_values"]
        if kv["label"] == "generic_information"
    }
    assert generic["pca.service.id"] == service
    assert generic["pca.states"] == "(VOID,RUNNING)"
    variables = {
        kv["key"]: kv["value"] for kv in meta["object_key_values"] if kv["label"] == "variable"
    }
    assert variables["GREETING"] == "hello"
    # No name: the job's own name; sent through the doubled slash some clients use.
    r = admin.post(
        f"//catalog/buckets/{bucket}/resources",
        params={"kind": "workflow/psa"},
        files={"file": ("f.xml", FINISH.format(name=name, service=service))},
    )
    assert r.status_code == 201, r.text
    assert r.json()["object"][0]["name"] == f"Finish_{name}"

    listed = admin.get(f"/catalog/buckets/{bucket}/resources").json()
    assert sorted(o["name"] for o in listed) == sorted([name, f"Finish_{name}"])
    only = admin.get(
        f"/catalog/buckets/{bucket}/resources", params={"objectName": "finish_"}
    ).json()
    assert [o["name"] for o in only] == [f"Finish_{name}"]
    assert admin.get(f"/catalog/buckets/{bucket}/resources", params={"kind": "script"}).json() == []
    assert admin.get(f"/catalog/buckets/{bucket}/resources/{name}").json()["name"] == name

    raw = admin.get(f"//catalog/buckets/{bucket}/resources/{name}/raw")
    assert raw.status_code == 200
    assert raw.headers["content-type"].startswith("application/xml")
    assert raw.content == ACTIVATION.format(name=name, service=service).encode()

    # Activate it through PSA, with a variable its model refuses first.
    assert_error(
        admin.post(
            INSTANCES,
            json={"bucket_name": bucket, "workflow_name": name, "variables": {"GREETING": "hi"}},
        ),
        400,
        "GREETING",
        "'hi'",
        "PA:List(hello,bonjour)",
    )
    created = admin.create(name, {"GREETING": "bonjour"}, bucket=bucket)
    assert created["service_id"] == service
    assert created["bucket_name"] == bucket
    assert created["service_icon"] == "/icons/echo.png"
    iid = created["instance_id"]
    running = admin.wait_status(iid, "RUNNING")
    [deployment] = running["deployments"]
    assert deployment["endpoint"]["id"] == "echo-http"
    assert deployment["endpoint"]["url"].startswith("http://")
    assert running["variables"]["GREETING"] == "bonjour"
    admin.action(iid, f"Finish_{name}", bucket=bucket)
    admin.wait_status(iid, "FINISHED")

    # A new revision replaces what PSA activates next.
    revised = ACTIVATION.format(name=name, service=service).replace(
        'value="hello" model="PA:List(hello,bonjour)"', 'value="hallo" model="PA:List(hallo,hello)"'
    )
    r = admin.post(
        f"/catalog/buckets/{bucket}/resources/{name}/revisions",
        params={"commitMessage": "german"},
        files={"file": ("workflow.xml", revised.encode())},
    )
    assert r.status_code == 201, r.text
    # A revision answers its own metadata (an upload, a list of them).
    assert r.json()["commit_message"] == "german"
    assert admin.get(f"/catalog/buckets/{bucket}/resources/{name}/raw").content == revised.encode()
    second = admin.create(name, bucket=bucket)
    assert second["variables"]["GREETING"] == "hallo"

    deleted = admin.delete(f"/catalog/buckets/{bucket}/resources/{name}")
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["name"] == name
    assert_error(admin.get(f"/catalog/buckets/{bucket}/resources/{name}"), 404, name)
    assert_error(admin.get(f"/catalog/buckets/{bucket}/resources/{name}/raw"), 404, name)
    assert_error(
        admin.post(INSTANCES, json={"bucket_name": bucket, "workflow_name": name}), 404, name
    )


def test_bundled_bucket_lists_psa_workflows(admin):
    buckets = admin.get("/catalog/buckets", params={"kind": "workflow/psa"}).json()
    bundled = next(b for b in buckets if b["name"] == "service-automation")
    assert bundled["objectCount"] >= 50
    objects = admin.get(
        "/catalog/buckets/service-automation/resources", params={"objectName": "MongoDB"}
    ).json()
    names = {o["name"] for o in objects}
    assert {"MongoDB", "Finish_MongoDB", "Pause_MongoDB", "Resume_MongoDB"} <= names
    for meta in objects:
        assert {
            "bucket_name",
            "name",
            "kind",
            "content_type",
            "extension",
            "project_name",
            "commit_message",
            "commit_time",
            "commit_time_raw",
            "username",
            "object_key_values",
            "variables_order",
        } <= set(meta)


def test_catalog_upload_errors(admin):
    suffix = uuid.uuid4().hex[:8]
    bucket = f"errs-{suffix}"
    assert admin.post("/catalog/buckets", params={"name": bucket}).status_code == 201
    assert_error(admin.post("/catalog/buckets", params={"name": "Not_Valid"}), 400, "name")
    assert_error(admin.post("/catalog/buckets"), 400, "name")
    # kind is required, and so is the file part.
    assert_error(
        admin.post(f"/catalog/buckets/{bucket}/resources", files={"file": ("a.xml", b"<job/>")}),
        400,
        "kind",
    )
    assert_error(
        admin.post(f"/catalog/buckets/{bucket}/resources", params={"kind": "workflow/psa"}),
        400,
        "file",
    )
    assert_error(_upload(admin, bucket, "<job>not closed", name="Broken"), 400, "file")
    assert_error(
        _upload(admin, "no-such-bucket", ACTIVATION.format(name="X", service="Y"), name="X"),
        404,
        "no-such-bucket",
    )
    assert_error(
        admin.post(
            f"/catalog/buckets/{bucket}/resources/Nope/revisions",
            files={"file": ("a.xml", b"<job/>")},
        ),
        404,
        "Nope",
    )


def test_bucket_metadata_revision_history_and_bucket_deletion(admin):
    bucket, name = f"tests-{uuid.uuid4().hex[:8]}", "Notes"
    assert admin.post("/catalog/buckets", params={"name": bucket}).status_code == 201
    assert admin.get(f"/catalog/buckets/{bucket}").json() == {
        "owner": "GROUP:public-objects",
        "name": bucket,
        "objectCount": 0,
    }
    for text in ("one", "two"):
        if text == "one":
            r = _upload(admin, bucket, text, name=name, kind="text/plain", commitMessage=text)
        else:
            r = admin.post(
                f"/catalog/buckets/{bucket}/resources/{name}/revisions",
                params={"commitMessage": text},
                files={"file": ("notes.txt", text.encode())},
            )
        assert r.status_code == 201, r.text
    history = admin.get(f"/catalog/buckets/{bucket}/resources/{name}/revisions").json()
    assert [h["commit_message"] for h in history] == ["two", "one"]  # newest first
    assert int(history[0]["commit_time_raw"]) > int(history[1]["commit_time_raw"])
    assert admin.get(f"/catalog/buckets/{bucket}").json()["objectCount"] == 1

    assert_error(admin.delete(f"/catalog/buckets/{bucket}"), 409, "not empty")
    assert admin.delete(f"/catalog/buckets/{bucket}/resources/{name}").status_code == 200
    deleted = admin.delete(f"/catalog/buckets/{bucket}")
    assert deleted.status_code == 200 and deleted.json()["name"] == bucket
    assert_error(admin.get(f"/catalog/buckets/{bucket}"), 404, bucket)
    assert_error(admin.get(f"/catalog/buckets/{bucket}/resources/{name}/revisions"), 404, bucket)
