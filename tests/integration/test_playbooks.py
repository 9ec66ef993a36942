# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The example playbooks against a live psa-sim server: they work, a second run changes
nothing, check mode changes nothing on the server, diff mode shows before and after."""

from __future__ import annotations

import pytest


def summary(api) -> list[tuple]:
    """What a check run must not change: every instance's id, status and variables."""
    return sorted(
        (i["instance_id"], i["instance_status"], sorted(i["variables"].items()))
        for i in api.instances()
    )


def test_demo_runs_the_life_cycle_then_is_idempotent(ansible, api, psa_env):
    name = "demo-idempotent"
    first = ansible.playbook("demo.yml", extra_vars={"demo_instance_name": name}, env=psa_env)
    assert first.rc == 0, first
    assert first.stats["changed"] == 4, first
    assert first.result("Summary")["msg"].endswith(
        "ran MongoDB, Pause_MongoDB, Resume_MongoDB, Finish_MongoDB; now FINISHED"
    ), first
    assert "mongodb://" in first.result("Print the endpoint")["msg"], first
    [instance] = api.instances_named("MongoDB", name)
    assert instance["instance_status"] == "FINISHED"

    second = ansible.playbook("demo.yml", extra_vars={"demo_instance_name": name}, env=psa_env)
    assert second.rc == 0, second
    assert second.stats["changed"] == 0, second
    assert "nothing to do" in second.result("The demo already ran")["msg"]
    assert len(api.instances_named("MongoDB", name)) == 1


def test_demo_reads_the_server_from_extra_vars(ansible, api, server):
    name = "demo-extra-vars"
    run = ansible.playbook(
        "demo.yml",
        extra_vars={
            "demo_instance_name": name,
            "psa_url": server.url,
            "psa_username": server.username,
            "psa_password": server.password,
        },
    )
    assert run.rc == 0, run
    assert api.instances_named("MongoDB", name)[0]["instance_status"] == "FINISHED"


def test_demo_in_check_mode_changes_nothing_on_the_server(ansible, api, psa_env):
    before = summary(api)
    run = ansible.playbook(
        "demo.yml", "--check", extra_vars={"demo_instance_name": "demo-check"}, env=psa_env
    )
    assert run.rc == 0, run
    assert run.stats["changed"] >= 1, run  # it reports what it would do ...
    started = run.result("Start MongoDB")
    assert started["changed"] and started["actions"] == ["MongoDB"], run
    assert summary(api) == before  # ... and does nothing
    assert api.instances_named("MongoDB", "demo-check") == []


@pytest.mark.parametrize(
    "playbook, extra",
    [
        ("spark_hdfs.yml", {"spark_instance_name": "spark-check"}),
        (
            "kafka.yml",
            {"kafka_instance_name": "kafka-check", "zookeeper_instance_name": "zookeeper-check"},
        ),
        ("custom_service.yml", {"hello_instance_name": "hello-check"}),
    ],
)
def test_every_playbook_runs_in_check_mode_without_changing_anything(
    ansible, api, psa_env, playbook, extra
):
    before = summary(api)
    buckets = api.get("/catalog/buckets")
    run = ansible.playbook(playbook, "--check", extra_vars=extra, env=psa_env)
    assert run.rc == 0, run
    assert run.stats["changed"] >= 1, run
    assert summary(api) == before
    assert api.get("/catalog/buckets") == buckets


def test_check_mode_on_an_existing_instance_plans_without_acting(ansible, api, connection):
    name = "check-existing"
    started = ansible.adhoc("psa_instance", dict(connection, service_id="MongoDB", name=name))
    assert started.rc == 0, started
    before = summary(api)
    run = ansible.adhoc(
        "psa_instance", dict(connection, service_id="MongoDB", name=name, state="PAUSED"), "--check"
    )
    assert run.rc == 0, run
    assert run.module_result["changed"] is True
    assert run.module_result["actions"] == ["Pause_MongoDB"]
    assert summary(api) == before
    assert api.instances_named("MongoDB", name)[0]["instance_status"] == "RUNNING"


def test_demo_diff_shows_the_state_before_and_after(ansible, psa_env):
    run = ansible.playbook(
        "demo.yml",
        "--diff",
        as_json=False,
        extra_vars={"demo_instance_name": "demo-diff"},
        env=psa_env,
    )
    assert run.rc == 0, run
    out = run.stdout
    assert "--- before" in out and "+++ after" in out, run
    start = out.index("TASK [Start MongoDB")
    pause = out.index("TASK [Pause it")
    resume = out.index("TASK [Resume it")
    finish = out.index("TASK [Finish it")
    assert '-    "state": "absent"' in out[start:pause], run
    assert '+    "state": "RUNNING"' in out[start:pause], run
    assert '-    "state": "RUNNING"' in out[pause:resume], run
    assert '+    "state": "PAUSED"' in out[pause:resume], run
    assert '+    "state": "FINISHED"' in out[finish:], run
    # secrets stay masked in the diff
    assert "demo-secret" not in out, run


def test_spark_hdfs_is_deployed_in_one_task(ansible, api, psa_env):
    extra = {"spark_instance_name": "spark-one-task"}
    run = ansible.playbook("spark_hdfs.yml", extra_vars=extra, env=psa_env)
    assert run.rc == 0, run
    result = run.result("Spark/HDFS platform")
    assert result["changed"] is True
    assert result["actions"] == ["Reserve_Nodes", "Deploy_Swarm", "Deploy_HDFS", "Deploy_Spark"]
    assert result["state"] == "HDFS_SPARK_DEPLOYED"
    assert {"consul_UI", "HDFS_UI", "SPARK_UI"} <= set(result["endpoints"])
    [instance] = api.instances_named("Spark_HDFS", "spark-one-task")
    assert instance["instance_status"] == "HDFS_SPARK_DEPLOYED"
    assert instance["bucket_name"] == "service-automation"

    again = ansible.playbook("spark_hdfs.yml", extra_vars=extra, env=psa_env)
    assert again.rc == 0 and again.stats["changed"] == 0, again
    assert again.result("Spark/HDFS platform")["actions"] == []

    finished = ansible.playbook(
        "spark_hdfs.yml", env=psa_env, extra_vars=dict(extra, spark_state="finished")
    )
    assert finished.rc == 0, finished
    assert finished.result("Spark/HDFS platform")["actions"] == [
        "Delete_Spark",
        "Delete_HDFS",
        "Delete_Swarm",
        "Release_Nodes",
    ]


def test_kafka_starts_its_zookeeper(ansible, api, psa_env):
    extra = {"kafka_instance_name": "kafka-it", "zookeeper_instance_name": "zookeeper-it"}
    assert api.instances_named("Zookeeper", "zookeeper-it") == []
    run = ansible.playbook("kafka.yml", extra_vars=extra, env=psa_env)
    assert run.rc == 0, run
    [kafka] = api.instances_named("Kafka", "kafka-it")
    [zookeeper] = api.instances_named("Zookeeper", "zookeeper-it")
    assert kafka["instance_status"] == "RUNNING"
    assert zookeeper["instance_status"] == "RUNNING"
    # Zookeeper's activation was launched by Kafka's job
    kafka_jobs = {s["job_id"] for s in kafka["job_submissions"]}
    assert {s["parent_job_id"] for s in zookeeper["job_submissions"]} & kafka_jobs
    endpoints = run.result("Show the endpoints")["msg"]
    assert endpoints["zookeeper"] and endpoints["kafka"]

    again = ansible.playbook("kafka.yml", extra_vars=extra, env=psa_env)
    assert again.rc == 0 and again.stats["changed"] == 0, again
    assert len(api.instances_named("Zookeeper", "zookeeper-it")) == 1


def test_custom_service_is_published_then_run(ansible, api, psa_env):
    extra = {"hello_instance_name": "hello-it"}
    run = ansible.playbook("custom_service.yml", extra_vars=extra, env=psa_env)
    assert run.rc == 0, run
    published = run.result("Publish the Hello_Web service")
    assert published["changed"] is True
    assert {w["name"]: w["status"] for w in published["workflows"]} == {
        "Hello_Web": "created",
        "Finish_Hello_Web": "created",
    }
    for name in ("Hello_Web", "Finish_Hello_Web"):
        metadata = api.catalog_object("service-automation", name)
        assert metadata and metadata["kind"].startswith("workflow/psa"), name
    [instance] = api.instances_named("Hello_Web", "hello-it")
    assert instance["instance_status"] == "RUNNING"
    assert instance["variables"]["GREETING"] == "Hello from Ansible"
    [deployment] = instance["deployments"]
    assert deployment["endpoint"]["url"].startswith("http://")

    again = ansible.playbook("custom_service.yml", extra_vars=extra, env=psa_env)
    assert again.rc == 0 and again.stats["changed"] == 0, again
    assert {w["status"] for w in again.result("Publish the Hello_Web")["workflows"]} == {
        "unchanged"
    }

    gone = ansible.playbook(
        "custom_service.yml", env=psa_env, extra_vars=dict(extra, hello_state="absent")
    )
    assert gone.rc == 0, gone
    assert api.instances_named("Hello_Web", "hello-it") == []


def test_playbooks_fail_cleanly_without_a_server(ansible, no_traceback):
    run = ansible.playbook("kafka.yml", extra_vars={"psa_url": "http://127.0.0.1:9"})
    assert run.rc != 0, run
    no_traceback(run)
    message = run.result("Kafka")["msg"]
    assert "127.0.0.1:9" in message and "connect" in message.lower(), run
