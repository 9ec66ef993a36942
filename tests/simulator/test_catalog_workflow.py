"""Reading ProActive job descriptors as PSA workflows."""

import pickle
from pathlib import Path

import pytest

from psa_sim.catalog import CatalogError, Transition, parse_workflow, parse_workflow_file
from psa_sim.errors import InvalidInput

FIXTURES = Path(__file__).parent / "fixtures" / "workflows"
DEMODB = FIXTURES / "valid" / "demodb"
INVALID = FIXTURES / "invalid"


def job(
    body="",
    *,
    name="Test_Job",
    namespace="urn:proactive:jobdescriptor:3.14",
    states="(VOID,RUNNING)",
    service="Test",
    task=True,
):
    """A small job descriptor in the real layout, for the cases no fixture file covers."""
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    name_attr = f' name="{name}"' if name is not None else ""
    info = ""
    if states is not None:
        info += f'<info name="pca.states" value="{states}"/>'
    if service is not None:
        info += f'<info name="pca.service.id" value="{service}"/>'
    tasks = (
        '<taskFlow><task name="T"><scriptExecutable><script><code language="bash"><![CDATA[ true ]]>'
        "</code></script></scriptExecutable></task></taskFlow>"
        if task
        else ""
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<job{xmlns}{name_attr} projectName="P">{body}'
        f"<genericInformation>{info}</genericInformation>{tasks}</job>"
    )


def test_activation_fixture_with_namespace():
    workflow = parse_workflow_file(DEMODB / "DemoDB.xml")
    assert workflow.name == "DemoDB"
    assert workflow.project_name == "Test fixtures - DemoDB"
    assert (
        workflow.description
        == "Start a DemoDB server in a container; a fixture written for the simulator's tests."
    )
    assert workflow.service_id == "DemoDB"
    assert workflow.icon == "/automation-dashboard/styles/patterns/img/wf-icons/demodb.png"
    assert workflow.transitions == (Transition("VOID", "RUNNING"),)
    assert workflow.is_activation
    assert list(workflow.generic_info) == [
        "bucketName",
        "workflow.icon",
        "pca.states",
        "pca.service.id",
        "Documentation",
        "group",
    ]
    assert [v.name for v in workflow.variables] == [
        "INSTANCE_NAME",
        "SERVICE_PORT",
        "ENGINE",
        "PROXYFIED",
        "HTTPS_ENABLED",
        "ADMIN_PASSWORD",
        "DOCKER_IMAGE",
        "VERSION_TAG",
        "CONFIG",
        "MOUNT_LOG_PATH",
        "ENDPOINT_ID",
        "NODE_NAME",
    ]
    port = workflow.variable_map["SERVICE_PORT"]
    assert (port.value, port.model.raw, port.model.kind, port.description, port.group) == (
        "-1",
        "PA:Integer",
        "integer",
        "Port of the service; -1 picks a free one",
        "Network",
    )
    image = workflow.variable_map["DOCKER_IMAGE"]
    assert image.advanced and not image.hidden and image.group == "Docker"
    assert workflow.variable_map["ADMIN_PASSWORD"].is_secret
    assert workflow.variable_map["CONFIG"].value == '{"replicas": 1}'
    assert workflow.variable_map["VERSION_TAG"].model.pattern == r"^[0-9]+(\.[0-9]+){0,2}$"
    assert workflow.defaults["INSTANCE_NAME"] == "demodb-$PA_JOB_ID"
    assert [t.name for t in workflow.tasks] == ["Start_DemoDB", "Loop_Over_Instance_Status"]
    assert workflow.tasks[0].node_access_token is None
    assert workflow.tasks[1].node_access_token == "PSA_$INSTANCE_NAME"
    assert workflow.source == str(DEMODB / "DemoDB.xml")
    assert workflow.xml == (DEMODB / "DemoDB.xml").read_text(encoding="utf-8")
    assert workflow.warnings == ()


@pytest.mark.parametrize(
    "namespace", [None, "urn:proactive:jobdescriptor:3.11", "urn:proactive:jobdescriptor:dev"]
)
def test_namespace_does_not_change_the_result(namespace):
    workflow = parse_workflow(
        job(
            '<variables><variable name="A" value="1" model="PA:Integer"/></variables>',
            namespace=namespace,
        )
    )
    assert workflow.name == "Test_Job"
    assert workflow.variables[0].model.kind == "integer"
    assert workflow.transitions == (Transition("VOID", "RUNNING"),)
    assert len(workflow.tasks) == 1
    assert workflow.warnings == ()


def test_fixtures_in_dev_namespace_and_without_namespace():
    pause = parse_workflow_file(DEMODB / "Pause_DemoDB.xml")
    resume = parse_workflow_file(DEMODB / "Resume_DemoDB.xml")
    assert pause.transitions == (Transition("RUNNING", "PAUSED"),)
    assert resume.transitions == (Transition("PAUSED", "RUNNING"),)
    assert resume.description == "Resume the paused DemoDB container (no namespace on purpose)."
    assert not pause.is_activation and pause.variables == ()
    assert resume.tasks[0].node_access_token == "PSA_$INSTANCE_NAME"


def test_unexpected_namespace_is_a_warning():
    workflow = parse_workflow(job(namespace="urn:proactive:jobdescriptor:2.2"))
    assert workflow.warnings == (
        "unexpected XML namespace 'urn:proactive:jobdescriptor:2.2' (expected urn:proactive:jobdescriptor:3.x)",
    )


def test_bytes_and_text_give_the_same_workflow():
    data = (DEMODB / "DemoDB.xml").read_bytes()
    assert parse_workflow(data) == parse_workflow(data.decode("utf-8"))


def test_declared_encoding_is_honoured():
    text = job("<description>Caf\u00e9 cr\u00e8me</description>").replace("UTF-8", "ISO-8859-1")
    workflow = parse_workflow(text.encode("iso-8859-1"))
    assert workflow.description == "Caf\u00e9 cr\u00e8me"
    assert "Caf\u00e9" in workflow.xml


def test_missing_optional_parts_get_defaults():
    workflow = parse_workflow(
        job(
            '<variables><variable name="EMPTY"/><variable name="NO_MODEL" value="v" model=""/>'
            "</variables>",
            states=None,
            service=None,
        )
    )
    assert workflow.description == ""
    assert workflow.transitions == ()
    assert workflow.service_id is None and workflow.icon == "" and not workflow.is_activation
    empty = workflow.variables[0]
    assert (empty.value, empty.model.raw, empty.model.kind, empty.description, empty.group) == (
        "",
        None,
        "string",
        "",
        "",
    )
    assert not empty.advanced and not empty.hidden
    assert workflow.variables[1].model.raw is None and workflow.variables[1].model.kind == "string"
    assert workflow.warnings == ()  # an empty model attribute is no model, not an unknown one


def test_task_level_variables_and_info_stay_with_the_task():
    body = job().replace(
        '<task name="T">',
        '<task name="T"><variables><variable name="TASK_VAR" value="x" '
        'inherited="false"/></variables><genericInformation><info name="pca.states" '
        'value="garbage"/></genericInformation>',
    )
    workflow = parse_workflow(body)
    assert workflow.variables == ()
    assert workflow.transitions == (Transition("VOID", "RUNNING"),)
    assert workflow.tasks[0].generic_info == {"pca.states": "garbage"}


def test_bad_states_error_names_file_workflow_and_text():
    with pytest.raises(CatalogError) as caught:
        parse_workflow_file(INVALID / "bad_states.xml")
    error = caught.value
    assert str(error) == (
        f"{INVALID / 'bad_states.xml'}: workflow 'Broken_States': pca.states: unexpected text 'x' "
        "at position 15 in '(VOID,RUNNING)x' (expected '(')"
    )
    assert (error.source, error.workflow) == (str(INVALID / "bad_states.xml"), "Broken_States")
    assert isinstance(error, InvalidInput) and error.http_status == 400


def test_not_well_formed_gives_line_and_column():
    with pytest.raises(CatalogError) as caught:
        parse_workflow_file(INVALID / "not_well_formed.xml")
    assert str(caught.value) == (
        f"{INVALID / 'not_well_formed.xml'}: not well-formed XML at line 5, column 5: "
        "mismatched tag"
    )


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "not well-formed XML at line 1, column 1: no element found"),
        ("just text", "not well-formed XML at line 1, column 1: syntax error"),
        ('<job name="a">&undefined;</job>', "undefined entity"),
    ],
)
def test_other_unparsable_text(text, fragment):
    with pytest.raises(CatalogError) as caught:
        parse_workflow(text, source="x.xml")
    assert str(caught.value).startswith("x.xml: ")
    assert fragment in str(caught.value)


def test_doctype_is_refused_before_any_entity_is_expanded():
    with pytest.raises(CatalogError) as caught:
        parse_workflow_file(INVALID / "doctype.xml")
    assert (
        str(caught.value)
        == f"{INVALID / 'doctype.xml'}: DOCTYPE/ENTITY declarations are not allowed in a workflow"
    )


def test_doctype_text_inside_cdata_is_fine():
    assert "<!DOCTYPE html>" in (DEMODB / "DemoDB.xml").read_text()
    parse_workflow_file(DEMODB / "DemoDB.xml")


def test_root_must_be_job():
    with pytest.raises(CatalogError) as caught:
        parse_workflow_file(INVALID / "not_a_job.xml")
    assert str(caught.value).endswith(
        "not_a_job.xml: the root element is <workflow>, expected <job>"
    )


def test_job_needs_a_name():
    with pytest.raises(CatalogError) as caught:
        parse_workflow_file(INVALID / "no_name.xml")
    assert str(caught.value).endswith("no_name.xml: the <job> element has no name attribute")
    with pytest.raises(CatalogError):
        parse_workflow(job(name="  "))


def test_variable_needs_a_name():
    with pytest.raises(CatalogError) as caught:
        parse_workflow(
            job('<variables><variable name="A" value="1"/><variable value="orphan"/></variables>'),
            source="v.xml",
        )
    assert (
        str(caught.value) == "v.xml: workflow 'Test_Job': variable #2 (value 'orphan') has no name"
    )


def test_missing_file_is_a_catalog_error_naming_it(tmp_path):
    missing = tmp_path / "nope.xml"
    with pytest.raises(CatalogError) as caught:
        parse_workflow_file(missing)
    assert str(caught.value).startswith(f"{missing}: cannot read the file")


@pytest.mark.parametrize(
    "states, service, expected",
    [
        ("(VOID,RUNNING)", None, "pca.states is set but pca.service.id is missing"),
        ("(VOID,RUNNING)", "", "pca.states is set but pca.service.id is missing"),
        (None, "Test", "pca.service.id is set but pca.states is missing"),
    ],
)
def test_half_psa_workflows_warn(states, service, expected):
    assert parse_workflow(job(states=states, service=service)).warnings == (expected,)


def test_no_task_warns():
    assert parse_workflow(job(task=False)).warnings == ("the workflow has no task",)


def test_duplicate_variable_later_wins_in_the_first_place():
    workflow = parse_workflow(
        job(
            '<variables><variable name="A" value="1"/><variable name="B" value="b"/>'
            '<variable name="A" value="2" model="PA:Integer"/></variables>'
        )
    )
    assert [(v.name, v.value) for v in workflow.variables] == [("A", "2"), ("B", "b")]
    assert workflow.variables[0].model.raw == "PA:Integer"
    assert workflow.warnings == ("variable A is declared twice; the later declaration wins",)


def test_unknown_model_warns_but_parses():
    workflow = parse_workflow(
        job('<variables><variable name="A" value="x" model="PA:FANCY(1)"/></variables>')
    )
    assert workflow.variables[0].model.kind == "other"
    assert workflow.warnings == (
        "variable A: unknown variable model 'PA:FANCY' in model 'PA:FANCY(1)'; its values are not checked",
    )


def test_duplicate_generic_information_warns():
    body = job().replace(
        "<genericInformation>",
        '<genericInformation><info name="workflow.icon" value="a.png"/>'
        '<info name="workflow.icon" value="b.png"/>',
    )
    workflow = parse_workflow(body)
    assert workflow.icon == "b.png"
    assert workflow.warnings == (
        "the job: generic information workflow.icon is set twice; the later value wins",
    )


def test_target_state_exact_wins_over_all():
    workflow = parse_workflow(job(states="(ALL,ERROR)(ERROR,FINISHED)"))
    assert workflow.target_state("ERROR") == "FINISHED"
    assert workflow.target_state("RUNNING") == "ERROR"
    assert workflow.target_state("LaBSGUI_DEPLOYED") == "ERROR"


def test_all_never_matches_void_nor_a_transitioning_label():
    workflow = parse_workflow(job(states="(ALL,FINISHED)"))
    assert workflow.target_state("VOID") is None
    assert not workflow.is_activation
    assert workflow.target_state("RUNNING -> PAUSED") is None


def test_target_state_without_all():
    workflow = parse_workflow(job(states="(RUNNING,FINISHED)(PAUSED,FINISHED)"))
    assert workflow.target_state("PAUSED") == "FINISHED"
    assert workflow.target_state("running") is None
    assert workflow.target_state("VOID") is None


def test_catalog_error_text_has_only_known_parts_and_survives_pickling():
    assert str(CatalogError("boom")) == "boom"
    assert str(CatalogError("boom", workflow="W")) == "workflow 'W': boom"
    assert str(CatalogError("boom", source="f.xml")) == "f.xml: boom"
    error = CatalogError("boom", source="f.xml", workflow="W")
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.source, copy.workflow, copy.message) == (
        "f.xml: workflow 'W': boom",
        "f.xml",
        "W",
        "boom",
    )


def test_workflow_survives_pickling():
    workflow = parse_workflow_file(DEMODB / "DemoDB.xml")
    copy = pickle.loads(pickle.dumps(workflow))
    assert copy == workflow
    assert copy.target_state("VOID") == "RUNNING"


def test_workflows_and_tasks_can_be_used_in_sets():
    first = parse_workflow_file(DEMODB / "DemoDB.xml")
    again = parse_workflow_file(DEMODB / "DemoDB.xml")
    assert len({first, again, parse_workflow_file(DEMODB / "Pause_DemoDB.xml")}) == 2
    assert len(set(first.tasks)) == 2


def test_text_with_a_non_utf8_declaration_parses():
    workflow = parse_workflow(
        '<?xml version="1.0" encoding="ISO-8859-1"?><job name="Caf\u00e9"><taskFlow/></job>'
    )
    assert workflow.name == "Caf\u00e9"
