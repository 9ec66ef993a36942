"""Run a scenario headless in simulated time and summarize what happened.

Users arrive as a Poisson process per workload and ask for an instance. Once the
instance reaches the state its activation leads to, the workload's actions run at their
`after` offsets and the finishing action at `lifetime`; both are measured from that
moment, when the user can start using the service.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from psa_sim.catalog import ServiceIndex, Workflow, load_catalog
from psa_sim.engine.jobs import Job, JobStatus
from psa_sim.engine.observer import Observer
from psa_sim.engine.scheduler import Counters, call_later
from psa_sim.engine.simulation import Simulation
from psa_sim.errors import PsaError
from psa_sim.loadtest.metrics import Metrics, cause_key, distribution
from psa_sim.loadtest.recorder import Probe, Recorder, sample_period
from psa_sim.loadtest.scenario import (
    JobsSpec,
    NodeFailureSpec,
    Scenario,
    ScenarioError,
    WorkloadSpec,
    check_against_catalog,
)
from psa_sim.model.instance import ServiceInstance
from psa_sim.states import ENDED_STATES, FINISHED

if TYPE_CHECKING:
    from psa_sim.loadtest.progress import RunListener

# A finishing action that finds its instance mid-transition is tried again this often.
FINISH_RETRY_PERIOD = 10.0
# How often (simulated seconds) the run forgets what its ended instances no longer need.
FORGET_PERIOD = 3600.0


@dataclass
class RunResult:
    summary: dict[str, Any]  # deterministic for a given scenario and seed
    performance: dict[str, float | None]  # wall-clock figures: they differ from run to run
    simulation: Simulation
    metrics: Metrics  # a Recorder (instance histories, time series) when recording

    @property
    def passed(self) -> bool:
        return self.summary["passed"]


def build_simulation(
    scenario: Scenario, index: ServiceIndex, seed: int, observer: Observer | None = None
) -> Simulation:
    """The simulation a scenario describes: the scenario holds the engine's own types."""
    return Simulation(
        index,
        seed=seed,
        node_sources=scenario.cluster,
        port_range=scenario.port_range,
        health_period=scenario.health_period,
        timing=scenario.timing,
        container_crash_per_hour=scenario.faults.container_crash_per_hour,
        action_failure_probability=scenario.faults.action_failure_probability,
        observer=observer,
    )


class _Workload:
    """One workload's users: arrivals, then each user's actions and finish."""

    def __init__(self, runner: ScenarioRunner, position: int, spec: WorkloadSpec) -> None:
        self.runner = runner
        self.spec = spec
        sim = runner.sim
        self.rng = random.Random(f"{runner.seed}:arrivals:{position}")
        self.arrived = 0
        if spec.workflow is not None:
            self.activation = spec.workflow
        else:
            _, workflow = sim.index.activations(spec.service)[0]
            self.activation = workflow.name

    def start(self) -> None:
        self._schedule_next(self.spec.start)

    def _schedule_next(self, after: float) -> None:
        gap = self.rng.expovariate(self.spec.arrivals_per_hour / 3600.0)
        at = after + gap
        if at > self.runner.scenario.duration:
            return
        sim = self.runner.sim
        call_later(sim.env, sim.counters, at - sim.now, self._arrive)

    def _arrive(self) -> None:
        spec, runner = self.spec, self.runner
        self.arrived += 1
        try:
            instance = runner.sim.submit_activation(
                self.activation, spec.variables, service_id=spec.service
            )
        except PsaError as exc:
            runner.metrics.rejected[cause_key(str(exc))] += 1
        else:
            runner.metrics.arrived(instance, spec.name or spec.service)  # name defaults to it
            runner.metrics.when_running(instance, self._running)
        if spec.count is None or self.arrived < spec.count:
            self._schedule_next(runner.sim.now)

    def _running(self, instance: ServiceInstance) -> None:
        sim = self.runner.sim
        for action in self.spec.actions:
            call_later(sim.env, sim.counters, action.after, self._act, instance, action.action)
        if self.spec.lifetime < self.runner.scenario.duration:
            call_later(sim.env, sim.counters, self.spec.lifetime, self._finish, instance)

    def _act(self, instance: ServiceInstance, action: str) -> None:
        try:
            self.runner.sim.submit_action(instance.instance_id, action)
        except PsaError as exc:
            self.runner.metrics.skipped_actions[f"{action}: {cause_key(str(exc))}"] += 1

    def _finish(self, instance: ServiceInstance) -> None:
        sim = self.runner.sim
        if instance.state in ENDED_STATES and not instance.is_transitioning:
            return
        if instance.is_transitioning:
            call_later(sim.env, sim.counters, FINISH_RETRY_PERIOD, self._finish, instance)
            return
        finishing = [
            wf.name
            for _, wf in sim.executable_actions(instance.instance_id)
            if wf.target_state(instance.state) == FINISHED
        ]
        if not finishing:
            self.runner.metrics.skipped_actions[
                f"finish: no finishing action from {instance.state}"
            ] += 1
            return
        self._act(instance, finishing[0])


class _PlainJobs:
    """One `jobs` entry: a plain workflow submitted to the scheduler as a Poisson process."""

    def __init__(self, runner: ScenarioRunner, position: int, spec: JobsSpec) -> None:
        self.runner = runner
        self.spec = spec
        self.rng = random.Random(f"{runner.seed}:jobs:{position}")
        self.arrived = 0
        self.bucket, self.workflow = _plain_workflow(runner, position, spec)

    def start(self) -> None:
        self._schedule_next(self.spec.start)

    def _schedule_next(self, after: float) -> None:
        at = after + self.rng.expovariate(self.spec.arrivals_per_hour / 3600.0)
        if at > self.runner.scenario.duration:
            return
        sim = self.runner.sim
        call_later(sim.env, sim.counters, at - sim.now, self._arrive)

    def _arrive(self) -> None:
        runner, spec = self.runner, self.spec
        self.arrived += 1
        try:
            job = runner.sim.submit_plain(
                self.workflow, spec.variables, user="admin", bucket=self.bucket
            )
        except PsaError as exc:
            runner.metrics.rejected[cause_key(str(exc))] += 1
        else:
            runner.plain_jobs.append((spec.name or spec.workflow, job))
        if spec.count is None or self.arrived < spec.count:
            self._schedule_next(runner.sim.now)


def _plain_workflow(runner: ScenarioRunner, position: int, spec: JobsSpec) -> tuple[str, Workflow]:
    """The catalog workflow a `jobs` entry names; a PSA workflow belongs in `workloads`."""
    path = f"jobs[{position}].workflow"
    scenario = runner.scenario
    try:
        bucket, workflow = runner.index.find(spec.workflow, bucket=spec.bucket)
    except PsaError as exc:
        raise ScenarioError(scenario.source, scenario.positions.get(path), path, str(exc)) from None
    if workflow.service_id:
        raise ScenarioError(
            scenario.source,
            scenario.positions.get(path),
            path,
            f"{spec.workflow!r} is a workflow of the service {workflow.service_id!r}: "
            f"services go in workloads, plain jobs in jobs",
        )
    return bucket, workflow


class ScenarioRunner:
    """Runs a scenario once. ``record``: keep what a report needs (a
    :class:`~psa_sim.loadtest.recorder.Recorder`, sampled over time); ``progress``: an
    object told ``update(simulated_seconds, events)`` as the run goes and ``finish()``
    at its end (see :mod:`psa_sim.loadtest.progress`). Neither changes the summary."""

    def __init__(
        self,
        scenario: Scenario,
        index: ServiceIndex | None = None,
        seed: int | None = None,
        *,
        record: bool = False,
        progress: RunListener | None = None,
    ) -> None:
        self.scenario = scenario
        self.index = index if index is not None else load_catalog()
        check_against_catalog(
            scenario,
            {
                service: [wf.name for _, wf in self.index.workflows(service)]
                for service in self.index.services()
            },
        )
        self.seed = scenario.seed if seed is None else seed
        self.sim = build_simulation(scenario, self.index, self.seed)
        self.metrics: Metrics = Recorder(self.sim) if record else Metrics(self.sim.env)
        self.sim.observer = self.metrics
        self.progress = progress
        self.plain_jobs: list[tuple[str, Job]] = []  # (jobs entry name, job) submitted
        self._jobs = [_PlainJobs(self, i, spec) for i, spec in enumerate(scenario.jobs)]

    def run(self) -> RunResult:
        sim, scenario = self.sim, self.scenario
        for position, spec in enumerate(scenario.workloads):
            _Workload(self, position, spec).start()
        for jobs in self._jobs:
            jobs.start()
        for failure in scenario.faults.node_failures:
            call_later(sim.env, sim.counters, failure.at, self._fail_nodes, failure)
        _Forgetter(sim, scenario.duration).start()
        sim.horizon = scenario.duration  # the run stops there
        probe = None
        if isinstance(self.metrics, Recorder) or self.progress is not None:
            probe = Probe(
                sim,
                scenario.duration,
                sample_period(scenario.duration, scenario.health_period),
                self.metrics if isinstance(self.metrics, Recorder) else None,
                self.progress,
            )
            probe.start()
        started = time.perf_counter()
        try:
            sim.run(until=scenario.duration)
        finally:  # an interrupted run still puts the terminal's bar away
            wall = time.perf_counter() - started
            if probe is not None:
                probe.finish()
        summary = summarize(self)
        events = summary["events"]["scheduled"] + summary["events"]["health_checks"]
        performance = {
            "wall_seconds": round(wall, 3),
            "simulated_seconds_per_wall_second": round(scenario.duration / wall, 1)
            if wall > 0
            else None,
            "events_per_wall_second": round(events / wall, 1) if wall > 0 else None,
        }
        return RunResult(summary, performance, sim, self.metrics)

    def _fail_nodes(self, failure: NodeFailureSpec) -> None:
        source = self.sim.cluster.sources[failure.node_source]
        up = [node for node in source.nodes if node.up][: failure.count]
        for node in up:
            self.sim.fail_node(node.name, failure.repair_after)


class _Forgetter:
    """Every FORGET_PERIOD, the ended instances lose what only the REST views read
    (Simulation.forget_ended): a million-user day must not keep a million instances'
    jobs. Its timer counts in counters of its own, as the probe's does, so the events
    the summary reports and the simulation's idle skip are what they are without it."""

    def __init__(self, sim: Simulation, end: float) -> None:
        self.sim = sim
        self.end = end
        self.counters = Counters()
        self.waiting: list[ServiceInstance] = []
        sim.store.track_ended = True

    def start(self) -> None:
        if FORGET_PERIOD < self.end:
            call_later(self.sim.env, self.counters, FORGET_PERIOD, self._tick)

    def _tick(self) -> None:
        sim = self.sim
        self.waiting = sim.forget_ended([*self.waiting, *sim.store.drain_ended()])
        if sim.now + FORGET_PERIOD < self.end:
            call_later(sim.env, self.counters, FORGET_PERIOD, self._tick)


def run_scenario(
    scenario: Scenario,
    index: ServiceIndex | None = None,
    seed: int | None = None,
    *,
    record: bool = False,
    progress: RunListener | None = None,
) -> RunResult:
    return ScenarioRunner(scenario, index, seed, record=record, progress=progress).run()


def summarize(runner: ScenarioRunner) -> dict[str, Any]:
    sim, metrics, scenario = runner.sim, runner.metrics, runner.scenario
    now = sim.now
    by_state: dict[str, int] = {}
    for instance in sim.store:
        status = instance.instance_status
        by_state[status] = by_state.get(status, 0) + 1
    nodes = sim.cluster.nodes
    running = {n: (now - n.busy_since) if n.job is not None else 0.0 for n in nodes}
    busy = sum(n.busy_total + running[n] for n in nodes)
    reserved = sum(
        n.reserved_total + ((now - n.reserved_since) if n.tokens else 0.0) for n in nodes
    )
    # A node is in use while it runs a task or holds a service's token.
    in_use = reserved + sum(
        n.busy_unreserved + (running[n] if not n.tokens else 0.0) for n in nodes
    )
    capacity = sum(now - n.created_at for n in nodes)
    measured = {
        "p50_time_to_running": distribution(metrics.time_to_running)["p50"],
        "p95_time_to_running": distribution(metrics.time_to_running)["p95"],
        "p99_time_to_running": distribution(metrics.time_to_running)["p99"],
        "p95_queue_wait": distribution(metrics.queue_waits)["p95"],
        "max_queue_wait": distribution(metrics.queue_waits)["max"],
        "error_rate": round(metrics.error_rate(), 4),
        "max_node_utilization": _share(in_use, capacity),
    }
    thresholds = []
    for name, limit in sorted(scenario.thresholds.items()):
        value = measured[name]
        thresholds.append(
            {
                "name": name,
                "limit": limit,
                "measured": value,
                "passed": value is None or value <= limit,
            }
        )
    return {
        "scenario": scenario.source,
        "seed": runner.seed,
        "simulated_seconds": round(now, 3),
        "instances": {
            "created": len(metrics.created_at),
            "rejected": dict(sorted(metrics.rejected.items())),
            "by_state": dict(sorted(by_state.items())),
        },
        "time_to_running_s": distribution(metrics.time_to_running),
        "action_latencies_s": {
            name: distribution(values) for name, values in sorted(metrics.action_latencies.items())
        },
        "action_failures": dict(sorted(metrics.action_failures.items())),
        "skipped_actions": dict(sorted(metrics.skipped_actions.items())),
        "errors_by_cause": dict(sorted(metrics.errors_by_cause.items())),
        "error_rate": measured["error_rate"],
        "nodes": {
            "total": len(nodes),
            "up": sum(1 for n in nodes if n.up),
            "utilization": measured["max_node_utilization"],
            "busy_share": _share(busy, capacity),
            "reserved_share": _share(reserved, capacity),
            "holding_tokens": sum(1 for n in nodes if n.tokens),
        },
        **({"plain_jobs": _plain_jobs_summary(runner)} if scenario.jobs else {}),
        "queue_wait_s": distribution(metrics.queue_waits),
        "queued_jobs_at_end": sim.scheduler.queued(),
        "events": {"scheduled": sim.counters.events, "health_checks": sim.counters.health_checks},
        "leaks": sim.leaks(),
        "thresholds": thresholds,
        "passed": all(t["passed"] for t in thresholds),
    }


def _plain_jobs_summary(runner: ScenarioRunner) -> dict[str, Any]:
    """Per `jobs` entry: how many were submitted, their statuses at the end, their wait
    for a first node and their duration once finished (seconds)."""
    out: dict[str, Any] = {}
    for name, job in runner.plain_jobs:
        entry = out.setdefault(name, {"submitted": 0, "by_status": {}, "waits": [], "runs": []})
        entry["submitted"] += 1
        status = job.status.value
        entry["by_status"][status] = entry["by_status"].get(status, 0) + 1
        if job.started_at is not None:
            entry["waits"].append(job.started_at - job.submitted_at)
            if job.finished_at is not None and job.status is JobStatus.FINISHED:
                entry["runs"].append(job.finished_at - job.started_at)
    return {
        name: {
            "submitted": entry["submitted"],
            "by_status": dict(sorted(entry["by_status"].items())),
            "wait_s": distribution(entry["waits"]),
            "duration_s": distribution(entry["runs"]),
        }
        for name, entry in sorted(out.items())
    }


def _share(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0
