"""Run every benchmark, each in its own subprocess, one after the other; print a table.

    PYTHONPATH=simulator python benchmarks/run.py            # full sizes, writes results.json
    PYTHONPATH=simulator python benchmarks/run.py --quick    # smoke run, small sizes
    tox -e bench                                             # the same as the first

Exit 0 when every target is met, 1 when one is missed or a benchmark failed, so that
`tox -e bench` can gate. A --quick run is marked "quick" and does not replace
benchmarks/results.json unless --write is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BENCH_DIR, RESULT_PREFIX, child_env, log, machine_info

# name, script, extra arguments: full, --quick, --scale
BENCHMARKS = [
    (
        "health_loops",
        "health_loops.py",
        {"full": [], "quick": ["--instances", "1000", "--hours", "1"], "scale": ["--scale"]},
    ),
    (
        "lifecycle_throughput",
        "lifecycle_throughput.py",
        {"full": [], "quick": ["--lifecycles", "2000"], "scale": []},
    ),
    (
        "server_http",
        "server_http.py",
        {
            "full": [],
            "quick": [
                "--seconds",
                "1",
                "--warmup",
                "0.5",
                "--repeat",
                "1",
                "--instances",
                "1000",
                "--gets",
                "10",
            ],
            "scale": [],
        },
    ),
    (
        "mixed_day",
        "mixed_day.py",
        {
            "full": [],
            "quick": ["--repeat", "1", "--scales", "10"],
            "scale": ["--scales", "10,100,1000"],
        },
    ),
    (
        "portal_pages",
        "portal_pages.py",
        {"full": [], "quick": ["--instances", "200", "--repeat", "3"], "scale": []},
    ),
    (
        "restart",
        "restart.py",
        # 100,000 changes with the full-replay baseline side by side; --restart-1m runs
        # the 1,000,000-change target (its build takes minutes, its baseline longer).
        {"full": ["--changes", "100000"], "quick": ["--quick"], "scale": ["--no-baseline"]},
    ),
    (
        "collection_noop",
        "collection_noop.py",
        {"full": [], "quick": ["--repeat", "4", "--converge", "2"], "scale": []},
    ),
    (
        "collection_fleet",
        "collection_fleet.py",
        # The target is for 100 instances: fewer leave the task's fixed cost (starting
        # the module) dominant, so --quick measures the full size too (about a minute).
        {"full": [], "quick": [], "scale": []},
    ),
    (
        "test_service_catalog",
        "test_service_catalog.py",
        {"full": [], "quick": ["--repeat", "1"], "scale": []},
    ),
    (
        "inventory_build",
        "inventory_build.py",
        {"full": [], "quick": ["--instances", "100", "--repeat", "1"], "scale": []},
    ),
]
RESULTS = BENCH_DIR / "results.json"


def run_benchmark(name: str, script: str, args: list[str]) -> dict:
    command = [sys.executable, str(BENCH_DIR / script), "--json", *args]
    started = time.perf_counter()
    # stderr (progress) goes straight to ours; stdout carries the BENCH_RESULT line.
    proc = subprocess.run(command, env=child_env(), stdout=subprocess.PIPE, text=True)
    harness_wall = round(time.perf_counter() - started, 1)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if not lines or proc.returncode not in (0, 1):
        return {
            "name": name,
            "passed": False,
            "harness_wall_seconds": harness_wall,
            "error": f"{' '.join(command[1:])} exited {proc.returncode} without a result",
            "rows": [
                {
                    "metric": "(error: see the log above)",
                    "measured": None,
                    "baseline": None,
                    "unit": "",
                    "ratio": None,
                    "target": "-",
                    "passed": False,
                }
            ],
        }
    result = json.loads(lines[-1][len(RESULT_PREFIX) :])
    result["harness_wall_seconds"] = harness_wall
    return result


def _number(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.6g}" if abs(value) < 1000 else f"{value:,.1f}"
    return f"{value:,.0f}"


def table(results: list[dict]) -> str:
    header = ("benchmark", "measured", "baseline", "ratio", "target", "result")
    lines = []
    for result in results:
        for row in result["rows"]:
            verdict = "-" if row["passed"] is None else ("pass" if row["passed"] else "FAIL")
            unit = f" {row['unit']}" if row["unit"] and row["measured"] is not None else ""
            lines.append(
                (
                    f"{result['name']}: {row['metric']}",
                    _number(row["measured"]) + unit,
                    _number(row["baseline"]) + (unit if row["baseline"] is not None else ""),
                    _number(row["ratio"]),
                    row["target"],
                    verdict,
                )
            )
    widths = [max(len(str(r[i])) for r in [header, *lines]) for i in range(len(header))]
    fmt = " | ".join(f"{{:{'<' if i in (0, 4) else '>'}{w}}}" for i, w in enumerate(widths))
    out = [fmt.format(*header), "-+-".join("-" * w for w in widths)]
    out += [fmt.format(*line) for line in lines]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument(
        "--scale",
        action="store_true",
        help="the bigger targets: health loops at 100,000 instances x 24 h, and the mixed "
        "day at 1,000x (a million users) besides 10x and 100x",
    )
    parser.add_argument(
        "--write", action="store_true", help="write results.json even for a --quick run"
    )
    parser.add_argument(
        "--restart-1m",
        action="store_true",
        help="restart: the 1,000,000-change journal (minutes to build), without baseline",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        choices=[name for name, _, _ in BENCHMARKS],
        help="run only this benchmark (repeatable)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write")
    args = parser.parse_args(argv)
    if args.quick and args.scale:
        parser.error("--quick and --scale are exclusive")
    size = "quick" if args.quick else ("scale" if args.scale else "full")

    started = time.perf_counter()
    results = []
    for name, script, sizes in BENCHMARKS:
        if args.only and name not in args.only:
            continue
        extra = sizes[size]
        if name == "restart" and args.restart_1m:
            extra = ["--no-baseline"]
        results.append(run_benchmark(name, script, extra))
        log("")
    passed = all(r["passed"] for r in results)
    print(table(results))
    print(
        f"\n{'all targets met' if passed else 'TARGET MISSED'} "
        f"({size} run, {time.perf_counter() - started:.0f} s)"
    )

    document = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "quick": args.quick,
        "scale": args.scale,
        "machine": machine_info(),
        "passed": passed,
        "benchmarks": {r["name"]: {k: v for k, v in r.items() if k != "name"} for r in results},
    }
    if not args.quick or args.write:
        args.output.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n")
        print(f"wrote {args.output}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
