"""Plain jobs: a workflow without pca.* submitted to the scheduler runs as itself.

Its tasks run one at a time in an order that respects `depends` (independent branches
are not run side by side), each on a node that fits (its NODE_ACCESS_TOKEN, or a node
without token), queued while none is free, for a duration drawn for the kind "task".
Control flow as the XML declares it: a replicate initiator's direct children run `runs`
times (`B`, `B*1`, ...), a loop block runs its read number of iterations (`A`, `A#1`,
...). A fault (action failure probability, a node going down) fails the task: a node
failure re-runs it while executions are left; a failed task ends the job FAILED when
the job says onTaskError="cancelJob", otherwise the job goes on.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from psa_sim.catalog.workflow import Task, Workflow
from psa_sim.engine.jobs import Job, JobStatus
from psa_sim.errors import InvalidInput

if TYPE_CHECKING:
    from psa_sim.engine.cluster import Node
    from psa_sim.engine.scheduler import Scheduler


REPLICATION_SEPARATOR = "*"
ITERATION_SEPARATOR = "#"


class TaskRun:
    """One task of a plain job, replicated or iterated copies included."""

    __slots__ = (
        "description",
        "executions_left",
        "finished_at",
        "generic_info",
        "index",
        "iteration",
        "name",
        "node",
        "ready_signals",
        "replication",
        "started_at",
        "status",
        "task",
    )

    def __init__(self, task: Task, index: int, replication: int = 0, iteration: int = 0):
        name = task.name
        if replication:
            name += f"{REPLICATION_SEPARATOR}{replication}"
        if iteration:
            name += f"{ITERATION_SEPARATOR}{iteration}"
        self.task = task
        self.name = name
        self.index = index
        self.replication = replication
        self.iteration = iteration
        self.description = task.description
        self.generic_info = dict(task.generic_info)
        self.ready_signals = task.ready_signals
        self.status = "PENDING"
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self.node: Node | None = None  # where it ran (last)
        self.executions_left = task.max_executions

    def start(self, now: float, node: Node) -> None:
        self.status = "RUNNING"
        self.started_at = now
        self.node = node

    def end(self, now: float, status: str) -> None:
        self.status = status
        self.finished_at = now


def plan(workflow: Workflow) -> list[TaskRun]:
    """The task runs of a plain job, in the order they run."""
    tasks = {task.name: task for task in workflow.tasks}
    order = _dependency_order(workflow)
    replicated_by = {
        task.name: tasks[task.depends[0]].replicate_runs
        for task in workflow.tasks
        if len(task.depends) == 1 and tasks.get(task.depends[0]) is not None
        if tasks[task.depends[0]].replicate_runs
    }
    runs: list[TaskRun] = []
    position = {name: i for i, name in enumerate(order)}
    i = 0
    while i < len(order):
        task = tasks[order[i]]
        loop_end = _loop_closing(task, workflow, position)
        if loop_end is not None:
            block = order[i : position[loop_end.name] + 1]
            for iteration in range(loop_end.loop_iterations):
                for name in block:
                    _add(runs, tasks[name], replicated_by.get(name), iteration)
            i = position[loop_end.name] + 1
            continue
        _add(runs, task, replicated_by.get(task.name), 0)
        i += 1
    return runs


def _add(runs: list[TaskRun], task: Task, replicas: int | None, iteration: int) -> None:
    for replication in range(replicas or 1):
        runs.append(TaskRun(task, len(runs), replication, iteration))


def _loop_closing(task: Task, workflow: Workflow, position: dict[str, int]) -> Task | None:
    """The task whose loop goes back to `task`, when it comes after it."""
    for other in workflow.tasks:
        if other.loop_target == task.name and position.get(other.name, -1) >= position[task.name]:
            return other
    return None


def _dependency_order(workflow: Workflow) -> list[str]:
    """Kahn's order, document order among ready tasks; unknown references and cycles
    are refused, naming them."""
    names = [task.name for task in workflow.tasks]
    known = set(names)
    for task in workflow.tasks:
        for ref in task.depends:
            if ref not in known:
                raise InvalidInput(
                    f"task '{task.name}': depends on '{ref}', which is not a task of the job"
                )
        if task.loop_target is not None and task.loop_target not in known:
            raise InvalidInput(
                f"task '{task.name}': loop target '{task.loop_target}' is not a task of the job"
            )
    done: list[str] = []
    remaining = list(workflow.tasks)
    while remaining:
        ready = [t for t in remaining if all(d in done for d in t.depends)]
        if not ready:
            cycle = ", ".join(t.name for t in remaining)
            raise InvalidInput(f"taskFlow: the dependencies of {cycle} form a cycle")
        done.append(ready[0].name)
        remaining.remove(ready[0])
    return done


class PlainJobs:
    """Runs plain jobs on the scheduler: the job's next task asks for a node."""

    def __init__(
        self,
        scheduler: Scheduler,
        rng: random.Random,
        failure_probability: Callable[[], float],
        ended: Callable[[Job], None],
    ) -> None:
        self.scheduler = scheduler
        self.rng = rng
        self.failure_probability = failure_probability
        self.ended = ended

    def start(self, job: Job) -> None:
        job.tasks = plan(job.workflow)
        job.on_task_done = self._task_done
        self.scheduler.submit(job)
        self._next(job)

    def _next(self, job: Job) -> None:
        now = self.scheduler.env.now
        for run in job.tasks or ():
            if run.status == "PENDING":
                job.current_task = run
                if job.status is not JobStatus.PAUSED:
                    self.scheduler.enqueue(job)
                return
        job.current_task = None
        failed = any(run.status == "FAULTY" for run in job.tasks or ())
        job.log.append((now, "all tasks ended" + (" (some faulty)" if failed else "")))
        self.scheduler.end(job, JobStatus.FINISHED)
        self.ended(job)

    def resume(self, job: Job) -> None:
        """A resumed job asks for a node again for its task not started yet."""
        run = job.current_task
        if run is not None and run.status == "PENDING" and job.node is None:
            self.scheduler.enqueue(job)

    def _task_done(self, job: Job, node: Node) -> None:
        run = job.current_task
        assert run is not None  # the scheduler ran it
        now = self.scheduler.env.now
        p = self.failure_probability()
        if p and self.rng.random() < p:
            self._fault(job, run, f"task {run.name} failed on node {node.name}")
            return
        run.end(now, "FINISHED")
        job.log.append((now, f"task {run.name} finished"))
        self._next(job)

    def node_failed(self, job: Job, cause: str) -> None:
        """The node under the job's task went down: run it again while it may."""
        run = job.current_task
        assert run is not None  # a task ran on the node
        self.scheduler.end_task(job)
        run.executions_left -= 1
        if run.executions_left > 0:
            run.status = "PENDING"
            job.log.append((self.scheduler.env.now, f"task {run.name}: {cause}; run again"))
            self._next(job)
            return
        self._fault(job, run, cause)

    def _fault(self, job: Job, run: TaskRun, cause: str) -> None:
        now = self.scheduler.env.now
        run.end(now, "FAULTY")
        job.log.append((now, cause))
        if job.workflow.on_task_error == "cancelJob":
            for other in job.tasks or ():
                if other.status == "PENDING":
                    other.status = "NOT_STARTED"
            job.current_task = None
            self.scheduler.end(job, JobStatus.FAILED, cause)
            self.ended(job)
            return
        self._next(job)
