"""The catalog service's state: buckets, objects, revisions, and the shared ServiceIndex."""

import json

import pytest

from psa_sim.catalog import (
    BUNDLED_BUCKET,
    ServiceIndex,
    WorkflowNotFound,
    bundled_catalog_dir,
    parse_workflow_file,
)
from psa_sim.errors import Conflict, InvalidInput, NotFound
from psa_sim.platform.catalog_store import CatalogStore, format_commit_time

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00 UTC
BUCKET = "my-services"

METADATA_FIELDS = [
    "bucket_name",
    "name",
    "kind",
    "content_type",
    "extension",
    "project_name",
    "tags",
    "commit_message",
    "commit_time",
    "commit_time_raw",
    "username",
    "object_key_values",
    "variables_order",
]


def demo_workflow(name="Demo_Cache", states="(VOID,RUNNING)", port="6379", service="Demo_Cache"):
    """A PSA activation written as a real server stores it (schema 3.14)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<job xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="urn:proactive:jobdescriptor:3.14"
     xsi:schemaLocation="urn:proactive:jobdescriptor:3.14 http://www.activeeon.com/public_content/schemas/proactive/jobdescriptor/3.14/schedulerjob.xsd"
     name="{name}" projectName="9. Demo" priority="normal" onTaskError="cancelJob" maxNumberOfExecution="2">
  <variables>
    <variable name="INSTANCE_NAME" value="cache-$PA_JOB_ID" model="PA:NOT_EMPTY_STRING" description="Instance name" group="Service Parameters" advanced="false" hidden="false"/>
    <variable name="SERVICE_PORT" value="{port}" model="PA:Integer" description="Port, -1 for a free one" group="Service Parameters" advanced="true" hidden="false"/>
    <variable name="PASSWORD" value="s3cret" model="PA:HIDDEN"/>
    <variable name="ENGINE" value="docker" model="PA:List(docker,singularity)" group="Container Parameters"/>
    <variable name="DEBUG" value="false"/>
  </variables>
  <description>
    <![CDATA[ Deploy a demo cache server on a ProActive node. ]]>
  </description>
  <genericInformation>
    <info name="bucketName" value="service-automation"/>
    <info name="workflow.icon" value="/automation-dashboard/styles/patterns/img/wf-icons/redis.png"/>
    <info name="pca.service.id" value="{service}"/>
    <info name="pca.states" value="{states}"/>
    <info name="group" value="public-objects"/>
  </genericInformation>
  <taskFlow>
    <task name="Start_Demo_Cache" fork="true">
      <genericInformation>
        <info name="NODE_ACCESS_TOKEN" value="PSA_$INSTANCE_NAME"/>
      </genericInformation>
      <scriptExecutable>
        <script>
          <code language="bash">
            <![CDATA[
echo "starting $variables_INSTANCE_NAME"
            ]]>
          </code>
        </script>
      </scriptExecutable>
    </task>
  </taskFlow>
</job>
""".encode()


def finish_workflow():
    return demo_workflow(name="Finish_Demo_Cache", states="(RUNNING,FINISHED)(ERROR,FINISHED)")


def upload(store, content, *, bucket=BUCKET, name=None, kind="workflow/psa", now_ms=T0, **extra):
    extra.setdefault("content_type", "application/xml")
    return store.add_object(
        bucket,
        content,
        name=name,
        kind=kind,
        commit_message=extra.pop("commit_message", "first"),
        project_name=extra.pop("project_name", None),
        tags=extra.pop("tags", None),
        username=extra.pop("username", "admin"),
        now_ms=now_ms,
        **extra,
    )


@pytest.fixture
def index():
    return ServiceIndex()


@pytest.fixture
def store(index):
    store = CatalogStore(index)
    store.create_bucket(BUCKET, "admin")
    return store


@pytest.fixture(scope="module")
def preloaded():
    index = ServiceIndex()
    store = CatalogStore(index)
    store.preload_directory(bundled_catalog_dir(), BUNDLED_BUCKET, "GROUP:public-objects", T0)
    return store, index


def values(metadata, label):
    return {kv["key"]: kv["value"] for kv in metadata["object_key_values"] if kv["label"] == label}


def flat_order(metadata):
    return [name for group in metadata["variables_order"].values() for name in group]


# --- preload -----------------------------------------------------------------------------


def test_preload_stores_every_bundled_workflow_and_fills_the_index(preloaded):
    store, index = preloaded
    files = sorted(bundled_catalog_dir().glob("*.xml"))
    names = [parse_workflow_file(file).name for file in files]
    listed = store.list_objects(BUNDLED_BUCKET)
    assert [m["name"] for m in listed] == sorted(names)
    assert len(index.services()) == 19
    assert "MongoDB" in index.services() and "Spark_HDFS" in index.services()
    assert len(index) == len(names)
    assert store.list_buckets() == [
        {"owner": "GROUP:public-objects", "name": BUNDLED_BUCKET, "objectCount": len(names)}
    ]
    assert {m["kind"] for m in listed} == {"workflow/psa"}
    assert {m["commit_message"] for m in listed} == {"preloaded"}


def test_preloaded_mongodb_metadata(preloaded):
    store, _ = preloaded
    metadata = store.get_metadata(BUNDLED_BUCKET, "MongoDB")
    assert list(metadata) == METADATA_FIELDS
    assert metadata["extension"] == "xml"
    assert metadata["content_type"] == "application/xml"
    assert metadata["commit_time"] == "2026-01-01T00:00:00"
    assert metadata["commit_time_raw"] == str(T0)
    assert metadata["project_name"] == "3. Databases"
    generic = values(metadata, "generic_information")
    assert generic["pca.service.id"] == "MongoDB"
    assert generic["pca.states"] == "(VOID,RUNNING)"
    assert generic["workflow.icon"].endswith("mongodb.png")
    assert generic["bucketName"] == BUNDLED_BUCKET and generic["group"] == "public-objects"
    assert values(metadata, "job_information") == {
        "project_name": "3. Databases",
        "name": "MongoDB",
    }
    assert values(metadata, "General")["description"].startswith("Deploy a MongoDB database server")

    workflow = parse_workflow_file(bundled_catalog_dir() / "MongoDB.xml")
    document_order = [v.name for v in workflow.variables]
    assert [
        kv["key"] for kv in metadata["object_key_values"] if kv["label"] == "variable"
    ] == document_order
    # variables_order: ungrouped first, then each group in order of first appearance.
    groups = []
    for variable in workflow.variables:
        if variable.group not in groups:
            groups.append(variable.group)
    assert list(metadata["variables_order"]) == sorted(groups, key=lambda g: g != "")
    for group, members in metadata["variables_order"].items():
        assert list(members) == [v.name for v in workflow.variables if v.group == group]
    password = metadata["variables_order"]["Database Parameters"]["PASSWORD"]
    assert password["model"] == "PA:HIDDEN" and password["group"] == "Database Parameters"
    assert values(metadata, "variable_model")["SERVICE_PORT"] == "PA:Integer"
    assert "USER" not in values(metadata, "variable_model")  # no model, no entry


def test_preload_twice_adds_revisions(index):
    store = CatalogStore(index)
    store.preload_directory(bundled_catalog_dir(), BUNDLED_BUCKET, "GROUP:public-objects", T0)
    store.preload_directory(bundled_catalog_dir(), BUNDLED_BUCKET, "GROUP:public-objects", T0)
    assert [r["commit_time_raw"] for r in store.revisions(BUNDLED_BUCKET, "MongoDB")] == [
        str(T0 + 1),
        str(T0),
    ]
    assert len(index.services()) == 19


def test_preload_refuses_a_missing_directory(store, tmp_path):
    with pytest.raises(InvalidInput, match="not found"):
        store.preload_directory(tmp_path / "nope", BUCKET, "admin", T0)


# --- upload ------------------------------------------------------------------------------


def test_upload_joins_the_index_at_once(store, index):
    answer = upload(store, demo_workflow(), tags="cache,demo")
    assert list(answer) == ["object"] and len(answer["object"]) == 1
    metadata = answer["object"][0]
    assert list(metadata) == METADATA_FIELDS
    assert metadata["name"] == "Demo_Cache"  # defaults to the job name
    assert metadata["bucket_name"] == BUCKET
    assert metadata["kind"] == "workflow/psa"
    assert metadata["project_name"] == "9. Demo"
    assert metadata["tags"] == "cache,demo"
    assert metadata["username"] == "admin"
    assert metadata["commit_message"] == "first"
    assert "Demo_Cache" in index.services()
    assert index.get(BUCKET, "Demo_Cache").defaults["SERVICE_PORT"] == "6379"
    assert [w.name for _, w in index.activations("Demo_Cache")] == ["Demo_Cache"]

    upload(store, finish_workflow())
    assert [w.name for _, w in index.workflows("Demo_Cache")] == ["Demo_Cache", "Finish_Demo_Cache"]
    assert [w.name for _, w in index.executable_actions("Demo_Cache", "RUNNING")] == [
        "Finish_Demo_Cache"
    ]
    assert store.get_metadata(BUCKET, "Demo_Cache") == metadata
    assert store.get_raw(BUCKET, "Demo_Cache") == (demo_workflow(), "application/xml")


def test_uploaded_metadata_key_values_in_the_real_order(store):
    metadata = upload(store, demo_workflow())["object"][0]
    labels = [(kv["label"], kv["key"]) for kv in metadata["object_key_values"]]
    assert labels[:2] == [("job_information", "project_name"), ("job_information", "name")]
    assert labels[2:5] == [
        ("generic_information", "workflow.icon"),
        ("generic_information", "pca.service.id"),
        ("generic_information", "pca.states"),
    ]
    assert labels[-3:] == [
        ("General", "description"),
        ("generic_information", "group"),
        ("generic_information", "bucketName"),
    ]
    generic = values(metadata, "generic_information")
    assert generic["bucketName"] == BUCKET  # the bucket it is stored in, not the XML's
    assert generic["group"] == "admin"
    assert values(metadata, "General") == {
        "description": "Deploy a demo cache server on a ProActive node."
    }
    assert values(metadata, "variable") == {
        "INSTANCE_NAME": "cache-$PA_JOB_ID",
        "SERVICE_PORT": "6379",
        "PASSWORD": "s3cret",
        "ENGINE": "docker",
        "DEBUG": "false",
    }
    assert values(metadata, "variable_model") == {
        "INSTANCE_NAME": "PA:NOT_EMPTY_STRING",
        "SERVICE_PORT": "PA:Integer",
        "PASSWORD": "PA:HIDDEN",
        "ENGINE": "PA:List(docker,singularity)",
    }
    assert values(metadata, "variable_group") == {
        "INSTANCE_NAME": "Service Parameters",
        "SERVICE_PORT": "Service Parameters",
        "ENGINE": "Container Parameters",
    }
    assert values(metadata, "variable_advanced")["SERVICE_PORT"] == "true"
    assert values(metadata, "variable_advanced")["DEBUG"] == "false"
    assert values(metadata, "variable_hidden")["PASSWORD"] == "false"
    assert values(metadata, "variable_description")["SERVICE_PORT"] == "Port, -1 for a free one"
    assert "DEBUG" not in values(metadata, "variable_description")


def test_variables_order_groups_ungrouped_first(store):
    order = upload(store, demo_workflow())["object"][0]["variables_order"]
    assert list(order) == ["", "Service Parameters", "Container Parameters"]
    assert list(order[""]) == ["PASSWORD", "DEBUG"]
    assert list(order["Service Parameters"]) == ["INSTANCE_NAME", "SERVICE_PORT"]
    assert order["Service Parameters"]["SERVICE_PORT"] == {
        "name": "SERVICE_PORT",
        "value": "6379",
        "model": "PA:Integer",
        "description": "Port, -1 for a free one",
        "group": "Service Parameters",
        "advanced": True,
        "hidden": False,
    }
    # A secret's default is listed as is, as the real catalog does.
    assert order[""]["PASSWORD"]["value"] == "s3cret"
    assert order[""]["DEBUG"]["model"] is None and order[""]["DEBUG"]["description"] is None


def test_explicit_name_and_project_win(store, index):
    metadata = upload(store, demo_workflow(), name="Cache Renamed", project_name="Other")["object"][
        0
    ]
    assert metadata["name"] == "Cache Renamed"
    assert metadata["project_name"] == "Other"
    assert values(metadata, "job_information")["name"] == "Demo_Cache"  # the XML is unchanged
    assert index.get(BUCKET, "Cache Renamed").service_id == "Demo_Cache"
    with pytest.raises(WorkflowNotFound):
        index.get(BUCKET, "Demo_Cache")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"<job name='x'><variables>", "not well-formed XML at line 1"),
        (b"<notajob/>", "the root element is <notajob>"),
        (demo_workflow(states="(VOID,RUNNING"), "pca.states"),
    ],
)
def test_bad_workflow_is_refused_with_the_parser_message(store, index, content, message):
    with pytest.raises(InvalidInput) as caught:
        upload(store, content)
    assert str(caught.value).startswith("file: ")
    assert message in str(caught.value)
    assert store.list_objects(BUCKET) == []
    assert store.list_buckets()[0]["objectCount"] == 0
    assert len(index) == 0


def test_duplicate_upload_is_a_conflict(store, index):
    upload(store, demo_workflow())
    with pytest.raises(Conflict, match="Demo_Cache"):
        upload(store, demo_workflow(port="7000"), now_ms=T0 + 5)
    assert len(store.revisions(BUCKET, "Demo_Cache")) == 1
    assert index.get(BUCKET, "Demo_Cache").defaults["SERVICE_PORT"] == "6379"


def test_non_workflow_objects(store, index):
    with pytest.raises(InvalidInput, match="name"):
        upload(store, b"echo hi", kind="Script/bash", content_type="text/plain")
    metadata = upload(
        store, b"echo hi", name="hello", kind="Script/bash", content_type="text/plain"
    )["object"][0]
    assert metadata["object_key_values"] == [] and metadata["variables_order"] == {}
    assert metadata["extension"] == "txt"
    assert metadata["project_name"] == ""
    assert store.get_raw(BUCKET, "hello") == (b"echo hi", "text/plain")
    assert len(index) == 0  # not a workflow: not in the index
    # Any XML is accepted for another kind: it is not parsed.
    upload(store, b"<broken", name="notes", kind="text", content_type="")
    assert store.get_raw(BUCKET, "notes") == (b"<broken", "application/octet-stream")


@pytest.mark.parametrize("kind", ["", None, "workflow//psa", "/workflow", "workflow psa"])
def test_kind_is_required_and_checked(store, kind):
    with pytest.raises(InvalidInput, match="kind"):
        upload(store, demo_workflow(), kind=kind)


@pytest.mark.parametrize("name", [" lead", "trail ", "a/b", "a,b"])
def test_object_names_are_checked(store, name):
    with pytest.raises(InvalidInput, match="name"):
        upload(store, demo_workflow(), name=name)


def test_workflow_kind_is_case_insensitive(store, index):
    upload(store, demo_workflow(), kind="Workflow/standard")
    assert "Demo_Cache" in index.services()


# --- revisions and deletion --------------------------------------------------------------


def test_revision_replaces_the_workflow_in_the_index(store, index):
    upload(store, demo_workflow())
    upload(store, finish_workflow())
    assert index.get(BUCKET, "Demo_Cache").defaults["SERVICE_PORT"] == "6379"
    revised = store.add_revision(
        BUCKET,
        "Demo_Cache",
        demo_workflow(port="7000", states="(VOID,STARTED)"),
        commit_message="port 7000",
        content_type="application/xml",
        project_name=None,
        tags=None,
        username="bob",
        now_ms=T0 + 1500,
    )
    assert revised["commit_message"] == "port 7000"
    assert revised["username"] == "bob"
    assert revised["commit_time"] == "2026-01-01T00:00:01.5"
    assert index.get(BUCKET, "Demo_Cache").defaults["SERVICE_PORT"] == "7000"
    assert index.state_graph("Demo_Cache")["VOID"] == {"Demo_Cache": "STARTED"}
    assert store.get_metadata(BUCKET, "Demo_Cache") == revised
    assert store.list_objects(BUCKET)[0] == revised  # the listing follows the latest revision
    assert store.get_raw(BUCKET, "Demo_Cache")[0] == demo_workflow(
        port="7000", states="(VOID,STARTED)"
    )
    history = store.revisions(BUCKET, "Demo_Cache")
    assert [r["commit_message"] for r in history] == ["port 7000", "first"]
    assert store.list_buckets()[0]["objectCount"] == 2


def test_revision_keeps_the_object_name_and_distinct_commit_times(store, index):
    upload(store, demo_workflow())
    store.add_revision(
        BUCKET,
        "Demo_Cache",
        demo_workflow(name="Other_Name", port="1"),
        commit_message="",
        content_type="",
        project_name=None,
        tags=None,
        username="",
        now_ms=T0,
    )
    assert index.get(BUCKET, "Demo_Cache").defaults["SERVICE_PORT"] == "1"
    with pytest.raises(WorkflowNotFound):
        index.get(BUCKET, "Other_Name")
    assert [r["commit_time_raw"] for r in store.revisions(BUCKET, "Demo_Cache")] == [
        str(T0 + 1),
        str(T0),
    ]


def test_bad_revision_changes_nothing(store, index):
    upload(store, demo_workflow())
    with pytest.raises(InvalidInput, match=r"^file: "):
        store.add_revision(
            BUCKET,
            "Demo_Cache",
            b"<job",
            commit_message="",
            content_type="",
            project_name=None,
            tags=None,
            username="",
            now_ms=T0 + 1,
        )
    assert len(store.revisions(BUCKET, "Demo_Cache")) == 1
    assert index.get(BUCKET, "Demo_Cache").defaults["SERVICE_PORT"] == "6379"


def test_delete_removes_from_store_and_index(store, index):
    created = upload(store, demo_workflow())["object"][0]
    upload(store, finish_workflow())
    assert store.delete_object(BUCKET, "Demo_Cache") == created
    with pytest.raises(NotFound):
        store.get_metadata(BUCKET, "Demo_Cache")
    with pytest.raises(WorkflowNotFound):
        index.get(BUCKET, "Demo_Cache")
    assert [m["name"] for m in store.list_objects(BUCKET)] == ["Finish_Demo_Cache"]
    store.delete_object(BUCKET, "Finish_Demo_Cache")
    assert "Demo_Cache" not in index.services()
    assert store.list_buckets() == [{"owner": "admin", "name": BUCKET, "objectCount": 0}]
    # The name is free again.
    upload(store, demo_workflow(), now_ms=T0 + 10)
    assert "Demo_Cache" in index.services()


# --- filters ---------------------------------------------------------------------------


def test_kind_and_name_filters(store):
    upload(store, demo_workflow())
    upload(store, finish_workflow())
    upload(store, b"echo hi", name="cache-script", kind="script/bash", content_type="text/plain")
    store.create_bucket("empty-bucket", "admin")
    store.create_bucket("scripts-only", "admin")
    upload(
        store, b"x", bucket="scripts-only", name="tool", kind="script", content_type="text/plain"
    )

    names = lambda items: [m["name"] for m in items]  # noqa: E731
    assert names(store.list_objects(BUCKET)) == ["Demo_Cache", "Finish_Demo_Cache", "cache-script"]
    assert names(store.list_objects(BUCKET, kind="workflow")) == ["Demo_Cache", "Finish_Demo_Cache"]
    assert names(store.list_objects(BUCKET, kind="WORKFLOW/PSA")) == [
        "Demo_Cache",
        "Finish_Demo_Cache",
    ]
    assert names(store.list_objects(BUCKET, kind="psa")) == []  # a prefix, not a substring
    assert names(store.list_objects(BUCKET, object_name="CACHE")) == [
        "Demo_Cache",
        "Finish_Demo_Cache",
        "cache-script",
    ]
    assert names(store.list_objects(BUCKET, object_name="finish")) == ["Finish_Demo_Cache"]
    assert names(store.list_objects(BUCKET, kind="script", object_name="cache")) == ["cache-script"]

    assert store.list_buckets() == [
        {"owner": "admin", "name": "empty-bucket", "objectCount": 0},
        {"owner": "admin", "name": BUCKET, "objectCount": 3},
        {"owner": "admin", "name": "scripts-only", "objectCount": 1},
    ]
    # As the real query: buckets holding a matching object (counting those), plus the empty ones.
    assert store.list_buckets(kind="Workflow/PSA") == [
        {"owner": "admin", "name": "empty-bucket", "objectCount": 0},
        {"owner": "admin", "name": BUCKET, "objectCount": 2},
    ]
    assert [b["name"] for b in store.list_buckets(kind="script")] == [
        "empty-bucket",
        BUCKET,
        "scripts-only",
    ]


def test_listing_cache_follows_changes_and_is_not_shared(store):
    upload(store, demo_workflow())
    first = store.list_objects(BUCKET, kind="workflow")
    first.clear()
    assert len(store.list_objects(BUCKET, kind="workflow")) == 1
    generation = store.generation
    upload(store, finish_workflow())
    assert store.generation > generation
    assert len(store.list_objects(BUCKET, kind="workflow")) == 2
    store.delete_object(BUCKET, "Demo_Cache")
    assert [m["name"] for m in store.list_objects(BUCKET, kind="workflow")] == ["Finish_Demo_Cache"]


# --- buckets and errors ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["ab", "Bucket", "1bucket", "bucket-", "my_bucket", "my bucket", "a" * 64, "", None]
)
def test_bucket_names_are_checked(name):
    store = CatalogStore(ServiceIndex())
    with pytest.raises(InvalidInput) as caught:
        store.create_bucket(name, "admin")
    assert str(caught.value).startswith("name: ")
    assert repr(name) in str(caught.value)
    assert store.list_buckets() == []


@pytest.mark.parametrize("name", ["abc", "a-1", "service-automation", "a" * 63, "x9-9"])
def test_valid_bucket_names(name):
    store = CatalogStore(ServiceIndex())
    assert store.create_bucket(name) == {
        "owner": "GROUP:public-objects",
        "name": name,
        "objectCount": 0,
    }
    with pytest.raises(Conflict):
        store.create_bucket(name, "someone")


def test_unknown_bucket_or_object_is_not_found(store):
    upload(store, demo_workflow())
    unknown_bucket = [
        lambda: store.list_objects("nope"),
        lambda: store.get_bucket("nope"),
        lambda: upload(store, demo_workflow(), bucket="nope"),
        lambda: store.add_revision(
            "nope",
            "Demo_Cache",
            demo_workflow(),
            commit_message="",
            content_type="",
            project_name=None,
            tags=None,
            username="",
            now_ms=T0,
        ),
        lambda: store.get_metadata("nope", "Demo_Cache"),
        lambda: store.get_raw("nope", "Demo_Cache"),
        lambda: store.revisions("nope", "Demo_Cache"),
        lambda: store.delete_object("nope", "Demo_Cache"),
    ]
    for call in unknown_bucket:
        with pytest.raises(NotFound, match="bucket 'nope'"):
            call()
    unknown_object = [
        lambda: store.add_revision(
            BUCKET,
            "Missing",
            demo_workflow(),
            commit_message="",
            content_type="",
            project_name=None,
            tags=None,
            username="",
            now_ms=T0,
        ),
        lambda: store.get_metadata(BUCKET, "Missing"),
        lambda: store.get_raw(BUCKET, "Missing"),
        lambda: store.revisions(BUCKET, "Missing"),
        lambda: store.delete_object(BUCKET, "Missing"),
    ]
    for call in unknown_object:
        with pytest.raises(NotFound, match="object 'Missing'"):
            call()


def test_delete_bucket_only_when_empty(store):
    upload(store, demo_workflow())
    with pytest.raises(Conflict):
        store.delete_bucket(BUCKET)
    store.delete_object(BUCKET, "Demo_Cache")
    assert store.delete_bucket(BUCKET)["name"] == BUCKET
    assert store.list_buckets() == []


def test_commit_time_format():
    assert format_commit_time(0) == "1970-01-01T00:00:00"
    assert format_commit_time(T0 + 123) == "2026-01-01T00:00:00.123"
    assert format_commit_time(T0 + 120) == "2026-01-01T00:00:00.12"
    assert format_commit_time(T0 + 61_005) == "2026-01-01T00:01:01.005"


def test_same_inputs_give_the_same_output():
    def run():
        index = ServiceIndex()
        store = CatalogStore(index)
        store.preload_directory(bundled_catalog_dir(), BUNDLED_BUCKET, "GROUP:public-objects", T0)
        store.create_bucket(BUCKET, "admin")
        upload(store, demo_workflow(), now_ms=T0 + 7)
        store.add_revision(
            BUCKET,
            "Demo_Cache",
            demo_workflow(port="1"),
            commit_message="r2",
            content_type="",
            project_name=None,
            tags=None,
            username="u",
            now_ms=T0 + 9,
        )
        upload(store, finish_workflow(), now_ms=T0 + 11)
        store.delete_object(BUCKET, "Finish_Demo_Cache")
        snapshot = {
            "buckets": store.list_buckets(),
            "objects": {b["name"]: store.list_objects(b["name"]) for b in store.list_buckets()},
            "revisions": store.revisions(BUCKET, "Demo_Cache"),
            "services": index.services(),
        }
        return json.dumps(snapshot, sort_keys=False)

    assert run() == run()
