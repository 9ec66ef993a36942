# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Event-Driven Ansible source psa_instances, its `main(queue, args)` run against a
live psa-sim server on the manual clock (so transitions stay visible until the test
advances time), with a container crash injected through /sim-api/faults/crash.

ansible-rulebook is not needed: it would call the same `main(queue, args)` and turn each
item of the queue into an event for the rules. A target of `ansible-test integration`
cannot drive an asyncio source, hence this pytest test.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
from pathlib import Path

import pytest
import yaml
from conftest import PsaApi, PsaSimServer

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = "/cloud-automation-service/serviceInstances"


@pytest.fixture(scope="module")
def manual_server(tmp_path_factory):
    sim = PsaSimServer(tmp_path_factory.mktemp("psa-sim-manual"), "--clock", "manual")
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def source(collections_path):
    for path in collections_path.split(os.pathsep):
        if path and path not in sys.path:
            sys.path.insert(0, path)
    return importlib.import_module(
        "ansible_collections.proactive.psa.extensions.eda.plugins.event_source.psa_instances"
    )


class Sim:
    """The REST calls the test makes, as an operator (and the simulator's admin) would."""

    def __init__(self, api: PsaApi):
        self.api = api

    def post(self, path: str, body: dict) -> dict:
        answer = self.api.session.post(self.api.url + path, json=body, timeout=30)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.text else {}

    def start(self, name: str) -> int:
        body = {
            "bucket_name": "service-automation",
            "workflow_name": "MongoDB",
            "variables": {"INSTANCE_NAME": name, "PASSWORD": "s3cr3t-pw"},
        }
        return self.post(INSTANCES, body)["instance_id"]

    def action(self, instance_id: int, workflow: str) -> None:
        answer = self.api.session.put(
            f"{self.api.url}{INSTANCES}/{instance_id}/action",
            json={"bucket_name": "service-automation", "workflow_name": workflow},
            timeout=30,
        )
        assert answer.status_code < 300, answer.text

    def advance(self, seconds: float) -> None:
        self.post("/sim-api/advance", {"seconds": seconds})

    def crash(self, instance_id: int) -> None:
        self.post("/sim-api/faults/crash", {"instance_id": instance_id})

    def clean(self, instance_id: int) -> None:
        answer = self.api.session.delete(f"{self.api.url}{INSTANCES}/{instance_id}", timeout=30)
        assert answer.status_code < 300, answer.text


async def expect(queue: asyncio.Queue, *wanted: tuple[str, int, str | None]) -> list[dict]:
    """The next events, which must be `wanted` (type, instance id, state) in order."""
    got = []
    for _wanted in wanted:
        item = await asyncio.wait_for(queue.get(), timeout=20)
        got.append(item["psa"])
    assert [(e["type"], e["instance_id"], e["state"]) for e in got] == list(wanted), got
    return got


def test_every_state_change_is_an_event(manual_server, source):
    sim = Sim(PsaApi(manual_server.url, manual_server.username, manual_server.password))
    args = {
        "url": manual_server.url,
        "username": manual_server.username,
        "password": manual_server.password,
        "interval": 0.05,
    }

    async def scenario():
        queue: asyncio.Queue = asyncio.Queue()
        task = asyncio.create_task(source.main(queue, args))
        try:
            await asyncio.sleep(0.3)  # the first listing is the baseline
            db1 = sim.start("db1")
            created, _started = await expect(
                queue,
                ("created", db1, "VOID -> RUNNING"),
                ("transition_started", db1, "VOID -> RUNNING"),
            )
            assert created["service_id"] == "MongoDB" and created["instance_name"] == "db1"
            assert created["variables"]["PASSWORD"] == "********"  # PA:HIDDEN in the catalog
            sim.advance(600)
            (ended,) = await expect(queue, ("transition_ended", db1, "RUNNING"))
            assert ended["previous_state"] == "VOID -> RUNNING"
            assert ended["endpoints"] and ended["node_host"]

            sim.crash(db1)  # the health loop sees it at its next check
            sim.advance(120)
            (error,) = await expect(queue, ("error", db1, "ERROR"))
            assert error["previous_state"] == "RUNNING"

            sim.action(db1, "Finish_MongoDB")  # allowed from ERROR
            await expect(queue, ("transition_started", db1, "ERROR -> FINISHED"))
            sim.advance(600)
            await expect(
                queue, ("transition_ended", db1, "FINISHED"), ("finished", db1, "FINISHED")
            )
            sim.clean(db1)
            (removed,) = await expect(queue, ("removed", db1, "FINISHED"))
            assert removed["instance_name"] == "db1"

            db2 = sim.start("db2")
            sim.advance(600)
            await expect(queue, ("created", db2, "RUNNING"))
            sim.api.session.put(
                f"{sim.api.url}{INSTANCES}/{db2}",
                json=dict(sim.api.get(f"{INSTANCES}/{db2}"), instance_status="KILLED"),
                timeout=30,
            ).raise_for_status()
            await expect(queue, ("killed", db2, "KILLED"))
            assert queue.empty()
        finally:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(scenario())


def test_emit_existing_and_service_filter(manual_server, source):
    sim = Sim(PsaApi(manual_server.url, manual_server.username, manual_server.password))
    db3 = sim.start("db3")
    sim.advance(600)

    async def first_events(service_ids):
        queue: asyncio.Queue = asyncio.Queue()
        args = {
            "url": manual_server.url,
            "username": manual_server.username,
            "password": manual_server.password,
            "interval": 0.05,
            "emit_existing": True,
            "service_ids": service_ids,
        }
        task = asyncio.create_task(source.main(queue, args))
        await asyncio.sleep(0.5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        events = []
        while not queue.empty():
            events.append(queue.get_nowait()["psa"])
        return events

    events = asyncio.run(first_events(["MongoDB"]))
    assert ("created", db3) in [(e["type"], e["instance_id"]) for e in events]
    assert "s3cr3t-pw" not in repr(events)
    assert asyncio.run(first_events(["Kafka"])) == []


def test_the_example_rulebook_matches_error_events():
    """The rulebook shipped as an example reacts to the events this source emits."""
    rulebook = yaml.safe_load(
        (ROOT / "extensions" / "eda" / "rulebooks" / "psa_reactivate.yml").read_text()
    )
    (ruleset,) = rulebook
    (source_entry,) = ruleset["sources"]
    assert "proactive.psa.psa_instances" in source_entry
    (rule,) = ruleset["rules"]
    assert rule["condition"] == 'event.psa.type == "error"'
    playbook = rule["action"]["run_playbook"]["name"]
    assert playbook == "proactive.psa.eda_reactivate"
    assert (ROOT / "playbooks" / "eda_reactivate.yml").exists()


def test_the_remediation_playbook_reactivates_the_service(ansible, server, api, source):
    """The playbook the rulebook runs, given the error event the source emitted."""
    sim = Sim(api)
    broken = sim.start("reactivated")
    instance = api.get(f"{INSTANCES}/{broken}")
    # the instant clock runs no health check by itself: the instance is put in ERROR as
    # a failing health check would
    api.session.put(
        f"{api.url}{INSTANCES}/{broken}", json=dict(instance, instance_status="ERROR"), timeout=30
    ).raise_for_status()
    args = {"url": server.url, "username": server.username, "password": server.password}
    poller = source.Poller(args)
    current = poller.listing()
    (error,) = [e for e in source.changes({}, current) if e["psa"]["type"] == "error"]
    run = ansible.playbook(
        "eda_reactivate.yml",
        extra_vars={"ansible_eda": {"event": error}},
        env={"PSA_URL": server.url, "PSA_USERNAME": "admin", "PSA_PASSWORD": "admin"},
    )
    assert run.rc == 0, run
    named = api.instances_named("MongoDB", "reactivated")
    states = {i["instance_id"]: i["instance_status"] for i in named}
    assert states[broken] == "FINISHED"
    (fresh,) = [i for i in states if i != broken]
    assert states[fresh] == "RUNNING"
