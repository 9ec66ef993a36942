"""A picture (SVG or PNG) of a service's state graph, drawn with matplotlib.

Graphviz would lay it out better, but its PyPI package is only a wrapper around the `dot`
program, which a fresh machine does not have; matplotlib is already a dependency. The
layout is layered: each state's column is its distance from VOID (unreachable states
last), states of one column are stacked, and each edge is an arrow labelled with its
workflow (edges between the same two states share one label).
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

from psa_sim.states import ENDED_STATES, ERROR, VOID

_COLUMN_WIDTH = 3.2
_ROW_HEIGHT = 1.3


def _layers(graph: dict[str, dict[str, str]]) -> dict[str, int]:
    depth = {VOID: 0}
    queue = deque([VOID])
    while queue:
        state = queue.popleft()
        for target in sorted(graph.get(state, {}).values()):
            if target not in depth:
                depth[target] = depth[state] + 1
                queue.append(target)
    # A crash or a failed action can lead to ERROR from any state: put it near the start.
    if ERROR in graph and ERROR not in depth:
        depth[ERROR] = 1
    last = max(depth.values(), default=0) + 1
    for state in sorted(graph):
        depth.setdefault(state, last)
    return depth


def draw_state_graph(graph: dict[str, dict[str, str]], title: str, path: str | Path) -> Path:
    """Write the picture; the format follows the suffix (.svg or .png)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    target = Path(path)
    depth = _layers(graph)
    columns: dict[int, list[str]] = {}
    for state in sorted(depth, key=lambda s: (depth[s], s)):
        columns.setdefault(depth[state], []).append(state)
    position = {
        state: (column * _COLUMN_WIDTH, -row * _ROW_HEIGHT)
        for column, states in columns.items()
        for row, state in enumerate(states)
    }
    width = max(4.0, (len(columns)) * _COLUMN_WIDTH + 1)
    height = max(3.0, max(len(s) for s in columns.values()) * _ROW_HEIGHT + 1.5)
    figure, axes = plt.subplots(figsize=(width, height))
    axes.set_title(f"{title}: state graph")
    axes.axis("off")
    edges: dict[tuple[str, str], list[str]] = {}
    for state, actions in graph.items():
        for workflow, to_state in actions.items():
            edges.setdefault((state, to_state), []).append(workflow)
    for (frm, to), workflows in sorted(edges.items()):
        (x1, y1), (x2, y2) = position[frm], position[to]
        bend = 0.0 if frm != to else 0.8
        if frm != to and (x1 > x2 or (x1 == x2 and y1 != y2)):
            bend = 0.3  # back or vertical edges curve, so they do not hide forward ones
        arrow = FancyArrowPatch(
            (x1, y1),
            (x2, y2),
            arrowstyle="-|>",
            mutation_scale=14,
            connectionstyle=f"arc3,rad={bend}",
            shrinkA=28,
            shrinkB=28,
            color="#555555",
        )
        axes.add_patch(arrow)
        # On the curve: arc3 bends towards (dy, -dx) by `bend`; halfway to its control point.
        label_x = (x1 + x2) / 2 + bend * (y2 - y1) / 2
        label_y = (y1 + y2) / 2 - bend * (x2 - x1) / 2 + (0.12 if frm != to else 0.6)
        axes.text(
            label_x, label_y, "\n".join(sorted(workflows)), fontsize=7, ha="center", va="bottom"
        )
    for state, (x, y) in position.items():
        colour = "#dddddd" if state in ENDED_STATES else "#cfe3ff"
        if state == VOID:
            colour = "#ffffff"
        axes.text(
            x,
            y,
            state,
            ha="center",
            va="center",
            fontsize=9,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": colour, "edgecolor": "#333333"},
        )
    xs = [x for x, _ in position.values()]
    ys = [y for _, y in position.values()]
    axes.set_xlim(min(xs) - 1.5, max(xs) + 1.5)
    axes.set_ylim(min(ys) - 1.0, max(ys) + 1.0)
    figure.tight_layout()
    figure.savefig(target, format=target.suffix.lstrip(".").lower() or "svg")
    plt.close(figure)
    return target
