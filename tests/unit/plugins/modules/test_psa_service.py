# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""psa_service: local XML validation, and publishing against an in-memory catalog."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.proactive.psa.plugins.module_utils.workflow_xml import (
    WorkflowError,
    parse_service,
    parse_workflow,
)
from ansible_collections.proactive.psa.plugins.modules.psa_service import main
from ansible_collections.proactive.psa.tests.unit.plugins.modules.module_runner import (
    ModuleFailed,
)
from ansible_collections.proactive.psa.tests.unit.plugins.modules.psa_fake import (
    FakePsa,
    workflow_xml,
)

REDIS = workflow_xml(
    "Redis", "Redis", "(VOID,RUNNING)", {"INSTANCE_NAME": ("redis", "PA:NOT_EMPTY_STRING")}
)
FINISH_REDIS = workflow_xml("Finish_Redis", "Redis", "(RUNNING,FINISHED)(ERROR,FINISHED)")


# --- local validation ----------------------------------------------------------------------


def test_valid_workflow_is_read():
    workflow = parse_workflow(REDIS, "Redis.xml")
    assert workflow.name == "Redis"
    assert workflow.service_id == "Redis"
    assert workflow.transitions == [("VOID", "RUNNING")]
    assert workflow.models == {"INSTANCE_NAME": "PA:NOT_EMPTY_STRING"}


@pytest.mark.parametrize(
    "text, fragment",
    [
        (
            '<?xml version="1.0"?>\n<!DOCTYPE job [<!ENTITY x "boom">]>\n<job name="a"/>',
            "Redis.xml: line 2: '<!DOCTYPE' declarations are not allowed",
        ),
        (
            '<job name="a">\n<!ENTITY x "y">\n</job>',
            "line 2: '<!ENTITY' declarations are not allowed",
        ),
        ('<job name="a"><variables></job>', "Redis.xml: not well-formed XML: mismatched tag"),
        ('<workflow name="a"/>', "the root element is <workflow>, expected a ProActive <job>"),
        ("<job/>", "<job name=''>: a workflow needs a name"),
        ('<job name="a b"/>', "<job name='a b'>"),
        ('<job name="a"/>', "workflow a has no job-level generic information pca.service.id"),
        (
            REDIS.replace('<info name="pca.states" value="(VOID,RUNNING)"/>', ""),
            "workflow Redis has no job-level generic information pca.states",
        ),
        (
            REDIS.replace("(VOID,RUNNING)", "(VOID;RUNNING)"),
            "Redis.xml: workflow Redis: pca.states '(VOID;RUNNING)' is not (FROM,TO) repeated: "
            "unexpected text '(VOID;RUNNING)' at position 1",
        ),
        (
            REDIS.replace("(VOID,RUNNING)", "(VOID,RUNNING)(RUNNING,VOID)"),
            "VOID cannot be a target state",
        ),
    ],
)
def test_invalid_workflows_name_the_file_and_the_text(text, fragment):
    with pytest.raises(WorkflowError) as caught:
        parse_workflow(text, "Redis.xml")
    assert fragment in str(caught.value)


def test_task_level_generic_information_does_not_count():
    text = (
        '<job name="a"><taskFlow><task name="t"><genericInformation>'
        '<info name="pca.service.id" value="X"/></genericInformation></task></taskFlow></job>'
    )
    with pytest.raises(WorkflowError):
        parse_workflow(text, "a.xml")


def test_one_service_at_a_time():
    other = workflow_xml("Finish_Other", "Other", "(RUNNING,FINISHED)")
    with pytest.raises(WorkflowError) as caught:
        parse_service([("Redis.xml", REDIS), ("Finish_Other.xml", other)])
    assert (
        "Finish_Other.xml: workflow Finish_Other has pca.service.id 'Other', not the "
        "other workflows (Redis)" in str(caught.value)
    )
    with pytest.raises(WorkflowError) as caught:
        parse_service([("Redis.xml", REDIS)], service_id="Memcached")
    assert "has pca.service.id 'Redis', not service_id 'Memcached'" in str(caught.value)


def test_every_bad_file_is_reported_and_duplicates_refused():
    with pytest.raises(WorkflowError) as caught:
        parse_service([("a.xml", "<job"), ("b.xml", "<nope/>")])
    assert "a.xml: not well-formed" in str(caught.value)
    assert "b.xml: the root element is <nope>" in str(caught.value)
    with pytest.raises(WorkflowError) as caught:
        parse_service([("a.xml", REDIS), ("b.xml", REDIS)])
    assert "a.xml and b.xml both define workflow Redis" in str(caught.value)


# --- publishing ----------------------------------------------------------------------------


# What every publishing test passes; the rest comes from the module's argument spec.
ARGS = dict(bucket="my-services", workflows=[REDIS, FINISH_REDIS], commit_message="test")


@pytest.fixture
def publish(runner):
    """publish(server, check_mode=False, **args): psa_service's result (ModuleFailed
    if it failed)."""
    return runner.bind(main, ARGS)


@pytest.fixture
def server():
    return FakePsa()


def test_publish_creates_bucket_and_objects(server, publish):
    result = publish(server)
    assert result["changed"] is True
    assert result["bucket_created"] is True
    assert [(w["name"], w["status"]) for w in result["workflows"]] == [
        ("Redis", "created"),
        ("Finish_Redis", "created"),
    ]
    assert result["graph"] == {
        "VOID": {"Redis": "RUNNING"},
        "RUNNING": {"Finish_Redis": "FINISHED"},
        "ERROR": {"Finish_Redis": "FINISHED"},
        "FINISHED": {},
        "KILLED": {},
    }
    create = next(c for c in server.calls if c[0] == "POST" and c[1].endswith("/resources"))
    assert create[2] == {
        "name": "Redis",
        "kind": "workflow/psa",
        "commitMessage": "test",
        "objectContentType": "application/xml",
    }
    assert ("POST", "/catalog/buckets") in server.changes()
    assert len(result["diff"]) == 2


def test_publish_again_changes_nothing(server, publish):
    publish(server)
    before = len(server.changes())
    result = publish(server)
    assert result["changed"] is False
    assert {w["status"] for w in result["workflows"]} == {"unchanged"}
    assert len(server.changes()) == before


def test_changed_content_becomes_a_revision(server, publish):
    publish(server)
    changed = FINISH_REDIS.replace("(ERROR,FINISHED)", "")
    result = publish(server, workflows=[REDIS, changed])
    assert [w["status"] for w in result["workflows"]] == ["unchanged", "revised"]
    assert (
        "POST",
        "/catalog/buckets/my-services/resources/Finish_Redis/revisions",
    ) in server.changes()
    assert server.objects[("my-services", "Finish_Redis")]["revisions"] == 2
    assert "ERROR" not in result["graph"] or result["graph"]["ERROR"] == {}


def test_check_mode_reports_without_publishing(server, publish):
    result = publish(server, check_mode=True)
    assert result["changed"] is True
    assert result["bucket_created"] is True
    assert server.changes() == []


def test_files_are_read_and_validated(server, publish, tmp_path):
    good = tmp_path / "Redis.xml"
    good.write_text(REDIS)
    bad = tmp_path / "Finish_Redis.xml"
    bad.write_text(FINISH_REDIS.replace("(RUNNING,FINISHED)", "(RUNNING FINISHED)"))
    with pytest.raises(ModuleFailed) as caught:
        publish(server, workflows=[], files=[str(good), str(bad)])
    assert str(bad) in str(caught.value)
    assert "'(RUNNING FINISHED)(ERROR,FINISHED)'" in str(caught.value)
    assert server.changes() == []
    with pytest.raises(ModuleFailed) as caught:
        publish(server, workflows=[], files=[str(tmp_path / "missing.xml")])
    assert "files: cannot read" in str(caught.value)


def test_object_of_another_service_is_left_alone(server, publish):
    publish(server)
    stranger = workflow_xml("Redis", "NotRedis", "(VOID,RUNNING)")
    with pytest.raises(ModuleFailed) as caught:
        publish(server, workflows=[stranger])
    assert (
        "catalog object my-services/Redis belongs to service Redis, not to service "
        "NotRedis" in str(caught.value)
    )


def test_absent_by_service_id_removes_every_workflow_of_it(server, publish):
    publish(server)
    result = publish(server, state="absent", workflows=[], service_id="Redis")
    assert sorted((w["name"], w["status"]) for w in result["workflows"]) == [
        ("Finish_Redis", "removed"),
        ("Redis", "removed"),
    ]
    assert result["graph"] == {}
    again = publish(server, state="absent", workflows=[], service_id="Redis")
    assert again["changed"] is False


def test_absent_of_given_workflows_only(server, publish):
    publish(server)
    result = publish(server, state="absent", workflows=[FINISH_REDIS])
    assert [(w["name"], w["status"]) for w in result["workflows"]] == [("Finish_Redis", "removed")]
    assert ("my-services", "Redis") in server.objects
    assert result["graph"]["VOID"] == {"Redis": "RUNNING"}


def test_present_needs_workflows(server, publish):
    with pytest.raises(ModuleFailed) as caught:
        publish(server, workflows=[])
    assert "files or workflows" in str(caught.value)
