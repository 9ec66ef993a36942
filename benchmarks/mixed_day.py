"""A mixed day of 1,000 users, headless, against its wall-time target.

    python benchmarks/mixed_day.py [--scenario scenarios/mixed-1000-users.yaml] [--repeat 3] [--json]

The scenario: MongoDB (with pause and resume), JupyterLab, Kafka starting its Zookeeper
and Spark on HDFS deployed and taken down step by step, on 50 nodes, for 24 simulated
hours, with container crashes, failing actions and a node failure. Measured: the wall
time of the whole run (`run_scenario`: parsing excluded, summary included), median of
`--repeat` runs each in a fresh interpreter. Target: <= 10 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, log, log_rows, maxrss_mb, run_side_median, use_simulator

NAME = "mixed_day"
TARGET_SECONDS = 10.0
DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "mixed-1000-users.yaml"


def side(scenario_path: Path) -> dict:
    use_simulator()
    from psa_sim.catalog import load_catalog
    from psa_sim.loadtest.runner import run_scenario
    from psa_sim.loadtest.scenario import load_scenario

    scenario = load_scenario(scenario_path)
    index = load_catalog()
    started = time.perf_counter()
    summary = run_scenario(scenario, index).summary
    wall = time.perf_counter() - started
    if summary["leaks"]:
        raise RuntimeError(f"the run leaked: {summary['leaks']}")
    return {
        "wall_seconds": round(wall, 4),
        "instances_created": summary["instances"]["created"],
        "by_state": summary["instances"]["by_state"],
        "errors": sum(summary["errors_by_cause"].values()),
        "events_scheduled": summary["events"]["scheduled"],
        "health_checks": summary["events"]["health_checks"],
        "simulated_seconds": summary["simulated_seconds"],
        "maxrss_mb": maxrss_mb(),
    }


def compare(scenario_path: Path, repeat: int) -> dict:
    log(f"{NAME}: {scenario_path.name}, median of {repeat} runs")
    ours = run_side_median(
        Path(__file__).resolve(), ["--side", "--scenario", str(scenario_path)], repeat
    )
    passed = ours["wall_seconds"] <= TARGET_SECONDS
    rows = [
        {
            "metric": f"wall s of a 24 h day, {ours['instances_created']:,} users, 50 nodes, "
            f"faults on",
            "measured": ours["wall_seconds"],
            "baseline": TARGET_SECONDS,
            "unit": "s",
            "ratio": round(ours["wall_seconds"] / TARGET_SECONDS, 4),
            "target": f"<= {TARGET_SECONDS:g} s",
            "passed": passed,
        }
    ]
    return {
        "name": NAME,
        "params": {"scenario": str(scenario_path), "repeat": repeat},
        "figures": {"ours": ours},
        "target": {"wall_seconds_max": TARGET_SECONDS},
        "rows": rows,
        "passed": passed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="end with a result line")
    parser.add_argument("--side", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side:
        emit(side(args.scenario))
        return 0
    result = compare(args.scenario, args.repeat)
    ours = result["figures"]["ours"]
    log(
        f"  {ours['instances_created']:,} instances, {ours['errors']} errors, "
        f"{ours['events_scheduled']:,} events, {ours['health_checks']:,} health checks, "
        f"peak RSS {ours['maxrss_mb']} MB; wall of each run {ours['runs_wall_seconds']} s"
    )
    log_rows(result["rows"])
    if args.json:
        emit(result)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
