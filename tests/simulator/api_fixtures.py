"""Fixtures of the HTTP tests (a pytest plugin: `pytest_plugins = ["api_fixtures"]`).

`shared_server` is one instant-clock server for the whole test session: tests create
their own instances and read only those. `manual_server` is a manual-clock server per
test module. Tests that need users, a database or options of their own start a
`Server` themselves.
"""

from __future__ import annotations

import pytest
from api_helpers import Client, Server


@pytest.fixture(scope="session")
def shared_server():
    server = Server("--nodes", "64")
    yield server
    server.stop()


@pytest.fixture
def admin(shared_server) -> Client:
    return shared_server.client()


@pytest.fixture(scope="module")
def manual_server():
    server = Server("--clock", "manual", "--nodes", "8")
    yield server
    server.stop()


@pytest.fixture
def manual_admin(manual_server) -> Client:
    return manual_server.client()
