# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What issue 12 found under real use, against a live psa-sim server: references in
variables, secrets in the output, one module_defaults block for the whole group, and
many instances in one task."""

from __future__ import annotations

import json

import yaml


def play(tmp_path, tasks: list, defaults: dict) -> str:
    book = tmp_path / "play.yml"
    book.write_text(
        yaml.safe_dump(
            [
                {
                    "hosts": "localhost",
                    "gather_facts": False,
                    "module_defaults": {"group/proactive.psa.psa": defaults},
                    "tasks": tasks,
                }
            ],
            sort_keys=False,
        )
    )
    return str(book)


def test_variables_with_references_settle(ansible, api, connection):
    args = dict(
        connection,
        service_id="MongoDB",
        name="refs",
        recreate=True,
        variables={"MOUNT_DB_PATH": "/tmp/$INSTANCE_NAME", "USER": "app"},
    )
    first = ansible.adhoc("psa_instance", args)
    assert first.rc == 0, first
    (instance,) = api.instances_named("MongoDB", "refs")
    assert instance["variables"]["MOUNT_DB_PATH"] == "/tmp/refs"  # the server resolved it
    for _run in range(2):
        again = ansible.adhoc("psa_instance", args)
        assert again.rc == 0, again
        assert again.module_result["changed"] is False, again
        assert again.module_result["variables_differ"] == []
    assert [i["instance_id"] for i in api.instances_named("MongoDB", "refs")] == [
        instance["instance_id"]
    ]


def test_a_secret_does_not_show_when_the_service_is_mistyped(ansible, connection):
    run = ansible.adhoc(
        "psa_instance",
        dict(
            connection,
            service_id="MongoDb",
            name="typo",
            variables={"PASSWORD": "s3cr3t-pw"},
            secret_variables={"API_TOKEN": "t0ken-value"},
        ),
        "-vvv",
    )
    assert run.rc != 0
    assert "no PSA service 'MongoDb'" in run.output
    assert "s3cr3t-pw" not in run.output
    assert "t0ken-value" not in run.output


def test_one_group_defaults_block_and_many_instances(ansible, api, server, tmp_path):
    defaults = {
        "url": server.url,
        "username": server.username,
        "password": server.password,
        "wait_timeout": 300,
        "wait_sleep": 0.2,
    }
    entries = [{"service_id": "MongoDB", "name": f"fleet-{i}"} for i in range(6)]
    entries[2]["state"] = "PAUSED"
    tasks = [
        {"name": "services", "proactive.psa.psa_service_info": {"service_id": "MongoDB"}},
        {"name": "listing", "proactive.psa.psa_instance_info": {"name": "fleet-0"}},
        {
            "name": "fleet",
            "proactive.psa.psa_instance": {"instances": entries, "parallel": 3},
            "register": "fleet",
        },
    ]
    book = play(tmp_path, tasks, defaults)
    checked = ansible.playbook(book, "--check", "--diff")
    assert checked.rc == 0, checked
    planned = [r["actions"] for r in checked.result("fleet")["results"]]
    assert planned == [["MongoDB"]] * 2 + [["MongoDB", "Pause_MongoDB"]] + [["MongoDB"]] * 3
    assert api.instances_named("MongoDB", "fleet-0") == []
    run = ansible.playbook(book, "--diff")
    assert run.rc == 0, run
    results = run.result("fleet")["results"]
    assert [r["state"] for r in results] == ["RUNNING"] * 2 + ["PAUSED"] + ["RUNNING"] * 3
    for index, entry in enumerate(entries):
        (instance,) = api.instances_named("MongoDB", entry["name"])
        assert instance["instance_status"] == entry.get("state", "RUNNING")
        assert results[index]["instance"]["instance_id"] == instance["instance_id"]
    again = ansible.playbook(book)
    assert again.rc == 0, again
    assert again.stats["changed"] == 0, json.dumps(again.result("fleet"))[:2000]
