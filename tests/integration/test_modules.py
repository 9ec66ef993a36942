# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module, run ad hoc (`ansible localhost -m proactive.psa.<module>`) against a live
psa-sim server, and checked through the server's REST API."""

from __future__ import annotations

from pathlib import Path

FILES = Path(__file__).resolve().parents[2] / "playbooks" / "files"


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


def test_psa_instance_reaches_states_idempotently(ansible, api, connection):
    args = dict(
        connection,
        service_id="MongoDB",
        name="states",
        variables={"USER": "app", "PASSWORD": "s3cret"},
    )
    started = ok(ansible.adhoc("psa_instance", args))
    assert started["changed"] is True and started["state"] == "RUNNING"
    assert started["actions"] == ["MongoDB"]
    assert started["instance"]["variables"]["PASSWORD"] != "s3cret"  # masked
    assert next(iter(started["endpoints"].values())).startswith("mongodb://")

    again = ok(ansible.adhoc("psa_instance", args))
    assert again["changed"] is False and again["actions"] == []
    assert again["instance"]["instance_id"] == started["instance"]["instance_id"]

    paused = ok(ansible.adhoc("psa_instance", dict(args, state="PAUSED")))
    assert paused["changed"] is True and paused["actions"] == ["Pause_MongoDB"]
    finished = ok(ansible.adhoc("psa_instance", dict(args, state="finished")))
    assert finished["actions"] == ["Finish_MongoDB"] and finished["state"] == "FINISHED"
    assert ok(ansible.adhoc("psa_instance", dict(args, state="finished")))["changed"] is False

    absent = ok(ansible.adhoc("psa_instance", dict(args, state="absent")))
    assert absent["changed"] is True
    assert absent["cleaned"] == [started["instance"]["instance_id"]]
    assert api.instances_named("MongoDB", "states") == []
    assert ok(ansible.adhoc("psa_instance", dict(args, state="absent")))["changed"] is False


def test_psa_instance_by_id(ansible, api, connection):
    started = ok(ansible.adhoc("psa_instance", dict(connection, service_id="Visdom", name="by-id")))
    instance_id = started["instance"]["instance_id"]
    done = ok(
        ansible.adhoc("psa_instance", dict(connection, instance_id=instance_id, state="finished"))
    )
    assert done["actions"] == ["Finish_Visdom"]
    assert (
        api.get("/cloud-automation-service/serviceInstances/%d" % instance_id)["instance_status"]
        == "FINISHED"
    )


def test_psa_instance_check_mode_creates_nothing(ansible, api, connection):
    before = api.instances()
    run = ansible.adhoc(
        "psa_instance",
        dict(connection, service_id="Spark_HDFS", name="never", state="HDFS_SPARK_DEPLOYED"),
        "--check",
    )
    result = ok(run)
    assert result["changed"] is True
    assert result["actions"] == ["Reserve_Nodes", "Deploy_Swarm", "Deploy_HDFS", "Deploy_Spark"]
    assert api.instances() == before


def test_psa_instance_reads_the_connection_from_the_environment(ansible, api, psa_env):
    result = ok(
        ansible.adhoc("psa_instance", {"service_id": "Zookeeper", "name": "from-env"}, env=psa_env)
    )
    assert result["state"] == "RUNNING"
    assert api.instances_named("Zookeeper", "from-env")[0]["instance_status"] == "RUNNING"


def test_psa_action_runs_and_kills(ansible, api, connection):
    started = ok(
        ansible.adhoc("psa_instance", dict(connection, service_id="MongoDB", name="acted"))
    )
    probe = ok(
        ansible.adhoc(
            "psa_action",
            dict(connection, service_id="MongoDB", name="acted", action="Pause_MongoDB"),
            "--check",
        )
    )
    assert probe["executable"] is True and probe["changed"] is True
    assert sorted(probe["executable_actions"]) == ["Finish_MongoDB", "Pause_MongoDB"]
    assert api.instances_named("MongoDB", "acted")[0]["instance_status"] == "RUNNING"

    killed = ok(
        ansible.adhoc(
            "psa_action",
            dict(connection, kill=True, instance_id=started["instance"]["instance_id"]),
        )
    )
    assert killed["changed"] is True and killed["state"] == "KILLED"
    assert api.instances_named("MongoDB", "acted")[0]["instance_status"] == "KILLED"
    again = ok(
        ansible.adhoc(
            "psa_action",
            dict(connection, kill=True, instance_id=started["instance"]["instance_id"]),
        )
    )
    assert again["changed"] is False


def test_psa_service_publishes_revises_and_removes(ansible, api, connection, tmp_path):
    files = [str(FILES / "Hello_Web.xml"), str(FILES / "Finish_Hello_Web.xml")]
    args = dict(connection, service_id="Hello_Web", bucket="custom-it", files=files)
    created = ok(ansible.adhoc("psa_service", args))
    assert created["changed"] is True and created["bucket_created"] is True
    assert sorted(w["status"] for w in created["workflows"]) == ["created", "created"]
    assert created["graph"]["VOID"] == {"Hello_Web": "RUNNING"}
    assert api.catalog_object("custom-it", "Hello_Web")["kind"].startswith("workflow/psa")

    unchanged = ok(ansible.adhoc("psa_service", args))
    assert unchanged["changed"] is False

    revised_file = tmp_path / "Hello_Web.xml"
    revised_file.write_text(
        (FILES / "Hello_Web.xml").read_text().replace("Hello from ProActive", "Hello again")
    )
    revised = ok(ansible.adhoc("psa_service", dict(args, files=[str(revised_file)])))
    assert [w["status"] for w in revised["workflows"]] == ["revised"]

    removed = ok(
        ansible.adhoc(
            "psa_service",
            dict(connection, service_id="Hello_Web", bucket="custom-it", state="absent"),
        )
    )
    assert removed["changed"] is True
    assert api.catalog_object("custom-it", "Hello_Web") is None
    assert api.catalog_object("custom-it", "Finish_Hello_Web") is None


def test_psa_service_refuses_a_workflow_without_service_id(
    ansible, connection, tmp_path, no_traceback
):
    broken = tmp_path / "Broken.xml"
    broken.write_text(
        (FILES / "Hello_Web.xml")
        .read_text()
        .replace('<info name="pca.service.id" value="Hello_Web"/>', "")
    )
    run = ansible.adhoc("psa_service", dict(connection, bucket="custom-it", files=[str(broken)]))
    assert run.rc != 0, run
    no_traceback(run)
    assert "pca.service.id" in run.module_result["msg"]
    assert "Broken.xml" in run.module_result["msg"]


def test_psa_service_info_describes_a_service(ansible, connection):
    result = ok(ansible.adhoc("psa_service_info", dict(connection, service_id="MongoDB")))
    assert result["changed"] is False
    [service] = result["services"]
    assert service["service_id"] == "MongoDB"
    assert service["activations"] == ["MongoDB"]
    assert service["graph"]["RUNNING"] == {"Finish_MongoDB": "FINISHED", "Pause_MongoDB": "PAUSED"}
    everything = ok(ansible.adhoc("psa_service_info", connection))
    assert {"MongoDB", "Spark_HDFS", "Kafka"} <= {s["service_id"] for s in everything["services"]}


def test_psa_instance_info_filters(ansible, connection):
    ok(ansible.adhoc("psa_instance", dict(connection, service_id="MySQL", name="listed")))
    result = ok(
        ansible.adhoc("psa_instance_info", dict(connection, service_id="MySQL", name="listed"))
    )
    assert result["changed"] is False
    [instance] = result["instances"]
    assert instance["instance_status"] == "RUNNING"
    assert instance["endpoints"]
    none = ok(
        ansible.adhoc(
            "psa_instance_info",
            dict(connection, service_id="MySQL", name="listed", state=["PAUSED"]),
        )
    )
    assert none["instances"] == []
