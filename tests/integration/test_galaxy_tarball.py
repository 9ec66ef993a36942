# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ships on Galaxy is usable from Galaxy: the tarball `ansible-galaxy collection
build` makes leaves out what needs the unpublished simulator, installs with
`ansible-galaxy collection install`, documents its modules, and its modules work against
a server from that installation alone (nothing of this checkout on the paths)."""

from __future__ import annotations

import json
import subprocess
import tarfile

import pytest
from conftest import BIN, ROOT, Ansible


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    out = tmp_path_factory.mktemp("galaxy-build")
    subprocess.run(
        [str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    (built,) = out.glob("proactive-psa-*.tar.gz")
    return built


@pytest.fixture(scope="module")
def installed(tarball, tmp_path_factory):
    target = tmp_path_factory.mktemp("galaxy-install")
    # --force: the link tree of ANSIBLE_COLLECTIONS_PATH already holds proactive.psa, and
    # ansible-galaxy would otherwise find it "already installed" and install nothing.
    subprocess.run(
        [
            str(BIN / "ansible-galaxy"),
            "collection",
            "install",
            "--force",
            str(tarball),
            "-p",
            str(target),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    assert (target / "ansible_collections" / "proactive" / "psa" / "MANIFEST.json").is_file()
    return target


def test_the_tarball_leaves_out_what_needs_the_simulator(tarball):
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
        manifest = json.load(archive.extractfile("MANIFEST.json"))
    assert manifest["collection_info"]["version"] == "1.0.0"
    for kept in (
        "plugins/modules/psa_instance.py",
        "plugins/module_utils/instance_task.py",
        "meta/runtime.yml",
        "README.md",
        "CHANGELOG.md",
        "changelogs/changelog.yaml",
        "docs/collection.md",
        "roles/psa_service_state/tasks/main.yml",
    ):
        assert kept in names, kept
    for left_out in ("simulator", "benchmarks", "tools", "tests/simulator", "pyproject.toml"):
        assert not any(n == left_out or n.startswith(left_out + "/") for n in names), left_out
    assert not any(n.startswith("tests/integration/") and n.endswith(".py") for n in names)
    assert not any(n.startswith((".venv", ".tox", ".git/")) for n in names)


def test_the_installed_collection_documents_and_runs(installed, tmp_path, connection):
    ansible = Ansible(str(installed), tmp_path)
    doc = subprocess.run(
        [str(BIN / "ansible-doc"), "--json", "proactive.psa.psa_instance"],
        env=ansible.env(as_json=False),
        capture_output=True,
        text=True,
        check=True,
    )
    options = json.loads(doc.stdout)["proactive.psa.psa_instance"]["doc"]["options"]
    assert {"instances", "parallel", "secret_variables", "ca_path"} <= set(options)
    run = ansible.adhoc("psa_instance_info", dict(connection, service_id="MongoDB"))
    assert run.rc == 0, run
    assert "instances" in run.module_result
