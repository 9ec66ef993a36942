"""The bundled catalog (simulator/psa_sim/catalog/bundled): one service per entry of the PSA
user guide's reference (section 3), plus the Spark/HDFS usage example (section 2.3.2).

The REFERENCE table below transcribes the guide's variable tables: changing a default, a
model or a variable of a bundled activation must fail here.
"""

from __future__ import annotations

import pytest

from psa_sim.catalog import (
    FINISHED,
    VOID,
    bundled_catalog_dir,
    check_variables,
    load_catalog,
    parse_model,
    parse_workflow_file,
    validate_file,
)
from psa_sim.engine.script_library import INTERPRETED, plan_of

BUNDLED = bundled_catalog_dir()
FILES = sorted(BUNDLED.glob("*.xml"))
TOKEN = "PSA_$INSTANCE_NAME"
LOOP_TASK = "Loop_Over_Instance_Status"

# Models, as the reference's types translate: String required / not, Integer, Boolean,
# Float, Choice/List, and passwords (hidden).
NES = "PA:NOT_EMPTY_STRING"
INT = "PA:Integer"
BOOL = "PA:Boolean"
FLOAT = "PA:Float"
ENGINE = "PA:List(docker,singularity)"
HIDDEN = "PA:HIDDEN"
STR = None  # a not-required String: no model

KIND = {
    NES: "not_empty_string",
    INT: "integer",
    BOOL: "boolean",
    FLOAT: "float",
    ENGINE: "list",
    HIDDEN: "hidden",
    STR: "string",
}

# (name, default, model, required in the reference table), in the table's order.
# Not-required variables default to empty: the guide shows examples for them ("e.g. x",
# "Slurm", "--gpus=1"...); required ones take the table's value or example as default.
NATIVE = [("NATIVE_SCHEDULER", "", STR, False), ("NATIVE_SCHEDULER_PARAMS", "", STR, False)]

REFERENCE: dict[str, tuple[str, list[tuple[str, str, str | None, bool]]]] = {
    "Cassandra": (
        "Cassandra",
        [
            ("INSTANCE_NAME", "cassandra-server", NES, True),
            ("ENDPOINT_ID", "cassandra-endpoint", NES, True),
            ("ENV_VARS", "", STR, False),
        ],
    ),
    "COCO_Annotator": (
        "COCO_Annotator",
        [
            ("ENDPOINT_ID", "coco_annotator-gui", NES, True),
            ("HTTPS_ENABLED", "true", BOOL, True),
            ("INSTANCE_NAME", "coco-annotator", NES, True),
            ("PROXYFIED", "false", BOOL, True),
        ],
    ),
    "Docker": (
        "Docker",
        [
            # INSTANCE_NAME is not in the guide's table: added for the node token PSA_<name>.
            ("INSTANCE_NAME", "docker-service-$PA_JOB_ID", NES, True),
            ("ENDPOINT_ID", "docker-endpoint", NES, True),
            ("DOCKER_IMAGE", "postgres", NES, True),
            ("DOCKER_PORT", "5432", INT, True),
            ("DOCKER_CONTAINER", "postgres-container", NES, True),
            ("DOCKER_OPTIONS", "", STR, False),
            ("DOCKER_COMMAND", "", STR, False),
        ],
    ),
    "Elasticsearch": (
        "Elasticsearch",
        [
            ("INSTANCE_NAME", "elasticsearch-server", NES, True),
            ("ENDPOINT_ID", "elasticsearch-endpoint", NES, True),
        ],
    ),
    "JupyterLab": (
        "JupyterLab",
        [
            ("INSTANCE_NAME", "jupyterlab-server-$PA_JOB_ID", NES, True),
            ("JUPYTERLAB_PASSWORD", "", HIDDEN, False),
            ("ENDPOINT_ID", "jupyterlab-endpoint-$PA_JOB_ID", NES, True),
            ("PROXYFIED", "false", BOOL, True),
            ("HTTPS_ENABLED", "false", BOOL, True),
            ("SERVICE_PORT", "-1", INT, True),
            ("ENGINE", "docker", ENGINE, True),
            ("SINGULARITY_IMAGE_PATH", "/tmp/jupyterlab.sif", NES, True),
            ("BUILD_IMAGE_IF_NOT_EXISTS", "true", BOOL, True),
            *NATIVE,
        ],
    ),
    "Kafka": (
        "Kafka",
        [
            ("INSTANCE_NAME", "kafka-server-1", NES, True),
            ("ENDPOINT_ID", "kafka-endpoint", NES, True),
            ("ZOOKEEPER_INSTANCE_NAME", "zookeeper-server-1", NES, True),
            ("ZOOKEEPER_SERVICE_ID", "Zookeeper", NES, True),
            ("TERMINATE_ZOOKEEPER_ON_FINISH", "true", BOOL, True),
        ],
    ),
    "MongoDB": (
        "MongoDB",
        [
            ("INSTANCE_NAME", "mongodb-server-$PA_JOB_ID", NES, True),
            ("ENDPOINT_ID", "mongodb-endpoint-$PA_JOB_ID", NES, True),
            ("USER", "", STR, False),
            ("PASSWORD", "", HIDDEN, False),
            ("SERVICE_PORT", "-1", INT, True),
            ("ENGINE", "docker", ENGINE, True),
            ("DOCKER_IMAGE", "activeeon/mongo", NES, True),
            ("SINGULARITY_IMAGE_PATH", "/tmp/mongo_db.sif", NES, True),
            ("BUILD_IMAGE_IF_NOT_EXISTS", "true", BOOL, True),
            ("MOUNT_DB_PATH", "/tmp/mongodb-server-$PA_JOB_ID", NES, True),
            *NATIVE,
        ],
    ),
    "MySQL": (
        "MySQL",
        [
            ("INSTANCE_NAME", "mysql-server", NES, True),
            ("ENDPOINT_ID", "mysql-endpoint", NES, True),
            ("DATABASE", "", STR, False),
            ("USER", "", STR, False),
            ("PASSWORD", "", HIDDEN, False),
        ],
    ),
    "OpenRefine": (
        "OpenRefine",
        [
            ("ENDPOINT_ID", "openrefine-gui", NES, True),
            ("HTTPS_ENABLED", "true", BOOL, True),
            ("INSTANCE_NAME", "openrefine", NES, True),
            ("PROXYFIED", "false", BOOL, True),
        ],
    ),
    "PostgreSQL": (
        "PostgreSQL",
        [
            ("INSTANCE_NAME", "postgres-server", NES, True),
            ("ENDPOINT_ID", "postgresql-endpoint", NES, True),
            ("DATABASE", "", STR, False),
            ("USER", "", STR, False),
            # Required in the table, but PA:HIDDEN cannot refuse an empty value: the example
            # becomes the default so that the default submission has a password.
            ("PASSWORD", "my_password", HIDDEN, True),
        ],
    ),
    "Greenplum": (
        "Greenplum",
        [
            ("INSTANCE_NAME", "greenplum-server", NES, True),
            ("ENDPOINT_ID", "greenplum-endpoint", NES, True),
            ("DATABASE", "", STR, False),
            ("USER", "", STR, False),
            ("PASSWORD", "", HIDDEN, False),
        ],
    ),
    "SSH_Terminal": (
        "SSH_Terminal",
        [
            ("INSTANCE_NAME", "ssh-terminal-1", NES, True),
            ("TARGET_HOST", "try.activeeon.com", NES, True),
            ("SSH_PORT", "22", INT, True),
            ("PROXYFIED", "True", BOOL, True),
        ],
    ),
    "Storm": (
        "Storm",
        [
            ("INSTANCE_NAME", "storm-cluster-1", NES, True),
            ("ENDPOINT_ID", "storm-gui", NES, True),
            ("NUMBER_OF_SUPERVISORS", "2", INT, True),
            ("ZOOKEEPER_INSTANCE_NAME", "zookeeper-server-1", NES, True),
            ("ZOOKEEPER_SERVICE_ID", "Zookeeper", NES, True),
        ],
    ),
    "Tensorboard": (
        "Tensorboard",
        [
            ("INSTANCE_NAME", "tensorboard-server-$PA_JOB_ID", NES, True),
            ("ENDPOINT_ID", "tensorboard-gui-$PA_JOB_ID", NES, True),
            ("PROXYFIED", "false", BOOL, True),
            ("SERVICE_PORT", "-1", INT, True),
            ("MOUNT_LOG_PATH", "/shared/$INSTANCE_NAME", NES, True),
            ("ENGINE", "docker", ENGINE, True),
            ("DOCKER_IMAGE", "activeeon/tensorboard", NES, True),
            ("SINGULARITY_IMAGE_PATH", "/tmp/tensorboard.sif", NES, True),
            ("BUILD_IMAGE_IF_NOT_EXISTS", "true", BOOL, True),
            *NATIVE,
        ],
    ),
    "Visdom": (
        "Visdom",
        [
            ("INSTANCE_NAME", "visdom-server-$PA_JOB_ID", NES, True),
            ("ENDPOINT_ID", "visdom-gui-$PA_JOB_ID", NES, True),
            ("PROXYFIED", "false", BOOL, True),
            ("SERVICE_PORT", "-1", INT, True),
            ("VISDOM_ENABLE_LOGIN", "false", BOOL, True),
            ("VISDOM_USERNAME", "", STR, False),
            ("VISDOM_PASSWORD", "", HIDDEN, False),
            ("ENGINE", "docker", ENGINE, True),
            ("DOCKER_IMAGE", "activeeon/visdom_server", NES, True),
            ("SINGULARITY_IMAGE_PATH", "/tmp/visdom_server.sif", NES, True),
            ("BUILD_IMAGE_IF_NOT_EXISTS", "true", BOOL, True),
            *NATIVE,
        ],
    ),
    "MaaS_ML": (
        "MaaS_ML",
        [
            ("BUILD_IMAGE_IF_NOT_EXISTS", "false", BOOL, True),
            ("DEBUG_ENABLED", "true", BOOL, True),
            ("DOCKER_IMAGE", "activeeon/maas_ml", NES, True),
            ("DRIFT_ENABLED", "true", BOOL, True),
            ("DRIFT_THRESHOLD", "1.9", FLOAT, True),
            ("ENDPOINT_ID", "maas-ml-gui-$PA_JOB_ID", NES, True),
            ("ENGINE", "docker", ENGINE, True),
            ("HTTPS_ENABLED", "false", BOOL, True),
            ("INSTANCE_NAME", "maas-ml-$PA_JOB_ID", NES, True),
            ("NODE_NAME", "", STR, False),
            ("PROXYFIED", "false", BOOL, True),
            ("PYTHON_ENTRYPOINT", "ml_service", NES, True),
            ("SERVICE_PORT", "-1", INT, True),
            ("SINGULARITY_IMAGE_PATH", "/tmp/maas_ml.sif", NES, True),
            ("TRACE_ENABLED", "true", BOOL, True),
            ("YAML_FILE", "ml_service-api", NES, True),
            *NATIVE,
        ],
    ),
    "MaaS_DL": (
        "MaaS_DL",
        [
            ("BUILD_IMAGE_IF_NOT_EXISTS", "true", BOOL, True),
            ("DEBUG_ENABLED", "true", BOOL, True),
            ("DOCKER_IMAGE", "activeeon/maas_dl", NES, True),
            ("ENDPOINT_ID", "maas_dl-gui", NES, True),
            ("ENGINE", "docker", ENGINE, True),
            ("HTTPS_ENABLED", "false", BOOL, True),
            ("INSTANCE_NAME", "maas_dl", NES, True),
            ("MODEL_BASE_PATH", "/tmp", NES, True),
            ("MODELS_DEPLOYMENT_REFRESH", "30", INT, True),
            ("NATIVE_SCHEDULER", "", STR, False),
            ("NATIVE_SCHEDULER_PARAMS", "", STR, False),
            ("NODE_NAME", "", STR, False),
            ("PROXYFIED", "false", BOOL, True),
            ("PYTHON_ENTRYPOINT", "dl_service", NES, True),
            ("SERVICE_PORT", "-1", INT, True),
            ("SINGULARITY_IMAGE_PATH", "/tmp/maas_dl.sif", NES, True),
            ("TRACE_ENABLED", "true", BOOL, True),
            ("YAML_FILE", "dl_service-api", NES, True),
        ],
    ),
    "Zookeeper": (
        "Zookeeper",
        [
            ("INSTANCE_NAME", "zookeeper-server-1", NES, True),
            ("ENDPOINT_ID", "zookeeper-endpoint", NES, True),
        ],
    ),
}

SPARK = "Spark_HDFS"
SPARK_ACTIVATION_VARIABLES = [
    ("INSTANCE_NAME", "spark-hdfs-$PA_JOB_ID", NES, True),
    ("NUMBER_OF_NODES", "2", INT, True),
]
SPARK_GRAPH = {
    (VOID, "PA_NODES_RESERVED", "Reserve_Nodes"),
    ("PA_NODES_RESERVED", "SWARM_DEPLOYED", "Deploy_Swarm"),
    ("SWARM_DEPLOYED", "HDFS_DEPLOYED", "Deploy_HDFS"),
    ("HDFS_DEPLOYED", "HDFS_SPARK_DEPLOYED", "Deploy_Spark"),
    ("HDFS_SPARK_DEPLOYED", "HDFS_DEPLOYED", "Delete_Spark"),
    # Spark without HDFS, as the real Spark.xml/Spark_delete.xml of the guide's time
    # (proactive-examples, before commit 88812620): the third action at SWARM_DEPLOYED.
    ("SWARM_DEPLOYED", "SPARK_DEPLOYED", "Deploy_Spark"),
    ("SPARK_DEPLOYED", "SWARM_DEPLOYED", "Delete_Spark"),
    ("HDFS_DEPLOYED", "SWARM_DEPLOYED", "Delete_HDFS"),
    ("SWARM_DEPLOYED", "PA_NODES_RESERVED", "Delete_Swarm"),
    ("PA_NODES_RESERVED", FINISHED, "Release_Nodes"),
    ("ERROR", FINISHED, "Release_Nodes"),
}
# Endpoint each Spark/HDFS step adds (sim.endpoint) or removes (sim.endpoint.remove).
SPARK_ENDPOINTS = {
    "Deploy_Swarm": ("consul_UI", None),
    "Deploy_HDFS": ("HDFS_UI", None),
    "Deploy_Spark": ("SPARK_UI", None),
    "Delete_Spark": (None, "SPARK_UI"),
    "Delete_HDFS": (None, "HDFS_UI"),
    "Delete_Swarm": (None, "consul_UI"),
}

# Services with Pause_/Resume_ workflows (as in the real catalog's container databases).
PAUSABLE = {"Cassandra", "Elasticsearch", "Greenplum", "MongoDB", "MySQL", "PostgreSQL"}

# Post_Start_Service's argument in the activations that have no HTTPS_ENABLED variable.
SCHEMES = {
    "Cassandra": "cassandra",
    "Docker": "http",
    "Elasticsearch": "http",
    "Greenplum": "postgresql",
    "Kafka": "kafka",
    "MongoDB": "mongodb",
    "MySQL": "mysql",
    "PostgreSQL": "postgresql",
    "SSH_Terminal": "http",
    "Storm": "http",
    "Tensorboard": "http",
    "Visdom": "http",
    "Zookeeper": "zookeeper",
}

ALL_SERVICES = set(REFERENCE) | {SPARK}


@pytest.fixture(scope="module")
def index():
    return load_catalog()


@pytest.fixture(scope="module")
def workflows():
    return {path.stem: parse_workflow_file(path) for path in FILES}


def _activation(index, service_id):
    activations = index.activations(service_id)
    assert len(activations) == 1, [w.name for _, w in activations]
    return activations[0][1]


def _edges(index, service_id):
    return {
        (t.from_state, t.to_state, w.name)
        for _, w in index.workflows(service_id)
        for t in w.transitions
    }


# --- files -------------------------------------------------------------------------------


def test_the_folder_holds_the_catalog_and_the_script_stand_ins():
    assert BUNDLED.is_dir()
    folders = [
        p.name for p in BUNDLED.iterdir() if p.is_dir() and not p.name.startswith((".", "__"))
    ]
    assert folders == ["scripts"]
    stand_ins = {p.stem for p in (BUNDLED / "scripts").glob("*.groovy")}
    assert stand_ins == set(INTERPRETED)
    assert len(FILES) >= 2 * len(ALL_SERVICES)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_file_validates_cleanly(path):
    report = validate_file(path)
    assert report.ok, report.errors
    assert report.errors == []
    assert report.warnings == []


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_file_name_is_the_workflow_name(path, workflows):
    assert workflows[path.stem].name == path.stem


def test_workflow_names_are_unique():
    # load_catalog refuses duplicates; the file names agree with the workflow names.
    names = [parse_workflow_file(p).name for p in FILES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_common_generic_information(path, workflows):
    info = workflows[path.stem].generic_info
    assert info["bucketName"] == "service-automation"
    assert info["group"] == "public-objects"
    assert info["workflow.icon"].startswith("/automation-dashboard/styles/patterns/img/wf-icons/")
    assert info["Documentation"].startswith("PSA/PSAUserGuide.html")


# --- services ----------------------------------------------------------------------------


def test_one_service_per_reference_entry(index):
    assert set(index.services()) == ALL_SERVICES
    assert len(REFERENCE) == 18


@pytest.mark.parametrize("service_id", sorted(ALL_SERVICES))
def test_one_activation_and_a_finish(index, service_id):
    _activation(index, service_id)
    finishes = [
        w
        for _, w in index.workflows(service_id)
        if not w.is_activation and any(t.to_state == FINISHED for t in w.transitions)
    ]
    assert len(finishes) == 1


@pytest.mark.parametrize("service_id", sorted(REFERENCE))
def test_activation_name_and_finish_name(index, service_id):
    name = REFERENCE[service_id][0]
    activation = _activation(index, service_id)
    assert activation.name == name
    assert [(t.from_state, t.to_state) for t in activation.transitions] == [(VOID, "RUNNING")]
    names = {w.name for _, w in index.workflows(service_id)}
    expected = {name, f"Finish_{name}"}
    if service_id in PAUSABLE:
        expected |= {f"Pause_{name}", f"Resume_{name}"}
    assert names == expected


@pytest.mark.parametrize("service_id", sorted(REFERENCE))
def test_finish_transitions(index, service_id):
    _, finish = index.find(f"Finish_{REFERENCE[service_id][0]}", service_id=service_id)
    expected = [("RUNNING", FINISHED)]
    if service_id in PAUSABLE:
        expected.append(("PAUSED", FINISHED))
    expected.append(("ERROR", FINISHED))
    assert [(t.from_state, t.to_state) for t in finish.transitions] == expected


@pytest.mark.parametrize("service_id", sorted(PAUSABLE))
def test_pause_and_resume(index, service_id):
    name = REFERENCE[service_id][0]
    assert _edges(index, service_id) >= {
        ("RUNNING", "PAUSED", f"Pause_{name}"),
        ("PAUSED", "RUNNING", f"Resume_{name}"),
    }


# --- variables ---------------------------------------------------------------------------

_VARIABLE_CASES = [(sid, *row) for sid, (_, rows) in sorted(REFERENCE.items()) for row in rows]
_VARIABLE_CASES += [(SPARK, *row) for row in SPARK_ACTIVATION_VARIABLES]


@pytest.mark.parametrize("service_id", sorted(ALL_SERVICES))
def test_activation_declares_exactly_the_reference_variables(index, service_id):
    rows = SPARK_ACTIVATION_VARIABLES if service_id == SPARK else REFERENCE[service_id][1]
    activation = _activation(index, service_id)
    assert [v.name for v in activation.variables] == [row[0] for row in rows]


@pytest.mark.parametrize(
    "service_id, name, default, model, required",
    _VARIABLE_CASES,
    ids=[f"{case[0]}-{case[1]}" for case in _VARIABLE_CASES],
)
def test_activation_variable_matches_reference(index, service_id, name, default, model, required):
    variable = _activation(index, service_id).variable_map[name]
    assert variable.value == default
    assert variable.model.raw == model
    assert variable.model.kind == KIND[model]
    assert variable.model.is_known
    if model == HIDDEN:
        # A password: secret, and PA:HIDDEN accepts an empty value whatever the table says.
        assert variable.is_secret
        assert not variable.model.is_required
    else:
        assert not variable.is_secret
        assert variable.model.is_required is required
    if model == ENGINE:
        assert variable.model.options == ("docker", "singularity")


@pytest.mark.parametrize("service_id", sorted(ALL_SERVICES))
def test_activation_defaults_pass_their_models(index, service_id):
    activation = _activation(index, service_id)
    assert check_variables(activation.variables, {}) == []


def test_passwords_are_hidden(index):
    passwords = [
        (service_id, variable)
        for service_id in REFERENCE
        for variable in _activation(index, service_id).variables
        if "PASSWORD" in variable.name
    ]
    # The reference services do have passwords: an empty list would check nothing.
    assert {service_id for service_id, _ in passwords} >= {"MongoDB", "PostgreSQL"}
    assert [(s, v.name) for s, v in passwords if not v.is_secret] == []


@pytest.mark.parametrize("service_id", sorted(ALL_SERVICES))
def test_action_workflows_declare_an_empty_instance_name(index, service_id):
    for _, workflow in index.workflows(service_id):
        if workflow.is_activation:
            continue
        variable = workflow.variable_map["INSTANCE_NAME"]
        assert variable.value == "", workflow.name
        assert variable.model.raw is None, workflow.name
        assert parse_model(variable.model.raw).kind == "string"


@pytest.mark.parametrize("service_id", ["Kafka", "Storm"])
def test_zookeeper_dependency_pair(index, service_id):
    variables = _activation(index, service_id).variable_map
    assert variables["ZOOKEEPER_SERVICE_ID"].value == "Zookeeper"
    assert variables["ZOOKEEPER_INSTANCE_NAME"].value == "zookeeper-server-1"
    # the named service exists and its default instance name is the one depended on
    zookeeper = _activation(index, variables["ZOOKEEPER_SERVICE_ID"].value)
    assert (
        zookeeper.variable_map["INSTANCE_NAME"].value == variables["ZOOKEEPER_INSTANCE_NAME"].value
    )


def test_only_kafka_and_storm_declare_a_dependency(index):
    dependent = {
        service_id
        for service_id in index.services()
        for _, w in index.activations(service_id)
        for v in w.variables
        if v.name.endswith("_SERVICE_ID")
    }
    assert dependent == {"Kafka", "Storm"}


# --- state graphs -------------------------------------------------------------------------


def test_mongodb_graph(index):
    assert _edges(index, "MongoDB") == {
        (VOID, "RUNNING", "MongoDB"),
        ("RUNNING", "PAUSED", "Pause_MongoDB"),
        ("PAUSED", "RUNNING", "Resume_MongoDB"),
        ("RUNNING", FINISHED, "Finish_MongoDB"),
        ("PAUSED", FINISHED, "Finish_MongoDB"),
        ("ERROR", FINISHED, "Finish_MongoDB"),
    }
    graph = index.state_graph("MongoDB")
    assert graph[VOID] == {"MongoDB": "RUNNING"}
    assert graph["RUNNING"] == {"Pause_MongoDB": "PAUSED", "Finish_MongoDB": FINISHED}
    assert graph["PAUSED"] == {"Resume_MongoDB": "RUNNING", "Finish_MongoDB": FINISHED}
    assert graph["ERROR"] == {"Finish_MongoDB": FINISHED}
    assert graph[FINISHED] == {}


@pytest.mark.parametrize(
    "state, actions",
    [
        (VOID, {"MongoDB"}),
        ("RUNNING", {"Pause_MongoDB", "Finish_MongoDB"}),
        ("PAUSED", {"Resume_MongoDB", "Finish_MongoDB"}),
        ("ERROR", {"Finish_MongoDB"}),
        (FINISHED, set()),
    ],
)
def test_mongodb_executable_actions(index, state, actions):
    assert {w.name for _, w in index.executable_actions("MongoDB", state)} == actions


def test_spark_hdfs_graph(index):
    assert _edges(index, SPARK) == SPARK_GRAPH
    graph = index.state_graph(SPARK)
    assert graph["PA_NODES_RESERVED"] == {
        "Deploy_Swarm": "SWARM_DEPLOYED",
        "Release_Nodes": FINISHED,
    }
    # The guide: "Three Actions are available at this step", then two at HDFS_DEPLOYED.
    assert graph["SWARM_DEPLOYED"] == {
        "Deploy_HDFS": "HDFS_DEPLOYED",
        "Deploy_Spark": "SPARK_DEPLOYED",
        "Delete_Swarm": "PA_NODES_RESERVED",
    }
    assert graph["HDFS_DEPLOYED"] == {
        "Deploy_Spark": "HDFS_SPARK_DEPLOYED",
        "Delete_HDFS": "SWARM_DEPLOYED",
    }
    assert graph["HDFS_SPARK_DEPLOYED"] == {"Delete_Spark": "HDFS_DEPLOYED"}
    assert graph["SPARK_DEPLOYED"] == {"Delete_Spark": "SWARM_DEPLOYED"}


def test_spark_hdfs_endpoints(index):
    for name, (added, removed) in SPARK_ENDPOINTS.items():
        _, workflow = index.find(name, service_id=SPARK)
        info = workflow.generic_info
        assert info.get("sim.endpoint") == added, name
        assert info.get("sim.endpoint.remove") == removed, name
        assert info.get("sim.endpoint.scheme") == ("http" if added else None), name
    for name in ("Reserve_Nodes", "Release_Nodes"):
        _, workflow = index.find(name, service_id=SPARK)
        assert not {k for k in workflow.generic_info if k.startswith("sim.")}, name


def test_spark_activation_has_no_endpoint(index):
    activation = _activation(index, SPARK)
    assert activation.name == "Reserve_Nodes"
    assert "ENDPOINT_ID" not in activation.variable_map


# --- endpoints of the reference services ---------------------------------------------------


@pytest.mark.parametrize("service_id", sorted(REFERENCE))
def test_activations_use_the_script_library_as_real_ones_do(index, service_id):
    activation = _activation(index, service_id)
    assert "sim.endpoint.scheme" not in activation.generic_info
    plan = plan_of(activation)
    assert plan.post_start and plan.clean_start and plan.loop
    if "HTTPS_ENABLED" in activation.variable_map:
        assert service_id not in SCHEMES and plan.scheme_argument is None
    else:
        assert plan.scheme_argument == SCHEMES[service_id]
    assert plan.pre_start == ("PROXYFIED" in activation.variable_map)


@pytest.mark.parametrize("service_id", sorted(REFERENCE))
def test_finish_pause_resume_use_the_trigger_scripts(index, service_id):
    expected = {
        "Finish": ("FINISH_LAUNCHED", "FINISHED"),
        "Pause": ("PAUSE_LAUNCHED", "PAUSED"),
        "Resume": ("RESUME_LAUNCHED", "RUNNING"),
    }
    for _, workflow in index.workflows(service_id):
        kind = workflow.name.split("_", 1)[0]
        if kind not in expected:
            continue
        plan = plan_of(workflow)
        assert (plan.trigger_flag, plan.trigger_status) == expected[kind], workflow.name
        assert plan.removes_token_when_loop_over, workflow.name


@pytest.mark.parametrize("service_id", sorted(REFERENCE))
def test_endpoint_id(index, service_id):
    activation = _activation(index, service_id)
    if "ENDPOINT_ID" in activation.variable_map:
        assert "sim.endpoint" not in activation.generic_info
    else:
        # only the SSH terminal: the guide gives it no ENDPOINT_ID variable
        assert service_id == "SSH_Terminal"
        assert activation.generic_info["sim.endpoint"]


@pytest.mark.parametrize("service_id", sorted(ALL_SERVICES))
def test_actions_carry_no_endpoint_scheme_unless_they_add_an_endpoint(index, service_id):
    for _, workflow in index.workflows(service_id):
        if workflow.is_activation:
            continue
        info = workflow.generic_info
        assert ("sim.endpoint.scheme" in info) == ("sim.endpoint" in info), workflow.name


# --- node access tokens --------------------------------------------------------------------


@pytest.mark.parametrize("service_id", sorted(ALL_SERVICES))
def test_action_tasks_run_on_the_instance_node(index, service_id):
    for _, workflow in index.workflows(service_id):
        if workflow.is_activation:
            continue
        assert workflow.tasks, workflow.name
        for task in workflow.tasks:
            if any(ref.name == "Service_Action" for ref in task.scripts):
                continue  # it acts on another instance (Finish_Kafka's Zookeeper), anywhere
            assert task.node_access_token == TOKEN, (workflow.name, task.name)


@pytest.mark.parametrize("service_id", sorted(ALL_SERVICES))
def test_activation_loop_runs_on_the_instance_node(index, service_id):
    activation = _activation(index, service_id)
    tokens = {task.name: task.node_access_token for task in activation.tasks}
    assert tokens[LOOP_TASK] == TOKEN
    # the deployment tasks pick a free node (the token is put on it afterwards)
    assert all(token is None for name, token in tokens.items() if name != LOOP_TASK)
    assert "INSTANCE_NAME" in activation.variable_map
