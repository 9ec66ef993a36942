# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the integration tests: a live psa-sim server, Ansible runs, the REST API.

The tests run the real `ansible-playbook` and `ansible` commands (subprocesses) with the
collection found through ANSIBLE_COLLECTIONS_PATH, against `psa-sim serve` started on an
ephemeral port once per test module. `tox -e integration` sets ANSIBLE_COLLECTIONS_PATH to
a link tree; without it a link tree is made in a temporary directory.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from psa_sim.launch import ServedSimulator

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOKS = ROOT / "playbooks"
BIN = Path(sys.executable).parent
# integration_json: ansible-core has no JSON stdout callback of its own
CALLBACKS = Path(__file__).resolve().parent / "callback_plugins"
ADMIN = ("admin", "admin")
# Variables of the outer environment that would change what the runs do.
SCRUBBED = (
    "PSA_URL",
    "PSA_USERNAME",
    "PSA_PASSWORD",
    "PSA_VALIDATE_CERTS",
    "ANSIBLE_CONFIG",
    "ANSIBLE_STDOUT_CALLBACK",
    "ANSIBLE_CALLBACKS_ENABLED",
    "ANSIBLE_CALLBACK_PLUGINS",
)


# --- the server --------------------------------------------------------------------------


class PsaSimServer(ServedSimulator):
    """`psa-sim serve` (psa_sim.launch) with the admin account the tests log in with."""

    def __init__(self, workdir: Path, *options: str) -> None:
        super().__init__(options, log_path=workdir / "psa-sim.log")
        self.username, self.password = ADMIN


class PsaApi:
    """The server's REST API, read directly (to check what the collection did)."""

    def __init__(self, url: str, username: str, password: str) -> None:
        self.url = url
        self.session = requests.Session()
        answer = self.session.post(
            url + "/rest/common/login",
            data={"username": username, "password": password},
            timeout=30,
        )
        answer.raise_for_status()
        self.session.headers["sessionid"] = answer.text.strip()

    def get(self, path: str):
        answer = self.session.get(self.url + path, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def instances(self) -> list[dict]:
        return self.get("/cloud-automation-service/serviceInstances")

    def instances_named(self, service_id: str, name: str) -> list[dict]:
        return [
            i
            for i in self.instances()
            if i["service_id"] == service_id
            and (i.get("variables") or {}).get("INSTANCE_NAME") == name
        ]

    def catalog_object(self, bucket: str, name: str):
        answer = self.session.get(
            f"{self.url}/catalog/buckets/{bucket}/resources/{name}", timeout=30
        )
        return answer.json() if answer.status_code == 200 else None


# --- Ansible runs ------------------------------------------------------------------------


class AnsibleRun:
    """One ansible / ansible-playbook run: exit status, output, and the JSON callback's
    results when it was used."""

    def __init__(self, command: list[str], proc: subprocess.CompletedProcess, as_json: bool):
        self.command = command
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.data = None
        if as_json:
            start = self.stdout.find("{")
            try:
                self.data = json.loads(self.stdout[start:]) if start >= 0 else None
            except ValueError:
                self.data = None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __repr__(self) -> str:
        return "<{} rc={}>\n--- stdout\n{}\n--- stderr\n{}".format(
            " ".join(self.command), self.rc, self.stdout[-6000:], self.stderr[-3000:]
        )

    @property
    def stats(self) -> dict:
        """PLAY RECAP of localhost: ok, changed, failures, skipped..."""
        assert self.data is not None, self
        return self.data["stats"]["localhost"]

    def results(self) -> list[tuple[str, dict]]:
        """(task name, localhost's result) for every task run, in order."""
        assert self.data is not None, self
        found = []
        for play in self.data["plays"]:
            for task in play["tasks"]:
                if "localhost" in task["hosts"]:
                    found.append((task["task"]["name"], task["hosts"]["localhost"]))
        return found

    def result(self, name_part: str) -> dict:
        """The result of the last task whose name contains name_part."""
        matches = [result for name, result in self.results() if name_part in name]
        assert matches, f"no task named like {name_part!r} in {self!r}"
        return matches[-1]

    @property
    def module_result(self) -> dict:
        """The result of an ad hoc run (its only task)."""
        return self.results()[0][1]


class Ansible:
    """Runs ansible-playbook and ansible with the collection and a clean environment."""

    def __init__(self, collections_path: str, workdir: Path) -> None:
        self.collections_path = collections_path
        self.workdir = workdir

    def env(self, extra: dict | None = None, as_json: bool = True) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
        env.update(
            ANSIBLE_COLLECTIONS_PATH=self.collections_path,
            ANSIBLE_LOCALHOST_WARNING="false",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
            ANSIBLE_NOCOLOR="true",
            ANSIBLE_RETRY_FILES_ENABLED="false",
            ANSIBLE_LOCAL_TEMP=str(self.workdir / "ansible-local"),
            PATH=str(BIN) + os.pathsep + env.get("PATH", ""),
        )
        if as_json:
            env.update(
                ANSIBLE_CALLBACK_PLUGINS=str(CALLBACKS),
                ANSIBLE_STDOUT_CALLBACK="integration_json",
                ANSIBLE_LOAD_CALLBACK_PLUGINS="true",
            )
        env.update(extra or {})
        return env

    def _run(
        self, command: list[str], env: dict | None, as_json: bool, timeout: float
    ) -> AnsibleRun:
        proc = subprocess.run(
            command,
            capture_output=True,
            text=True,
            cwd=str(ROOT),
            env=self.env(env, as_json),
            timeout=timeout,
            check=False,
        )
        return AnsibleRun(command, proc, as_json)

    def playbook(
        self,
        playbook: str | Path,
        *args: str,
        extra_vars: dict | None = None,
        env: dict | None = None,
        as_json: bool = True,
        timeout: float = 300,
    ) -> AnsibleRun:
        path = Path(playbook)
        if not path.is_absolute():
            path = PLAYBOOKS / path
        command = [str(BIN / "ansible-playbook"), str(path), *args]
        if extra_vars:
            command += ["-e", json.dumps(extra_vars)]
        return self._run(command, env, as_json, timeout)

    def adhoc(
        self,
        module: str,
        args: dict | str,
        *options: str,
        env: dict | None = None,
        timeout: float = 300,
    ) -> AnsibleRun:
        """`ansible localhost -m proactive.psa.<module> -a ARGS`: ARGS as given when a
        string, else `k=v ...` (or JSON when a value is a list or a dict)."""
        if isinstance(args, dict):
            if any(isinstance(value, (list, dict)) for value in args.values()):
                args = json.dumps(args)
            else:
                args = " ".join(f"{key}={shlex.quote(str(value))}" for key, value in args.items())
        command = [
            str(BIN / "ansible"),
            "localhost",
            "-m",
            "proactive.psa." + module,
            "-a",
            args,
            *options,
        ]
        return self._run(command, env, True, timeout)


def _no_traceback(run: AnsibleRun) -> None:
    """A failure must be a message, never a Python traceback or a MODULE FAILURE."""
    assert "Traceback (most recent call last)" not in run.output, run
    assert "MODULE FAILURE" not in run.output, run


@pytest.fixture(scope="session")
def collections_path(tmp_path_factory) -> str:
    configured = os.environ.get("ANSIBLE_COLLECTIONS_PATH", "")
    for path in configured.split(os.pathsep):
        if path and (Path(path) / "ansible_collections" / "proactive" / "psa").exists():
            return configured
    tree = tmp_path_factory.mktemp("collections")
    namespace = tree / "ansible_collections" / "proactive"
    namespace.mkdir(parents=True)
    (namespace / "psa").symlink_to(ROOT, target_is_directory=True)
    return str(tree)


@pytest.fixture(scope="session")
def ansible(collections_path, tmp_path_factory) -> Ansible:
    for tool in ("ansible", "ansible-playbook"):
        if not (BIN / tool).exists():
            pytest.fail(
                f"{tool} is not installed next to {sys.executable} (pip install ansible-core)"
            )
    return Ansible(collections_path, tmp_path_factory.mktemp("ansible"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A psa-sim server for the test module (instant clock, bundled catalog). Every
    RUNNING instance keeps a node (its token): 32 nodes leave room for a module's tests."""
    sim = PsaSimServer(tmp_path_factory.mktemp("psa-sim"), "--nodes", "32")
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def api(server) -> PsaApi:
    return PsaApi(server.url, server.username, server.password)


@pytest.fixture
def connection(server) -> dict:
    """The modules' connection options for the server."""
    return {"url": server.url, "username": server.username, "password": server.password}


@pytest.fixture
def psa_env(server) -> dict:
    """PSA_URL / PSA_USERNAME / PSA_PASSWORD of the server (the playbooks' defaults)."""
    return {"PSA_URL": server.url, "PSA_USERNAME": server.username, "PSA_PASSWORD": server.password}


@pytest.fixture
def no_traceback():
    """Asserts that a failed run shows a message, not a traceback."""
    return _no_traceback
