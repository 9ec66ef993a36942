"""The journal under faults, without HTTP: a write that fails at any step leaves the
server's state and its database in agreement, and a restart replays every acknowledged
change as it was accepted, whatever the users file says by then."""

from __future__ import annotations

import sqlite3
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from psa_sim.errors import NotFound, ServiceUnavailable, Unauthorized
from psa_sim.platform.driver import SimDriver
from psa_sim.platform.journal import DatabaseInUse, IncompatibleDatabase, Journal
from psa_sim.platform.platform import Platform

MONGO = {"workflow_name": "MongoDB", "variables": {"USER": "u", "PASSWORD": "s3cr3t-value"}}


def start(**options: Any) -> SimDriver:
    driver = SimDriver.from_options(**options)
    driver.start()
    return driver


class FailingDb:
    """A sqlite3 connection whose chosen statements fail as a full or broken disk does."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.fail_on: set[str] = set()

    def _check(self, sql: str) -> None:
        if any(sql.lstrip().upper().startswith(word) for word in self.fail_on):
            raise sqlite3.OperationalError("disk I/O error")

    def execute(self, sql: str, *args: Any) -> Any:
        self._check(sql)
        return self.db.execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> Any:
        self._check(sql)
        return self.db.executemany(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.db, name)


def broken(driver: SimDriver) -> FailingDb:
    failing = FailingDb(driver.journal._db)  # type: ignore[arg-type]
    driver.journal._db = failing  # type: ignore[assignment]
    return failing


def instances(driver: SimDriver, sid: str) -> list[tuple[int, str, str]]:
    return [
        (i["instance_id"], i["variables"].get("INSTANCE_NAME", ""), i["instance_status"])
        for i in driver.call_sync(Platform.list_instances, session_id=sid)
    ]


def named(name: str) -> dict[str, Any]:
    return {"workflow_name": "MongoDB", "variables": {"INSTANCE_NAME": name}}


@pytest.mark.parametrize("failing_step", ["BEGIN", "INSERT", "COMMIT"])
def test_a_change_the_journal_cannot_keep_is_not_made(tmp_path: Path, failing_step: str) -> None:
    db = str(tmp_path / "s.db")
    driver = start(db=db)
    try:
        sid = driver.login_sync("admin", "admin")
        driver.call_sync(Platform.create_instance, session_id=sid, description=named("kept"))
        failing = broken(driver)
        failing.fail_on = {failing_step}
        with pytest.raises(ServiceUnavailable, match="disk I/O error"):
            driver.call_sync(Platform.create_instance, session_id=sid, description=named("lost"))
        # Not in memory either: the next change takes the id the refused one would have.
        assert [name for _, name, _ in instances(driver, sid)] == ["kept"]
        failing.fail_on = set()
        again = driver.call_sync(Platform.create_instance, session_id=sid, description=named("b"))
        assert again["instance_id"] == 2
        driver.call_sync(
            Platform.instance_action,
            session_id=sid,
            instance_id=2,
            description={"workflow_name": "Pause_MongoDB"},
        )
        before = instances(driver, sid)
    finally:
        driver.stop()
    # The database replays to the very same state: nothing refers to a change it lacks.
    driver = start(db=db)
    try:
        sid = driver.login_sync("admin", "admin")
        assert instances(driver, sid) == before
    finally:
        driver.stop()


def test_a_locked_database_refuses_changes_and_the_loop_goes_on(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    driver = start(db=str(db))
    holder = sqlite3.connect(str(db), isolation_level=None)
    try:
        sid = driver.login_sync("admin", "admin")
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(ServiceUnavailable, match="database is locked"):
            driver.call_sync(Platform.create_instance, session_id=sid, description=named("x"))
        driver._checkpoint(force=True)  # must not raise: logged and tried again later
        assert instances(driver, sid) == []  # reads still answer
        holder.execute("ROLLBACK")
        created = driver.call_sync(Platform.create_instance, session_id=sid, description=named("y"))
        assert created["instance_id"] == 1
    finally:
        holder.close()
        driver.stop()


def test_a_second_server_on_the_same_file_is_refused_naming_the_first(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    first = Journal(db)
    try:
        with pytest.raises(DatabaseInUse, match=rf"{db}.*in use.*pid \d+"):
            Journal(db)
    finally:
        first.close()
    Journal(db).close()  # free again once the first is gone


def test_a_database_of_the_previous_format_is_refused_clearly(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    old = sqlite3.connect(str(db))
    old.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, sim_time REAL,"
        " name TEXT, args TEXT);"
        "INSERT INTO changes (sim_time, name, args) VALUES (0, 'open_session', '{}');"
    )
    old.commit()
    old.close()
    with pytest.raises(IncompatibleDatabase, match=r"journal format 1.*new --db"):
        Journal(db)


USERS = (
    "- {name: root, password: r00t, admin: true}\n"
    "- {name: alice, password: a}\n"
    "- {name: bob, password: b}\n"
)


def test_restart_keeps_what_was_accepted_whatever_the_users_file_says_now(
    tmp_path: Path,
) -> None:
    users = tmp_path / "users.yaml"
    users.write_text(USERS)
    db = str(tmp_path / "s.db")
    driver = start(db=db, users=str(users))
    try:
        alice = driver.login_sync("alice", "a")
        bob = driver.login_sync("bob", "b")  # bob only logs in
        root = driver.login_sync("root", "r00t")
        driver.call_sync(Platform.create_instance, session_id=alice, description=named("alices"))
        driver.call_sync(
            Platform.add_node_token, session_id=root, node_url=_node_url(driver), token="tk"
        )
    finally:
        driver.stop()
    # alice and bob removed, root demoted, a new admin.
    users.write_text("- {name: root, password: r00t}\n- {name: carol, password: c, admin: true}\n")
    driver = start(db=db, users=str(users))
    try:
        carol = driver.login_sync("carol", "c")
        assert [(i, n) for i, n, _ in instances(driver, carol)] == [(1, "alices")]
        assert (
            driver.call_sync(Platform.get_instance, session_id=carol, instance_id=1)["user_name"]
            == "alice"
        )
        assert "tk" in driver.call_sync(Platform.rm_tokens)
        for gone in (alice, bob, root):  # removed users, or a user whose entry changed
            with pytest.raises(Unauthorized):
                driver.call_sync(Platform.list_instances, session_id=gone)
        with pytest.raises(Unauthorized):
            driver.login_sync("alice", "a")
        root = driver.login_sync("root", "r00t")
        assert instances(driver, root) == []  # no longer an admin: sees only their own
    finally:
        driver.stop()


def _node_url(driver: SimDriver) -> str:
    return driver.platform.sim.cluster.nodes[0].url


def test_sessions_survive_a_restart_and_end_with_a_password_change(tmp_path: Path) -> None:
    users = tmp_path / "users.yaml"
    users.write_text(USERS)
    db = str(tmp_path / "s.db")
    driver = start(db=db, users=str(users))
    alice = driver.login_sync("alice", "a")
    bob = driver.login_sync("bob", "b")
    driver.logout(bob)
    driver.stop()
    driver = start(db=db, users=str(users))
    try:
        assert driver.connected(alice) is True
        assert driver.connected(bob) is False  # a logout stays a logout
    finally:
        driver.stop()
    users.write_text(USERS.replace("password: a}", "password: new-a}"))
    driver = start(db=db, users=str(users))
    try:
        assert driver.connected(alice) is False
    finally:
        driver.stop()


def test_expired_sessions_stay_expired_after_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    driver = start(db=db)
    sid = driver.login_sync("admin", "admin")
    driver.stop()
    journal = Journal(db)
    journal.touch_sessions({key: 0.0 for key, *_ in journal.sessions()})  # used in 1970
    journal.close()
    driver = start(db=db)
    try:
        assert driver.connected(sid) is False
    finally:
        driver.stop()


def test_a_local_reader_of_the_database_finds_no_usable_secret(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    driver = start(db=str(db))
    sid = driver.login_sync("admin", "admin")
    driver.call_sync(Platform.create_instance, session_id=sid, description=MONGO)
    driver.stop()
    files = [p for p in tmp_path.iterdir() if p.name.startswith("s.db")]
    assert {p.name for p in files} >= {"s.db", "s.db.key", "s.db.lock"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        content = path.read_bytes()
        assert sid.encode() not in content, path
        assert b"s3cr3t-value" not in content, path
        assert b"admin" not in content or path.name != "s.db.key"


def test_a_journal_that_cannot_be_read_back_stops_the_server_clearly(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    driver = start(db=db)
    try:
        sid = driver.login_sync("admin", "admin")
        failing = broken(driver)
        failing.fail_on = {"COMMIT", "SELECT"}  # nor written, nor read back
        with pytest.raises(ServiceUnavailable):
            driver.call_sync(Platform.create_instance, session_id=sid, description=named("x"))
        failing.fail_on = set()
        with pytest.raises(ServiceUnavailable, match="restart the server"):
            driver.call_sync(Platform.list_instances, session_id=sid)
    finally:
        driver.stop()


# --- snapshots and compaction ----------------------------------------------------------
def _ops_before(driver: SimDriver, sid: str) -> None:
    for k in range(4):
        driver.call_sync(Platform.create_instance, session_id=sid, description=named(f"a{k}"))
    driver.call_sync(Platform.advance, session_id=sid, seconds=600)
    driver.call_sync(
        Platform.instance_action,
        session_id=sid,
        instance_id=2,
        description={"workflow_name": "Pause_MongoDB"},
    )
    driver.call_sync(Platform.advance, session_id=sid, seconds=2)  # Pause in flight


def _ops_after(driver: SimDriver, sid: str) -> list[dict[str, Any]]:
    driver.call_sync(Platform.create_instance, session_id=sid, description=named("b"))
    driver.call_sync(
        Platform.instance_action,
        session_id=sid,
        instance_id=3,
        description={"workflow_name": "Finish_MongoDB"},
    )
    driver.call_sync(Platform.advance, session_id=sid, seconds=7200)
    return driver.call_sync(Platform.list_instances, session_id=sid)


def test_a_snapshot_restores_the_very_state_replay_would(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    driver = start(db=db, clock="manual", snapshot_every=3)
    sid = driver.login_sync("admin", "admin")
    _ops_before(driver, sid)
    time.sleep(0.2)  # the loop takes its snapshot between requests
    assert driver.journal.snapshot() is not None
    assert driver.journal.count() < 7  # compacted: the snapshot holds the rest
    driver.stop()  # a graceful stop snapshots what is left
    journal = Journal(db)
    assert journal.count() == 0 and journal.snapshot() is not None
    journal.close()
    driver = start(db=db, clock="manual", snapshot_every=3)
    try:
        restored = _ops_after(driver, driver.login_sync("admin", "admin"))
    finally:
        driver.stop()
    # The same history on a server that never stopped.
    driver = start(clock="manual")
    try:
        sid = driver.login_sync("admin", "admin")
        _ops_before(driver, sid)
        uninterrupted = _ops_after(driver, sid)
    finally:
        driver.stop()
    assert restored == uninterrupted


def test_a_snapshot_of_another_build_is_refused_clearly(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    driver = start(db=db)
    sid = driver.login_sync("admin", "admin")
    driver.call_sync(Platform.create_instance, session_id=sid, description=named("x"))
    driver.stop()
    journal = Journal(db)
    saved = journal.snapshot()
    assert saved is not None
    journal.save_snapshot(saved[0], "another-build", saved[2])
    journal.close()
    with pytest.raises(IncompatibleDatabase, match="another build of psa-sim"):
        SimDriver.from_options(db=db)
    Journal(db).close()  # the refused start released the file


def test_finished_jobs_are_forgotten_after_their_delay(tmp_path: Path) -> None:
    driver = start(clock="manual", remove_jobs_after=3600)
    finish = {"workflow_name": "Finish_MongoDB"}
    try:
        sid = driver.login_sync("admin", "admin")
        first = driver.call_sync(Platform.create_instance, session_id=sid, description=named("a"))
        driver.call_sync(Platform.advance, session_id=sid, seconds=600)
        driver.call_sync(
            Platform.instance_action, session_id=sid, instance_id=1, description=finish
        )
        driver.call_sync(Platform.advance, session_id=sid, seconds=600)
        job = first["job_submissions"][0]["job_id"]
        assert driver.call_sync(Platform.get_job, session_id=sid, job_id=job)["jobInfo"]
        driver.call_sync(Platform.advance, session_id=sid, seconds=7200)
        driver.call_sync(Platform.create_instance, session_id=sid, description=named("b"))
        driver.call_sync(Platform.advance, session_id=sid, seconds=600)
        driver.call_sync(
            Platform.instance_action, session_id=sid, instance_id=2, description=finish
        )
        driver.call_sync(Platform.advance, session_id=sid, seconds=600)  # b's jobs end
        with pytest.raises(NotFound, match=f"no job {job}"):
            driver.call_sync(Platform.get_job, session_id=sid, job_id=job)
        # The instance it belonged to is untouched; so are the recent jobs.
        assert (
            driver.call_sync(Platform.get_instance, session_id=sid, instance_id=1)[
                "instance_status"
            ]
            == "FINISHED"
        )
        latest = driver.call_sync(Platform.get_instance, session_id=sid, instance_id=2)
        assert driver.call_sync(
            Platform.get_job, session_id=sid, job_id=latest["job_submissions"][0]["job_id"]
        )
    finally:
        driver.stop()


def test_a_reset_forgets_the_snapshot_too(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    driver = start(db=db)
    sid = driver.login_sync("admin", "admin")
    driver.call_sync(Platform.create_instance, session_id=sid, description=named("x"))
    driver.stop()  # leaves a snapshot
    driver = start(db=db)
    sid = driver.login_sync("admin", "admin")
    driver.call_sync(SimDriver.reset, session_id=sid)
    driver.stop()
    driver = start(db=db)
    try:
        assert instances(driver, driver.login_sync("admin", "admin")) == []
    finally:
        driver.stop()
