"""The `psa-sim` command line: catalog, validate, serve, run, sweep, new-service,
test-service."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from psa_sim import __version__, defaults
from psa_sim.authoring import commands as authoring
from psa_sim.catalog import (
    CatalogError,
    ServiceIndex,
    describe_catalog,
    load_catalog,
    render_catalog_text,
    validate_paths,
)
from psa_sim.catalog.loader import index_of_files
from psa_sim.catalog.service_checks import check_services, state_graph_dot
from psa_sim.errors import InvalidInput, PsaError

# Exit codes: 1 a check failed (bad workflow, failed threshold, in any run of a sweep);
# 2 bad input.
EXIT_FAILED = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="psa-sim",
        description="A discrete-event simulator of ProActive Service Automation (PSA).",
    )
    parser.add_argument("--version", action="version", version=f"psa-sim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    catalog = commands.add_parser(
        "catalog", help="list services, workflows, transitions and variables"
    )
    catalog.add_argument(
        "--catalog",
        metavar="DIR",
        help="a folder of workflow XML files (default: the bundled catalog)",
    )
    catalog.add_argument("--json", action="store_true", help="print JSON")
    catalog.add_argument(
        "--graph",
        metavar="SERVICE",
        help="print the service's state graph as Graphviz DOT and draw it (see --picture)",
    )
    catalog.add_argument(
        "--picture",
        metavar="FILE",
        help="with --graph: the picture to write, .svg or .png (default: SERVICE.svg)",
    )

    authoring.add_parsers(commands)

    validate = commands.add_parser(
        "validate", help="check PSA workflow XML files (a directory: every *.xml below it)"
    )
    validate.add_argument("files", nargs="+", metavar="FILE.xml|DIR")
    validate.add_argument(
        "--strict",
        action="store_true",
        help="service-level warnings (unreachable states, no activation, …) become errors",
    )

    serve = commands.add_parser(
        "serve",
        help="serve the ProActive REST API (PSA, catalog, scheduler, RM) over the simulation",
    )
    serve.add_argument(
        "--host", default=defaults.HOST, help="address to bind (default: loopback only)"
    )
    serve.add_argument("--port", type=int, default=defaults.PORT, help="0 picks a free port")
    serve.add_argument(
        "--db", metavar="FILE", help="SQLite file keeping every change (default: memory only)"
    )
    serve.add_argument(
        "--clock",
        choices=("instant", "realtime", "manual"),
        default="instant",
        help="how simulated time moves (default: instant)",
    )
    serve.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="simulated seconds per wall second, for --clock realtime",
    )
    serve.add_argument("--seed", type=int, help="random seed (default 0)")
    serve.add_argument(
        "--nodes",
        type=int,
        help=f"nodes in the {defaults.NODE_SOURCE} source (default {defaults.NODES})",
    )
    serve.add_argument(
        "--catalog",
        metavar="DIR",
        help="a folder of workflow XML files preloaded in bucket "
        "service-automation (default: the bundled catalog)",
    )
    serve.add_argument(
        "--users",
        metavar="FILE",
        help="YAML list of {name, password, admin, groups}; a password may be a bcrypt "
        "or Argon2 hash (default: admin/admin)",
    )
    serve.add_argument(
        "--remove-jobs-after",
        type=float,
        metavar="SECONDS",
        help="forget a finished job this many simulated seconds after it ended, as the "
        "real scheduler's automaticremovejobdelay does; 0 keeps them (default 86400; a new "
        "--db only: an existing one keeps its own)",
    )
    serve.add_argument(
        "--snapshot-every",
        type=_positive_int,
        metavar="N",
        help="with --db, save a snapshot of the whole state every N changes and compact "
        "the journal (default 10000)",
    )
    serve.add_argument(
        "--max-upload-bytes",
        type=_positive_int,
        help="largest catalog upload accepted, in bytes (default 10 MiB)",
    )
    serve.add_argument(
        "--max-body-bytes",
        type=_positive_int,
        help="largest other request body accepted, in bytes (default 1 MiB)",
    )

    run = commands.add_parser("run", help="run a scenario headless in simulated time")
    run.add_argument("scenario", metavar="SCENARIO.yaml")
    run.add_argument("--seed", type=int, help="override the scenario's seed")
    run.add_argument(
        "--catalog",
        metavar="DIR",
        help="a folder of workflow XML files (default: the bundled catalog)",
    )
    run.add_argument("--json", action="store_true", help="print the summary as JSON")
    run.add_argument(
        "--out",
        metavar="DIR",
        help="write a report there: summary.json, instances.csv, "
        "timeseries.csv, charts (PNG) and report.html",
    )
    run.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="no progress bar (there is none either when stderr is not a terminal)",
    )

    sweep = commands.add_parser(
        "sweep",
        help="run a scenario over seeds and parameter values, and compare",
        description="Run every combination of the --set values for every seed, and "
        "compare the headline metrics. Exit status: 0 every run passed its "
        "thresholds; 1 some run failed one; 2 bad input (a --set key or value, "
        "a seed range).",
    )
    sweep.add_argument("scenario", metavar="SCENARIO.yaml")
    sweep.add_argument(
        "--seeds",
        metavar="A..B",
        help="seeds to run, inclusive: 1..20, or 7, or 1,5,9 (default: the scenario's seed)",
    )
    sweep.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=V1,V2",
        help="values of a scenario key to sweep, e.g. "
        "cluster.node_sources[0].nodes=10,20,40 (values read as YAML "
        "scalars); repeat it to sweep every combination",
    )
    sweep.add_argument(
        "--workers",
        type=_positive_int,
        metavar="N",
        help="local worker processes (default: the number of CPUs; 1 runs "
        "here), or the workers of --dask local",
    )
    sweep.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run on this Dask distributed scheduler (tcp://host:8786), "
        "or 'local' to start a LocalCluster (needs psa-sim[dask])",
    )
    sweep.add_argument(
        "--catalog",
        metavar="DIR",
        help="a folder of workflow XML files (default: the bundled catalog)",
    )
    sweep.add_argument(
        "--out",
        metavar="DIR",
        help="write sweep.csv, sweep.html, summaries.json and a chart per headline metric there",
    )
    sweep.add_argument("--json", action="store_true", help="print the rows as JSON")
    sweep.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


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
        if args.command == "sweep":
            return _sweep(args)
        if args.command == "new-service":
            return authoring.new_service(args)
        if args.command == "test-service":
            return authoring.test_service(args)
        return _run(args)
    except (PsaError, CatalogError) as exc:
        print(f"psa-sim {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _catalog(args: argparse.Namespace) -> int:
    index = load_catalog(args.catalog)
    if args.graph:
        return _graph(index, args.graph, args.picture)
    if args.json:
        print(json.dumps(describe_catalog(index), indent=2))
    else:
        print(render_catalog_text(index), end="")
    return 0


def _graph(index: ServiceIndex, service_id: str, picture: str | None) -> int:
    from psa_sim.catalog.graph_picture import draw_state_graph

    if picture is not None and Path(picture).suffix.lower() not in (".svg", ".png"):
        raise InvalidInput(f"--picture: {picture!r} must end in .svg or .png")
    graph = index.state_graph(service_id)  # ServiceNotFound names the service
    print(state_graph_dot(index, service_id), end="")
    written = draw_state_graph(graph, service_id, picture or f"{service_id}.svg")
    print(f"picture: {written}", file=sys.stderr)
    return 0


def _validate(args: argparse.Namespace) -> int:
    failed = 0
    reports = validate_paths(args.files)
    for report in reports:
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
    # Service level: the state machine the valid files make together.
    usable = [report.path for report in reports if report.ok]
    service_warnings = check_services(index_of_files(usable)) if usable else []
    for problem in service_warnings:
        stream = sys.stderr if args.strict else sys.stdout
        print(f"{'error' if args.strict else 'warning'}: {problem}", file=stream)
    if failed:
        print(f"{failed} of {len(reports)} file(s) invalid", file=sys.stderr)
        return EXIT_FAILED
    if args.strict and service_warnings:
        print(f"{len(service_warnings)} service-level problem(s) (--strict)", file=sys.stderr)
        return EXIT_FAILED
    return 0


def _run(args: argparse.Namespace) -> int:
    from psa_sim.loadtest.progress import RunProgress, terminal_console
    from psa_sim.loadtest.report import (
        prepare_out_dir,
        render_summary,
        summary_json,
        write_run_report,
    )
    from psa_sim.loadtest.runner import run_scenario
    from psa_sim.loadtest.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    index = load_catalog(args.catalog)
    if args.out:
        _usable_out_dir(args.out, prepare_out_dir)
    console = terminal_console(args.quiet)
    progress = RunProgress(console, scenario.duration) if console is not None else None
    result = run_scenario(scenario, index, seed=args.seed, record=bool(args.out), progress=progress)
    if args.json:
        sys.stdout.write(summary_json(result.summary))
    else:
        print(render_summary(result.summary))
    if args.out:
        files = write_run_report(result, scenario, args.out)
        if not args.json:
            print(f"report: {files[-1]} ({len(files)} files in {args.out})")
    # Wall-clock figures change from run to run: kept off stdout, which replays exactly.
    print("performance: " + json.dumps(result.performance), file=sys.stderr)
    return 0 if result.passed else EXIT_FAILED


def _usable_out_dir(out: str, prepare: Callable[[str], object]) -> None:
    try:
        prepare(out)
    except OSError as exc:
        raise PsaError(f"--out: cannot write into {out!r}: {exc.strerror or exc}") from None


def _sweep(args: argparse.Namespace) -> int:
    from psa_sim.loadtest import sweep

    plan = sweep.plan_sweep(args.scenario, seeds=args.seeds, sets=args.sets, catalog=args.catalog)
    if args.out:
        _usable_out_dir(args.out, sweep.prepare_out_dir)
    result = sweep.run_sweep(plan, workers=args.workers, dask=args.dask, quiet=args.quiet)
    if args.json:
        print(json.dumps(result.rows, indent=2))
    else:
        print(sweep.render_text(result))
    if args.out:
        files = sweep.write_sweep_report(result, args.out)
        if not args.json:
            print(f"report: {files[1]} ({len(files)} files in {args.out})")
    print("performance: " + json.dumps(result.performance), file=sys.stderr)
    return 0 if result.passed else EXIT_FAILED
