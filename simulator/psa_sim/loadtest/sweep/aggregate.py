"""A sweep's numbers: each run's comparison row, and per combination the mean, min and
max of every headline metric across seeds."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from psa_sim.loadtest.sweep.plan import SweepPlan, SweepTask, path_tokens, show_value

if TYPE_CHECKING:
    from psa_sim.loadtest.sweep.execution import SweepResult

# Mean, min and max of a metric across the seeds of one combination.
Stats = tuple[float, float, float]
# Each headline metric: (column, label, unit, how to read it from a summary).
Metric = tuple[str, str, str, Callable[[dict[str, Any]], Any]]

METRICS: tuple[Metric, ...] = (
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
THRESHOLD_OF = {
    "p50_time_to_running": "p50_time_to_running",
    "p95_time_to_running": "p95_time_to_running",
    "p99_time_to_running": "p99_time_to_running",
    "error_rate": "error_rate",
    "node_utilization": "max_node_utilization",
    "p95_queue_wait": "p95_queue_wait",
    "max_queue_wait": "max_queue_wait",
}
METRIC_BY_NAME = {name: (label, unit, read) for name, label, unit, read in METRICS}


def comparison_row(plan: SweepPlan, task: SweepTask, summary: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"run": task.index}
    row.update(task.overrides)
    row["seed"] = task.seed
    for name, _, _, read in METRICS:
        row[name] = read(summary)
    row["passed"] = summary["passed"]
    row["failed_thresholds"] = [t["name"] for t in summary["thresholds"] if not t["passed"]]
    return row


# -- comparing ------------------------------------------------------------------------


def combination_label(plan: SweepPlan, combination: tuple) -> str:
    if not plan.parameters:
        return "(scenario as written)"
    if len(plan.parameters) == 1:
        return show_value(combination[0])
    return ", ".join(f"{k}={show_value(v)}" for k, v in zip(short_names(plan), combination))


def short_names(plan: SweepPlan) -> list[str]:
    """The parameters by their last key (``nodes``), unless two would share it."""
    short = []
    for path in plan.parameters:
        last = path_tokens(path)[-1]
        short.append(last if isinstance(last, str) else path)
    return short if len(set(short)) == len(short) else list(plan.parameters)


def groups(result: SweepResult) -> list[tuple[tuple, list[dict]]]:
    """The rows of each combination, in plan order."""
    by_combination: dict[tuple, list[dict]] = {c: [] for c in result.plan.combinations}
    for task, row in zip(result.plan.tasks, result.rows):
        by_combination[tuple(v for _, v in task.overrides)].append(row)
    return list(by_combination.items())


def _stats(values: Iterable[float | None]) -> Stats | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    return sum(present) / len(present), min(present), max(present)


def _fmt(value: float | None) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{value:.4g}" if abs(value) < 1 else f"{value:.1f}"


def format_stats(stats: Stats | None) -> str:
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
            "label": combination_label(result.plan, combination),
            "values": dict(zip(result.plan.parameters, combination)),
            "runs": len(rows),
            "passed": sum(1 for r in rows if r["passed"]),
        }
        for name, _, _, _ in METRICS:
            entry[name] = _stats(r[name] for r in rows)
        out.append(entry)
    return out
