"""Helpers for the HTTP tests: a real `psa-sim serve` subprocess and a small client.

Every test talks HTTP to a server on an ephemeral port, as a real ProActive client
would; the shared servers are fixtures in api_fixtures.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

SIMULATOR_DIR = Path(__file__).resolve().parents[2] / "simulator"
PSA = "/cloud-automation-service"
INSTANCES = PSA + "/serviceInstances"
BUNDLED = "service-automation"
START_TIMEOUT = 30.0


class Server:
    """`python -m psa_sim serve --port 0 ARGS` in a subprocess, its URL read from stdout.

    Both output streams are read all along (a full pipe would block the server);
    `lines` holds stdout, `stderr` what the server wrote there.
    """

    def __init__(self, *args: str, env: dict | None = None):
        self.args = [str(a) for a in args]
        environ = dict(os.environ)
        environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(SIMULATOR_DIR), environ.get("PYTHONPATH")) if p
        )
        environ["PYTHONUNBUFFERED"] = "1"
        environ.update(env or {})
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "psa_sim", "serve", "--port", "0", *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environ,
        )
        self.url: str | None = None
        self.lines: list[str] = []
        self._stderr: list[str] = []
        self._ready = threading.Event()
        self._readers = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        if not self._ready.wait(START_TIMEOUT) or self.url is None:
            self.proc.kill()
            self.proc.wait(10)
            self._join_readers()
            raise RuntimeError(
                f"psa-sim serve did not start: stdout={self.lines!r} stderr={self.stderr!r}"
            )

    def _read_stdout(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.startswith("psa-sim serving on "):
                self.url = line.split()[-1]
            if self.url and len(self.lines) >= 2:  # the URL, then the users line
                self._ready.set()
        self._ready.set()  # the process ended

    def _read_stderr(self) -> None:
        for line in self.proc.stderr:
            self._stderr.append(line)

    def _join_readers(self) -> None:
        for reader in self._readers:
            reader.join(10)

    @property
    def stderr(self) -> str:
        return "".join(self._stderr)

    def client(self, username: str = "admin", password: str = "admin") -> Client:
        return Client(self.url, username, password)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Send `sig` and wait; the exit code (negative: killed by a signal)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(timeout)
        self._join_readers()
        return code

    def kill9(self) -> int:
        return self.stop(signal.SIGKILL)


class Client:
    """requests.Session bound to a server URL, with the session header once logged in."""

    def __init__(self, url: str, username: str | None = None, password: str | None = None):
        self.url = url
        self.http = requests.Session()
        self.session_id = None
        if username is not None:
            self.login(username, password)

    def login(self, username: str, password: str) -> str:
        r = self.http.post(
            self.url + "/rest/common/login",
            data={"username": username, "password": password},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/plain")
        self.session_id = r.text
        self.http.headers["sessionid"] = r.text
        return r.text

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.http.request(method, self.url + path, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # --- PSA -----------------------------------------------------------------------
    def create(self, workflow: str, variables: dict | None = None, bucket: str = BUNDLED) -> dict:
        r = self.post(
            INSTANCES,
            json={"bucket_name": bucket, "workflow_name": workflow, "variables": variables or {}},
        )
        assert r.status_code == 200, r.text
        return r.json()

    def action(
        self, instance_id: int, workflow: str, variables: dict | None = None, bucket: str = BUNDLED
    ) -> dict:
        r = self.put(
            f"{INSTANCES}/{instance_id}/action",
            json={"bucket_name": bucket, "workflow_name": workflow, "variables": variables or {}},
        )
        assert r.status_code == 200, r.text
        return r.json()

    def instance(self, instance_id: int) -> dict:
        r = self.get(f"{INSTANCES}/{instance_id}")
        assert r.status_code == 200, r.text
        return r.json()

    def wait_status(self, instance_id: int, status: str, timeout: float = 15.0) -> dict:
        """The instance once its status reads `status` (the instant clock runs right
        after each answer, so a second read normally sees it)."""
        deadline = time.monotonic() + timeout
        while True:
            data = self.instance(instance_id)
            if data["instance_status"] == status:
                return data
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"instance {instance_id} is {data['instance_status']}, not {status}"
                )
            time.sleep(0.02)

    def advance(self, seconds: float) -> dict:
        r = self.post("/sim-api/advance", json={"seconds": seconds})
        assert r.status_code == 200, r.text
        return r.json()


def assert_error(response: requests.Response, status: int, *words: str) -> str:
    """The PSA error body, with that status and every word in its message."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert body["httpErrorCode"] == status, body
    message = body["errorMessage"]
    assert isinstance(message, str) and message
    for word in words:
        assert word in message, (word, message)
    return message
