"""The ProActive scheduler, reduced to what PSA needs: a queue, nodes, task durations.

A job waits (PENDING) until a node fits it: a node holding its NODE_ACCESS_TOKEN, or a
node with no token at all. Its task then runs for a duration drawn from the timing
model, and the job's behaviour callback decides what happens next. Timers are plain
SimPy timeouts with callbacks (no process per job): it is the cheapest way SimPy offers.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import simpy

from psa_sim.engine.cluster import Cluster, Node, NodeSource
from psa_sim.engine.jobs import Job, JobStatus
from psa_sim.engine.timing import TimingModel

# The scheduler's priorities, lowest first (JobPriority): a free node takes the waiting
# job of highest priority, the oldest among equals.
PRIORITIES = ("IDLE", "LOWEST", "LOW", "NORMAL", "HIGH", "HIGHEST")
_RANK = {name: rank for rank, name in enumerate(PRIORITIES)}


class Counters:
    """What the run reports as work done: events scheduled and health checks made."""

    __slots__ = ("events", "health_checks", "pending")

    def __init__(self) -> None:
        self.events = 0
        self.health_checks = 0
        self.pending = 0  # timers scheduled and not fired yet


def call_later(
    env: simpy.Environment,
    counters: Counters,
    delay: float,
    fn: Callable[..., object],
    *args: object,
) -> simpy.Timeout:
    """Run fn(*args) `delay` simulated seconds from now; returns the timer event."""
    counters.events += 1
    counters.pending += 1
    timer = env.timeout(delay)

    def fire(_event: simpy.Event) -> None:
        counters.pending -= 1
        fn(*args)

    timer.callbacks.append(fire)
    return timer


class Scheduler:
    def __init__(
        self, env: simpy.Environment, cluster: Cluster, timing: TimingModel, counters: Counters
    ) -> None:
        self.env = env
        self.cluster = cluster
        self.timing = timing
        self.counters = counters
        self.jobs: dict[int, Job] = {}
        self.pending_plain: deque[Job] = deque()
        self.pending_token: dict[str, deque[Job]] = {}
        self._next_id = 1
        # Finished jobs are forgotten this long (simulated seconds) after they end, as the
        # real scheduler's pa.scheduler.core.automaticremovejobdelay does; 0 keeps them.
        self.remove_after = 0.0
        self._ended: deque[tuple[float, int]] = deque()
        self.running_tasks = 0  # tasks holding a node now: work the clock must run
        self.provisioning_nodes = 0
        # Set by the simulation: called when a job's first task starts, with its wait.
        self.on_job_started: Callable[[Job, float], None] | None = None
        # Bumped on every change a job listing would show (GET state/revision).
        self.revision = 0
        # Set once a job's priority is not NORMAL: queues are then searched by priority.
        self.prioritized = False

    def new_job_id(self) -> int:
        job_id = self._next_id
        self._next_id += 1
        return job_id

    def peek_job_id(self) -> int:
        """The id the next job will get: to check a request before anything is taken."""
        return self._next_id

    def get(self, job_id: int) -> Job | None:
        return self.jobs.get(job_id)

    # --- queueing ------------------------------------------------------------------
    def submit(self, job: Job) -> None:
        self.jobs[job.job_id] = job
        self.revision += 1
        job.log.append((self.env.now, "submitted"))

    def enqueue(self, job: Job) -> None:
        """Ask for a node for the job's next task; starts it at once if one is free."""
        node = self.cluster.take(job.token)
        if node is not None:
            self._start(job, node)
            return
        job.wants_node = True
        if job.token is None:
            self.pending_plain.append(job)
            self._grow_for_waiting_job()
        else:
            self.pending_token.setdefault(job.token, deque()).append(job)

    def _grow_for_waiting_job(self) -> None:
        source = self.cluster.growable_source()
        if source is None:
            return
        source.provisioning += 1
        self.provisioning_nodes += 1
        call_later(
            self.env,
            self.counters,
            source.config.provisioning_delay,
            self._node_provisioned,
            source,
        )

    def _node_provisioned(self, source: NodeSource) -> None:
        source.provisioning -= 1
        self.provisioning_nodes -= 1
        node = self.cluster.add_node(source, self.env.now)
        self.node_free(node)

    def queued(self) -> int:
        return len(self.pending_plain) + sum(len(q) for q in self.pending_token.values())

    # --- running -------------------------------------------------------------------
    def _start(self, job: Job, node: Node) -> None:
        now = self.env.now
        job.wants_node = False
        self.revision += 1
        if job.status is JobStatus.PENDING:
            job.status = JobStatus.RUNNING
            job.started_at = now
            if self.on_job_started is not None:
                self.on_job_started(job, now - job.submitted_at)
        node.job = job
        node.busy_since = now
        job.node = node
        job.ran_on = node
        self.running_tasks += 1
        task = job.current_task
        if task is not None:  # a plain job's task
            task.start(now, node)
            for name in task.ready_signals:
                job.signals.setdefault("ready_" + name, {})
            job.log.append((now, f"task {task.name} started on node {node.name}"))
        else:
            job.log.append((now, f"task started on node {node.name}"))
        duration = self.timing.duration(job.kind)
        call_later(self.env, self.counters, duration, self._task_done, job, node)

    def _task_done(self, job: Job, node: Node) -> None:
        if job.status.is_final or job.node is not node:  # killed, failed, or moved off it
            return
        node = job.node
        on_task_done = job.on_task_done
        # a running task always has its node, and the simulation sets the callback
        assert node is not None and on_task_done is not None
        self._free(job)
        on_task_done(job, node)
        self.node_free(node)

    def end_task(self, job: Job) -> None:
        """The job's task stops where it runs (its node failed); the job goes on."""
        self._free(job)

    def _free(self, job: Job) -> None:
        node = job.node
        if node is None:
            return
        self.running_tasks -= 1
        busy = self.env.now - node.busy_since
        node.busy_total += busy
        if not node.tokens:
            node.busy_unreserved += busy
        job.node = None
        self.cluster.release(node)

    def node_free(self, node: Node) -> None:
        """Give an idle node the first queued job it fits."""
        if not node.up or node.job is not None:
            return
        if node.tokens:
            for token in list(node.tokens):
                queue = self.pending_token.get(token)
                while queue:
                    job = self._next_waiting(queue)
                    if job.wants_node:
                        self._start(job, node)
                        return
            return
        queue = self.pending_plain
        while queue:
            job = self._next_waiting(queue)
            if job.wants_node:
                # `take` removes the node from the free set it was just put in.
                taken = self.cluster.take(None)
                if taken is None:
                    queue.appendleft(job)
                    return
                self._start(job, taken)
                return

    def _next_waiting(self, queue: deque[Job]) -> Job:
        """Take the job a free node serves first: the oldest, or once priorities are in
        use, the oldest of the highest priority (a scan, only then)."""
        if not self.prioritized:
            return queue.popleft()
        best, best_rank = 0, -1
        for i, job in enumerate(queue):
            rank = _RANK[job.priority] if job.wants_node else -1
            if rank > best_rank:
                best, best_rank = i, rank
        job = queue[best]
        del queue[best]
        return job

    def set_priority(self, job: Job, priority: str) -> None:
        job.priority = priority
        self.revision += 1
        if priority != "NORMAL":
            self.prioritized = True

    # --- ending --------------------------------------------------------------------
    def end(self, job: Job, status: JobStatus, error: str | None = None) -> None:
        """Put the job in a final state, giving back the node its task held."""
        if job.status.is_final:
            return
        node = job.node
        self._free(job)
        job.wants_node = False
        job.status = status
        job.finished_at = self.env.now
        self.revision += 1
        if error:
            job.error = error
        job.log.append((self.env.now, f"job {status.value}" + (f": {error}" if error else "")))
        if node is not None:
            self.node_free(node)
        if self.remove_after > 0:
            self._forget_finished(job)

    def _forget_finished(self, job: Job) -> None:
        """Drop the jobs that ended `remove_after` ago or more. Done as jobs end (no timer
        of its own, so an idle clock still jumps): a function of simulated time only,
        hence the same on replay."""
        now = self.env.now
        ended = self._ended
        ended.append((now, job.job_id))
        while ended and ended[0][0] + self.remove_after <= now:
            _, job_id = ended.popleft()
            if self.jobs.pop(job_id, None) is not None:
                self.revision += 1  # a listing no longer shows it

    def fail_waiting_for(self, token: str, reason: str) -> list[Job]:
        """Jobs queued for a token no node will hold again fail instead of waiting forever."""
        queue = self.pending_token.pop(token, deque())
        failed = [job for job in queue if job.wants_node]
        for job in failed:
            self.end(job, JobStatus.FAILED, reason)
        return failed
