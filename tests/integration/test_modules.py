# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The README's ad hoc example (`ansible localhost -m proactive.psa.psa_action -a ...`) against
a live psa-sim server, checked through the server's REST API.

Each module's behaviour (idempotency, check mode, diff, errors) is tested by the targets of
`ansible-test integration` (tests/integration/targets/, `tox -e targets`)."""

from __future__ import annotations


def ok(run) -> dict:
    assert run.rc == 0, run
    result = run.module_result
    assert not result.get("failed"), run
    return result


def test_readme_ad_hoc_example_pauses_an_instance(ansible, api, server, connection):
    ok(ansible.adhoc("psa_instance", dict(connection, service_id="MongoDB", name="db1")))
    # the README's example, word for word but for the server's address
    run = ansible.adhoc(
        "psa_action",
        "service_id=MongoDB name=db1 action=Pause_MongoDB "
        f"url={server.url} username=admin password=admin",
    )
    result = ok(run)
    assert result["changed"] is True
    assert result["state"] == "PAUSED"
    assert result["action"] == "service-automation/Pause_MongoDB"
    assert api.instances_named("MongoDB", "db1")[0]["instance_status"] == "PAUSED"
