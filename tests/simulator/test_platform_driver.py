"""The server core without HTTP: the driver thread, clocks, journal and restarts."""

from __future__ import annotations

import time

import pytest

from psa_sim.errors import Forbidden, InvalidInput, Unauthorized
from psa_sim.platform.driver import SimDriver
from psa_sim.platform.journal import Journal
from psa_sim.platform.operations import replayable
from psa_sim.platform.platform import Platform

MONGO = {"workflow_name": "MongoDB", "variables": {"USER": "u", "PASSWORD": "p"}}


@pytest.fixture
def users_file(tmp_path):
    path = tmp_path / "users.yaml"
    path.write_text(
        "- {name: root, password: r00t, admin: true}\n"
        "- {name: alice, password: a}\n- {name: bob, password: b}\n"
    )
    return str(path)


def start(**options) -> SimDriver:
    driver = SimDriver.from_options(**options)
    driver.start()
    return driver


def test_instant_clock_runs_an_activation_to_running_and_stops(tmp_path):
    driver = start(db=str(tmp_path / "s.db"))
    try:
        sid = driver.login_sync("admin", "admin")
        created = driver.call_sync(Platform.create_instance, session_id=sid, description=MONGO)
        assert created["instance_status"] == "VOID -> RUNNING"
        instance = driver.call_sync(Platform.get_instance, session_id=sid, instance_id=1)
        assert instance["instance_status"] == "RUNNING"
        first = driver.call_sync(SimDriver.clock, session_id=sid)["simulated_seconds"]
        time.sleep(0.2)
        assert driver.call_sync(SimDriver.clock, session_id=sid)["simulated_seconds"] == first
    finally:
        driver.stop()


def test_restart_restores_state_and_resumes_a_transition_in_flight(tmp_path):
    db = str(tmp_path / "s.db")
    driver = start(db=db, clock="manual")
    sid = driver.login_sync("admin", "admin")
    driver.call_sync(Platform.create_instance, session_id=sid, description=MONGO)
    driver.call_sync(Platform.advance, session_id=sid, seconds=3600)
    driver.call_sync(
        Platform.instance_action,
        session_id=sid,
        instance_id=1,
        description={"workflow_name": "Pause_MongoDB"},
    )
    before = driver.call_sync(Platform.get_instance, session_id=sid, instance_id=1)
    assert before["instance_status"] == "RUNNING -> PAUSED"
    driver.stop()

    again = start(db=db, clock="manual")
    try:
        # The session, the instance in flight and the clock are back.
        after = again.call_sync(Platform.get_instance, session_id=sid, instance_id=1)
        assert after == before
        assert again.call_sync(SimDriver.clock, session_id=sid)["simulated_seconds"] == 3600
        again.call_sync(Platform.advance, session_id=sid, seconds=120)
        paused = again.call_sync(Platform.get_instance, session_id=sid, instance_id=1)
        assert paused["instance_status"] == "PAUSED"
    finally:
        again.stop()


def test_a_refused_request_changes_nothing_and_is_not_journaled(tmp_path):
    db = str(tmp_path / "s.db")
    driver = start(db=db)
    sid = driver.login_sync("admin", "admin")
    with pytest.raises(InvalidInput, match="SERVICE_PORT"):
        driver.call_sync(
            Platform.create_instance,
            session_id=sid,
            description={"workflow_name": "MongoDB", "variables": {"SERVICE_PORT": "x"}},
        )
    assert driver.call_sync(Platform.list_instances, session_id=sid) == []
    driver.stop()
    journal = Journal(db)
    # A login is no change of the simulation: sessions have a table of their own.
    assert [name for _, name, _ in journal.changes()] == []
    journal.close()


def test_the_journal_never_holds_a_password(tmp_path):
    db = tmp_path / "s.db"
    driver = start(db=str(db))
    driver.login_sync("admin", "admin")
    driver.stop()
    assert b'"password"' not in db.read_bytes()
    journal = Journal(db)
    assert all("password" not in entry["args"] for _, _, entry in journal.changes())
    journal.close()


def test_sessions_and_ownership(users_file):
    driver = start(users=users_file)
    try:
        with pytest.raises(Unauthorized, match="bad username or password"):
            driver.login_sync("alice", "wrong")
        alice = driver.login_sync("alice", "a")
        bob = driver.login_sync("bob", "b")
        root = driver.login_sync("root", "r00t")
        driver.call_sync(Platform.create_instance, session_id=alice, description=MONGO)
        with pytest.raises(Forbidden, match="belongs to another user"):
            driver.call_sync(Platform.get_instance, session_id=bob, instance_id=1)
        assert driver.call_sync(Platform.list_instances, session_id=bob) == []
        assert len(driver.call_sync(Platform.list_instances, session_id=root)) == 1
        with pytest.raises(Forbidden, match="not an administrator"):
            driver.call_sync(Platform.advance, session_id=alice, seconds=1)
        with pytest.raises(Unauthorized):
            driver.call_sync(Platform.list_instances, session_id=None)
        driver.logout(alice)
        assert driver.connected(alice) is False
        assert driver.connected(bob) is True
    finally:
        driver.stop()


def test_idle_sessions_expire(tmp_path):
    driver = start()
    try:
        sid = driver.login_sync("admin", "admin")
        driver.platform.sessions.idle_timeout = 0.05
        time.sleep(0.1)
        with pytest.raises(Unauthorized, match="expired"):
            driver.call_sync(Platform.list_instances, session_id=sid)
    finally:
        driver.stop()


def test_realtime_clock_moves_at_its_speed():
    driver = start(clock="realtime", speed=600)
    try:
        sid = driver.login_sync("admin", "admin")
        driver.call_sync(Platform.create_instance, session_id=sid, description=MONGO)
        time.sleep(0.5)
        seconds = driver.call_sync(SimDriver.clock, session_id=sid)["simulated_seconds"]
        assert 200 <= seconds <= 600
        assert (
            driver.call_sync(Platform.get_instance, session_id=sid, instance_id=1)[
                "instance_status"
            ]
            == "RUNNING"
        )
    finally:
        driver.stop()


def test_reset_and_clock_changes(tmp_path):
    db = str(tmp_path / "s.db")
    driver = start(db=db)
    sid = driver.login_sync("admin", "admin")
    driver.call_sync(Platform.create_instance, session_id=sid, description=MONGO)
    driver.call_sync(SimDriver.reset, session_id=sid)
    assert driver.call_sync(Platform.list_instances, session_id=sid) == []  # the session survives
    with pytest.raises(InvalidInput, match="'warp' is not one of"):
        driver.call_sync(SimDriver.set_clock, session_id=sid, mode="warp")
    assert driver.call_sync(SimDriver.set_clock, session_id=sid, mode="manual")["mode"] == "manual"
    driver.stop()
    again = start(db=db)
    try:
        assert again.call_sync(Platform.list_instances, session_id=sid) == []
    finally:
        again.stop()


def test_same_seed_and_requests_give_the_same_ids_and_outcomes():
    outcomes = []
    for _ in range(2):
        driver = start(seed=11)
        sid = driver.login_sync("admin", "admin")
        for _ in range(3):
            driver.call_sync(Platform.create_instance, session_id=sid, description=MONGO)
        data = driver.call_sync(Platform.list_instances, session_id=sid)
        outcomes.append(
            [
                (
                    i["instance_id"],
                    i["instance_status"],
                    i["deployments"][0]["endpoint"]["url"],
                    i["job_submissions"][0]["job_id"],
                )
                for i in data
            ]
        )
        driver.stop()
    assert outcomes[0] == outcomes[1]


def test_only_declared_operations_can_be_called():
    driver = start()
    try:
        sid = driver.login_sync("admin", "admin")
        # A string, and a platform method that is not an operation.
        for not_an_operation in ("list_instances", Platform.require_admin):
            with pytest.raises(InvalidInput, match="is not an operation of the server"):
                driver.call_sync(not_an_operation, session_id=sid)  # type: ignore[arg-type]
        assert driver.call_sync(Platform.list_instances, session_id=sid) == []
    finally:
        driver.stop()


def test_journaled_operations_keep_the_names_existing_databases_hold():
    # Renaming one of these would make every --db file that journaled it unreadable.
    written_by_earlier_versions = {
        "create_instance",
        "instance_action",
        "update_instance",
        "clean_instance",
        "create_bucket",
        "add_object",
        "add_revision",
        "delete_object",
        "kill_job",
        "add_node_token",
        "remove_node_token",
        "advance",
        "crash_container",
        "fail_node",
        "repair_node",
    }
    for name in written_by_earlier_versions:
        owner = replayable(name).owner  # Platform, or one of its mixins (scheduler, RM)
        assert owner is not None and issubclass(Platform, owner)
    with pytest.raises(KeyError):
        replayable("list_instances")  # a read is never journaled


def test_the_sim_api_action_list_is_for_administrators_only(users_file):
    driver = start(users=users_file)
    try:
        alice = driver.login_sync("alice", "a")
        root = driver.login_sync("root", "r00t")
        driver.call_sync(Platform.create_instance, session_id=alice, description=MONGO)
        # Like every /sim-api route: even the instance's owner is refused.
        with pytest.raises(Forbidden, match="not an administrator"):
            driver.call_sync(Platform.executable_actions, session_id=alice, instance_id=1)
        actions = driver.call_sync(Platform.executable_actions, session_id=root, instance_id=1)
        assert "Finish_MongoDB" in {a["workflow_name"] for a in actions}
    finally:
        driver.stop()
