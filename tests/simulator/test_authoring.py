"""`psa-sim new-service` and `psa-sim test-service`: scaffolds of every option
combination are valid services that pass; each kind of broken service is named."""

from __future__ import annotations

import itertools
import json
import os
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from psa_sim.authoring import ServiceSpec, explore_services, scaffold_files, write_service
from psa_sim.catalog import ServiceIndex, bundled_catalog_dir, parse_workflow_file, validate_files
from psa_sim.catalog.scripts import CLEAN, FLOW, MAIN, POST, PRE, SELECTION
from psa_sim.cli import main
from psa_sim.engine.simulation import Simulation
from psa_sim.errors import InvalidInput

COMBINATIONS = list(itertools.product(("http", "https"), (False, True), (False, True)))


def _index(folder: Path) -> ServiceIndex:
    return ServiceIndex(
        ("service-automation", parse_workflow_file(p)) for p in sorted(folder.glob("*.xml"))
    )


@pytest.mark.parametrize(("protocol", "proxyfied", "pause_resume"), COMBINATIONS)
def test_every_scaffold_validates_and_passes_test_service(
    tmp_path, capsys, protocol, proxyfied, pause_resume
):
    args = ["new-service", "Hello_Web", "--out", str(tmp_path), "--protocol", protocol]
    args += ["--proxyfied"] * proxyfied + ["--pause-resume"] * pause_resume
    assert main(args) == 0
    files = sorted(tmp_path.glob("*.xml"))
    expected = {"Hello_Web.xml", "Finish_Hello_Web.xml"}
    if pause_resume:
        expected |= {"Pause_Hello_Web.xml", "Resume_Hello_Web.xml"}
    assert {f.name for f in files} == expected
    for report in validate_files(files):
        assert report.ok and report.warnings == [], (report.path, report.errors, report.warnings)
    capsys.readouterr()
    assert main(["validate", "--strict", *map(str, files)]) == 0
    assert "error" not in capsys.readouterr().err
    assert main(["test-service", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "service Hello_Web: ok" in out
    assert "NOT " not in out  # every state reached, every transition covered
    if pause_resume:
        assert "covered  Resume_Hello_Web (PAUSED->RUNNING)" in out
        assert "covered  Finish_Hello_Web (PAUSED->FINISHED)" in out
        # A paused container is not running: the crash check says it did not apply.
        assert "  no running container to crash in: PAUSED\n" in out


def test_scaffold_is_built_from_the_script_library_as_the_tutorial_says(tmp_path):
    write_service(ServiceSpec("Hello_Web", pause_resume=True), tmp_path)
    activation = parse_workflow_file(tmp_path / "Hello_Web.xml")
    refs = {(r.role, r.name) for t in activation.tasks for r in t.scripts}
    assert {
        (SELECTION, "Check_Not_Used_By_Other_Service"),
        (PRE, "Pre_Start_Service"),
        (POST, "Post_Start_Service"),
        (CLEAN, "Clean_Start_Service"),
        (MAIN, "Check_Instance_Status"),
        (FLOW, "Fetch_Logs"),
    } <= refs
    loop = activation.tasks[1]
    assert loop.node_access_token == "PSA_$INSTANCE_NAME"
    info = activation.generic_info
    assert info["pca.service.id"] == "Hello_Web" and info["pca.states"] == "(VOID,RUNNING)"
    assert info["workflow.icon"] and info["bucketName"] == "service-automation"
    assert {v.name for v in activation.variables} >= {
        "INSTANCE_NAME",
        "SERVICE_PORT",
        "PROXYFIED",
        "HTTP_ENABLED",
        "ENGINE",
        "DOCKER_IMAGE",
        "ENDPOINT_ID",
    }
    for name, flag, status in [
        ("Finish_Hello_Web", "FINISH_LAUNCHED", "FINISHED"),
        ("Pause_Hello_Web", "PAUSE_LAUNCHED", "PAUSED"),
        ("Resume_Hello_Web", "RESUME_LAUNCHED", "RUNNING"),
    ]:
        action = parse_workflow_file(tmp_path / f"{name}.xml")
        refs = {(r.role, r.name, r.args) for t in action.tasks for r in t.scripts}
        assert (MAIN, "Pre_Trigger_Action", (flag,)) in refs
        assert (POST, "Post_Trigger_Action", (status,)) in refs
        assert (CLEAN, "Clean_Trigger_Action", ()) in refs
        assert action.tasks[1].node_access_token == "PSA_$INSTANCE_NAME"
        ElementTree.fromstring(action.xml)  # well-formed as written


@pytest.mark.parametrize(("protocol", "proxyfied"), [("http", False), ("https", True)])
def test_scaffold_runs_in_the_simulator_with_its_endpoint(tmp_path, protocol, proxyfied):
    write_service(
        ServiceSpec("Hello_Web", protocol=protocol, proxyfied=proxyfied, pause_resume=True),
        tmp_path,
    )
    sim = Simulation(_index(tmp_path))
    instance = sim.submit_activation("Hello_Web", {"INSTANCE_NAME": "hello"})
    sim.run_until_idle()
    assert instance.instance_status == "RUNNING"
    (deployment,) = instance.deployments
    assert deployment.url.startswith(f"{protocol}://")
    assert deployment.proxyfied is proxyfied
    assert ("PROXYFIED_URL" in instance.variables) is proxyfied
    assert sim.cluster.tokens() == ["PSA_hello"]
    for action, state in [
        ("Pause_Hello_Web", "PAUSED"),
        ("Resume_Hello_Web", "RUNNING"),
        ("Finish_Hello_Web", "FINISHED"),
    ]:
        sim.submit_action(instance.instance_id, action)
        sim.run_until_idle()
        assert instance.instance_status == state
    assert sim.cluster.tokens() == [] and sim.leaks() == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "9lives", "name: '9lives' must start with a letter"),
        ("name", "a b", "name: 'a b'"),
        ("image", "bad image", "image: 'bad image'"),
        ("port", 0, "port: 0 is not a port"),
        ("protocol", "ftp", "protocol: 'ftp'"),
        ("bucket", "Bad Bucket", "bucket: 'Bad Bucket'"),
    ],
)
def test_bad_options_are_named_and_nothing_is_written(tmp_path, field, value, message):
    spec = ServiceSpec(**{"name": "Hello_Web", field: value})  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=message):
        write_service(spec, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_existing_files_are_not_overwritten_without_force(tmp_path, capsys):
    assert main(["new-service", "Hello_Web", "--out", str(tmp_path)]) == 0
    (tmp_path / "Finish_Hello_Web.xml").write_text("mine")
    assert main(["new-service", "Hello_Web", "--out", str(tmp_path), "--pause-resume"]) == 2
    assert "already exist" in capsys.readouterr().err
    assert (tmp_path / "Finish_Hello_Web.xml").read_text() == "mine"
    assert not (tmp_path / "Pause_Hello_Web.xml").exists()  # nothing half-done
    assert main(["new-service", "Hello_Web", "--out", str(tmp_path), "--force"]) == 0
    assert "Finish_Hello_Web" in (tmp_path / "Finish_Hello_Web.xml").read_text()


# --- broken services: each mistake, made by hand in a scaffold, is named ----------------


def _broken(tmp_path: Path, edits: dict[str, list[tuple[str, str]]], **spec: bool) -> Path:
    files = scaffold_files(ServiceSpec("Broken", **spec))  # type: ignore[arg-type]
    for name, changes in edits.items():
        for old, new in changes:
            assert old in files[name], (name, old)
            files[name] = files[name].replace(old, new)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def _failures(folder: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, str]]:
    capsys.readouterr()
    assert main(["test-service", str(folder), "--json"]) == 1
    (service,) = json.loads(capsys.readouterr().out)["services"]
    assert service["service"] == "Broken" and service["ok"] is False
    return service["failures"]


def test_a_state_no_workflow_leads_to_is_named_with_its_near_miss(tmp_path, capsys):
    folder = _broken(
        tmp_path,
        {"Finish_Broken.xml": [("(RUNNING,FINISHED)(ERROR", "(Running,FINISHED)(ERROR")]},
    )
    failures = _failures(folder, capsys)
    unreached = [f for f in failures if f["check"] == "state-reached"]
    assert len(unreached) == 1 and unreached[0]["state"] == "Running"
    assert "did you mean 'RUNNING'?" in unreached[0]["happened"]
    # And RUNNING, which the activation reaches, has no way out but a kill.
    stuck = [f for f in failures if f["check"] == "finished-reachable"]
    assert [f["state"] for f in stuck] == ["RUNNING"]


def test_a_state_with_no_way_to_finished(tmp_path, capsys):
    folder = _broken(
        tmp_path,
        {
            "Finish_Broken.xml": [("(PAUSED,FINISHED)", "")],
            "Resume_Broken.xml": [("(PAUSED,RUNNING)", "(ERROR,RUNNING)")],
        },
        pause_resume=True,
    )
    failures = _failures(folder, capsys)
    assert [(f["check"], f["state"]) for f in failures] == [("finished-reachable", "PAUSED")]
    assert "only a kill" in failures[0]["happened"]


def test_a_missing_clean_up_from_error(tmp_path, capsys):
    folder = _broken(tmp_path, {"Finish_Broken.xml": [("(ERROR,FINISHED)", "")]})
    failures = _failures(folder, capsys)
    assert [(f["check"], f["state"]) for f in failures] == [("clean-up", "ERROR")]
    assert "(ERROR,FINISHED)" in failures[0]["expected"]


def test_a_finish_that_leaves_the_token(tmp_path, capsys):
    clean = (
        '      <cleaning>\n        <script>\n          <file language="groovy" url="'
        '${PA_CATALOG_REST_URL}/buckets/service-automation/resources/Clean_Trigger_Action/raw"/>'
        "\n        </script>\n      </cleaning>\n"
    )
    folder = _broken(tmp_path, {"Finish_Broken.xml": [(clean, "")]})
    failures = _failures(folder, capsys)
    assert [(f["check"], f["transition"]) for f in failures] == [
        ("leftovers", "Finish_Broken (ERROR->FINISHED)")
    ]
    assert "token PSA_broken-1" in failures[0]["happened"]


def test_an_activation_without_instance_name(tmp_path, capsys):
    activation = scaffold_files(ServiceSpec("Broken"))["Broken.xml"]
    line = next(x for x in activation.splitlines() if 'name="INSTANCE_NAME"' in x)
    folder = _broken(tmp_path, {"Broken.xml": [(line + "\n", "")]})
    failures = _failures(folder, capsys)
    named = [f for f in failures if f["check"] == "variables"]
    assert len(named) == 1 and "INSTANCE_NAME" in named[0]["expected"]
    assert named[0]["transition"] == "Broken (VOID->RUNNING)"


def test_a_required_variable_without_default(tmp_path, capsys):
    folder = _broken(
        tmp_path,
        {
            "Broken.xml": [
                (
                    "  </variables>",
                    '    <variable name="API_KEY" value="" model="PA:NOT_EMPTY_STRING"/>\n'
                    "  </variables>",
                )
            ]
        },
    )
    failures = _failures(folder, capsys)
    assert [(f["check"], f["expected"]) for f in failures] == [
        ("variables", "a default for required variable API_KEY")
    ]
    # The rest of the graph is still tested, with a value standing for the missing one.
    capsys.readouterr()
    main(["test-service", str(folder)])
    out = capsys.readouterr().out
    assert "variables needed (required, no default):\n    Broken: API_KEY" in out
    assert "covered  Finish_Broken (ERROR->FINISHED)" in out


def test_a_default_its_model_refuses(tmp_path, capsys):
    folder = _broken(
        tmp_path,
        {"Broken.xml": [('name="PROXYFIED" value="false"', 'name="PROXYFIED" value="no"')]},
    )
    failures = _failures(folder, capsys)
    assert [(f["check"], f["state"]) for f in failures] == [("variables", "VOID")]
    assert "PROXYFIED" in failures[0]["expected"]


# --- input, outputs ---------------------------------------------------------------------


def test_unusable_input_exits_2(tmp_path, capsys):
    assert main(["test-service", str(tmp_path / "nowhere.xml")]) == 2
    assert "nowhere.xml" in capsys.readouterr().err
    (tmp_path / "bad.xml").write_text("<job")
    assert main(["test-service", str(tmp_path / "bad.xml")]) == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["test-service", str(empty)]) == 2
    assert "no PSA service" in capsys.readouterr().err


def test_junit_report_names_each_failure(tmp_path, capsys):
    svc = tmp_path / "svc"
    svc.mkdir()
    _broken(svc, {"Finish_Broken.xml": [("(ERROR,FINISHED)", "")]})
    junit = tmp_path / "report.xml"
    assert main(["test-service", str(svc), "--junit", str(junit)]) == 1
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("name") == "Broken"
    failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["clean-up: state ERROR"]
    assert suite.get("failures") == "1"


def test_dependencies_come_from_catalog(tmp_path, capsys):
    bundled = bundled_catalog_dir()
    kafka = [str(bundled / "Kafka.xml"), str(bundled / "Finish_Kafka.xml")]
    assert main(["test-service", *kafka]) == 1
    assert "dependency service 'Zookeeper'" in capsys.readouterr().out
    assert main(["test-service", *kafka, "--catalog", str(bundled)]) == 0
    out = capsys.readouterr().out
    assert "service Kafka: ok" in out and "service Zookeeper" not in out  # only the tested


def test_every_bundled_service_passes(catalog):
    results = explore_services(catalog)
    assert [str(f) for r in results for f in r.failures] == []
    assert all(t.covered for r in results for t in r.transitions)
    spark = next(r for r in results if r.service == "Spark_HDFS")
    assert spark.states["SPARK_DEPLOYED"] == ""  # the guide's third action at SWARM_DEPLOYED


@pytest.mark.skipif(
    not os.environ.get("PSA_REAL_WORKFLOWS_DIR"),
    reason="set PSA_REAL_WORKFLOWS_DIR to a directory of real PSA workflow XML files",
)
def test_real_workflows_run_through_test_service(capsys):
    """Every real service is tested to the end (no crash of the tool, exit 0 or 1), and
    the count of those that pass and what the others trip on is printed (-s)."""
    folder = os.environ["PSA_REAL_WORKFLOWS_DIR"]
    code = main(["test-service", folder, "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    services = report["services"]
    assert services
    kinds: dict[str, int] = {}
    for service in services:
        for failure in service["failures"]:
            assert failure["expected"] and failure["happened"]
            kinds[failure["check"]] = kinds.get(failure["check"], 0) + 1
    passed = sum(1 for s in services if s["ok"])
    with capsys.disabled():
        print(f"\ntest-service on {folder}: {passed} of {len(services)} services pass")
        for kind, count in sorted(kinds.items()):
            print(f"  {count} failure(s) of kind {kind}")


def test_a_service_deployed_on_another_instance_gets_one_started(tmp_path, capsys):
    """HDFS names its Docker_Swarm by `swarm_service_instance_id` (default `xx`):
    test-service starts an instance of the service the prefix names and passes its id."""
    link = '    <variable name="host_service_instance_id" value="xx" model="" description="The instance to deploy on" group="Service Parameters" advanced="false" hidden="false"/>\n'
    app = tmp_path / "app"
    app.mkdir()
    files = scaffold_files(ServiceSpec("App"))
    files["App.xml"] = files["App.xml"].replace("  </variables>", link + "  </variables>")
    for name, text in files.items():
        (app / name).write_text(text)
    assert main(["test-service", str(app)]) == 1
    assert "host_service_instance_id: 'xx' is not the id of a service instance" in (
        capsys.readouterr().out
    )
    write_service(ServiceSpec("Docker_Host"), tmp_path / "host")
    assert main(["test-service", str(app), "--catalog", str(tmp_path / "host")]) == 0
    assert "service App: ok" in capsys.readouterr().out
