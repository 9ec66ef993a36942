"""docs/service-authoring.md, replayed: its psa-sim commands, read from the page, run as
written, their outputs are the ones the page shows, and playbooks/files holds exactly
what they wrote."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from psa_sim.cli import main

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "service-authoring.md"
# The commands of the page that this test runs (serve, cp and ansible-playbook are run
# by the integration test of the playbook).
RUN = ("psa-sim new-service", "psa-sim validate", "psa-sim test-service")


def _blocks(text: str) -> list[tuple[str, str]]:
    return re.findall(r"```(\w+)\n(.*?)```", text, re.DOTALL)


def test_the_page_replays(tmp_path, monkeypatch, capsys):
    blocks = _blocks(PAGE.read_text(encoding="utf-8"))
    (edit,) = [body for kind, body in blocks if kind == "xml"]
    monkeypatch.chdir(tmp_path)
    ran = []
    for position, (kind, body) in enumerate(blocks):
        if kind != "sh":
            continue
        for line in body.splitlines():
            if not line.startswith(RUN):
                continue
            argv = shlex.split(line)[1:]
            if argv[1:] == ["broken"]:
                _break_a_copy(tmp_path)
            capsys.readouterr()
            code = main(argv)
            out = capsys.readouterr().out
            ran.append(line)
            following = blocks[position + 1] if position + 1 < len(blocks) else ("", "")
            if argv[0] == "new-service":
                assert code == 0
                _apply_the_edit(tmp_path / "hello_web" / "Hello_Web.xml", edit)
                continue
            assert following[0] == "text", f"no output shown after {line!r}"
            assert out == following[1], line
            assert code == (1 if argv[1:] == ["broken"] else 0), line
    assert [line.split()[1] for line in ran] == [
        "new-service",
        "validate",
        "test-service",
        "test-service",
    ]
    # The playbook publishes exactly what the page's steps wrote.
    for name in ("Hello_Web.xml", "Finish_Hello_Web.xml"):
        written = (tmp_path / "hello_web" / name).read_text(encoding="utf-8")
        assert (REPO / "playbooks" / "files" / name).read_text(encoding="utf-8") == written, name


def _apply_the_edit(activation: Path, edit: str) -> None:
    text = activation.read_text(encoding="utf-8")
    anchor = '    <variable name="DOCKER_IMAGE"'
    assert anchor in text
    activation.write_text(text.replace(anchor, edit + anchor, 1), encoding="utf-8")


def _break_a_copy(folder: Path) -> None:
    """The page's mistake: (ERROR,FINISHED) dropped from a copy's finish."""
    broken = folder / "broken"
    broken.mkdir()
    for source in (folder / "hello_web").glob("*.xml"):
        text = source.read_text(encoding="utf-8")
        (broken / source.name).write_text(
            text.replace("(RUNNING,FINISHED)(ERROR,FINISHED)", "(RUNNING,FINISHED)"),
            encoding="utf-8",
        )


@pytest.mark.parametrize("name", ["Hello_Web.xml", "Finish_Hello_Web.xml"])
def test_the_playbook_uses_the_scaffolded_files(name):
    playbook = (REPO / "playbooks" / "custom_service.yml").read_text(encoding="utf-8")
    assert f'"{{{{ playbook_dir }}}}/files/{name}"' in playbook
