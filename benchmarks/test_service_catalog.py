"""`psa-sim test-service` on the whole bundled catalog: its wall time against a 5 s budget.

    python benchmarks/test_service_catalog.py [--repeat 3] [--json]

Each run is a fresh interpreter doing what a user types, `psa-sim test-service
<bundled catalog folder>` (`python -m psa_sim test-service ...`), timed from the
process's start to its end: imports, parsing every workflow, and every path of every
service in its own simulation. The median of `--repeat` runs is compared with the
issue's budget ("under 5 s of wall time"); target ratio <= 1. The run must report every
service passing (exit 0), else the benchmark fails instead of reporting a time. Prints a
report on stderr; with --json, ends with a `BENCH_RESULT <json>` line for
benchmarks/run.py. Exit 0 when the target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import RESULT_PREFIX, SIMULATOR_DIR, child_env, log

NAME = "test_service_catalog"
BUDGET_SECONDS = 5.0
_SUMMARY = re.compile(r"^(\d+) of (\d+) service\(s\) pass$", re.MULTILINE)


def one_run() -> tuple[float, int, int]:
    """Wall seconds of one `psa-sim test-service` on the bundled catalog; services passed
    and tested."""
    folder = SIMULATOR_DIR / "psa_sim" / "catalog" / "bundled"
    command = [sys.executable, "-m", "psa_sim", "test-service", str(folder)]
    started = time.perf_counter()
    proc = subprocess.run(command, env=child_env(), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    found = _SUMMARY.search(proc.stdout)
    if proc.returncode != 0 or found is None:
        raise SystemExit(
            f"{' '.join(command)} exited {proc.returncode}:\n{proc.stdout[-2000:]}{proc.stderr}"
        )
    return wall, int(found.group(1)), int(found.group(2))


def compare(repeat: int) -> dict:
    runs = [one_run() for _ in range(max(1, repeat))]
    walls = sorted(round(wall, 3) for wall, _, _ in runs)
    wall = statistics.median(walls)
    _, passed, services = runs[0]
    log(f"  {services} services, {passed} pass; walls {walls} s")
    ratio = round(wall / BUDGET_SECONDS, 3)
    rows = [
        {
            "metric": f"test-service on the bundled catalog ({services} services): wall "
            "vs the budget",
            "measured": wall,
            "baseline": BUDGET_SECONDS,
            "unit": "s",
            "ratio": ratio,
            "target": "<= 1 (5 s)",
            "passed": ratio <= 1,
        }
    ]
    return {
        "name": NAME,
        "passed": rows[0]["passed"],
        "services": services,
        "repeat": repeat,
        "runs_wall_seconds": walls,
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs (median kept)")
    parser.add_argument("--json", action="store_true", help="end with a BENCH_RESULT line")
    args = parser.parse_args(argv)
    log(f"{NAME}: {args.repeat} run(s)")
    result = compare(args.repeat)
    for row in result["rows"]:
        log(
            f"  {row['metric']}: {row['measured']} s vs {row['baseline']} s "
            f"(ratio {row['ratio']}, target {row['target']}): "
            f"{'pass' if row['passed'] else 'FAIL'}"
        )
    if args.json:
        print(RESULT_PREFIX + json.dumps(result, sort_keys=True), flush=True)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
