"""What a headless run measures, collected through the simulation's observer hooks."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

from psa_sim.engine.kinds import JobKind
from psa_sim.engine.observer import Observer

if TYPE_CHECKING:
    import simpy

    from psa_sim.engine.jobs import Job
    from psa_sim.model.instance import ServiceInstance

#: Called with an instance once its activation completes.
RunningListener = Callable[["ServiceInstance"], None]


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile: always one of the measured values, so it replays exactly."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def distribution(values: list[float]) -> dict[str, float | None]:
    ordered = sorted(values)
    if not ordered:
        return {"count": 0, "p50": None, "p95": None, "p99": None, "mean": None, "max": None}
    return {
        "count": len(ordered),
        "p50": _round(percentile(ordered, 50)),
        "p95": _round(percentile(ordered, 95)),
        "p99": _round(percentile(ordered, 99)),
        "mean": _round(sum(ordered) / len(ordered)),
        "max": _round(ordered[-1]),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


# Job and instance ids make every cause unique; grouping needs them out. An id in
# parentheses goes; "instance 12" in a sentence becomes "the instance", so it still reads.
_IDS_IN_PARENTHESES = re.compile(r"\s*\((?:job|instance) \d+\)")
_INSTANCE_ID = re.compile(r"\binstance \d+\b")


def cause_key(cause: str) -> str:
    without = _IDS_IN_PARENTHESES.sub("", cause)
    return _INSTANCE_ID.sub("the instance", without).replace("  ", " ").strip()


class Metrics(Observer):
    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.created_at: dict[int, float] = {}
        self.time_to_running: list[float] = []
        self.action_latencies: dict[str, list[float]] = defaultdict(list)
        self.action_failures: Counter[str] = Counter()
        self.errors_by_cause: Counter[str] = Counter()
        self.queue_waits: list[float] = []
        self.instances_in_error: set[int] = set()
        self.rejected: Counter[str] = Counter()
        self.skipped_actions: Counter[str] = Counter()
        self.running_listeners: dict[int, list[RunningListener]] = {}

    # --- observer hooks ------------------------------------------------------------
    def instance_created(self, instance: ServiceInstance, job: Job) -> None:
        self.created_at[instance.instance_id] = self.env.now

    def transition_completed(self, instance: ServiceInstance, job: Job) -> None:
        latency = self.env.now - job.submitted_at
        if job.kind == JobKind.ACTIVATION:
            self.time_to_running.append(self.env.now - self.created_at[instance.instance_id])
            for callback in self.running_listeners.pop(instance.instance_id, ()):
                callback(instance)
        self.action_latencies[job.name].append(latency)

    def instance_failed(self, instance: ServiceInstance, cause: str) -> None:
        self.errors_by_cause[cause_key(cause)] += 1
        self.instances_in_error.add(instance.instance_id)
        last = instance.runtime.jobs[-1] if instance.runtime.jobs else None
        if last is not None and last.error == cause:
            self.action_failures[last.name] += 1

    def job_started(self, job: Job, wait: float) -> None:
        self.queue_waits.append(wait)

    # --- used by the runner ----------------------------------------------------------
    def arrived(self, instance: ServiceInstance, workload: str) -> None:
        """A user of ``workload`` asked for ``instance`` (reports name it)."""

    def when_running(self, instance: ServiceInstance, callback: RunningListener) -> None:
        """Call back once the instance's activation completes."""
        self.running_listeners.setdefault(instance.instance_id, []).append(callback)

    def error_rate(self) -> float:
        created = len(self.created_at)
        return len(self.instances_in_error) / created if created else 0.0
