"""A run's report folder (``psa-sim run SCENARIO --out DIR``).

Files written into DIR:

``summary.json``
    The JSON summary, byte for byte what ``psa-sim run --json`` prints.
``instances.csv``
    One row per instance, in creation order: its id, service, workload, user; the
    simulated times it was created, first reached its running state (``running``; blank if
    never), reached FINISHED and ERROR (blank if never), its time to running; its final
    state (as in the summary's ``by_state``), its error cause, and every transition it
    made as ``t:FROM->TO`` joined by ``;`` (``t`` in simulated seconds).
``timeseries.csv``
    Sampled from 0 to the end of the run (every health period, or duration/2000 for
    long runs): time, instances per state (one column per state seen), nodes busy, free,
    down and provisioning, nodes holding tokens, tokens held, queued jobs.
``states.png``, ``time_to_running.png``, ``nodes.png``, ``action_latency.png``
    Instances per state over time (stacked area); the time-to-running histogram with
    p50/p95/p99; node utilization and queue length over time; latency per action.
``report.html``
    Self-contained (the charts are embedded): headline numbers, thresholds, charts,
    instances by state, action latencies, errors, the scenario, the list of files.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from psa_sim.durations import format_duration
from psa_sim.engine.simulation import gc_paused
from psa_sim.loadtest import charts, htmlpage
from psa_sim.loadtest.recorder import NODE_COLUMNS, Recorder
from psa_sim.loadtest.scenario import THRESHOLD_KEYS, Scenario, scenario_to_dict
from psa_sim.states import is_transitioning_label

if TYPE_CHECKING:
    from psa_sim.loadtest.runner import RunResult

CHARTS = (
    ("states.png", "Instances per state over time"),
    ("time_to_running.png", "Time to running, with p50, p95 and p99"),
    ("nodes.png", "Node utilization and queue length over time"),
    ("action_latency.png", "Latency per action, with p50 and p95"),
)
FILES = (
    "summary.json",
    "instances.csv",
    "timeseries.csv",
    *(name for name, _ in CHARTS),
    "report.html",
)

INSTANCE_COLUMNS = (
    "instance_id",
    "service",
    "workload",
    "user",
    "created",
    "running",
    "time_to_running",
    "finished",
    "failed",
    "final_state",
    "error_cause",
    "transitions",
)


def summary_json(summary: dict) -> str:
    """The summary as ``psa-sim run --json`` prints it (with its final newline)."""
    return json.dumps(summary, indent=2) + "\n"


def format_threshold(name: str, value: float | None) -> str:
    """A threshold's limit or measured value, as a reader wants it."""
    if value is None:
        return "n/a"
    if THRESHOLD_KEYS.get(name) == "duration":
        return f"{format_duration(value)} ({_num(value)} s)" if value >= 60 else f"{_num(value)} s"
    return f"{value:g}"


def render_summary(summary: dict) -> str:
    """The summary as `psa-sim run` prints it: headline figures, then the thresholds."""
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
    lines.append(
        f"node utilization: {summary['nodes']['utilization']}  ({summary['nodes']['total']} nodes)"
    )
    lines.append(
        f"events: {summary['events']['scheduled']} scheduled, "
        f"{summary['events']['health_checks']} health checks"
    )
    if summary["leaks"]:
        lines.append("LEAKS: " + "; ".join(summary["leaks"]))
    lines.extend(_threshold_table(summary["thresholds"]))
    lines.append("PASSED" if summary["passed"] else "FAILED")
    return "\n".join(lines)


def _threshold_table(thresholds: list[dict]) -> list[str]:
    """One line per threshold, aligned: ``threshold FAIL name  limit  measured``."""
    if not thresholds:
        return ["thresholds: none set"]
    rows = [
        (
            t["name"],
            format_threshold(t["name"], t["limit"]),
            format_threshold(t["name"], t["measured"]),
            t["passed"],
        )
        for t in thresholds
    ]
    name_w = max(len("name"), *(len(r[0]) for r in rows))
    limit_w = max(len("limit"), *(len(r[1]) for r in rows))
    lines = [f"{'threshold':<14} {'name':<{name_w}}  {'limit':<{limit_w}}  measured"]
    for name, limit, measured, passed in rows:
        mark = "ok  " if passed else "FAIL"
        lines.append(f"threshold {mark} {name:<{name_w}}  {limit:<{limit_w}}  {measured}")
    return lines


def prepare_out_dir(out: str | Path) -> Path:
    """Create DIR (and its parents) if needed; OSError if it cannot be used."""
    path = Path(out)
    path.mkdir(parents=True, exist_ok=True)
    if not path.is_dir():
        raise NotADirectoryError(f"{path} is not a folder")
    return path


def write_run_report(result: RunResult, scenario: Scenario, out: str | Path) -> list[Path]:
    """Write the report files of a recorded run into ``out``; returns their paths."""
    recorder = result.metrics
    if not isinstance(recorder, Recorder):
        raise ValueError("write_run_report needs a run made with record=True")
    out = prepare_out_dir(out)
    # The run's objects are all still alive: the cyclic collector's passes over them
    # would cost more than the report (importing matplotlib allocates a lot).
    with gc_paused():
        return _write(result, recorder, scenario, out)


def _write(result: RunResult, recorder: Recorder, scenario: Scenario, out: Path) -> list[Path]:
    summary = result.summary
    written = []

    def write_text(name: str, text: str) -> None:
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)

    write_text("summary.json", summary_json(summary))
    written.append(_write_csv(out / "instances.csv", INSTANCE_COLUMNS, recorder.instance_rows()))
    states = _state_columns(recorder)
    written.append(
        _write_csv(
            out / "timeseries.csv",
            ("time", *states, *NODE_COLUMNS),
            _timeseries_rows(recorder, states),
        )
    )

    pngs = _draw(recorder, summary, scenario, states)
    for name, png in pngs.items():
        (out / name).write_bytes(png)
        written.append(out / name)
    write_text("report.html", render_html(summary, scenario, pngs))
    return written


# -- CSV ------------------------------------------------------------------------------


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float):
        return _num(value)
    return value


def _num(value: float) -> str:
    value = round(float(value), 3)
    return str(int(value)) if value == int(value) else repr(value)


def _write_csv(
    path: Path,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, object] | Sequence[object]],
) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            if isinstance(row, dict):
                row = [row[c] for c in columns]
            writer.writerow([_cell(v) for v in row])
    return path


def _state_columns(recorder: Recorder) -> list[str]:
    """Stable states first (in order of appearance), then the transitioning labels."""
    seen = list(recorder.states_seen)
    return [s for s in seen if not is_transitioning_label(s)] + sorted(
        s for s in seen if is_transitioning_label(s)
    )


def _timeseries_rows(recorder: Recorder, states: list[str]) -> Iterator[list[object]]:
    for time, counts, nodes in recorder.samples:
        yield [time, *(counts.get(s, 0) for s in states), *nodes]


# -- charts ---------------------------------------------------------------------------


def _draw(
    recorder: Recorder, summary: dict, scenario: Scenario, states: list[str]
) -> dict[str, bytes]:
    samples = recorder.samples
    times = [t for t, _, _ in samples]
    series = {s: [counts.get(s, 0) for _, counts, _ in samples] for s in states}
    column = {name: i for i, name in enumerate(NODE_COLUMNS)}

    def node_series(name: str) -> list[int]:
        return [nodes[column[name]] for _, _, nodes in samples]

    nodes = {
        "busy": node_series("nodes_busy"),
        "free": node_series("nodes_free"),
        "holding tokens": node_series("nodes_holding_tokens"),
    }
    if any(node_series("nodes_down")):
        nodes["down"] = node_series("nodes_down")
    if any(node_series("nodes_provisioning")):
        nodes["provisioning"] = node_series("nodes_provisioning")
    ttr = summary["time_to_running_s"]
    return {
        "states.png": charts.states_chart(times, series, scenario.duration),
        "time_to_running.png": charts.time_to_running_chart(
            recorder.time_to_running, {"p50": ttr["p50"], "p95": ttr["p95"], "p99": ttr["p99"]}
        ),
        "nodes.png": charts.nodes_chart(
            times, nodes, node_series("queued_jobs"), scenario.duration
        ),
        "action_latency.png": charts.latency_chart(
            recorder.action_latencies, summary["action_latencies_s"]
        ),
    }


# -- HTML -----------------------------------------------------------------------------


def headline(summary: dict) -> list[tuple[str, str]]:
    """The numbers a reader looks at first, formatted."""
    ttr = summary["time_to_running_s"]
    wait = summary["queue_wait_s"]

    def secs(value: float | None) -> str:
        return "n/a" if value is None else f"{_num(value)} s"

    return [
        ("instances created", str(summary["instances"]["created"])),
        ("p50 time to running", secs(ttr["p50"])),
        ("p95 time to running", secs(ttr["p95"])),
        ("p99 time to running", secs(ttr["p99"])),
        ("error rate", f"{summary['error_rate']:g}"),
        ("node utilization", f"{summary['nodes']['utilization']:g}"),
        ("p95 queue wait", secs(wait["p95"])),
        ("max queue wait", secs(wait["max"])),
        ("nodes", str(summary["nodes"]["total"])),
    ]


def render_html(summary: dict, scenario: Scenario, pngs: dict[str, bytes]) -> str:
    t = htmlpage
    title = f"psa-sim run: {summary['scenario']} (seed {summary['seed']})"
    body = [
        f"<h1>{t.esc(title)}</h1>",
        f"<p>{t.verdict(summary['passed'])} — {_num(summary['simulated_seconds'])} "
        f"simulated seconds ({t.esc(format_duration(summary['simulated_seconds']))}).</p>",
        '<div class="headline">'
        + "".join(f"<div>{t.esc(k)}<b>{t.esc(v)}</b></div>" for k, v in headline(summary))
        + "</div>",
    ]

    body.append("<h2>Thresholds</h2>")
    if summary["thresholds"]:
        body.append(
            t.table(
                ("threshold", "limit", "measured", "result"),
                [
                    (
                        t.esc(th["name"]),
                        t.esc(format_threshold(th["name"], th["limit"])),
                        t.esc(format_threshold(th["name"], th["measured"])),
                        t.verdict(th["passed"]),
                    )
                    for th in summary["thresholds"]
                ],
                numeric=(False, True, True, False),
                raw=True,
            )
        )
    else:
        body.append("<p>The scenario sets no thresholds.</p>")

    body.append("<h2>Charts</h2>")
    for name, caption in CHARTS:
        body.append(t.figure(pngs[name], name, caption))

    body.append("<h2>Instances by final state</h2>")
    body.append(
        t.table(
            ("state", "instances"), summary["instances"]["by_state"].items(), numeric=(False, True)
        )
    )
    if summary["instances"]["rejected"]:
        body.append("<p>Rejected requests:</p>")
        body.append(
            t.table(
                ("cause", "count"), summary["instances"]["rejected"].items(), numeric=(False, True)
            )
        )

    body.append("<h2>Latency per action (seconds, submitted to completed)</h2>")
    body.append(
        t.table(
            ("action", "count", "p50", "p95", "p99", "mean", "max"),
            [
                (name, d["count"], d["p50"], d["p95"], d["p99"], d["mean"], d["max"])
                for name, d in summary["action_latencies_s"].items()
            ],
            numeric=(False, True, True, True, True, True, True),
        )
    )

    body.append("<h2>Errors</h2>")
    if summary["errors_by_cause"]:
        body.append(
            t.table(
                ("cause", "instances"), summary["errors_by_cause"].items(), numeric=(False, True)
            )
        )
    else:
        body.append("<p>No instance went to ERROR.</p>")
    for title_, key in (
        ("Action failures", "action_failures"),
        ("Skipped actions", "skipped_actions"),
    ):
        if summary[key]:
            body.append(f"<p>{title_}:</p>")
            body.append(t.table(("name", "count"), summary[key].items(), numeric=(False, True)))
    if summary["leaks"]:
        body.append('<p class="fail">Leaks: ' + t.esc("; ".join(summary["leaks"])) + "</p>")

    body.append("<h2>Scenario</h2>")
    body.append(
        f"<p>{t.esc(summary['scenario'])}, run with seed {summary['seed']} "
        "(durations in seconds):</p>"
    )
    body.append(f"<pre>{t.esc(scenario_yaml(scenario))}</pre>")

    body.append("<h2>Files</h2><ul>")
    for name in FILES:
        body.append(f'<li><a href="{t.esc(name)}">{t.esc(name)}</a></li>')
    body.append("</ul>")
    return t.page(title, body)


def scenario_yaml(scenario: Scenario) -> str:
    return yaml.safe_dump(
        scenario_to_dict(scenario),
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None,
        width=100,
    )
