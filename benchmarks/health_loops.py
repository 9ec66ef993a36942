"""Health loops: N RUNNING MongoDB instances checked every minute for H simulated hours.

Ours: the simulator, with its batched cron-aligned loops (engine/health.py). Baseline: a
bare SimPy program doing the same number of timeouts the plain way, one process per
instance (`yield env.timeout(period)` in a loop). Each side runs in a fresh subprocess;
only the simulated hours of looping are timed, after every instance is RUNNING.

    PYTHONPATH=simulator python benchmarks/health_loops.py                 # 10,000 x 24 h
    PYTHONPATH=simulator python benchmarks/health_loops.py --instances 1000 --hours 1
    PYTHONPATH=simulator python benchmarks/health_loops.py --scale         # 100,000 x 24 h

Targets: wall ours/bare <= 1.5 and peak RSS of our side <= 150 MB (10,000 instances);
with --scale, <= 3.0 and <= 1.5 GB.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import GcClock, emit, log, maxrss_mb, run_side, run_side_median, use_simulator

NAME = "health_loops"
DEFAULT = {"instances": 10_000, "hours": 24.0, "ratio": 1.5, "memory_mb": 150.0}
SCALE = {"instances": 100_000, "hours": 24.0, "ratio": 3.0, "memory_mb": 1536.0}
# Activations take exactly this long, so every instance is RUNNING by START.
ACTIVATION_SECONDS = 1.0
START = 2.0
# Issue 14: the engine keeps at most this per live (RUNNING) instance.
BYTES_PER_LIVE_INSTANCE_MAX = 3072


def loop_ticks(period: float, hours: float) -> int:
    """Ticks of a cron-aligned loop in (START, START + hours]: what each instance checks."""
    end = START + hours * 3600.0
    return math.floor(end / period) - math.floor(START / period)


# --- our side ------------------------------------------------------------------------
def side_ours(instances: int, hours: float, period: float) -> dict:
    use_simulator()
    from psa_sim.catalog import load_catalog
    from psa_sim.engine.cluster import NodeSourceConfig
    from psa_sim.engine.simulation import Simulation
    from psa_sim.engine.timing import Distribution
    from psa_sim.states import RUNNING

    setup_started = time.perf_counter()
    # One node per instance: a deployed instance keeps its node (its PSA_ token).
    sim = Simulation(
        load_catalog(),
        node_sources=[NodeSourceConfig("Bench", instances)],
        health_period=period,
        timing={"activation": Distribution("constant", mean=ACTIVATION_SECONDS)},
    )
    for _ in range(instances):
        sim.submit_activation("MongoDB", service_id="MongoDB")
    sim.run(until=START)
    not_running = sum(1 for i in sim.store if i.state != RUNNING or i.is_transitioning)
    if not_running or len(sim.health) != instances:
        raise RuntimeError(
            f"setup: {not_running} instances not RUNNING, "
            f"{len(sim.health)} loops registered of {instances}"
        )
    setup_wall = time.perf_counter() - setup_started
    rss_setup = maxrss_mb()
    log(
        f"  ours: {instances:,} instances RUNNING at t={sim.now:g} s "
        f"(setup {setup_wall:.2f} s wall, {rss_setup} MB)"
    )

    end = START + hours * 3600.0
    # With nothing else pending, the simulation jumps over ticks of healthy instances and
    # only counts their checks. A user's run always has something else to come (arrivals,
    # actions, fault timers): one event past the horizon stands for it, so that every
    # one of the checks measured here really runs.
    from psa_sim.engine.scheduler import call_later

    call_later(sim.env, sim.counters, end + 1.0 - sim.now, lambda: None)
    checks_before, events_before = sim.counters.health_checks, sim.counters.events
    with GcClock() as gc_clock:
        started = time.perf_counter()
        sim.run(until=end)
        wall = time.perf_counter() - started
    checks = sim.counters.health_checks - checks_before
    expected = instances * loop_ticks(period, hours)
    still_running = sum(1 for i in sim.store if i.state == RUNNING and not i.is_transitioning)
    if sim.counters.events - events_before < loop_ticks(period, hours):
        raise RuntimeError("loops: the ticks were skipped, not run: nothing was measured")
    if checks != expected or still_running != instances:
        raise RuntimeError(
            f"loops: {checks:,} health checks made, {expected:,} expected; "
            f"{still_running:,} of {instances:,} instances still RUNNING"
        )
    return {
        "wall_seconds": round(wall, 6),
        "health_checks": checks,
        "health_checks_expected": expected,
        "timer_events": sim.counters.events - events_before,
        "checks_per_wall_second": round(checks / wall) if wall > 0 else None,
        "setup_wall_seconds": round(setup_wall, 3),
        "maxrss_after_setup_mb": rss_setup,
        "maxrss_mb": maxrss_mb(),
        **gc_clock.figures(),
    }


# --- the baseline ----------------------------------------------------------------------
def side_memory(instances: int) -> dict:
    """The engine's memory per live instance: what `instances` RUNNING MongoDB instances
    add to an already built cluster, traced by tracemalloc (a run of its own: tracing
    would inflate the timed side's peak RSS)."""
    use_simulator()
    from psa_sim.catalog import load_catalog
    from psa_sim.engine.cluster import NodeSourceConfig
    from psa_sim.engine.simulation import Simulation
    from psa_sim.engine.timing import Distribution

    sim = Simulation(
        load_catalog(),
        node_sources=[NodeSourceConfig("Bench", instances)],
        timing={"activation": Distribution("constant", mean=ACTIVATION_SECONDS)},
    )
    tracemalloc.start()
    traced_before = tracemalloc.get_traced_memory()[0]
    for _ in range(instances):
        sim.submit_activation("MongoDB", service_id="MongoDB")
    sim.run(until=START)
    traced = tracemalloc.get_traced_memory()[0] - traced_before
    tracemalloc.stop()
    return {
        "wall_seconds": 0.0,
        "instances": instances,
        "engine_bytes_per_running_instance": round(traced / instances),
    }


def side_bare(instances: int, hours: float, period: float) -> dict:
    import simpy

    ticks = loop_ticks(period, hours)
    env = simpy.Environment()
    finished = [0]

    def health_loop(env):
        for _ in range(ticks):
            yield env.timeout(period)
        finished[0] += 1

    for _ in range(instances):
        env.process(health_loop(env))
    with GcClock() as gc_clock:
        started = time.perf_counter()
        env.run()
        wall = time.perf_counter() - started
    if finished[0] != instances:
        raise RuntimeError(f"bare: {finished[0]} of {instances} loops finished")
    timeouts = instances * ticks
    return {
        "wall_seconds": round(wall, 6),
        "timeouts": timeouts,
        "timeouts_per_wall_second": round(timeouts / wall) if wall > 0 else None,
        "maxrss_mb": maxrss_mb(),
        **gc_clock.figures(),
    }


# --- both sides ------------------------------------------------------------------------
def compare(
    instances: int,
    hours: float,
    period: float,
    ratio_target: float,
    memory_target: float,
    repeat: int = 1,
) -> dict:
    script = Path(__file__).resolve()
    sizes = ["--instances", str(instances), "--hours", repr(hours), "--period", repr(period)]
    log(f"{NAME}: {instances:,} instances x {hours:g} h, period {period:g} s")
    ours = run_side_median(script, ["--side", "ours", *sizes], repeat)
    bare = run_side_median(script, ["--side", "bare", *sizes], repeat)
    memory = run_side(script, ["--side", "memory", "--instances", str(instances)])
    ours["engine_bytes_per_running_instance"] = memory["engine_bytes_per_running_instance"]
    ratio = ours["wall_seconds"] / bare["wall_seconds"]
    ratio_ok = ratio <= ratio_target
    memory_ok = ours["maxrss_mb"] <= memory_target
    rows = [
        {
            "metric": "wall s, ours vs bare SimPy",
            "measured": ours["wall_seconds"],
            "baseline": bare["wall_seconds"],
            "unit": "s",
            "ratio": round(ratio, 4),
            "target": f"ratio <= {ratio_target:g}",
            "passed": ratio_ok,
        },
        {
            "metric": "peak RSS MB of our side",
            "measured": ours["maxrss_mb"],
            "baseline": memory_target,
            "unit": "MB",
            "ratio": round(ours["maxrss_mb"] / memory_target, 4),
            "target": f"<= {memory_target:g} MB",
            "passed": memory_ok,
        },
        {
            "metric": f"engine bytes per RUNNING instance ({instances:,}, tracemalloc)",
            "measured": ours["engine_bytes_per_running_instance"],
            "baseline": BYTES_PER_LIVE_INSTANCE_MAX,
            "unit": "B",
            "ratio": round(
                ours["engine_bytes_per_running_instance"] / BYTES_PER_LIVE_INSTANCE_MAX, 4
            ),
            "target": f"<= {BYTES_PER_LIVE_INSTANCE_MAX:,} B",
            "passed": ours["engine_bytes_per_running_instance"] <= BYTES_PER_LIVE_INSTANCE_MAX,
        },
    ]
    return {
        "name": NAME,
        "params": {
            "instances": instances,
            "hours": hours,
            "health_period": period,
            "repeat": repeat,
            "activation_seconds": ACTIVATION_SECONDS,
            "loops_from": START,
        },
        "figures": {"ours": ours, "bare": bare, "wall_ratio_ours_over_bare": round(ratio, 4)},
        "target": {"wall_ratio_max": ratio_target, "peak_memory_mb_max": memory_target},
        "rows": rows,
        "passed": all(row["passed"] for row in rows),
    }


def report(result: dict) -> None:
    ours, bare = result["figures"]["ours"], result["figures"]["bare"]
    log(
        f"  ours: {ours['wall_seconds']:.3f} s for {ours['health_checks']:,} health checks "
        f"({ours['checks_per_wall_second']:,}/s), peak RSS {ours['maxrss_mb']} MB, "
        f"GC {ours['gc_seconds']} s; median of wall {ours['runs_wall_seconds']} s"
    )
    log(
        f"  bare: {bare['wall_seconds']:.3f} s for {bare['timeouts']:,} timeouts "
        f"({bare['timeouts_per_wall_second']:,}/s), peak RSS {bare['maxrss_mb']} MB, "
        f"GC {bare['gc_seconds']} s; median of wall {bare['runs_wall_seconds']} s"
    )
    for row in result["rows"]:
        log(
            f"  {row['metric']}: {row['measured']} {row['unit']} "
            f"(ratio {row['ratio']}, target {row['target']}): "
            f"{'pass' if row['passed'] else 'FAIL'}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, help="RUNNING instances (default 10,000)")
    parser.add_argument("--hours", type=float, help="simulated hours of loops (default 24)")
    parser.add_argument("--period", type=float, default=60.0, help="health period, s")
    parser.add_argument(
        "--scale",
        action="store_true",
        help="the bigger target: 100,000 instances x 24 h, <= 3x, <= 1.5 GB",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs of each side (fresh subprocesses); the median counts",
    )
    parser.add_argument(
        "--side",
        choices=("ours", "bare", "memory"),
        help="run one side only, in this process (what the harness spawns)",
    )
    parser.add_argument(
        "--json", action="store_true", help="end with a BENCH_RESULT line for benchmarks/run.py"
    )
    args = parser.parse_args(argv)
    preset = SCALE if args.scale else DEFAULT
    instances = args.instances or preset["instances"]
    hours = args.hours or preset["hours"]
    if instances < 1 or hours <= 0 or args.period <= START:
        parser.error(f"need instances >= 1, hours > 0 and period > {START:g} s")

    if args.side == "memory":
        emit(side_memory(instances))
        return 0
    if args.side:
        side = side_ours if args.side == "ours" else side_bare
        emit(side(instances, hours, args.period))
        return 0
    result = compare(
        instances, hours, args.period, preset["ratio"], preset["memory_mb"], args.repeat
    )
    result["params"]["scale"] = args.scale
    report(result)
    if args.json:
        emit(result)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
