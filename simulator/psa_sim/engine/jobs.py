"""Scheduler jobs: a workflow submitted on behalf of an instance, or a plain job."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING

from psa_sim.engine.kinds import JobKind
from psa_sim.states import transitioning_label

if TYPE_CHECKING:
    from psa_sim.catalog.workflow import Workflow
    from psa_sim.engine.cluster import Node
    from psa_sim.engine.plain_jobs import TaskRun
    from psa_sim.model.instance import ServiceInstance


class JobStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    KILLED = "KILLED"
    PAUSED = "PAUSED"  # PUT /rest/scheduler/jobs/{id}/pause: its tasks not started wait
    IN_ERROR = "IN_ERROR"  # an activation whose health loop saw the platform crash

    @property
    def is_final(self) -> bool:
        return self in _FINAL


_FINAL = frozenset({JobStatus.FINISHED, JobStatus.FAILED, JobStatus.KILLED, JobStatus.IN_ERROR})


class Job:
    """A submitted workflow. Times are simulated seconds; the API layer converts them."""

    __slots__ = (
        "bucket",
        "current_task",
        "error",
        "finished_at",
        "from_state",
        "generic_info",
        "instance",
        "job_id",
        "kind",
        "log",
        "name",
        "node",
        "on_task_done",
        "owner",
        "parent_job_id",
        "paused_from",
        "priority",
        "ran_on",
        "result",
        "resume_needs_node",
        "signals",
        "started_at",
        "status",
        "submitted_at",
        "tasks",
        "to_state",
        "token",
        "variables",
        "wants_node",
        "workflow",
    )

    def __init__(
        self,
        job_id: int,
        workflow: Workflow,
        bucket: str,
        kind: JobKind,
        instance: ServiceInstance | None,  # None: a plain job
        from_state: str,
        to_state: str,
        variables: dict[str, str],
        owner: str,
        submitted_at: float,
        token: str | None = None,
        parent_job_id: int | None = None,
    ) -> None:
        self.job_id = job_id
        self.name = workflow.name
        self.owner = owner
        self.bucket = bucket
        self.workflow = workflow
        self.kind = kind
        self.instance = instance
        self.from_state = from_state
        self.to_state = to_state
        self.variables = variables
        self.token = token  # NODE_ACCESS_TOKEN its tasks ask for
        self.status = JobStatus.PENDING
        self.submitted_at = submitted_at
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self.node: Node | None = None  # node running its current task
        self.parent_job_id = parent_job_id
        self.result: dict[str, str] = {}  # propagated variables
        self.log: list[tuple[float, str]] = []
        # behaviour callback when its task ends: (job, the node the task ran on)
        self.on_task_done: Callable[[Job, Node], None] | None = None
        self.error: str | None = None
        self.wants_node = False  # queued for a node (a stale queue entry is skipped)
        self.ran_on: Node | None = None  # the last node a task of it ran on, kept once it is freed
        self.priority = "NORMAL"
        self.paused_from: JobStatus | None = None  # the status a pause interrupted
        self.resume_needs_node = False  # it was queued for a node when paused
        # Signals sent to the job or declared ready by its tasks: name → variables.
        self.signals: dict[str, dict[str, str]] = {}
        # The workflow's own, shared (not copied: jobs are made by the thousand); a
        # submission's extra generic information replaces it with a merged copy.
        self.generic_info: Mapping[str, str] = workflow.generic_info
        # Plain jobs run their tasks one by one (see plain_jobs.py); a PSA job's work is
        # one unit, its tasks' records derived from the job's (None here).
        self.tasks: list[TaskRun] | None = None
        self.current_task: TaskRun | None = None

    @property
    def transition_state(self) -> str:
        return transitioning_label(self.from_state, self.to_state)
