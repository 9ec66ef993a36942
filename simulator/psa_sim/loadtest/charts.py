"""The reports' charts, drawn with matplotlib's Agg canvas into PNG bytes.

No pyplot: each chart is a :class:`~matplotlib.figure.Figure` of its own on an Agg
canvas, so nothing depends on (or changes) the process's matplotlib backend or global
state, and charts can be drawn from any thread.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, cast

from psa_sim.states import (
    ENDED_OR_ERROR,
    ERROR,
    FINISHED,
    KILLED,
    PAUSED,
    RUNNING,
    VOID,
    is_transitioning_label,
)

PNG_DPI = 100
if TYPE_CHECKING:  # matplotlib is imported when a chart is drawn: it slows the start down
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FIGSIZE = (9.0, 4.8)

# Colours for the stable states; transitioning labels ("A -> B") get lighter hues.
_STATE_COLOURS = {
    RUNNING: "#2ca02c",
    PAUSED: "#9467bd",
    FINISHED: "#7f7f7f",
    ERROR: "#d62728",
    KILLED: "#8c564b",
    VOID: "#c7c7c7",
}
_OTHER_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#17becf",
    "#bcbd22",
    "#e377c2",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#ff9896",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
)

#: Most states drawn one by one in the stacked area; the rarest others are grouped.
MAX_AREAS = 12


def _figure(size: tuple[float, float] = FIGSIZE) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=size, dpi=PNG_DPI, layout="constrained")


def _png(fig: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=PNG_DPI, metadata={"Software": None})
    return out.getvalue()


def time_unit(seconds: float) -> tuple[str, float]:
    """A readable unit for a span of simulated time: (name, seconds per unit)."""
    if seconds >= 3 * 86400:
        return "d", 86400.0
    if seconds >= 3 * 3600:
        return "h", 3600.0
    if seconds >= 3 * 60:
        return "min", 60.0
    return "s", 1.0


def _no_data(ax: Axes, text: str = "no data") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#777777")


def states_chart(
    times: Sequence[float], series: Mapping[str, Sequence[int]], duration: float
) -> bytes:
    """Instances per state over time, as a stacked area."""
    fig = _figure((10.0, 4.8))
    ax = fig.add_subplot()
    unit, scale = time_unit(duration)
    xs = [t / scale for t in times]
    names = sorted(series, key=lambda s: -max(series[s], default=0))
    if len(names) > MAX_AREAS:
        kept, rest = names[: MAX_AREAS - 1], names[MAX_AREAS - 1 :]
        grouped = {name: list(series[name]) for name in kept}
        grouped["other"] = [sum(series[name][i] for name in rest) for i in range(len(times))]
        series = grouped
    # Bottom up: the states of live instances, the transitions, then the ended states
    # (ERROR, KILLED, FINISHED), which only grow, on top.
    order = sorted(series, key=_stack_rank)
    colours, spare = [], iter(_OTHER_COLOURS * 4)
    for name in order:
        colours.append(_STATE_COLOURS.get(name) or next(spare))
    if order and xs:
        ax.stackplot(
            xs,
            [series[name] for name in order],
            labels=order,
            colors=colours,
            alpha=0.85,
            step="post",
        )
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(
            handles[::-1],
            labels[::-1],
            loc="upper left",
            bbox_to_anchor=(1.01, 1),
            fontsize="small",
            framealpha=0.8,
        )
    else:
        _no_data(ax, "no instances")
    ax.set_xlim(0, duration / scale)
    ax.set_xlabel(f"simulated time ({unit})")
    ax.set_ylabel("instances")
    ax.set_title("Instances per state over time")
    ax.grid(alpha=0.3)
    return _png(fig)


def _stack_rank(state: str) -> tuple:
    if state in ENDED_OR_ERROR:
        return (3, ENDED_OR_ERROR.index(state), state)
    if is_transitioning_label(state) or state == "other":
        return (2, 0, state)
    return (1, list(_STATE_COLOURS).index(state) if state in _STATE_COLOURS else 99, state)


def time_to_running_chart(values: Sequence[float], marks: Mapping[str, float | None]) -> bytes:
    """Histogram of time to running with the percentiles in ``marks`` drawn on it."""
    fig = _figure()
    ax = fig.add_subplot()
    if values:
        top = max(values)
        unit, scale = time_unit(top)
        xs = [v / scale for v in values]
        bins = max(10, min(60, int(math.sqrt(len(xs))) * 2))
        ax.hist(xs, bins=bins, color="#1f77b4", alpha=0.8)
        styles = ("--", "-.", ":")
        for (name, value), style in zip(marks.items(), styles * 3):
            if value is None:
                continue
            ax.axvline(
                value / scale,
                color="#d62728",
                linestyle=style,
                linewidth=1.6,
                label=f"{name} = {_fmt_seconds(value)}",
            )
        ax.legend(loc="upper right")
        ax.set_xlabel(f"time to running ({unit})")
    else:
        _no_data(ax, "no instance reached its running state")
        ax.set_xlabel("time to running")
    ax.set_ylabel("instances")
    ax.set_title(f"Time to running ({len(values)} instances)")
    ax.grid(alpha=0.3)
    return _png(fig)


def nodes_chart(
    times: Sequence[float],
    nodes: Mapping[str, Sequence[int]],
    queued: Sequence[int],
    duration: float,
) -> bytes:
    """Node states and queued jobs over time, one above the other."""
    fig = _figure((10.0, 6.4))
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    unit, scale = time_unit(duration)
    xs = [t / scale for t in times]
    styles = {
        "busy": "#ff7f0e",
        "free": "#2ca02c",
        "down": "#d62728",
        "provisioning": "#9467bd",
        "holding tokens": "#1f77b4",
    }
    for name, values in nodes.items():
        top.step(xs, values, where="post", label=name, color=styles.get(name), linewidth=1.4)
    top.set_ylabel("nodes")
    top.set_title("Node utilization and queue length over time")
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    top.grid(alpha=0.3)
    bottom.step(xs, queued, where="post", color="#8c564b", linewidth=1.4)
    bottom.fill_between(xs, queued, step="post", color="#8c564b", alpha=0.25)
    bottom.set_ylabel("queued jobs")
    bottom.set_xlabel(f"simulated time ({unit})")
    bottom.set_xlim(0, duration / scale)
    bottom.grid(alpha=0.3)
    return _png(fig)


def latency_chart(
    latencies: Mapping[str, Sequence[float]], percentiles: Mapping[str, Mapping[str, float | None]]
) -> bytes:
    """Latency per action (submission to completion) as box plots, p50 and p95 marked."""
    names = sorted(latencies)
    height = max(3.2, 1.0 + 0.45 * len(names))
    fig = _figure((9.0, height))
    ax = fig.add_subplot()
    if names:
        top = max((max(v) for v in latencies.values() if v), default=1.0)
        unit, scale = time_unit(top)
        data = [[v / scale for v in latencies[n]] for n in names]
        ax.boxplot(
            data,
            orientation="horizontal",
            tick_labels=names,
            showfliers=False,
            widths=0.55,
            patch_artist=True,
            boxprops={"facecolor": "#aec7e8", "edgecolor": "#1f77b4"},
            medianprops={"color": "#1f77b4"},
        )
        for y, name in enumerate(names, start=1):
            marks = percentiles.get(name, {})
            p50, p95 = marks.get("p50"), marks.get("p95")
            if p50 is not None:
                ax.plot(p50 / scale, y, "o", color="#2ca02c", label="p50" if y == 1 else None)
            if p95 is not None:
                ax.plot(p95 / scale, y, "D", color="#d62728", label="p95" if y == 1 else None)
        ax.legend(loc="lower right")
        ax.set_xlabel(f"latency, submitted to completed ({unit})")
    else:
        _no_data(ax, "no action completed")
    ax.set_title("Latency per action")
    ax.grid(alpha=0.3, axis="x")
    return _png(fig)


def sweep_chart(
    title: str,
    ylabel: str,
    groups: Sequence[tuple[object, Sequence[float]]],
    xlabel: str,
    numeric: bool,
    limit: float | None = None,
) -> bytes:
    """A headline metric against the swept parameter, with its spread across seeds.

    ``groups``: (x, values of the seeds) per combination. Numeric x: the mean as a line,
    the min–max band shaded and each seed a dot. Otherwise one box plot per combination.
    Missing values (None, NaN) are left out. ``limit``: the scenario's threshold, drawn.
    """
    fig = _figure()
    ax = fig.add_subplot()
    clean = [
        (x, [v for v in values if v is not None and not math.isnan(v)]) for x, values in groups
    ]
    if not any(values for _, values in clean):
        _no_data(ax)
    elif numeric:
        # numeric: the caller found every x a number
        points = [(cast(float, x), values) for x, values in clean if values]
        xs = [x for x, _ in points]
        means = [sum(v) / len(v) for _, v in points]
        ax.fill_between(
            xs,
            [min(v) for _, v in points],
            [max(v) for _, v in points],
            color="#1f77b4",
            alpha=0.2,
            label="min–max across seeds",
        )
        ax.plot(xs, means, "-o", color="#1f77b4", label="mean")
        for x, values in points:
            ax.scatter([x] * len(values), values, s=10, color="#333333", alpha=0.5, zorder=3)
        ax.set_xticks(xs)
        ax.legend(loc="best")
    else:
        labels = [str(x) for x, _ in clean]
        ax.boxplot(
            [values or [math.nan] for _, values in clean],
            tick_labels=labels,
            widths=0.5,
            patch_artist=True,
            boxprops={"facecolor": "#aec7e8"},
            medianprops={"color": "#1f77b4"},
        )
        for i, (_, values) in enumerate(clean, start=1):
            ax.scatter([i] * len(values), values, s=10, color="#333333", alpha=0.5, zorder=3)
        if len(labels) > 4 or max(map(len, labels)) > 16:
            for tick in ax.get_xticklabels():
                tick.set_rotation(30)
                tick.set_horizontalalignment("right")
    if limit is not None:
        ax.axhline(
            limit, color="#d62728", linestyle="--", linewidth=1.2, label=f"threshold {limit:g}"
        )
        ax.legend(loc="best")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return _png(fig)


def _fmt_seconds(value: float) -> str:
    if value >= 120:
        return f"{value / 60:.1f} min"
    return f"{value:.1f} s"
