"""The service index: which workflows form a service and which actions apply in a state."""

from pathlib import Path

import pytest

from psa_sim.catalog import (
    ServiceIndex,
    ServiceNotFound,
    WorkflowNotFound,
    load_directory,
    parse_workflow,
)
from psa_sim.errors import NotFound

VALID = Path(__file__).parent / "fixtures" / "workflows" / "valid"


def workflow(name, states=None, service="Svc"):
    info = ""
    if states is not None:
        info += f'<info name="pca.states" value="{states}"/>'
    if service is not None:
        info += f'<info name="pca.service.id" value="{service}"/>'
    return parse_workflow(
        f'<job xmlns="urn:proactive:jobdescriptor:3.14" name="{name}" projectName="P">'
        f"<genericInformation>{info}</genericInformation>"
        f'<taskFlow><task name="T"><scriptExecutable><script><code language="bash">true</code>'
        f"</script></scriptExecutable></task></taskFlow></job>"
    )


@pytest.fixture
def index():
    return ServiceIndex(("service-automation", w) for w in load_directory(VALID))


def names(items):
    return [w.name for _, w in items]


def test_services_group_workflows_by_service_id(index):
    assert index.services() == ["DemoDB", "LabGUI"]
    assert names(index.workflows("DemoDB")) == [
        "DemoDB",
        "Finish_DemoDB",
        "Pause_DemoDB",
        "Resume_DemoDB",
    ]
    assert names(index.activations("DemoDB")) == ["DemoDB"]
    assert names(index.activations("LabGUI")) == ["LabGUI"]


def test_non_psa_workflows_are_stored_but_in_no_service(index):
    assert index.get("service-automation", "Hello_World").name == "Hello_World"
    assert len(index) == 8
    index.add("other", workflow("Stateless", states=None, service="Svc"))
    index.add("other", workflow("Serviceless", states="(VOID,RUNNING)", service=None))
    assert index.services() == ["DemoDB", "LabGUI"]


@pytest.mark.parametrize(
    "state, expected",
    [
        ("VOID", ["DemoDB"]),
        ("RUNNING", ["Finish_DemoDB", "Pause_DemoDB"]),
        ("PAUSED", ["Finish_DemoDB", "Resume_DemoDB"]),
        ("ERROR", ["Finish_DemoDB"]),
        ("FINISHED", []),
        ("running", []),
        ("RUNNING -> PAUSED", []),
    ],
)
def test_executable_actions_per_state(index, state, expected):
    assert names(index.executable_actions("DemoDB", state)) == expected


def test_all_applies_everywhere_but_void_and_exact_source_wins(index):
    deployed = index.executable_actions("LabGUI", "LaBSGUI_DEPLOYED")
    assert [(w.name, w.target_state("LaBSGUI_DEPLOYED")) for _, w in deployed] == [
        ("Clean_LabGUI", "ERROR"),
        ("Undeploy_LabGUI", "FINISHED"),
    ]
    assert [
        (w.name, w.target_state("ERROR")) for _, w in index.executable_actions("LabGUI", "ERROR")
    ] == [("Clean_LabGUI", "FINISHED")]
    assert names(index.executable_actions("LabGUI", "VOID")) == ["LabGUI"]


def test_activation_is_not_an_action_on_a_live_instance():
    index = ServiceIndex(
        [
            ("b", workflow("Start", "(VOID,RUNNING)(RUNNING,RUNNING)")),
            ("b", workflow("Restart", "(RUNNING,RUNNING)")),
        ]
    )
    assert names(index.executable_actions("Svc", "RUNNING")) == ["Restart"]
    assert names(index.executable_actions("Svc", "VOID")) == ["Start"]


def test_state_graph_expands_all(index):
    assert index.state_graph("LabGUI") == {
        "ERROR": {"Clean_LabGUI": "FINISHED"},
        "FINISHED": {},  # final states: ALL excludes them
        "KILLED": {},
        "LaBSGUI_DEPLOYED": {"Clean_LabGUI": "ERROR", "Undeploy_LabGUI": "FINISHED"},
        "VOID": {"LabGUI": "LaBSGUI_DEPLOYED"},
    }
    assert index.state_graph("DemoDB")["RUNNING"] == {
        "Finish_DemoDB": "FINISHED",
        "Pause_DemoDB": "PAUSED",
    }
    assert index.state_graph("DemoDB")["FINISHED"] == {}


def test_states_include_the_predefined_ones(index):
    assert index.states("DemoDB") == ["ERROR", "FINISHED", "KILLED", "PAUSED", "RUNNING", "VOID"]
    assert index.states("LabGUI") == ["ERROR", "FINISHED", "KILLED", "LaBSGUI_DEPLOYED", "VOID"]


@pytest.mark.parametrize(
    "call",
    [
        lambda i: i.workflows("Nope"),
        lambda i: i.activations("Nope"),
        lambda i: i.states("Nope"),
        lambda i: i.executable_actions("Nope", "RUNNING"),
        lambda i: i.state_graph("Nope"),
    ],
)
def test_unknown_service_is_not_found(index, call):
    with pytest.raises(ServiceNotFound) as caught:
        call(index)
    assert str(caught.value) == "unknown service 'Nope'"
    assert isinstance(caught.value, NotFound) and caught.value.http_status == 404


def test_get_and_remove(index):
    removed = index.remove("service-automation", "Pause_DemoDB")
    assert removed.name == "Pause_DemoDB"
    assert names(index.executable_actions("DemoDB", "RUNNING")) == ["Finish_DemoDB"]
    with pytest.raises(WorkflowNotFound) as caught:
        index.get("service-automation", "Pause_DemoDB")
    assert str(caught.value) == "workflow 'Pause_DemoDB' not found in bucket 'service-automation'"
    with pytest.raises(WorkflowNotFound):
        index.remove("service-automation", "Pause_DemoDB")


def test_removing_the_last_workflow_removes_the_service():
    index = ServiceIndex([("b", workflow("Only", "(VOID,UP)"))])
    index.remove("b", "Only")
    assert index.services() == [] and index.buckets() == []
    with pytest.raises(ServiceNotFound):
        index.workflows("Svc")


def test_add_invalidates_cached_actions(index):
    assert names(index.executable_actions("DemoDB", "RUNNING")) == ["Finish_DemoDB", "Pause_DemoDB"]
    index.add(
        "service-automation", workflow("Backup_DemoDB", "(RUNNING,RUNNING)", service="DemoDB")
    )
    assert names(index.executable_actions("DemoDB", "RUNNING")) == [
        "Backup_DemoDB",
        "Finish_DemoDB",
        "Pause_DemoDB",
    ]


def test_replacing_a_workflow_can_move_it_to_another_service(index):
    assert names(index.executable_actions("DemoDB", "RUNNING")) == ["Finish_DemoDB", "Pause_DemoDB"]
    index.add("service-automation", workflow("Pause_DemoDB", "(RUNNING,PAUSED)", service="Other"))
    assert names(index.executable_actions("DemoDB", "RUNNING")) == ["Finish_DemoDB"]
    assert names(index.workflows("Other")) == ["Pause_DemoDB"]
    assert len(index) == 8


def test_returned_lists_are_copies(index):
    index.executable_actions("DemoDB", "RUNNING").clear()
    assert names(index.executable_actions("DemoDB", "RUNNING")) == ["Finish_DemoDB", "Pause_DemoDB"]


def test_find_prefers_the_service_automation_bucket_then_alphabetical():
    index = ServiceIndex(
        [
            ("zeta", workflow("Start", "(VOID,RUNNING)")),
            ("alpha", workflow("Start", "(VOID,RUNNING)", service="Other")),
            ("service-automation", workflow("Start", "(VOID,RUNNING)")),
        ]
    )
    assert index.find("Start")[0] == "service-automation"
    assert index.find("Start", bucket="zeta")[0] == "zeta"
    assert index.find("Start", service_id="Other")[0] == "alpha"
    index.remove("service-automation", "Start")
    assert index.find("Start")[0] == "alpha"
    assert index.find("Start", service_id="Svc")[0] == "zeta"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "no workflow named 'Nope'"),
        ({"bucket": "b"}, "no workflow named 'Nope' (bucket 'b')"),
        ({"service_id": "S", "bucket": "b"}, "no workflow named 'Nope' (bucket 'b', service 'S')"),
    ],
)
def test_find_not_found(kwargs, message):
    index = ServiceIndex([("b", workflow("Start", "(VOID,RUNNING)"))])
    with pytest.raises(WorkflowNotFound) as caught:
        index.find("Nope", **kwargs)
    assert str(caught.value) == message
    with pytest.raises(WorkflowNotFound):
        index.find("Start", service_id="S")


def test_buckets_and_items_are_sorted():
    index = ServiceIndex(
        [
            ("b2", workflow("Z", "(VOID,UP)")),
            ("b1", workflow("Y", "(VOID,UP)")),
            ("b2", workflow("A", "(UP,FINISHED)")),
        ]
    )
    assert index.buckets() == ["b1", "b2"]
    assert [(b, w.name) for b, w in index.items()] == [("b1", "Y"), ("b2", "A"), ("b2", "Z")]
    assert [w.name for _, w in index.items("b2")] == ["A", "Z"]
    assert index.items("none") == []


def test_same_name_in_two_buckets_shows_once_in_the_graph():
    index = ServiceIndex(
        [
            ("zeta", workflow("Stop", "(UP,FINISHED)")),
            ("service-automation", workflow("Stop", "(UP,DOWN)")),
            ("service-automation", workflow("Start", "(VOID,UP)")),
        ]
    )
    assert index.state_graph("Svc")["UP"] == {"Stop": "DOWN"}
    assert [(b, w.name) for b, w in index.executable_actions("Svc", "UP")] == [
        ("service-automation", "Stop"),
        ("zeta", "Stop"),
    ]
