"""What a run records for its report, on top of the summary's metrics.

:class:`Recorder` is the :class:`~psa_sim.loadtest.metrics.Metrics` observer plus each
instance's history (its transitions with their times) and a running count of instances
per status, kept up to date by the same hooks so that a sample costs a dict copy, not a
walk over every instance. :class:`Probe` is the one periodic timer that samples the time
series and moves the progress bar.

Neither changes what the simulation does: the hooks only read, and the probe's timer is
counted in counters of its own, not in ``sim.counters`` (the simulation reads its pending
count to skip idle health-check ticks, and the summary reports its event count).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from psa_sim.engine.kinds import JobKind
from psa_sim.engine.scheduler import Counters, call_later
from psa_sim.loadtest.metrics import Metrics
from psa_sim.states import ERROR, FINISHED, KILLED, source_state

if TYPE_CHECKING:
    from psa_sim.engine.jobs import Job
    from psa_sim.engine.simulation import Simulation
    from psa_sim.loadtest.progress import RunListener
    from psa_sim.model.instance import ServiceInstance

#: Columns of the time series after the per-status counts.
NODE_COLUMNS = (
    "nodes_busy",
    "nodes_free",
    "nodes_down",
    "nodes_provisioning",
    "nodes_holding_tokens",
    "tokens_held",
    "queued_jobs",
)

#: At most this many samples in a run's time series (plus the one at the end).
MAX_SAMPLES = 2000


def sample_period(duration: float, health_period: float) -> float:
    """The probe's period: the health loops' period, or longer for long runs."""
    return max(health_period, duration / MAX_SAMPLES)


class Recorder(Metrics):
    def __init__(self, sim: Simulation) -> None:
        super().__init__(sim.env)
        self.sim = sim
        self.status: dict[int, str] = {}  # instance id -> its instance_status
        self.counts: dict[str, int] = {}  # instance_status -> instances in it
        self.history: dict[int, list[tuple[float, str, str]]] = {}
        self.running_at: dict[int, float] = {}  # first activation completed
        self.workload_of: dict[int, str] = {}
        self.parent_of: dict[int, int] = {}  # a dependency -> the instance needing it
        self.samples: list[tuple[float, dict[str, int], tuple[int, ...]]] = []
        self.states_seen: dict[str, None] = {}  # in order of first appearance

    # --- keeping the counts ----------------------------------------------------------
    def _move(self, instance_id: int, new: str) -> str | None:
        counts = self.counts
        old = self.status.get(instance_id)
        if old is not None:
            counts[old] -= 1
        counts[new] = counts.get(new, 0) + 1
        self.status[instance_id] = new
        return old

    def _end(self, instance: ServiceInstance, to_state: str) -> None:
        iid = instance.instance_id
        old = self._move(iid, to_state)
        before = "?" if old is None else source_state(old)
        self.history.setdefault(iid, []).append((self.env.now, before, to_state))

    # --- observer hooks ----------------------------------------------------------------
    def instance_created(self, instance: ServiceInstance, job: Job) -> None:
        if job.parent_job_id is not None:
            parent = self.sim.scheduler.get(job.parent_job_id)
            if parent is not None and parent.instance is not None:  # a dependency's
                self.parent_of[instance.instance_id] = parent.instance.instance_id
        super().instance_created(instance, job)

    def transition_started(self, instance: ServiceInstance, job: Job) -> None:
        self._move(instance.instance_id, instance.instance_status)
        super().transition_started(instance, job)

    def transition_completed(self, instance: ServiceInstance, job: Job) -> None:
        iid = instance.instance_id
        now = self.env.now
        self._move(iid, instance.instance_status)
        self.history.setdefault(iid, []).append((now, job.from_state, job.to_state))
        if job.kind == JobKind.ACTIVATION and iid not in self.running_at:
            self.running_at[iid] = now
        super().transition_completed(instance, job)

    def instance_failed(self, instance: ServiceInstance, cause: str) -> None:
        self._end(instance, ERROR)
        super().instance_failed(instance, cause)

    def instance_killed(self, instance: ServiceInstance) -> None:
        self._end(instance, KILLED)
        super().instance_killed(instance)

    def arrived(self, instance: ServiceInstance, workload: str) -> None:
        self.workload_of[instance.instance_id] = workload

    # --- the time series ---------------------------------------------------------------
    def sample(self) -> None:
        sim = self.sim
        busy = free = down = holding = tokens = 0
        for node in sim.cluster.nodes:  # a plain loop: faster than map/attrgetter here
            if not node.up:
                down += 1
            elif node.job is not None:
                busy += 1
            else:
                free += 1
            if node.tokens:
                holding += 1
                tokens += len(node.tokens)
        counts = {state: n for state, n in self.counts.items() if n}
        for state in counts:
            if state not in self.states_seen:
                self.states_seen[state] = None
        scheduler = sim.scheduler
        self.samples.append(
            (
                sim.now,
                counts,
                (
                    busy,
                    free,
                    down,
                    scheduler.provisioning_nodes,
                    holding,
                    tokens,
                    scheduler.queued(),
                ),
            )
        )

    # --- the report's rows -------------------------------------------------------------
    def instance_rows(self) -> Iterator[dict]:
        """One row per instance, in creation order; times in simulated seconds. Made one
        at a time as the CSV writer asks: a million-user day's rows never coexist."""
        for instance in self.sim.store:
            iid = instance.instance_id
            history = self.history.get(iid, ())
            created = self.created_at.get(iid)
            running = self.running_at.get(iid)
            finished = next((t for t, _, to in history if to == FINISHED), None)
            failed = next((t for t, _, to in history if to == ERROR), None)
            yield (
                {
                    "instance_id": iid,
                    "service": instance.service_id,
                    "workload": self._workload(iid),
                    "user": instance.user_name,
                    "created": created,
                    "running": running,
                    "time_to_running": (
                        None if running is None or created is None else running - created
                    ),
                    "finished": finished,
                    "failed": failed,
                    "final_state": instance.instance_status,
                    "error_cause": instance.error_cause or "",
                    "transitions": ";".join(f"{_num(t)}:{a}->{b}" for t, a, b in history),
                }
            )

    def _workload(self, instance_id: int) -> str:
        """The workload whose user asked for the instance; a dependency started for
        another instance is named after that one's: ``"Kafka (dependency)"``."""
        name = self.workload_of.get(instance_id)
        if name is not None:
            return name
        seen = {instance_id}
        parent = self.parent_of.get(instance_id)
        while parent is not None and parent not in seen:
            seen.add(parent)
            if parent in self.workload_of:
                return f"{self.workload_of[parent]} (dependency)"
            parent = self.parent_of.get(parent)
        return ""


def _num(value: float) -> str:
    value = round(value, 3)
    return str(int(value)) if value == int(value) else repr(value)


class Probe:
    """One periodic timer over a run: samples the recorder, moves the progress bar.

    Its timer goes through counters of its own, so ``sim.counters`` (the events the
    summary reports, and the pending count the simulation's idle skip reads) stays what
    it is without a probe. It takes a sample at 0, every ``period`` and at ``end``.
    """

    def __init__(
        self,
        sim: Simulation,
        end: float,
        period: float,
        recorder: Recorder | None = None,
        progress: RunListener | None = None,
    ) -> None:
        self.sim = sim
        self.end = end
        self.period = period
        self.recorder = recorder
        self.progress = progress
        self.counters = Counters()
        self._ticks = 0
        self._last_sample: float | None = None

    def start(self) -> None:
        self._observe()
        self._schedule()

    def _schedule(self) -> None:
        self._ticks += 1
        at = self._ticks * self.period
        if at <= self.end:
            call_later(self.sim.env, self.counters, at - self.sim.now, self._tick)

    def _tick(self) -> None:
        self._observe()
        self._schedule()

    def _observe(self) -> None:
        now = self.sim.now
        if self.recorder is not None and self._last_sample != now:
            self.recorder.sample()
            self._last_sample = now
        if self.progress is not None:
            counters = self.sim.counters
            self.progress.update(now, counters.events + counters.health_checks)

    def finish(self) -> None:
        """The sample at the end of the run (if the last tick fell short of it)."""
        self._observe()
        if self.progress is not None:
            self.progress.finish()
