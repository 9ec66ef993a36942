"""Browser tests of the portal: a real headless Chromium driven by Selenium.

The browser is the Debian `chromium` with its `chromium-driver`, found on PATH (or
`PSA_CHROMIUM` / `PSA_CHROMEDRIVER`); Selenium Manager is never asked to download one.
Without a browser the tests are skipped, except under CI=true, where that fails the run
(`.ci/run` installs the packages).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator

import pytest
import requests
from portal_helpers import Portal, new_browser

from psa_sim.launch import ServedSimulator

os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager: never download a driver

USERS = """\
- {name: admin, password: admin, admin: true}
- {name: alice, password: alice-pw, admin: false}
- {name: bob, password: bob-pw, admin: false}
- {name: carol, password: carol-pw, admin: false}
"""


def _find(env: str, *names: str) -> str | None:
    if os.environ.get(env):
        return os.environ[env]
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser_paths() -> tuple[str, str]:
    chromium = _find("PSA_CHROMIUM", "chromium", "chromium-browser")
    driver = _find("PSA_CHROMEDRIVER", "chromedriver")
    if chromium and driver:
        return chromium, driver
    message = (
        "no Chromium for the portal tests (apt-get install -y chromium chromium-driver); "
        f"chromium={chromium}, chromedriver={driver}"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSimulator]:
    """A manual-clock server (time moves only when a test advances it), three users."""
    folder = tmp_path_factory.mktemp("portal-server")
    users = folder / "users.yaml"
    users.write_text(USERS)
    options = ["--clock", "manual", "--nodes", "16", "--seed", "7", "--users", str(users)]
    with ServedSimulator(options, log_path=folder / "psa-sim.log") as served:
        yield served


@pytest.fixture
def advance(server: ServedSimulator) -> Callable[[float], None]:
    """Move the server's simulated time (as the administrator, outside the browser)."""
    sid = requests.post(
        f"{server.url}/rest/common/login", data={"username": "admin", "password": "admin"}
    ).text

    def run(seconds: float = 300) -> None:
        answer = requests.post(
            f"{server.url}/sim-api/advance", json={"seconds": seconds}, headers={"sessionid": sid}
        )
        answer.raise_for_status()

    return run


@pytest.fixture
def portal(browser_paths: tuple[str, str], server: ServedSimulator) -> Iterator[Portal]:
    driver = new_browser(browser_paths)
    try:
        yield Portal(driver, server.url)
    finally:
        driver.quit()
