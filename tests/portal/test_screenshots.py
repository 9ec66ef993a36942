"""Every tab, at 1280x800 and on a narrow window, from a seeded server.

The seed goes through the REST API (the same calls the portal makes): MongoDB
instances running, paused, in transition, finished and killed, a Spark/HDFS
instance walked to HDFS_SPARK_DEPLOYED, a Kafka with its Zookeeper. Time moves in
steps while the Monitoring tab is open, so its charts have a history.

Screenshots go to a temporary folder; with PSA_PORTAL_SCREENSHOTS=docs/portal they are
written there instead (that is how docs/portal/*.png are made), as small palette PNGs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from PIL import Image
from portal_helpers import Portal, new_browser, set_viewport
from selenium.webdriver.common.by import By

from psa_sim.launch import ServedSimulator

TABS = ["activation", "services", "jobs", "activated", "finished", "monitoring", "simulator"]
NARROW = (420, 800)


class Seeder:
    def __init__(self, url: str) -> None:
        self.url = url
        sid = requests.post(
            f"{url}/rest/common/login", data={"username": "admin", "password": "admin"}
        ).text
        self.headers = {"sessionid": sid}

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        answer = requests.request(method, self.url + path, json=body, headers=self.headers)
        answer.raise_for_status()
        return answer.json() if answer.content else {}

    def create(self, workflow: str, **variables: str) -> int:
        body = {
            "bucket_name": "service-automation",
            "workflow_name": workflow,
            "variables": variables,
        }
        return int(
            self.call("POST", "/cloud-automation-service/serviceInstances", body)["instance_id"]
        )

    def action(self, instance: int, workflow: str) -> None:
        body = {"bucket_name": "service-automation", "workflow_name": workflow, "variables": {}}
        self.call("PUT", f"/cloud-automation-service/serviceInstances/{instance}/action", body)

    def advance(self, seconds: float) -> None:
        self.call("POST", "/sim-api/advance", {"seconds": seconds})


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSimulator]:
    folder = tmp_path_factory.mktemp("portal-shots")
    options = ["--clock", "manual", "--nodes", "12", "--seed", "3"]
    with ServedSimulator(options, log_path=folder / "psa-sim.log") as served:
        yield served


def output_dir(tmp_path: Path) -> Path:
    chosen = os.environ.get("PSA_PORTAL_SCREENSHOTS")
    return Path(chosen) if chosen else tmp_path


def shrink(path: Path) -> None:
    """A 64-colour palette PNG: the portal's flat colours survive, the file stays small."""
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def test_screenshots_of_every_tab(browser_paths, seeded, tmp_path):
    seed = Seeder(seeded.url)
    driver = new_browser(browser_paths)
    portal = Portal(driver, seeded.url)
    out = output_dir(tmp_path)
    try:
        portal.login("admin", "admin")
        portal.tab("monitoring")
        ids = {}
        steps = [
            ("orders", lambda: seed.create("MongoDB", INSTANCE_NAME="orders-db")),
            ("audit", lambda: seed.create("MongoDB", INSTANCE_NAME="audit-db", PROXYFIED="true")),
            ("spark", lambda: seed.create("Reserve_Nodes", INSTANCE_NAME="analytics")),
            ("kafka", lambda: seed.create("Kafka", INSTANCE_NAME="events")),
            ("scratch", lambda: seed.create("MongoDB", INSTANCE_NAME="scratch-db")),
            ("jupyter", lambda: seed.create("JupyterLab", INSTANCE_NAME="notebooks")),
        ]
        for name, step in steps:
            ids[name] = step()
            seed.advance(20)
            time.sleep(1.1)  # one poll of the page per step: the charts' history
        seed.advance(300)
        time.sleep(1.1)
        for action in ("Deploy_Swarm", "Deploy_HDFS", "Deploy_Spark"):
            seed.action(ids["spark"], action)
            seed.advance(120)
            time.sleep(1.1)
        seed.action(ids["scratch"], "Finish_MongoDB")
        seed.advance(60)
        time.sleep(1.1)
        seed.call(
            "PUT",
            f"/cloud-automation-service/serviceInstances/{ids['jupyter']}",
            {"instance_status": "KILLED"},
        )
        seed.action(ids["orders"], "Pause_MongoDB")  # left in transition: RUNNING -> PAUSED
        time.sleep(1.1)

        shots = {}
        portal.pick("MongoDB")
        shots["activation"] = out / "activation.png"
        for tab in TABS:
            portal.tab(tab)
            if tab == "jobs":
                portal.wait(lambda: "…" not in portal.css("#tab-jobs").text)
            if tab == "monitoring":
                portal.wait(lambda: len(portal.all("#tab-monitoring svg.chart")) == 3)
            time.sleep(0.3)
            driver.execute_script("window.scrollTo(0, 0)")
            shots[tab] = out / f"{tab}.png"
            portal.screenshot(shots[tab])
        # the instance details dialog (endpoints, deployments, variables)
        portal.tab("activated")
        portal.row("activated", ids["audit"]).find_element(
            By.CSS_SELECTOR, '[data-do="info"]'
        ).click()
        portal.visible("#dialog-body h3")
        shots["details"] = out / "details.png"
        portal.screenshot(shots["details"])
        portal.css("#dialog-close").click()
        # a narrow window
        set_viewport(driver, *NARROW)
        portal.tab("activated")
        time.sleep(0.3)
        shots["activated-narrow"] = out / "activated-narrow.png"
        portal.screenshot(shots["activated-narrow"])
    finally:
        driver.quit()
    for name, path in shots.items():
        shrink(path)
        with Image.open(path) as image:
            expected = NARROW if name.endswith("narrow") else (1280, 800)
            assert image.size == expected, name
        assert path.stat().st_size < 200_000, name


def test_no_tab_overflows_a_narrow_window(browser_paths, seeded):
    driver = new_browser(browser_paths, *NARROW)
    portal = Portal(driver, seeded.url)
    try:
        portal.login("admin", "admin")
        for tab in TABS:
            portal.tab(tab)
            time.sleep(0.2)
            width = driver.execute_script("return document.documentElement.scrollWidth")
            assert width <= NARROW[0], f"{tab}: the page is {width} px wide"
    finally:
        driver.quit()
