"""Service-level checks of `psa-sim validate` and the state graph of `psa-sim catalog`."""

from __future__ import annotations

from pathlib import Path

from psa_sim.catalog import load_catalog
from psa_sim.catalog.service_checks import check_services
from psa_sim.cli import main


def _workflow(directory: Path, name: str, service: str, states: str) -> Path:
    path = directory / f"{name}.xml"
    path.write_text(
        f'<job xmlns="urn:proactive:jobdescriptor:3.14" name="{name}">'
        '<variables><variable name="INSTANCE_NAME" value="x-$PA_JOB_ID"/></variables>'
        f'<genericInformation><info name="pca.service.id" value="{service}"/>'
        f'<info name="pca.states" value="{states}"/></genericInformation>'
        f'<taskFlow><task name="t"><scriptExecutable><script><code language="bash">true'
        "</code></script></scriptExecutable></task></taskFlow></job>"
    )
    return path


def _mistyped_service(directory: Path) -> list[Path]:
    """Like the real Paraview_install: deploy leads to one name, undeploy expects another."""
    return [
        _workflow(directory, "Viewer_Deploy", "Viewer", "(VOID,VIEWER_DEPLOYED)"),
        _workflow(directory, "Viewer_Undeploy", "Viewer", "(Viewer_DEPLOYED,FINISHED)"),
        _workflow(directory, "Lonely_Action", "Orphan", "(RUNNING,FINISHED)"),
    ]


def test_the_checks_name_the_near_miss_the_stuck_state_and_the_missing_activation(tmp_path):
    _mistyped_service(tmp_path)
    messages = [str(w) for w in check_services(load_catalog(tmp_path))]
    assert (
        "service Orphan: no activation workflow (no (VOID,…) transition): it cannot be started"
        in messages
    )
    assert any(
        m.startswith("service Viewer: workflow Viewer_Undeploy: FROM state 'Viewer_DEPLOYED'")
        and "did you mean 'VIEWER_DEPLOYED'" in m
        for m in messages
    )
    assert (
        "service Viewer: state 'VIEWER_DEPLOYED' has no action: an instance there can only "
        "be killed" in messages
    )
    assert "service Viewer: state 'ERROR' has no action: an instance there can only be killed" in (
        messages
    )


def test_a_state_from_which_finished_cannot_be_reached(tmp_path):
    _workflow(tmp_path, "Loop_Start", "Looper", "(VOID,A)(ERROR,FINISHED)")
    _workflow(tmp_path, "Loop_Step", "Looper", "(A,B)(B,A)")
    messages = [str(w) for w in check_services(load_catalog(tmp_path))]
    assert messages == [
        "service Looper: state 'A': FINISHED cannot be reached from it (only a kill ends the "
        "instance)",
        "service Looper: state 'B': FINISHED cannot be reached from it (only a kill ends the "
        "instance)",
    ]


def test_the_bundled_catalog_has_no_service_level_warning():
    assert check_services(load_catalog()) == []


def test_validate_warns_with_exit_0_and_strict_fails(tmp_path, capsys):
    files = [str(p) for p in _mistyped_service(tmp_path)]
    assert main(["validate", *files]) == 0
    out = capsys.readouterr().out
    assert "warning: service Viewer: workflow Viewer_Undeploy" in out
    assert main(["validate", "--strict", *files]) == 1
    err = capsys.readouterr().err
    assert "error: service Viewer" in err and "service-level problem(s) (--strict)" in err


def test_catalog_graph_prints_dot_and_draws_a_picture(tmp_path, capsys):
    picture = tmp_path / "mongo.png"
    assert main(["catalog", "--graph", "MongoDB", "--picture", str(picture)]) == 0
    dot = capsys.readouterr().out
    assert dot.startswith('digraph "MongoDB" {')
    assert '"RUNNING" -> "PAUSED" [label="Pause_MongoDB"];' in dot
    assert '"VOID" -> "RUNNING" [label="MongoDB"];' in dot
    assert picture.read_bytes().startswith(b"\x89PNG")
    svg = tmp_path / "mongo.svg"
    assert main(["catalog", "--graph", "MongoDB", "--picture", str(svg)]) == 0
    assert "<svg" in svg.read_text()
    assert main(["catalog", "--graph", "No_Such_Service"]) == 2
    assert "No_Such_Service" in capsys.readouterr().err
    assert main(["catalog", "--graph", "MongoDB", "--picture", str(tmp_path / "x.gif")]) == 2
