"""Life-cycle throughput: short-lived MongoDB services, complete life-cycles per wall second.

One activation of MongoDB arrives every INTERVAL simulated seconds on a cluster of 100
nodes; 600 s after its activation completes an observer submits Finish_MongoDB. A
life-cycle is COMPLETE when the instance is FINISHED and its activation's health loop
has seen it, released its PSA_ node token and ended: the observer counts those
activation jobs ending FINISHED. At the end every life-cycle must be complete, nothing
may be queued, no loop may be left, and `sim.leaks()` must be empty.

Measured: complete life-cycles / wall seconds of `sim.run()` (the arrivals are made inside
it). The target, 10,000/s, is the baseline (ratio measured/target). As context only, a
bare SimPy program runs the same number of timeouts as our run scheduled
(`counters.events`), in its own subprocess.

With the default timing model a life-cycle holds its node about 685 s (activation ~40 s,
600 s of use, finish ~15 s, then up to one health period before the loop releases the
token), so 100 nodes sustain one arrival per ~6.9 s: at 6.6 s the queue grows without
bound. The default 7.0 s keeps ~98 life-cycles in flight (see `mean_concurrency`).

    PYTHONPATH=simulator python benchmarks/lifecycle_throughput.py                # 50,000
    PYTHONPATH=simulator python benchmarks/lifecycle_throughput.py --lifecycles 2000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import GcClock, emit, log, log_rows, maxrss_mb, run_side_median, use_simulator

NAME = "lifecycle_throughput"
TARGET_PER_SECOND = 10_000.0
SERVICE, ACTIVATION, FINISH = "MongoDB", "MongoDB", "Finish_MongoDB"


# --- our side ------------------------------------------------------------------------
def side_ours(lifecycles: int, nodes: int, interval: float, lifetime: float, seed: int) -> dict:
    use_simulator()
    from psa_sim.catalog import load_catalog
    from psa_sim.engine.cluster import NodeSourceConfig
    from psa_sim.engine.jobs import JobStatus
    from psa_sim.engine.kinds import JobKind
    from psa_sim.engine.observer import Observer
    from psa_sim.engine.scheduler import call_later
    from psa_sim.engine.simulation import Simulation
    from psa_sim.states import FINISHED

    class LifeCycles(Observer):
        """Finishes each instance `lifetime` after it runs; counts complete life-cycles."""

        def __init__(self) -> None:
            self.sim = None
            self.completed = 0
            self.in_flight = 0
            self.max_in_flight = 0
            self.created_at: dict[int, float] = {}
            self.lifecycle_seconds = 0.0

        def instance_created(self, instance, job) -> None:
            self.created_at[instance.instance_id] = self.sim.env.now
            self.in_flight += 1
            if self.in_flight > self.max_in_flight:
                self.max_in_flight = self.in_flight

        def transition_completed(self, instance, job) -> None:
            if job.kind == JobKind.ACTIVATION:
                sim = self.sim
                call_later(
                    sim.env, sim.counters, lifetime, sim.submit_action, instance.instance_id, FINISH
                )

        def job_ended(self, job) -> None:
            # The loop ends the activation job FINISHED once it released the token.
            if (
                job.kind == JobKind.ACTIVATION
                and job.status is JobStatus.FINISHED
                and job.instance.state == FINISHED
            ):
                self.completed += 1
                self.in_flight -= 1
                self.lifecycle_seconds += self.sim.env.now - self.created_at.pop(
                    job.instance.instance_id
                )

    index = load_catalog()
    observer = LifeCycles()
    sim = Simulation(
        index, seed=seed, node_sources=[NodeSourceConfig("Bench", nodes)], observer=observer
    )
    observer.sim = sim
    arrived = [0]
    max_queued = [0]

    def arrive() -> None:
        sim.submit_activation(ACTIVATION, service_id=SERVICE)
        arrived[0] += 1
        queued = len(sim.scheduler.pending_plain)
        if queued > max_queued[0]:
            max_queued[0] = queued
        if arrived[0] < lifecycles:
            call_later(sim.env, sim.counters, interval, arrive)

    call_later(sim.env, sim.counters, 0.0, arrive)
    with GcClock() as gc_clock:
        started = time.perf_counter()
        sim.run()  # until nothing is left: the last loop stops ticking once it ends
        wall = time.perf_counter() - started

    leaks = sim.leaks()
    unfinished = sum(1 for i in sim.store if i.state != FINISHED or i.is_transitioning)
    problems = []
    if observer.completed != lifecycles:
        problems.append(f"{observer.completed:,} of {lifecycles:,} life-cycles complete")
    if unfinished:
        problems.append(f"{unfinished:,} instances not FINISHED")
    if leaks:
        problems.append(f"{len(leaks)} leaks, e.g. {leaks[0]}")
    if sim.scheduler.queued() or len(sim.health):
        problems.append(f"{sim.scheduler.queued()} jobs queued, {len(sim.health)} loops left")
    if problems:
        raise RuntimeError("life-cycles: " + "; ".join(problems))
    return {
        "wall_seconds": round(wall, 6),
        "lifecycles_completed": observer.completed,
        "lifecycles_per_wall_second": round(observer.completed / wall, 1),
        "leaks": len(leaks),
        "timer_events": sim.counters.events,
        "health_checks": sim.counters.health_checks,
        "simulated_seconds": sim.now,
        "mean_lifecycle_seconds": round(observer.lifecycle_seconds / observer.completed, 1),
        "mean_concurrency": round(observer.lifecycle_seconds / sim.now, 1),
        "max_concurrency": observer.max_in_flight,
        "max_queued_activations": max_queued[0],
        "timing": {
            kind: d.kind + f"(mean={d.mean:g}, sd={d.sd:g})"
            for kind, d in sim.timing.distributions.items()
            if kind in ("activation", "finish")
        },
        "maxrss_mb": maxrss_mb(),
        **gc_clock.figures(),
    }


# --- the context baseline ----------------------------------------------------------------
def side_bare(timeouts: int, processes: int, interval: float) -> dict:
    import simpy

    env = simpy.Environment()
    done = [0]

    def worker(env, count):
        for _ in range(count):
            yield env.timeout(interval)
        done[0] += count

    share, extra = divmod(timeouts, processes)
    for p in range(processes):
        env.process(worker(env, share + (1 if p < extra else 0)))
    with GcClock() as gc_clock:
        started = time.perf_counter()
        env.run()
        wall = time.perf_counter() - started
    if done[0] != timeouts:
        raise RuntimeError(f"bare: {done[0]} of {timeouts} timeouts")
    return {
        "wall_seconds": round(wall, 6),
        "timeouts": timeouts,
        "processes": processes,
        "timeouts_per_wall_second": round(timeouts / wall) if wall > 0 else None,
        "maxrss_mb": maxrss_mb(),
        **gc_clock.figures(),
    }


# --- both sides ------------------------------------------------------------------------
def compare(
    lifecycles: int, nodes: int, interval: float, lifetime: float, seed: int, repeat: int = 3
) -> dict:
    script = Path(__file__).resolve()
    log(
        f"{NAME}: {lifecycles:,} life-cycles on {nodes} nodes, one arrival every "
        f"{interval:g} s, finished {lifetime:g} s after running"
    )
    ours = run_side_median(
        script,
        [
            "--side",
            "ours",
            "--lifecycles",
            str(lifecycles),
            "--nodes",
            str(nodes),
            "--interval",
            repr(interval),
            "--lifetime",
            repr(lifetime),
            "--seed",
            str(seed),
        ],
        repeat,
    )
    bare = run_side_median(
        script,
        [
            "--side",
            "bare",
            "--timeouts",
            str(ours["timer_events"]),
            "--processes",
            str(nodes),
            "--interval",
            repr(interval),
        ],
        repeat,
    )
    measured = ours["lifecycles_per_wall_second"]
    ratio = measured / TARGET_PER_SECOND
    passed = ratio >= 1.0
    context = ours["wall_seconds"] / bare["wall_seconds"]
    rows = [
        {
            "metric": "complete life-cycles per wall s",
            "measured": measured,
            "baseline": TARGET_PER_SECOND,
            "unit": "/s",
            "ratio": round(ratio, 4),
            "target": f">= {TARGET_PER_SECOND:,.0f}/s",
            "passed": passed,
        },
        {
            "metric": f"wall s, ours vs bare SimPy ({ours['timer_events']:,} timeouts)",
            "measured": ours["wall_seconds"],
            "baseline": bare["wall_seconds"],
            "unit": "s",
            "ratio": round(context, 4),
            "target": "(context)",
            "passed": None,
        },
    ]
    return {
        "name": NAME,
        "params": {
            "lifecycles": lifecycles,
            "nodes": nodes,
            "interval": interval,
            "lifetime": lifetime,
            "seed": seed,
            "repeat": repeat,
        },
        "figures": {
            "ours": ours,
            "bare": bare,
            "throughput_ratio_to_target": round(ratio, 4),
            "wall_ratio_ours_over_bare": round(context, 4),
        },
        "target": {"lifecycles_per_wall_second_min": TARGET_PER_SECOND},
        "rows": rows,
        "passed": passed,
    }


def report(result: dict) -> None:
    ours, bare = result["figures"]["ours"], result["figures"]["bare"]
    log(
        f"  ours: {ours['lifecycles_completed']:,} complete life-cycles in "
        f"{ours['wall_seconds']:.3f} s = {ours['lifecycles_per_wall_second']:,}/s; "
        f"{ours['timer_events']:,} timer events, {ours['health_checks']:,} health checks, "
        f"{ours['simulated_seconds']:,.0f} simulated s, mean concurrency "
        f"{ours['mean_concurrency']} (max {ours['max_concurrency']}), max queued "
        f"{ours['max_queued_activations']}, leaks {ours['leaks']}, "
        f"GC {ours['gc_seconds']} s, peak RSS {ours['maxrss_mb']} MB; median of wall "
        f"{ours['runs_wall_seconds']} s"
    )
    log(
        f"  bare: {bare['timeouts']:,} timeouts in {bare['wall_seconds']:.3f} s "
        f"({bare['timeouts_per_wall_second']:,}/s), peak RSS {bare['maxrss_mb']} MB; median "
        f"of wall {bare['runs_wall_seconds']} s"
    )
    log_rows(result["rows"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lifecycles", type=int, default=50_000)
    parser.add_argument("--nodes", type=int, default=100)
    parser.add_argument(
        "--interval", type=float, default=7.0, help="simulated seconds between two activations"
    )
    parser.add_argument(
        "--lifetime",
        type=float,
        default=600.0,
        help="simulated seconds from RUNNING to Finish_MongoDB",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each side (fresh subprocesses); the median counts",
    )
    parser.add_argument("--side", choices=("ours", "bare"))
    parser.add_argument("--timeouts", type=int, help="bare side: how many timeouts")
    parser.add_argument("--processes", type=int, default=100, help="bare side: processes")
    parser.add_argument(
        "--json", action="store_true", help="end with a BENCH_RESULT line for benchmarks/run.py"
    )
    args = parser.parse_args(argv)
    if args.lifecycles < 1 or args.nodes < 1 or args.interval <= 0 or args.lifetime < 0:
        parser.error("need lifecycles >= 1, nodes >= 1, interval > 0, lifetime >= 0")

    if args.side == "ours":
        emit(side_ours(args.lifecycles, args.nodes, args.interval, args.lifetime, args.seed))
        return 0
    if args.side == "bare":
        if not args.timeouts:
            parser.error("--side bare needs --timeouts")
        emit(side_bare(args.timeouts, args.processes, args.interval))
        return 0
    result = compare(
        args.lifecycles, args.nodes, args.interval, args.lifetime, args.seed, args.repeat
    )
    report(result)
    if args.json:
        emit(result)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
