"""``psa-sim validate``: errors make a file unusable, warnings only raise doubts."""

import os
import shutil
from pathlib import Path

import pytest

from psa_sim.catalog import validate_file, validate_files
from psa_sim.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "workflows"
VALID = FIXTURES / "valid"
INVALID = FIXTURES / "invalid"


def write_job(tmp_path, body, states="(VOID,RUNNING)", service="Svc", name="Job"):
    info = ""
    if states is not None:
        info += f'<info name="pca.states" value="{states}"/>'
    if service is not None:
        info += f'<info name="pca.service.id" value="{service}"/>'
    path = tmp_path / f"{name}.xml"
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<job xmlns="urn:proactive:jobdescriptor:3.14" name="{name}" '
        f'projectName="P">{body}<genericInformation>{info}</genericInformation><taskFlow><task name="T">'
        f'<scriptExecutable><script><code language="bash">true</code></script></scriptExecutable></task>'
        f"</taskFlow></job>",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "path",
    sorted((VALID / "demodb").glob("*.xml")) + sorted((VALID / "labgui").glob("*.xml")),
    ids=lambda p: p.name,
)
def test_fixture_services_validate_cleanly(path):
    report = validate_file(path)
    assert report.ok, report.errors
    assert report.errors == [] and report.warnings == []
    assert report.path == str(path)
    assert report.service_id in ("DemoDB", "LabGUI")


@pytest.mark.parametrize(
    "name, message",
    [
        (
            "bad_states.xml",
            "workflow 'Broken_States': pca.states: unexpected text 'x' at position 15 in '(VOID,RUNNING)x' (expected '(')",
        ),
        ("not_well_formed.xml", "not well-formed XML at line 5, column 5: mismatched tag"),
        ("doctype.xml", "DOCTYPE/ENTITY declarations are not allowed in a workflow"),
        ("no_name.xml", "the <job> element has no name attribute"),
        ("not_a_job.xml", "the root element is <workflow>, expected <job>"),
        (
            "missing_service_id.xml",
            "workflow 'Orphan_Action': no pca.service.id generic information: not a PSA workflow",
        ),
    ],
)
def test_invalid_fixtures_report_one_clear_error(name, message):
    report = validate_file(INVALID / name)
    assert not report.ok
    assert report.errors == [f"{INVALID / name}: {message}"]
    assert report.warnings == []  # the superseded parse warning is not repeated


def test_plain_job_is_not_a_psa_workflow():
    report = validate_file(VALID / "plain" / "Hello_World.xml")
    assert (report.ok, report.workflow, report.service_id) == (False, "Hello_World", None)
    assert [e.split(": ", 2)[2] for e in report.errors] == [
        "no pca.states generic information: not a PSA workflow",
        "no pca.service.id generic information: not a PSA workflow",
    ]


def test_defaults_that_break_their_own_model_are_warnings(tmp_path):
    path = write_job(
        tmp_path,
        (
            "<variables>"
            '<variable name="INSTANCE_NAME" value="svc-$PA_JOB_ID"/>'
            '<variable name="PORT" value="eighty" model="PA:Integer"/>'
            '<variable name="FROM_PARENT" value="$PARENT_PORT" model="PA:Integer"/>'
            '<variable name="IMAGE" value="" model="PA:NOT_EMPTY_STRING"/>'
            '<variable name="MODE" value="fast" model="PA:List(slow,safe)"/>'
            '<variable name="ODD" value="x" model="PA:FANCY"/>'
            "</variables>"
        ),
    )
    report = validate_file(path)
    assert report.ok
    assert report.warnings == [
        "variable ODD: unknown variable model 'PA:FANCY' in model 'PA:FANCY'; its values are not checked",
        "variable PORT: default value 'eighty' is not an Integer (model PA:Integer)",
        "variable IMAGE: the default value is empty but model PA:NOT_EMPTY_STRING requires one "
        "(every submission must give a value)",
        "variable MODE: default value 'fast' is not one of 'slow', 'safe' (model PA:List(slow,safe))",
    ]


def test_activation_without_instance_name_warns(tmp_path):
    report = validate_file(write_job(tmp_path, ""))
    assert report.ok
    assert report.warnings == [
        "activation workflow without an INSTANCE_NAME variable: instances cannot be told apart"
    ]
    action = validate_file(write_job(tmp_path, "", states="(RUNNING,FINISHED)", name="Finish"))
    assert action.warnings == []


def test_states_without_service_is_an_error(tmp_path):
    report = validate_file(write_job(tmp_path, "", states="(RUNNING,FINISHED)", service=None))
    assert report.errors == [
        f"{tmp_path / 'Job.xml'}: workflow 'Job': no pca.service.id generic information: "
        "not a PSA workflow"
    ]
    assert report.warnings == []


def test_validate_files_keeps_order():
    paths = [INVALID / "no_name.xml", VALID / "demodb" / "DemoDB.xml"]
    assert [(r.path, r.ok) for r in validate_files(paths)] == [
        (str(paths[0]), False),
        (str(paths[1]), True),
    ]


def test_unreadable_path_is_an_error(tmp_path):
    report = validate_file(tmp_path)  # a directory cannot be read as a file
    assert not report.ok
    assert report.errors[0].startswith(f"{tmp_path}: cannot read the file")


def test_validate_accepts_a_directory_of_workflows_below_it(tmp_path, capsys):
    """A directory stands for every *.xml below it (nested folders too, other files
    ignored), next to files named directly; the service checks see all of them."""
    shutil.copytree(VALID / "demodb", tmp_path / "services" / "nested" / "demodb")
    (tmp_path / "services" / "README.txt").write_text("not a workflow", encoding="utf-8")
    extra = sorted((VALID / "labgui").glob("*.xml"))
    assert main(["validate", "--strict", str(tmp_path / "services"), *map(str, extra)]) == 0
    out = capsys.readouterr().out
    checked = [line.split(": ok")[0] for line in out.splitlines() if ": ok" in line]
    nested = tmp_path / "services" / "nested" / "demodb"
    assert checked == [
        str(nested / name)
        for name in ("DemoDB.xml", "Finish_DemoDB.xml", "Pause_DemoDB.xml", "Resume_DemoDB.xml")
    ] + [str(path) for path in extra]


def test_validate_directory_with_a_bad_file_counts_its_files(tmp_path, capsys):
    shutil.copy(VALID / "demodb" / "DemoDB.xml", tmp_path)
    shutil.copy(INVALID / "no_name.xml", tmp_path)
    assert main(["validate", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'no_name.xml'}: error:" in err
    assert "1 of 2 file(s) invalid" in err


def test_validate_directory_without_workflows_is_an_error(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("nothing here", encoding="utf-8")
    assert main(["validate", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path}: error: {tmp_path}: no *.xml file under this directory" in err


REAL_DIR = os.environ.get("PSA_REAL_WORKFLOWS_DIR")


@pytest.mark.skipif(
    not REAL_DIR, reason="set PSA_REAL_WORKFLOWS_DIR to a directory of real PSA workflow XML files"
)
def test_every_real_workflow_validates():
    files = sorted(Path(REAL_DIR).rglob("*.xml"))
    assert files, f"no *.xml under {REAL_DIR}"
    failures = [f"{r.path}: {r.errors}" for r in validate_files(files) if not r.ok]
    assert failures == []
    print(f"{len(files)} real workflow files validated")
