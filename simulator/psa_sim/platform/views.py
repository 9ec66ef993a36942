"""The simulator's own views (/sim-api): clock, nodes, metrics. The scheduler's and the
resource manager's REST answers live in scheduler_views.py and rm_ops.py."""

from __future__ import annotations

from psa_sim.engine.cluster import Node
from psa_sim.engine.simulation import Simulation


def clock(sim: Simulation) -> dict[str, float | int]:
    return {"simulated_seconds": sim.now, "now_ms": sim.now_ms()}


def node(node: Node) -> dict[str, object]:
    return {
        **node.to_data(),
        "up": node.up,
        "tokens": list(node.tokens),
        "busy": node.job is not None,
    }


def metrics(sim: Simulation) -> dict[str, object]:
    by_status: dict[str, int] = {}
    for instance in sim.store:
        by_status[instance.instance_status] = by_status.get(instance.instance_status, 0) + 1
    jobs: dict[str, int] = {}
    for job in sim.scheduler.jobs.values():
        jobs[job.status.value] = jobs.get(job.status.value, 0) + 1
    return {
        "simulated_seconds": sim.now,
        "instances": dict(sorted(by_status.items())),
        "jobs": dict(sorted(jobs.items())),
        "queued_jobs": sim.scheduler.queued(),
        "nodes": [node(n) for n in sim.cluster.nodes],
        "tokens": sim.cluster.tokens(),
        "events_scheduled": sim.counters.events,
        "health_checks": sim.counters.health_checks,
        "leaks": sim.leaks(),
    }
