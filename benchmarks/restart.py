"""Restart cost of `psa-sim serve --db`: it must follow what is live, not the history.

A journal is built that recorded CHANGES changes, 1,000 instances still live at the
end: 1,000 MongoDB activations, then label updates on live instances, with one instance
in 1,000 churned (finished, cleaned, replaced) so that finished jobs and cleaned
instances are part of the history. It is built quickly, in-process: the changes are
applied to a platform as the driver applies them and written in bulk (sealed as the
driver seals them); the snapshot the server would have taken last (every
driver.SNAPSHOT_EVERY changes) is written with the worst case after it: SNAPSHOT_EVERY - 1
changes to replay.

Measured, each in a fresh subprocess: the restart (SimDriver.from_options on that file:
load the snapshot, replay the tail, run the clock), its wall time and peak RSS, against
the targets (5 s, 300 MB). Baseline, side by side: the restart of the same history
without a snapshot (full replay, as psa-sim did before snapshots); with --no-baseline it
is skipped (at 1M changes it takes minutes).

    PYTHONPATH=simulator python benchmarks/restart.py                     # 1,000,000 changes
    PYTHONPATH=simulator python benchmarks/restart.py --changes 100000    # a point of the curve
    PYTHONPATH=simulator python benchmarks/restart.py --quick             # 20,000, a smoke run
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, log, log_rows, maxrss_mb, run_side, use_simulator

NAME = "restart"
TARGET_SECONDS = 5.0
TARGET_MB = 300.0
LIVE = 1_000
CHURN_EVERY = 1_000


def build(db: Path, changes: int, snapshot: bool) -> dict:
    """Write a journal of `changes` changes (see the module's docstring)."""
    use_simulator()
    from psa_sim.platform import snapshots
    from psa_sim.platform.auth import User
    from psa_sim.platform.driver import SNAPSHOT_EVERY, SimDriver, _entry
    from psa_sim.platform.platform import Platform

    started = time.perf_counter()
    driver = SimDriver.from_options(db=str(db), nodes=LIVE + 100)
    journal = driver.journal
    assert journal._db is not None
    journal._db.execute("PRAGMA synchronous=OFF")  # building only: the restart reads it
    platform = driver.platform
    admin = User("admin", "", admin=True)
    platform.replay_user = admin  # applied as the driver replays: no session needed
    sim = platform.sim
    rows: list[tuple[float, str, bytes]] = []
    snapshot_at = changes - (SNAPSHOT_EVERY - 1) if snapshot else 0
    live: list[int] = []

    def apply(name: str, **kwargs: object) -> object:
        sim_time = sim.now
        result = getattr(Platform, name).func(platform, session_id=None, **kwargs)
        rows.append((sim_time, name, journal.seal(_entry({"session_id": None, **kwargs}, admin))))
        sim.run_until_idle()
        if journal.last_seq + len(rows) == snapshot_at:
            flush()
            journal.save_snapshot(journal.last_seq, snapshots.build(), snapshots.dump(platform))
        return result

    def flush() -> None:
        with journal.transaction() as tx:
            tx.rows.extend(rows)
        rows.clear()

    def create(k: int) -> None:
        description = {"workflow_name": "MongoDB", "variables": {"INSTANCE_NAME": f"db{k}"}}
        live.append(apply("create_instance", description=description)["instance_id"])

    for k in range(LIVE):
        create(k)
    k = LIVE
    while len(rows) + journal.last_seq < changes:
        done = journal.last_seq + len(rows)
        if done % CHURN_EVERY == 0 and changes - done >= 3:
            old = live.pop(0)
            apply(
                "instance_action", instance_id=old, description={"workflow_name": "Finish_MongoDB"}
            )
            apply("clean_instance", instance_id=old)
            create(k)
            k += 1
        else:
            iid = live[done % len(live)]
            apply("update_instance", instance_id=iid, data={"label": f"v{done}"})
        if len(rows) >= 50_000:
            flush()
            log(f"  built {journal.last_seq:,} changes ({time.perf_counter() - started:.0f} s)")
    flush()
    journal.put("clock", sim.now)
    journal.close()
    return {
        "changes": journal.last_seq,
        "live_instances": len(live),
        "build_seconds": round(time.perf_counter() - started, 1),
        "db_mb": round(db.stat().st_size / 2**20, 1),
    }


def side_restart(db: Path) -> dict:
    """One restart, in this fresh process: what `psa-sim serve --db` does before it listens."""
    use_simulator()
    from psa_sim.platform.driver import SimDriver

    started, cpu = time.perf_counter(), time.process_time()
    driver = SimDriver.from_options(db=str(db))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    instances = len(driver.platform.sim.store.active())
    driver.journal.close()
    return {
        "wall_seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),  # the wall time on a machine nobody else loads
        "maxrss_mb": maxrss_mb(),
        "live_instances": instances,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="20,000 changes: a smoke run")
    parser.add_argument("--no-baseline", action="store_true", help="skip the full replay")
    parser.add_argument("--side", choices=("build", "build-full", "restart"))
    parser.add_argument("--db", type=Path)
    parser.add_argument("--json", action="store_true", help="end with a BENCH_RESULT line")
    args = parser.parse_args(argv)
    changes = 20_000 if args.quick else args.changes
    if args.side == "restart":
        emit(side_restart(args.db))
        return 0
    if args.side in ("build", "build-full"):
        emit(build(args.db, changes, snapshot=args.side == "build"))
        return 0

    script = Path(__file__).resolve()
    with tempfile.TemporaryDirectory(prefix="psa-restart-") as tmp:
        log(f"{NAME}: a journal of {changes:,} changes, {LIVE:,} instances live")
        snap_db = Path(tmp) / "snapshot.db"
        built = run_side(
            script, ["--side", "build", "--db", str(snap_db), "--changes", str(changes)]
        )
        log(f"  built in {built['build_seconds']} s, {built['db_mb']} MB on disk")
        ours = run_side(script, ["--side", "restart", "--db", str(snap_db)])
        baseline = None
        if not args.no_baseline:
            full_db = Path(tmp) / "full.db"
            run_side(
                script, ["--side", "build-full", "--db", str(full_db), "--changes", str(changes)]
            )
            baseline = run_side(script, ["--side", "restart", "--db", str(full_db)])
    rows = [
        {
            "metric": f"restart after {changes:,} changes, {LIVE:,} live (wall)",
            "measured": ours["wall_seconds"],
            "baseline": baseline["wall_seconds"] if baseline else None,
            "unit": "s",
            "ratio": round(ours["wall_seconds"] / TARGET_SECONDS, 3),
            "target": f"<= {TARGET_SECONDS:g} s",
            "passed": ours["wall_seconds"] <= TARGET_SECONDS,
        },
        {
            "metric": "restart CPU time (context: wall on an unloaded machine)",
            "measured": ours["cpu_seconds"],
            "baseline": baseline["cpu_seconds"] if baseline else None,
            "unit": "s",
            "ratio": None,
            "target": "-",
            "passed": None,
        },
        {
            "metric": "restart peak RSS",
            "measured": ours["maxrss_mb"],
            "baseline": baseline["maxrss_mb"] if baseline else None,
            "unit": "MB",
            "ratio": round(ours["maxrss_mb"] / TARGET_MB, 3),
            "target": f"<= {TARGET_MB:g} MB",
            "passed": ours["maxrss_mb"] <= TARGET_MB,
        },
    ]
    result = {
        "name": NAME,
        "passed": all(r["passed"] is not False for r in rows),
        "rows": rows,
        "figures": {"built": built, "ours": ours, "baseline_full_replay": baseline},
    }
    log_rows(rows)
    if args.json:
        emit(result)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
