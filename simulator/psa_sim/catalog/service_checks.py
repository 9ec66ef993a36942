"""Checks of a whole service's state machine (`psa-sim validate`, service level).

One file can be a perfect PSA workflow and still leave its service's instances stuck:
the real Paraview undeploy expects `Paraview_DEPLOYED` where its deploy leads to
`PARAVIEW_DEPLOYED`, so a deployed instance has no action at all. These checks read the
state graph of each service (every workflow of one pca.service.id) and return warnings:

- a service without an activation (no `(VOID,…)` transition): it cannot be started;
- a FROM state that no workflow of the service leads to (naming the state that differs
  only by case, when there is one);
- a reachable state with no action;
- a reachable state from which FINISHED cannot be reached (only a kill ends it there).

Reachable states are VOID, every TO, and ERROR once the service can be activated (a
crash or a failed action leads there). FINISHED and KILLED are final.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from psa_sim.catalog.index import ServiceIndex
from psa_sim.states import ALL, ENDED_STATES, ERROR, FINISHED, VOID


@dataclass(frozen=True, slots=True)
class ServiceWarning:
    service_id: str
    message: str

    def __str__(self) -> str:
        return f"service {self.service_id}: {self.message}"


def check_services(index: ServiceIndex) -> list[ServiceWarning]:
    warnings: list[ServiceWarning] = []
    for service_id in index.services():
        warnings.extend(ServiceWarning(service_id, m) for m in _service_problems(index, service_id))
    return warnings


def _service_problems(index: ServiceIndex, service_id: str) -> list[str]:
    workflows = [w for _, w in index.workflows(service_id)]
    transitions = [(w.name, t.from_state, t.to_state) for w in workflows for t in w.transitions]
    has_activation = any(frm == VOID for _, frm, _ in transitions)
    problems: list[str] = []
    if not has_activation:
        problems.append("no activation workflow (no (VOID,…) transition): it cannot be started")
    targets = {to for _, _, to in transitions}
    reachable_names = targets | {VOID} | ({ERROR} if has_activation else set())
    for workflow, frm, _ in sorted(transitions):
        if frm in reachable_names or frm in (ALL,) or frm in ENDED_STATES:
            continue
        hint = case_near_miss(frm, targets)
        problems.append(
            f"workflow {workflow}: FROM state '{frm}' is never reached: no workflow of "
            f"the service leads to it{hint}"
        )
    if not has_activation:
        return problems
    graph = index.state_graph(service_id)
    reachable = _reachable(graph, has_activation)
    for state in sorted(reachable - ENDED_STATES - {VOID}):
        if not graph.get(state):
            problems.append(f"state '{state}' has no action: an instance there can only be killed")
        elif not _reaches(graph, state, FINISHED):
            problems.append(
                f"state '{state}': FINISHED cannot be reached from it (only a kill ends "
                f"the instance)"
            )
    return problems


def case_near_miss(state: str, names: Iterable[str]) -> str:
    """ " (did you mean 'X'? …)" when a name differs from ``state`` only by case, else ""."""
    near = sorted(n for n in names if n.lower() == state.lower() and n != state)
    return f" (did you mean '{near[0]}'? state names are case-sensitive)" if near else ""


def _reachable(graph: dict[str, dict[str, str]], has_activation: bool) -> set[str]:
    seen = {VOID} | ({ERROR} if has_activation else set())
    queue = deque(seen)
    while queue:
        for target in graph.get(queue.popleft(), {}).values():
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def _reaches(graph: dict[str, dict[str, str]], start: str, goal: str) -> bool:
    seen = {start}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        if state == goal:
            return True
        for target in graph.get(state, {}).values():
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return False


def state_graph_dot(index: ServiceIndex, service_id: str) -> str:
    """The service's state graph in Graphviz DOT: one edge per (state, workflow)."""
    graph = index.state_graph(service_id)
    lines = [
        f'digraph "{_escape(service_id)}" {{',
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for state in sorted(graph):
        shape = ""
        if state == VOID:
            shape = ' shape=circle, label="VOID"'
        elif state in ENDED_STATES:
            shape = " peripheries=2"
        lines.append(
            f'  "{_escape(state)}" [{shape.strip()}];' if shape else f'  "{_escape(state)}";'
        )
    for state in sorted(graph):
        for workflow, target in sorted(graph[state].items()):
            lines.append(
                f'  "{_escape(state)}" -> "{_escape(target)}" [label="{_escape(workflow)}"];'
            )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
