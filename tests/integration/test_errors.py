# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a user sees when something is wrong: one clear message, never a traceback, and
nothing submitted to the server.

The error cases of each module (unknown service, refused variable, forbidden action,
unreachable state, unreachable or non-http URL, missing credentials) are targets of
`ansible-test integration` (tests/integration/targets/, `tox -e targets`); what stays here
needs the whole output of a run (no password anywhere in it) or a play's course."""

from __future__ import annotations


def failed(run, no_traceback) -> str:
    """The failure message of an ad hoc run that must have failed cleanly."""
    assert run.rc != 0, run
    no_traceback(run)
    result = run.module_result
    assert result.get("failed") is True, run
    return result["msg"]


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
