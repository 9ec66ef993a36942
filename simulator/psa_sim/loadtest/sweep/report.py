"""A sweep's report: the text table, and the folder with sweep.csv, summaries.json, a
chart per headline metric and sweep.html."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from psa_sim.loadtest import charts, htmlpage
from psa_sim.loadtest.report import prepare_out_dir, scenario_yaml
from psa_sim.loadtest.sweep.aggregate import (
    CHART_METRICS,
    METRIC_BY_NAME,
    METRICS,
    THRESHOLD_OF,
    aggregate,
    combination_label,
    format_stats,
    groups,
    short_names,
)
from psa_sim.loadtest.sweep.execution import SweepResult
from psa_sim.loadtest.sweep.plan import show_value

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
        METRIC_BY_NAME[m][0] + (f" ({METRIC_BY_NAME[m][1]})" if METRIC_BY_NAME[m][1] else "")
        for m in _TEXT_METRICS
    ]
    table = [
        [e["label"], f"{e['passed']}/{e['runs']}"] + [format_stats(e[m]) for m in _TEXT_METRICS]
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


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(map(str, value))
    return value


def write_sweep_report(result: SweepResult, out: str | Path) -> list[Path]:
    """``sweep.csv``, ``sweep.html``, ``summaries.json``, ``sweep_<metric>.png`` and
    ``performance.json`` (wall-clock figures: the sweep's, and each run's with its worker)."""
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
    performance_path = out / "performance.json"
    performance_path.write_text(json.dumps(result.performance, indent=2) + "\n", encoding="utf-8")
    return [csv_path, html_path, summaries_path, *png_paths, performance_path]


def sweep_charts(result: SweepResult) -> dict[str, bytes]:
    plan = result.plan
    numeric = len(plan.parameters) == 1 and all(
        isinstance(c[0], (int, float)) and not isinstance(c[0], bool) for c in plan.combinations
    )
    xlabel = (
        plan.parameters[0]
        if len(plan.parameters) == 1
        else (" / ".join(short_names(plan)) or "scenario")
    )
    pngs = {}
    for metric in CHART_METRICS:
        label, unit, _ = METRIC_BY_NAME[metric]
        data = [
            (
                (combination[0] if numeric else combination_label(plan, combination)),
                [_nan(r[metric]) for r in rows],
            )
            for combination, rows in groups(result)
        ]
        title = f"{label} across {len(plan.seeds)} seed{'s' if len(plan.seeds) != 1 else ''}"
        key = THRESHOLD_OF[metric]
        # Drawn when the same for every run (not swept).
        limit = (
            None if f"thresholds.{key}" in plan.parameters else plan.scenario.thresholds.get(key)
        )
        pngs[f"sweep_{metric}.png"] = charts.sweep_chart(
            title, label + (f" ({unit})" if unit else ""), data, xlabel, numeric, limit
        )
    return pngs


def _nan(value: float | None) -> float:
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
        values = ",".join(dict.fromkeys(show_value(v) for v in combo_values))
        body.append(f"<li><code>--set {t.esc(key)}={t.esc(values)}</code></li>")
    body.append(f"<li>seeds: {t.esc(_seed_text(plan.seeds))}</li></ul>")

    body.append("<h2>Comparison (mean, min–max across seeds)</h2>")
    agg = aggregate(result)
    headers = ["combination", "runs passed"] + [METRIC_BY_NAME[m][0] for m, *_ in METRICS]
    body.append(
        t.table(
            headers,
            (
                [e["label"], f"{e['passed']}/{e['runs']}"]
                + [format_stats(e[m]) for m, *_ in METRICS]
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
                f"{METRIC_BY_NAME[metric][0]} against {' / '.join(plan.parameters) or 'the scenario'}",
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
