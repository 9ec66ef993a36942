"""psa_sim.launch: start `psa-sim serve` for a CI script, wait for it, stop it."""

from __future__ import annotations

import pytest
import requests

from psa_sim.launch import ServedSimulator, ServerStartError


def test_serves_on_a_free_port_and_stops(tmp_path):
    with ServedSimulator(["--nodes", "2"], log_path=tmp_path / "log") as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert requests.get(server.url + "/rest/common/connected", timeout=5).json() is False
    assert server.proc.returncode == 0
    assert "demo user: admin / admin" in server.log()


def test_a_server_that_cannot_start_says_why(tmp_path):
    with pytest.raises(ServerStartError, match="speed"):
        ServedSimulator(["--clock", "realtime", "--speed", "-1"], log_path=tmp_path / "log")
