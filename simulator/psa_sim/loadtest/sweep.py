"""Sweeps: one scenario run over seeds and parameter values, then compared.

``psa-sim sweep SCENARIO.yaml --seeds 1..20 --set cluster.node_sources[0].nodes=10,20,40``
runs every combination of the ``--set`` values (several ``--set`` multiply) for every
seed. Each run is a :class:`SweepTask` -- the scenario as data (:func:`scenario_data`),
the overrides, the seed -- that a worker turns back into a scenario (the overrides set on
the data, dumped to YAML, read by ``parse_scenario``) and runs; it returns the summary.
Tasks and results are plain data, so they pickle, and a run's summary is the same in
whichever process or machine runs it: a local process pool (``--workers N``) or a Dask
distributed cluster (``--dask ADDRESS``) give the same rows.

Every combination is read and checked against the catalog before anything runs, so a
bad key (``workloads[0].colour``), index (``cluster.node_sources[5]``), value
(``nodes=abc``) or seed range (``5..1``) is an error naming it, raised as
:class:`SweepError` (the command exits 2).
"""

from __future__ import annotations

import copy
import csv
import itertools
import json
import math
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from psa_sim.catalog import load_catalog
from psa_sim.errors import InvalidInput
from psa_sim.loadtest import charts, htmlpage
from psa_sim.loadtest.report import prepare_out_dir, scenario_yaml
from psa_sim.loadtest.scenario import (
    Scenario,
    ScenarioError,
    check_against_catalog,
    load_scenario,
    parse_scenario,
    scenario_to_dict,
)

__all__ = [
    "CHART_METRICS",
    "METRICS",
    "SweepError",
    "SweepPlan",
    "SweepResult",
    "SweepTask",
    "parse_seeds",
    "parse_set",
    "plan_sweep",
    "render_text",
    "run_sweep",
    "run_task",
    "scenario_data",
    "scenario_with",
    "write_sweep_report",
]


class SweepError(InvalidInput):
    """A bad ``--seeds``, ``--set``, or executor option; the message names it."""


# Each headline metric: (column, label, unit, how to read it from a summary).
METRICS = (
    ("instances_created", "instances created", "", lambda s: s["instances"]["created"]),
    ("p50_time_to_running", "p50 time to running", "s", lambda s: s["time_to_running_s"]["p50"]),
    ("p95_time_to_running", "p95 time to running", "s", lambda s: s["time_to_running_s"]["p95"]),
    ("p99_time_to_running", "p99 time to running", "s", lambda s: s["time_to_running_s"]["p99"]),
    ("error_rate", "error rate", "", lambda s: s["error_rate"]),
    ("node_utilization", "node utilization", "", lambda s: s["nodes"]["utilization"]),
    ("p95_queue_wait", "p95 queue wait", "s", lambda s: s["queue_wait_s"]["p95"]),
    ("max_queue_wait", "max queue wait", "s", lambda s: s["queue_wait_s"]["max"]),
)
#: The metrics charted against the swept parameter (one PNG each: sweep_<name>.png).
CHART_METRICS = (
    "p50_time_to_running",
    "p95_time_to_running",
    "error_rate",
    "node_utilization",
    "p95_queue_wait",
)
# The scenario threshold on each metric, when it sets one (drawn on its chart).
_THRESHOLD_OF = {
    "p50_time_to_running": "p50_time_to_running",
    "p95_time_to_running": "p95_time_to_running",
    "p99_time_to_running": "p99_time_to_running",
    "error_rate": "error_rate",
    "node_utilization": "max_node_utilization",
    "p95_queue_wait": "p95_queue_wait",
    "max_queue_wait": "max_queue_wait",
}
_METRIC = {name: (label, unit, read) for name, label, unit, read in METRICS}


# -- reading the options ----------------------------------------------------------------

_RANGE = re.compile(r"\s*(\d+)\s*\.\.\s*(\d+)\s*")
_LIST = re.compile(r"\s*\d+\s*(,\s*\d+\s*)*")


def parse_seeds(text: str | None, default: int) -> list[int]:
    """``"1..20"`` (inclusive), ``"7"`` or ``"1,5,9"``; ``None`` gives ``[default]``."""
    if text is None:
        return [default]
    match = _RANGE.fullmatch(text)
    if match:
        low, high = int(match[1]), int(match[2])
        if low > high:
            raise SweepError(
                f"--seeds {text!r}: the range is empty ({low} is more "
                f"than {high}; write {high}..{low})"
            )
        return list(range(low, high + 1))
    if _LIST.fullmatch(text):
        seeds = [int(part) for part in text.split(",")]
        if len(set(seeds)) != len(seeds):
            raise SweepError(f"--seeds {text!r}: a seed is given twice")
        return seeds
    raise SweepError(
        f"--seeds {text!r} is not a seed range: write A..B (e.g. 1..20), "
        f"one seed (7) or a list (1,5,9) of whole numbers 0 or more"
    )


_KEY = r"[^.\[\]=\s]+"
_PATH = re.compile(rf"{_KEY}(?:\[\d+\])*(?:\.{_KEY}(?:\[\d+\])*)*")
_TOKEN = re.compile(rf"({_KEY})|\[(\d+)\]")


def _path_tokens(path: str) -> list[str | int]:
    return [key if key else int(index) for key, index in _TOKEN.findall(path)]


def parse_set(text: str) -> tuple[str, list]:
    """``"KEY=V1,V2"`` → (``KEY``, the values read as YAML scalars).

    ``10`` gives 10, ``0.5`` 0.5, ``true`` True, ``null`` None, ``2m`` the string "2m".
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise SweepError(
            f"--set {text!r}: write KEY=V1,V2 (e.g. cluster.node_sources[0].nodes=10,20,40)"
        )
    if not _PATH.fullmatch(key):
        raise SweepError(
            f"--set {text!r}: {key!r} is not a key path (write keys joined "
            f"by dots, list items as [i]: workloads[0].arrivals_per_hour)"
        )
    if key == "seed":
        raise SweepError("--set seed: sweep seeds with --seeds A..B")
    if not raw.strip():
        raise SweepError(f"--set {key}: no value given")
    values = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            raise SweepError(f"--set {key}={raw}: an empty value")
        try:
            value = yaml.safe_load(part)
        except yaml.YAMLError:
            value = part
        if isinstance(value, (list, dict)):
            raise SweepError(
                f"--set {key}={raw}: {part!r} is not a single value (values are YAML scalars)"
            )
        if value is not None and not isinstance(value, (str, int, float, bool)):
            value = part  # a date or other implicit type: as written
        values.append(value)
    return key, values


def _describe(node) -> str:
    if isinstance(node, dict):
        return "its keys: " + (", ".join(map(str, node)) or "none")
    if isinstance(node, list):
        return f"it has {len(node)} item{'s' if len(node) != 1 else ''}"
    return f"it is the value {node!r}"


def _set_path(data: dict, path: str, value) -> None:
    """Set ``path`` in the scenario data; the path must exist up to its last part.

    The last key may be new only in a mapping of free keys (``variables``,
    ``thresholds``); elsewhere a key the scenario does not have is an error, as is a list
    index past the end.
    """
    tokens = _path_tokens(path)
    node = data
    walked = ""
    for position, token in enumerate(tokens):
        last = position == len(tokens) - 1
        shown = (
            f"{walked}[{token}]"
            if isinstance(token, int)
            else (f"{walked}.{token}" if walked else token)
        )
        if isinstance(token, int):
            if not isinstance(node, list):
                raise SweepError(
                    f"--set {path}: {walked or 'the scenario'} is not a list ({_describe(node)})"
                )
            if token >= len(node):
                raise SweepError(
                    f"--set {path}: the scenario has no {shown} "
                    f"({walked} has {len(node)} item"
                    f"{'s' if len(node) != 1 else ''})"
                )
        else:
            if not isinstance(node, dict):
                raise SweepError(
                    f"--set {path}: {walked or 'the scenario'} is not a mapping ({_describe(node)})"
                )
            free = walked.endswith("variables") or walked == "thresholds"
            if token not in node and not (last and free):
                raise SweepError(
                    f"--set {path}: the scenario has no key {token!r}"
                    f"{' in ' + walked if walked else ''} ({_describe(node)})"
                )
        if last:
            node[token] = value
        else:
            node = node[token]
        walked = shown


def scenario_data(scenario: Scenario) -> dict:
    """The scenario as data to set keys in: ``scenario_to_dict``, so every key the
    scenario format has is there (defaults included) and values are as the scenario
    read them, but with each workload's actions in the file's order, so that
    ``workloads[0].actions[1]`` is the second action written (the scenario sorts them by
    ``after`` again when read back)."""
    data = scenario_to_dict(scenario)
    for i, workload in enumerate(data["workloads"]):
        actions = workload["actions"]
        in_file: list = [None] * len(actions)
        for rank, action in enumerate(actions):
            index = scenario.positions.get(f"workloads[{i}].actions.order[{rank}]", rank)
            in_file[index] = action
        if None not in in_file:
            workload["actions"] = in_file
    return data


def scenario_with(base: dict, overrides, source: str) -> Scenario:
    """The scenario ``base`` (``scenario_to_dict`` data) with ``overrides`` ((path, value)
    pairs) applied, read back by ``parse_scenario`` (so every scenario rule applies)."""
    if not overrides:
        data = base
    else:
        data = copy.deepcopy(base)
        for path, value in overrides:
            _set_path(data, path, value)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return parse_scenario(text, source)


# -- the plan -------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepTask:
    """One run: everything a worker needs, as plain data."""

    index: int
    scenario: dict  # scenario_data() of the scenario file
    source: str  # its file name (the summary's "scenario")
    overrides: tuple[tuple[str, object], ...]
    seed: int
    catalog: str | None = None  # a catalog folder (None: the bundled catalog)


@dataclass
class SweepPlan:
    scenario: Scenario
    parameters: list[str]  # the --set key paths, in order
    combinations: list[tuple]  # values of the parameters, in run order
    seeds: list[int]
    tasks: list[SweepTask]
    catalog: str | None = None

    @property
    def source(self) -> str:
        return self.scenario.source


def plan_sweep(
    path: str, *, seeds: str | None = None, sets=(), catalog: str | None = None, index=None
) -> SweepPlan:
    """Read the scenario and the options, check every combination, list the runs."""
    scenario = load_scenario(path)
    base = scenario_data(scenario)
    parameters: list[str] = []
    value_lists: list[list] = []
    for text in sets:
        key, values = parse_set(text)
        if key in parameters:
            raise SweepError(
                f"--set {key}: given twice (list its values in one --set: {key}=V1,V2)"
            )
        _set_path(copy.deepcopy(base), key, values[0])  # the key exists
        parameters.append(key)
        value_lists.append(values)
    seed_list = parse_seeds(seeds, scenario.seed)
    index = index if index is not None else load_catalog(catalog)
    known = {
        service: [wf.name for _, wf in index.workflows(service)] for service in index.services()
    }
    combinations = list(itertools.product(*value_lists))
    for combination in combinations:
        overrides = tuple(zip(parameters, combination))
        try:
            check_against_catalog(scenario_with(base, overrides, scenario.source), known)
        except ScenarioError as exc:
            raise SweepError(_bad_combination(overrides, exc)) from None
    catalog_path = os.path.abspath(catalog) if catalog else None
    tasks = []
    for combination in combinations:
        overrides = tuple(zip(parameters, combination))
        for seed in seed_list:
            tasks.append(
                SweepTask(len(tasks), base, scenario.source, overrides, seed, catalog_path)
            )
    return SweepPlan(scenario, parameters, combinations, seed_list, tasks, catalog_path)


def _bad_combination(overrides, exc: ScenarioError) -> str:
    shown = ", ".join(f"{k}={_show(v)}" for k, v in overrides)
    for key, value in overrides:
        if exc.path == key or exc.path.startswith(key + ".") or exc.path.startswith(key + "["):
            return f"--set {key}={_show(value)}: {exc.path}: {exc.detail}"
    where = f"{exc.path}: " if exc.path else ""
    return f"--set {shown}: the scenario becomes invalid: {where}{exc.detail}"


def _show(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- running --------------------------------------------------------------------------

_CATALOGS: dict = {}


def _catalog(path: str | None):
    index = _CATALOGS.get(path)
    if index is None:
        index = _CATALOGS[path] = load_catalog(path)
    return index


def run_task(task: SweepTask) -> dict:
    """Run one task (in any process): ``{"index", "summary", "wall_seconds"}``."""
    from psa_sim.loadtest.runner import run_scenario

    scenario = scenario_with(task.scenario, task.overrides, task.source)
    result = run_scenario(scenario, _catalog(task.catalog), seed=task.seed)
    return {
        "index": task.index,
        "summary": result.summary,
        "wall_seconds": result.performance["wall_seconds"],
    }


def _run_in_process(tasks, on_result) -> str:
    for task in tasks:
        on_result(run_task(task))
    return "in-process"


def _run_pool(tasks, workers: int, on_result) -> str:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    workers = min(workers, len(tasks))
    # spawn: a fresh interpreter per worker, safe whatever threads this process runs.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    try:
        futures = [pool.submit(run_task, task) for task in tasks]
        for future in as_completed(futures):
            on_result(future.result())
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return f"process pool ({workers} workers)"


def _run_dask(tasks, address: str, workers: int | None, on_result) -> str:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise SweepError(
            f"--dask {address}: Dask is not installed (pip install 'psa-sim[dask]')"
        ) from None
    cluster = None
    if address == "local":
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
        )
        client = Client(cluster)
        label = f"dask LocalCluster ({len(cluster.workers)} workers)"
    else:
        try:
            client = Client(address, timeout=10)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SweepError(f"--dask {address}: cannot reach the Dask scheduler ({exc})") from None
        label = f"dask {address}"
    try:
        futures = client.map(run_task, tasks, pure=False)
        for future in as_completed(futures):
            on_result(future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return label


@dataclass
class SweepResult:
    plan: SweepPlan
    summaries: list[dict]  # by task index
    rows: list[dict]  # the comparison rows, by task index
    performance: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(s["passed"] for s in self.summaries)


def run_sweep(
    plan: SweepPlan,
    *,
    workers: int | None = None,
    dask: str | None = None,
    quiet: bool = True,
    progress=None,
) -> SweepResult:
    """Run the plan's tasks: in a Dask cluster with ``dask`` (an address or ``"local"``),
    else in ``workers`` local processes (default: the CPUs; 1 runs them here)."""
    if dask is not None and workers is not None and dask != "local":
        raise SweepError(
            "--workers and --dask ADDRESS exclude each other (the Dask "
            "cluster has its own workers); --workers goes with --dask local"
        )
    tasks = plan.tasks
    if progress is None and not quiet:
        from psa_sim.loadtest.progress import SweepProgress, terminal_console

        console = terminal_console(quiet)
        progress = SweepProgress(console, len(tasks)) if console is not None else None
    results: list[dict | None] = [None] * len(tasks)

    def on_result(result: dict) -> None:
        results[result["index"]] = result
        if progress is not None:
            progress.advance()

    started = time.perf_counter()
    try:
        if dask is not None:
            executor = _run_dask(tasks, dask, workers, on_result)
        else:
            count = workers or os.cpu_count() or 1
            if count == 1 or len(tasks) == 1:
                executor = _run_in_process(tasks, on_result)
            else:
                executor = _run_pool(tasks, count, on_result)
    finally:
        if progress is not None:
            progress.finish()
    wall = time.perf_counter() - started
    summaries = [r["summary"] for r in results]
    rows = [comparison_row(plan, task, summary) for task, summary in zip(tasks, summaries)]
    performance = {
        "executor": executor,
        "runs": len(tasks),
        "wall_seconds": round(wall, 3),
        "runs_per_wall_second": round(len(tasks) / wall, 2) if wall > 0 else None,
        "run_wall_seconds_total": round(sum(r["wall_seconds"] for r in results), 3),
    }
    return SweepResult(plan, summaries, rows, performance)


def comparison_row(plan: SweepPlan, task: SweepTask, summary: dict) -> dict:
    row = {"run": task.index}
    row.update(task.overrides)
    row["seed"] = task.seed
    for name, _, _, read in METRICS:
        row[name] = read(summary)
    row["passed"] = summary["passed"]
    row["failed_thresholds"] = [t["name"] for t in summary["thresholds"] if not t["passed"]]
    return row


# -- comparing ------------------------------------------------------------------------


def _label(plan: SweepPlan, combination: tuple) -> str:
    if not plan.parameters:
        return "(scenario as written)"
    if len(plan.parameters) == 1:
        return _show(combination[0])
    return ", ".join(f"{k}={_show(v)}" for k, v in zip(_short_names(plan), combination))


def _short_names(plan: SweepPlan) -> list[str]:
    """The parameters by their last key (``nodes``), unless two would share it."""
    short = []
    for path in plan.parameters:
        last = _path_tokens(path)[-1]
        short.append(last if isinstance(last, str) else path)
    return short if len(set(short)) == len(short) else list(plan.parameters)


def groups(result: SweepResult) -> list[tuple[tuple, list[dict]]]:
    """The rows of each combination, in plan order."""
    by_combination: dict[tuple, list[dict]] = {c: [] for c in result.plan.combinations}
    for task, row in zip(result.plan.tasks, result.rows):
        by_combination[tuple(v for _, v in task.overrides)].append(row)
    return list(by_combination.items())


def _stats(values) -> tuple[float, float, float] | None:
    values = [v for v in values if v is not None]
    if not values:
        return None
    return sum(values) / len(values), min(values), max(values)


def _fmt(value: float | None) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{value:.4g}" if abs(value) < 1 else f"{value:.1f}"


def _fmt_stats(stats) -> str:
    if stats is None:
        return "n/a"
    mean, low, high = stats
    if low == high:
        return _fmt(mean)
    return f"{_fmt(mean)} ({_fmt(low)}–{_fmt(high)})"


def aggregate(result: SweepResult) -> list[dict]:
    """Per combination: its values, runs, runs passed, and mean/min/max per metric."""
    out = []
    for combination, rows in groups(result):
        entry = {
            "label": _label(result.plan, combination),
            "values": dict(zip(result.plan.parameters, combination)),
            "runs": len(rows),
            "passed": sum(1 for r in rows if r["passed"]),
        }
        for name, _, _, _ in METRICS:
            entry[name] = _stats(r[name] for r in rows)
        out.append(entry)
    return out


_TEXT_METRICS = (
    "p50_time_to_running",
    "p95_time_to_running",
    "error_rate",
    "node_utilization",
    "p95_queue_wait",
)


def render_text(result: SweepResult) -> str:
    plan = result.plan
    combos = len(plan.combinations)
    head = (
        f"sweep of {plan.source}: {combos} combination{'s' if combos != 1 else ''} "
        f"x {len(plan.seeds)} seed{'s' if len(plan.seeds) != 1 else ''} "
        f"= {len(plan.tasks)} runs"
    )
    title = " / ".join(plan.parameters) if plan.parameters else "parameters"
    headers = [title, "passed"] + [
        _METRIC[m][0] + (f" ({_METRIC[m][1]})" if _METRIC[m][1] else "") for m in _TEXT_METRICS
    ]
    table = [
        [e["label"], f"{e['passed']}/{e['runs']}"] + [_fmt_stats(e[m]) for m in _TEXT_METRICS]
        for e in aggregate(result)
    ]
    widths = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(headers)]
    lines = [
        head,
        "values: mean (min–max) across seeds",
        "  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip(),
    ]
    for row in table:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    failed = [r for r in result.rows if not r["passed"]]
    if failed:
        lines.append(f"{len(failed)} of {len(result.rows)} runs FAILED their thresholds")
    lines.append("PASSED" if result.passed else "FAILED")
    return "\n".join(lines)


# -- the report folder ----------------------------------------------------------------


def _csv_value(value) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(map(str, value))
    return value


def write_sweep_report(result: SweepResult, out) -> list[Path]:
    """``sweep.csv``, ``sweep.html``, ``summaries.json`` and ``sweep_<metric>.png``."""
    out = prepare_out_dir(out)
    rows = result.rows
    columns = list(rows[0]) if rows else ["run", "seed"]
    csv_path = out / "sweep.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_value(row[c]) for c in columns])
    summaries_path = out / "summaries.json"
    summaries_path.write_text(
        json.dumps(
            [
                {
                    "run": task.index,
                    "overrides": dict(task.overrides),
                    "seed": task.seed,
                    "summary": summary,
                }
                for task, summary in zip(result.plan.tasks, result.summaries)
            ],
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    pngs = sweep_charts(result)
    png_paths = []
    for name, png in pngs.items():
        (out / name).write_bytes(png)
        png_paths.append(out / name)
    html_path = out / "sweep.html"
    html_path.write_text(render_sweep_html(result, pngs), encoding="utf-8")
    return [csv_path, html_path, summaries_path, *png_paths]


def sweep_charts(result: SweepResult) -> dict[str, bytes]:
    plan = result.plan
    numeric = len(plan.parameters) == 1 and all(
        isinstance(c[0], (int, float)) and not isinstance(c[0], bool) for c in plan.combinations
    )
    xlabel = (
        plan.parameters[0]
        if len(plan.parameters) == 1
        else (" / ".join(_short_names(plan)) or "scenario")
    )
    pngs = {}
    for metric in CHART_METRICS:
        label, unit, _ = _METRIC[metric]
        data = [
            (
                (combination[0] if numeric else _label(plan, combination)),
                [_nan(r[metric]) for r in rows],
            )
            for combination, rows in groups(result)
        ]
        title = f"{label} across {len(plan.seeds)} seed{'s' if len(plan.seeds) != 1 else ''}"
        key = _THRESHOLD_OF[metric]
        # Drawn when the same for every run (not swept).
        limit = (
            None if f"thresholds.{key}" in plan.parameters else plan.scenario.thresholds.get(key)
        )
        pngs[f"sweep_{metric}.png"] = charts.sweep_chart(
            title, label + (f" ({unit})" if unit else ""), data, xlabel, numeric, limit
        )
    return pngs


def _nan(value) -> float:
    return math.nan if value is None else float(value)


def render_sweep_html(result: SweepResult, pngs: dict[str, bytes]) -> str:
    t = htmlpage
    plan = result.plan
    title = f"psa-sim sweep: {plan.source}"
    body = [
        f"<h1>{t.esc(title)}</h1>",
        f"<p>{t.verdict(result.passed)} — {len(plan.combinations)} combination(s) × "
        f"{len(plan.seeds)} seed(s) = {len(plan.tasks)} runs; "
        f"{sum(1 for r in result.rows if r['passed'])} passed their thresholds.</p>",
        "<ul>",
    ]
    for key, combo_values in zip(plan.parameters, zip(*plan.combinations)):
        values = ",".join(dict.fromkeys(_show(v) for v in combo_values))
        body.append(f"<li><code>--set {t.esc(key)}={t.esc(values)}</code></li>")
    body.append(f"<li>seeds: {t.esc(_seed_text(plan.seeds))}</li></ul>")

    body.append("<h2>Comparison (mean, min–max across seeds)</h2>")
    agg = aggregate(result)
    headers = ["combination", "runs passed"] + [_METRIC[m][0] for m, *_ in METRICS]
    body.append(
        t.table(
            headers,
            (
                [e["label"], f"{e['passed']}/{e['runs']}"] + [_fmt_stats(e[m]) for m, *_ in METRICS]
                for e in agg
            ),
            numeric=[False, True] + [True] * len(METRICS),
        )
    )

    body.append("<h2>Charts</h2>")
    for name, png in pngs.items():
        metric = name.removeprefix("sweep_").removesuffix(".png")
        body.append(
            t.figure(
                png,
                name,
                f"{_METRIC[metric][0]} against {' / '.join(plan.parameters) or 'the scenario'}",
            )
        )

    body.append("<h2>Every run</h2>")
    columns = list(result.rows[0]) if result.rows else []
    body.append(
        t.table(
            columns,
            ([_csv_value(r[c]) for c in columns] for r in result.rows),
            numeric=[c not in ("failed_thresholds", "passed") for c in columns],
        )
    )

    body.append("<h2>Scenario (before the --set values)</h2>")
    body.append(f"<pre>{t.esc(scenario_yaml(plan.scenario))}</pre>")
    body.append("<h2>Files</h2><ul>")
    for name in ("sweep.csv", "summaries.json", *pngs):
        body.append(f'<li><a href="{t.esc(name)}">{t.esc(name)}</a></li>')
    body.append("</ul>")
    return t.page(title, body)


def _seed_text(seeds: list[int]) -> str:
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}..{seeds[-1]}"
    return ", ".join(map(str, seeds))
