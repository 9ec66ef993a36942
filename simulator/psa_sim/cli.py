"""The `psa-sim` command line: catalog, validate, serve, run."""

from __future__ import annotations

import argparse
import json
import sys

from psa_sim import __version__
from psa_sim.catalog import (CatalogError, describe_catalog, load_catalog,
                             render_catalog_text, validate_files)
from psa_sim.errors import PsaError

# Exit codes: 1 a check failed (bad workflow, failed threshold); 2 bad input.
EXIT_FAILED = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="psa-sim",
        description="A discrete-event simulator of ProActive Service Automation (PSA).")
    parser.add_argument("--version", action="version", version=f"psa-sim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    catalog = commands.add_parser("catalog", help="list services, workflows, transitions "
                                                  "and variables")
    catalog.add_argument("--catalog", metavar="DIR",
                         help="a folder of workflow XML files (default: the bundled catalog)")
    catalog.add_argument("--json", action="store_true", help="print JSON")

    validate = commands.add_parser("validate", help="check PSA workflow XML files")
    validate.add_argument("files", nargs="+", metavar="FILE.xml")

    serve = commands.add_parser("serve", help="serve the ProActive REST API (PSA, catalog, "
                                              "scheduler, RM) over the simulation")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default: loopback only)")
    serve.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    serve.add_argument("--db", metavar="FILE",
                       help="SQLite file keeping every change (default: memory only)")
    serve.add_argument("--clock", choices=("instant", "realtime", "manual"),
                       default="instant", help="how simulated time moves (default: instant)")
    serve.add_argument("--speed", type=float, default=1.0,
                       help="simulated seconds per wall second, for --clock realtime")
    serve.add_argument("--seed", type=int, help="random seed (default 0)")
    serve.add_argument("--nodes", type=int, help="nodes in the LocalNodes source (default 4)")
    serve.add_argument("--catalog", metavar="DIR",
                       help="a folder of workflow XML files preloaded in bucket "
                            "service-automation (default: the bundled catalog)")
    serve.add_argument("--users", metavar="FILE",
                       help="YAML list of {name, password, admin} (default: admin/admin)")

    run = commands.add_parser("run", help="run a scenario headless in simulated time")
    run.add_argument("scenario", metavar="SCENARIO.yaml")
    run.add_argument("--seed", type=int, help="override the scenario's seed")
    run.add_argument("--catalog", metavar="DIR",
                     help="a folder of workflow XML files (default: the bundled catalog)")
    run.add_argument("--json", action="store_true", help="print the summary as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "catalog":
            return _catalog(args)
        if args.command == "validate":
            return _validate(args)
        if args.command == "serve":
            from psa_sim.api.serve import serve
            return serve(args)
        return _run(args)
    except (PsaError, CatalogError) as exc:
        print(f"psa-sim {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _catalog(args) -> int:
    index = load_catalog(args.catalog)
    if args.json:
        print(json.dumps(describe_catalog(index), indent=2))
    else:
        print(render_catalog_text(index), end="")
    return 0


def _validate(args) -> int:
    failed = 0
    for report in validate_files(args.files):
        name = f" (workflow '{report.workflow}')" if report.workflow else ""
        for warning in report.warnings:
            print(f"{report.path}{name}: warning: {warning}")
        for error in report.errors:
            print(f"{report.path}{name}: error: {error}", file=sys.stderr)
        if report.ok:
            service = f", service {report.service_id}" if report.service_id else ""
            print(f"{report.path}: ok{name}{service}")
        else:
            failed += 1
    if failed:
        print(f"{failed} of {len(args.files)} file(s) invalid", file=sys.stderr)
        return EXIT_FAILED
    return 0


def _run(args) -> int:
    from psa_sim.loadtest.runner import run_scenario
    from psa_sim.loadtest.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    index = load_catalog(args.catalog)
    result = run_scenario(scenario, index, seed=args.seed)
    if args.json:
        print(json.dumps(result.summary, indent=2))
    else:
        print(_render_summary(result.summary))
    # Wall-clock figures change from run to run: kept off stdout, which replays exactly.
    print("performance: " + json.dumps(result.performance), file=sys.stderr)
    return 0 if result.passed else EXIT_FAILED


def _render_summary(summary: dict) -> str:
    ttr = summary["time_to_running_s"]
    lines = [
        f"scenario {summary['scenario']} (seed {summary['seed']}), "
        f"{summary['simulated_seconds']:.0f} simulated seconds",
        f"instances created: {summary['instances']['created']}",
    ]
    for state, count in summary["instances"]["by_state"].items():
        lines.append(f"  {state:<24} {count}")
    lines.append(f"time to running (s): p50 {ttr['p50']}  p95 {ttr['p95']}  p99 {ttr['p99']}")
    for name, dist in summary["action_latencies_s"].items():
        lines.append(f"  {name:<24} n={dist['count']}  p50 {dist['p50']}  p95 {dist['p95']}")
    lines.append(f"error rate: {summary['error_rate']}")
    for cause, count in summary["errors_by_cause"].items():
        lines.append(f"  {cause}: {count}")
    wait = summary["queue_wait_s"]
    lines.append(f"queue wait (s): p50 {wait['p50']}  p95 {wait['p95']}  max {wait['max']}")
    lines.append(f"node utilization: {summary['nodes']['utilization']}  "
                 f"({summary['nodes']['total']} nodes)")
    lines.append(f"events: {summary['events']['scheduled']} scheduled, "
                 f"{summary['events']['health_checks']} health checks")
    if summary["leaks"]:
        lines.append("LEAKS: " + "; ".join(summary["leaks"]))
    for t in summary["thresholds"]:
        mark = "ok  " if t["passed"] else "FAIL"
        lines.append(f"threshold {mark} {t['name']}: measured {t['measured']} "
                     f"(limit {t['limit']})")
    lines.append("PASSED" if summary["passed"] else "FAILED")
    return "\n".join(lines)
