# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a user sees when something is wrong: one clear message, never a traceback, and
nothing submitted to the server."""

from __future__ import annotations

import socket


def failed(run, no_traceback) -> str:
    """The failure message of an ad hoc run that must have failed cleanly."""
    assert run.rc != 0, run
    no_traceback(run)
    result = run.module_result
    assert result.get("failed") is True, run
    return result["msg"]


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unknown_service_names_it_and_lists_the_known_ones(ansible, api, connection, no_traceback):
    before = api.instances()
    run = ansible.adhoc("psa_instance", dict(connection, service_id="NoSuchService", name="x"))
    message = failed(run, no_traceback)
    assert "NoSuchService" in message
    assert "MongoDB" in message and "Spark_HDFS" in message  # the services there are
    assert api.instances() == before


def test_invalid_variable_names_the_variable_and_its_model(ansible, api, connection, no_traceback):
    before = api.instances()
    run = ansible.adhoc(
        "psa_instance",
        dict(connection, service_id="MongoDB", name="bad-var", variables={"SERVICE_PORT": "abc"}),
    )
    message = failed(run, no_traceback)
    assert "SERVICE_PORT" in message and "abc" in message and "Integer" in message
    run = ansible.adhoc(
        "psa_instance",
        dict(connection, service_id="MongoDB", name="bad-var", variables={"ENGINE": "podman"}),
    )
    message = failed(run, no_traceback)
    assert "ENGINE" in message and "docker" in message and "singularity" in message
    assert api.instances() == before


def test_forbidden_action_lists_the_executable_ones(ansible, api, connection, no_traceback):
    started = ansible.adhoc(
        "psa_instance", dict(connection, service_id="MongoDB", name="forbidden")
    )
    assert started.rc == 0, started
    jobs = len(api.instances_named("MongoDB", "forbidden")[0]["job_submissions"])
    run = ansible.adhoc(
        "psa_action",
        dict(connection, service_id="MongoDB", name="forbidden", action="Resume_MongoDB"),
    )
    message = failed(run, no_traceback)
    assert "Resume_MongoDB" in message and "RUNNING" in message
    assert "Finish_MongoDB" in message and "Pause_MongoDB" in message
    [instance] = api.instances_named("MongoDB", "forbidden")
    assert instance["instance_status"] == "RUNNING"
    assert len(instance["job_submissions"]) == jobs  # nothing was submitted


def test_unreachable_state_lists_the_states(ansible, connection, no_traceback):
    run = ansible.adhoc(
        "psa_instance", dict(connection, service_id="MongoDB", name="nope", state="DEPLOYED")
    )
    message = failed(run, no_traceback)
    assert "DEPLOYED" in message and "PAUSED" in message and "RUNNING" in message


def test_wrong_password_says_so_without_showing_it(ansible, server, no_traceback):
    run = ansible.adhoc(
        "psa_instance",
        {
            "url": server.url,
            "username": "admin",
            "password": "not-the-password",
            "service_id": "MongoDB",
            "name": "db",
        },
    )
    message = failed(run, no_traceback)
    assert "401" in message and "password" in message.lower()
    assert "not-the-password" not in run.output


def test_unreachable_url_is_a_clear_message(ansible, no_traceback):
    url = "http://127.0.0.1:%d" % closed_port()
    run = ansible.adhoc("psa_service_info", {"url": url, "username": "admin", "password": "admin"})
    message = failed(run, no_traceback)
    assert url in message and "cannot connect" in message


def test_url_that_is_not_http_is_refused(ansible, no_traceback):
    run = ansible.adhoc(
        "psa_instance_info",
        {"url": "proactive.example.com:8443", "username": "admin", "password": "admin"},
    )
    message = failed(run, no_traceback)
    assert "url" in message and "http" in message


def test_missing_credentials_are_named(ansible, server, no_traceback):
    run = ansible.adhoc("psa_instance_info", {"url": server.url})
    message = failed(run, no_traceback)
    assert "username" in message and "password" in message


def test_playbook_error_stops_the_play_with_the_message(
    ansible, api, psa_env, tmp_path, no_traceback
):
    playbook = tmp_path / "bad_variable.yml"
    playbook.write_text("""
- hosts: localhost
  gather_facts: false
  tasks:
    - name: A bad variable
      proactive.psa.psa_instance:
        service_id: MongoDB
        name: in-playbook
        variables: {BUILD_IMAGE_IF_NOT_EXISTS: perhaps}
    - name: Never reached
      ansible.builtin.debug: {msg: reached}
""")
    run = ansible.playbook(playbook, env=psa_env)
    assert run.rc == 2, run
    no_traceback(run)
    message = run.result("A bad variable")["msg"]
    assert "BUILD_IMAGE_IF_NOT_EXISTS" in message and "perhaps" in message
    assert [task[0] for task in run.results()] == ["A bad variable"]
    assert api.instances_named("MongoDB", "in-playbook") == []
