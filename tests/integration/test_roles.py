# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles: psa_service_state (facts, validation, idempotency) and psa_sim_server
(start on a free port, answer, stop, clear failures)."""

from __future__ import annotations

import os

import requests


def alive(pid: int) -> bool:
    """True while pid runs (a zombie is gone)."""
    try:
        with open("/proc/%d/stat" % pid, encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def write_playbook(tmp_path, text: str):
    path = tmp_path / "playbook.yml"
    path.write_text(text)
    return path


SERVICE_STATE = """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.include_role:
        name: proactive.psa.psa_service_state
      vars:
        psa_service_state_service_id: Spark_HDFS
        psa_service_state_name: "{{ name }}"
        psa_service_state_state: "{{ state }}"
        psa_service_state_variables: {NUMBER_OF_NODES: 2}
        psa_service_state_wait_sleep: 0.2
        psa_service_state_url: "{{ url }}"
        psa_service_state_username: admin
        psa_service_state_password: admin
    - name: Facts
      ansible.builtin.debug:
        msg:
          instance: "{{ psa_instance }}"
          endpoints: "{{ psa_endpoints }}"
"""


def test_service_state_exports_instance_and_endpoints(ansible, api, server, tmp_path):
    playbook = write_playbook(tmp_path, SERVICE_STATE)
    extra = {"url": server.url, "name": "role-spark", "state": "SWARM_DEPLOYED"}
    run = ansible.playbook(playbook, extra_vars=extra)
    assert run.rc == 0, run
    assert run.stats["changed"] == 1, run
    facts = run.result("Facts")["msg"]
    assert facts["instance"]["instance_status"] == "SWARM_DEPLOYED"
    assert set(facts["endpoints"]) == {"consul_UI"}
    assert api.instances_named("Spark_HDFS", "role-spark")[0]["instance_status"] == (
        "SWARM_DEPLOYED"
    )

    again = ansible.playbook(playbook, extra_vars=extra)
    assert again.rc == 0 and again.stats["changed"] == 0, again

    further = ansible.playbook(playbook, extra_vars=dict(extra, state="HDFS_SPARK_DEPLOYED"))
    assert further.rc == 0, further
    assert set(further.result("Facts")["msg"]["endpoints"]) == {"consul_UI", "HDFS_UI", "SPARK_UI"}


def test_service_state_uses_the_play_module_defaults(ansible, api, server, tmp_path):
    playbook = write_playbook(
        tmp_path,
        f"""
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/proactive.psa.psa: {{url: "{server.url}", username: admin, password: admin}}
  roles:
    - role: proactive.psa.psa_service_state
      vars:
        psa_service_state_service_id: MongoDB
        psa_service_state_name: role-defaults
        psa_service_state_variables: {{USER: app, PASSWORD: app-secret}}
  post_tasks:
    - name: Facts
      ansible.builtin.debug: {{var: psa_endpoints}}
""",
    )
    run = ansible.playbook(playbook)
    assert run.rc == 0, run
    assert next(iter(run.result("Facts")["psa_endpoints"].values())).startswith("mongodb://")
    assert "app-secret" not in run.stdout
    assert api.instances_named("MongoDB", "role-defaults")[0]["instance_status"] == "RUNNING"


def test_service_state_validates_its_arguments(ansible, api, server, tmp_path, no_traceback):
    playbook = write_playbook(
        tmp_path,
        """
- hosts: localhost
  gather_facts: false
  roles:
    - role: proactive.psa.psa_service_state
      vars:
        psa_service_state_name: nameless
        psa_service_state_variables: not-a-dict
""",
    )
    before = api.instances()
    run = ansible.playbook(playbook, env={"PSA_URL": server.url})
    assert run.rc != 0, run
    no_traceback(run)
    message = run.result("Validating arguments")["msg"]
    assert "psa_service_state_service_id" in message
    assert "psa_service_state_variables" in message
    assert api.instances() == before


def test_service_state_check_mode(ansible, api, server, tmp_path):
    playbook = write_playbook(tmp_path, SERVICE_STATE)
    before = api.instances()
    run = ansible.playbook(
        playbook,
        "--check",
        extra_vars={"url": server.url, "name": "role-check", "state": "HDFS_SPARK_DEPLOYED"},
    )
    assert run.rc == 0, run
    assert run.result("Bring the PSA instance to")["actions"] == [
        "Reserve_Nodes",
        "Deploy_Swarm",
        "Deploy_HDFS",
        "Deploy_Spark",
    ]
    assert api.instances() == before


SIM_SERVER = """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.include_role:
        name: proactive.psa.psa_sim_server
      vars:
        psa_sim_server_users: "{{ users | default('') }}"
    - name: Server
      ansible.builtin.debug:
        msg: {url: "{{ psa_sim_url }}", pid: "{{ psa_sim_pid }}", log: "{{ psa_sim_log }}"}
    - name: Catalog
      proactive.psa.psa_service_info:
        url: "{{ psa_sim_url }}"
        username: "{{ username | default('admin') }}"
        password: "{{ password | default('admin') }}"
        service_id: MongoDB
    - ansible.builtin.include_role:
        name: proactive.psa.psa_sim_server
        tasks_from: stop
    - name: Stop again
      ansible.builtin.include_role:
        name: proactive.psa.psa_sim_server
        tasks_from: stop
"""


def test_sim_server_starts_on_a_free_port_and_stops(ansible, tmp_path):
    run = ansible.playbook(write_playbook(tmp_path, SIM_SERVER))
    assert run.rc == 0, run
    server = run.result("Server")["msg"]
    assert server["url"].startswith("http://127.0.0.1:")
    assert not server["url"].endswith(":0")
    assert os.path.exists(server["log"])
    assert run.result("Catalog")["services"][0]["service_id"] == "MongoDB"
    stops = [
        result
        for name, result in run.results()
        if name.endswith("Stop the psa-sim server started by this role")
    ]
    assert [stop["changed"] for stop in stops] == [True, False], run
    assert not alive(int(server["pid"]))
    try:
        requests.get(server["url"] + "/rest/common/connected", timeout=2)
    except requests.ConnectionError:
        pass
    else:
        raise AssertionError("the server still answers after stop")


def test_sim_server_with_a_users_file(ansible, tmp_path):
    users = tmp_path / "users.yml"
    users.write_text("- {name: ci, password: ci-pass, admin: true}\n")
    run = ansible.playbook(
        write_playbook(tmp_path, SIM_SERVER),
        extra_vars={"users": str(users), "username": "ci", "password": "ci-pass"},
    )
    assert run.rc == 0, run
    assert not alive(int(run.result("Server")["msg"]["pid"]))


def test_sim_server_failure_shows_the_server_message(ansible, tmp_path, no_traceback):
    run = ansible.playbook(
        write_playbook(tmp_path, SIM_SERVER), extra_vars={"users": str(tmp_path / "missing.yml")}
    )
    assert run.rc != 0, run
    no_traceback(run)
    message = run.result("Fail with the server's own message")["msg"]
    assert "missing.yml" in message and "psa-sim serve" in message


def test_simulator_ci_playbook(ansible):
    run = ansible.playbook(
        "simulator_ci.yml", extra_vars={"ci_service_id": "Visdom", "ci_instance_name": "ci-visdom"}
    )
    assert run.rc == 0, run
    endpoints = run.result("Show the endpoints")["psa_endpoints"]
    assert next(iter(endpoints.values())).startswith("http://")
    assert run.result("Stop the psa-sim server started by this role")["changed"] is True
