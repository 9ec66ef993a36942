"""`psa-sim serve` as a process: what it prints when ready, how it stops, how it fails."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import requests
from api_helpers import SIMULATOR_DIR, Server


def _run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(SIMULATOR_DIR)}
    return subprocess.run(
        [sys.executable, "-m", "psa_sim", "serve", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_ready_lines_then_a_clean_stop_on_ctrl_c():
    server = Server("--seed", "3")
    host_port = server.url.removeprefix("http://")
    assert server.lines[0] == f"psa-sim serving on http://{host_port}"
    assert server.lines[1] == "demo user: admin / admin (no --users file given)"
    assert int(host_port.rsplit(":", 1)[1]) > 0
    assert requests.get(server.url + "/rest/common/connected").json() is False
    assert server.stop(signal.SIGINT) == 0
    assert "Traceback" not in server.stderr, server.stderr


def test_sigterm_stops_cleanly_with_a_client_connected():
    server = Server()
    client = server.client()
    assert client.get("/cloud-automation-service/serviceInstances").json() == []
    assert server.stop(signal.SIGTERM) == 0
    assert "Traceback" not in server.stderr, server.stderr


def test_a_port_in_use_is_a_clear_error():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = _run("--port", str(port))
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_bad_options_are_clear_errors(tmp_path):
    missing = tmp_path / "nope.yaml"
    result = _run("--port", "0", "--users", str(missing))
    assert result.returncode == 2, result.stderr
    assert "users" in result.stderr and "Traceback" not in result.stderr
    result = _run("--port", "0", "--catalog", str(tmp_path / "no-such-dir"))
    assert result.returncode == 2, result.stderr
    assert "no-such-dir" in result.stderr and "Traceback" not in result.stderr


def test_openapi_document_is_served(tmp_path):
    server = Server()
    try:
        document = requests.get(server.url + "/openapi.json").json()
        assert document["info"]["title"] == "psa-sim"
        assert "/cloud-automation-service/serviceInstances/{instance_id}" in document["paths"]
        assert requests.get(server.url + "/sim-api/docs").status_code == 200
    finally:
        server.stop()
