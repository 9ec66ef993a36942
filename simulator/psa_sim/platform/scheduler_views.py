"""The scheduler's REST answers, field for field as its DTOs.

Names, types and nesting follow ow2-proactive/scheduling,
rest/rest-api/src/main/java/org/ow2/proactive_grid_cloud_portal/scheduler/dto/
(JobIdData, JobInfoData, JobStateData, TaskStateData, TaskInfoData, UserJobData,
JobResultData, TaskResultData, RestPage, RestMapPage, JobValidationData), serialized as
Jackson does (getters: `isRaw()` is "raw", `JobStateData.getId()` is "id").

A PSA job's work is simulated as one unit (one node, one duration): while it runs, its
first task is shown running on its node and the others pending; once it ended, its tasks
share its times, node and final status. A plain job's tasks each have their own
(plain_jobs.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from psa_sim.catalog.describe import SECRET_MASK
from psa_sim.catalog.workflow import DEFAULT_EXECUTIONS
from psa_sim.engine.cluster import Node
from psa_sim.engine.jobs import Job, JobStatus
from psa_sim.engine.simulation import Simulation
from psa_sim.errors import NotFound

NOT_YET = -1  # what the scheduler writes for a time that has not come
# A task's id is its job's id times this plus its index (TaskIdImpl).
TASK_ID_FACTOR = 10_000
# Task statuses a job's counters put in each bucket (TaskStatusData).
NOT_STARTED_TASK = frozenset({"PENDING", "PAUSED", "NOT_STARTED"})
PENDING_TASK = frozenset(
    {"SUBMITTED", "PENDING", "PAUSED", "WAITING_ON_ERROR", "WAITING_ON_FAILURE"}
)
# Generic information the simulator reads, and what the scheduler names a job's origin.
GI_RESULT = "sim.result"
GI_SUBMISSION_MODE = "submission.mode"
# What a PSA job's tasks read when the job is in each status.
_PSA_TASK_STATUS = {
    JobStatus.PENDING: "PENDING",
    JobStatus.RUNNING: "RUNNING",
    JobStatus.FINISHED: "FINISHED",
    JobStatus.FAILED: "FAULTY",
    JobStatus.KILLED: "ABORTED",
    JobStatus.IN_ERROR: "IN_ERROR",
}


def ms(sim: Simulation, seconds: float | None) -> int:
    """Epoch milliseconds of a simulated time; -1 for "not yet", as the scheduler says."""
    return NOT_YET if seconds is None else sim.epoch_ms + round(seconds * 1000)


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One task as the views print it, whichever kind of job it belongs to."""

    index: int
    name: str
    description: str
    status: str
    started_at: float | None
    finished_at: float | None
    node: Node | None
    replication: int
    iteration: int
    executions_left: int
    max_executions: int
    generic_info: dict[str, str]


def task_rows(job: Job) -> list[TaskRow]:
    if job.tasks is not None:
        paused = job.status is JobStatus.PAUSED
        return [
            TaskRow(
                run.index,
                run.name,
                run.description,
                "PAUSED" if paused and run.status == "PENDING" else run.status,
                run.started_at,
                run.finished_at,
                run.node,
                run.replication,
                run.iteration,
                run.executions_left,
                run.task.max_executions,
                run.generic_info,
            )
            for run in job.tasks
        ]
    tasks = job.workflow.tasks
    names = [(t.name, t.description, dict(t.generic_info), t.max_executions) for t in tasks]
    names = names or [(job.name, "", {}, DEFAULT_EXECUTIONS)]
    statuses = _psa_task_statuses(job, len(names))
    rows = []
    for i, ((name, description, info, executions), status) in enumerate(zip(names, statuses)):
        started = job.started_at if status not in NOT_STARTED_TASK else None
        finished = job.finished_at if started is not None and job.status.is_final else None
        node = job.ran_on if started is not None else None
        left = executions - (1 if started is not None else 0)
        rows.append(
            TaskRow(
                i, name, description, status, started, finished, node, 0, 0, left, executions, info
            )
        )
    return rows


def _psa_task_statuses(job: Job, count: int) -> list[str]:
    """A PSA job's work runs as one task at a time on one node: while the job runs its
    first task is shown running and the others pending; once it ended, all alike."""
    status = job.status
    if status is JobStatus.PENDING:
        return ["PENDING"] * count
    if status is JobStatus.RUNNING:
        return ["RUNNING"] + ["PENDING"] * (count - 1)
    if status is JobStatus.PAUSED:
        first = "RUNNING" if job.started_at is not None else "PAUSED"
        return [first] + ["PAUSED"] * (count - 1)
    if status is JobStatus.KILLED and job.started_at is None:
        return ["NOT_STARTED"] * count
    return [_PSA_TASK_STATUS[status]] * count


def job_id_data(job: Job) -> dict[str, Any]:
    return {"id": job.job_id, "readableName": job.name}


def _task_id(job: Job, row: TaskRow) -> dict[str, Any]:
    return {"id": job.job_id * TASK_ID_FACTOR + row.index, "readableName": row.name}


def _host_name(node: Node | None) -> str | None:
    return None if node is None else f"{node.host} ({node.url})"


def _shown(job: Job) -> dict[str, str]:
    """Job variables as a client reads them: secrets masked."""
    secret = {v.name for v in job.workflow.variables if v.is_secret}
    return {
        name: SECRET_MASK if name in secret and value else value
        for name, value in job.variables.items()
    }


def _detailed_variables(job: Job, shown: dict[str, str]) -> dict[str, dict[str, Any]]:
    declared = {v.name: v for v in job.workflow.variables}
    out = {}
    for name, value in shown.items():
        v = declared.get(name)
        out[name] = {
            "name": name,
            "value": value,
            "model": v.model.raw if v is not None else None,
            "description": v.description if v is not None else None,
            "group": v.group if v is not None else None,
            "advanced": bool(v.advanced) if v is not None else False,
            "hidden": bool(v.hidden) if v is not None else False,
        }
    return out


def job_info(job: Job, sim: Simulation, rows: list[TaskRow] | None = None) -> dict[str, Any]:
    """JobInfoData."""
    rows = task_rows(job) if rows is None else rows
    statuses = [row.status for row in rows]
    pending = sum(1 for s in statuses if s in PENDING_TASK)
    running = statuses.count("RUNNING")
    in_error = statuses.count("IN_ERROR")
    shown = _shown(job)
    nodes = {row.node.name for row in rows if row.node is not None}
    core_ms = sum(
        round((row.finished_at - row.started_at) * 1000)
        for row in rows
        if row.started_at is not None and row.finished_at is not None
    )
    instance = job.instance
    return {
        "startTime": ms(sim, job.started_at),
        "inErrorTime": ms(sim, job.finished_at) if job.status is JobStatus.IN_ERROR else NOT_YET,
        "finishedTime": ms(sim, job.finished_at),
        "submittedTime": ms(sim, job.submitted_at),
        "removedTime": NOT_YET,
        "status": job.status.value,
        "jobId": job_id_data(job),
        "totalNumberOfTasks": len(rows),
        "numberOfPendingTasks": pending,
        "numberOfRunningTasks": running,
        "numberOfFinishedTasks": len(rows) - pending - running - in_error,
        "numberOfFailedTasks": statuses.count("FAILED"),
        "numberOfFaultyTasks": statuses.count("FAULTY"),
        "numberOfInErrorTasks": in_error,
        "priority": job.priority,
        "jobOwner": job.owner,
        "tenant": None,
        "domain": None,
        "projectName": job.workflow.project_name,
        "description": job.workflow.description,
        "bucketName": job.bucket or None,
        "label": None,
        "toBeRemoved": False,
        "genericInformation": dict(job.generic_info),
        "variables": shown,
        "detailedVariables": _detailed_variables(job, shown),
        "signals": list(job.signals),
        "detailedSignals": {
            name: {
                key: {
                    "name": key,
                    "value": value,
                    "model": None,
                    "description": None,
                    "group": None,
                    "advanced": False,
                    "hidden": False,
                }
                for key, value in values.items()
            }
            for name, values in job.signals.items()
        },
        "visualizationConnectionStrings": {},
        "visualizationIcons": {},
        # PSA registers its instance with the jobs it runs (registerService).
        "attachedServices": {} if instance is None else {str(instance.instance_id): True},
        "externalEndpointUrls": {},
        "resultMapPresent": False,
        "preciousTasks": [],
        "parentId": job.parent_job_id,
        "childrenCount": 0,
        "cumulatedCoreTime": core_ms,
        "numberOfNodes": len(nodes),
        "numberOfNodesInParallel": 1 if nodes else 0,
        "submissionMode": job.generic_info.get(GI_SUBMISSION_MODE),
        "startAt": None,
    }


def task_state(job: Job, row: TaskRow, sim: Simulation) -> dict[str, Any]:
    """TaskStateData (with its TaskInfoData)."""
    started, finished = row.started_at, row.finished_at
    return {
        "name": row.name,
        "description": row.description or None,
        "tag": None,
        "iterationIndex": row.iteration,
        "replicationIndex": row.replication,
        "maxNumberOfExecution": row.max_executions,
        "maxNumberOfExecutionOnFailure": row.max_executions,
        "taskInfo": {
            "jobId": job_id_data(job),
            "taskId": _task_id(job, row),
            "startTime": ms(sim, started),
            "finishedTime": ms(sim, finished),
            "inErrorTime": ms(sim, finished) if row.status == "IN_ERROR" else NOT_YET,
            "scheduledTime": ms(sim, started),
            "executionDuration": (
                round((finished - started) * 1000)
                if started is not None and finished is not None
                else NOT_YET
            ),
            "taskStatus": row.status,
            "executionHostName": _host_name(row.node),
            "numberOfExecutionLeft": row.executions_left,
            "numberOfExecutionOnFailureLeft": row.executions_left,
            "visualizationActivated": False,
            "visualizationConnectionString": None,
            "variables": {},
            "progress": 100 if row.status == "FINISHED" else 0,
        },
        "parallelEnvironment": None,
        "genericInformation": dict(row.generic_info),
    }


def job_state(job: Job, sim: Simulation) -> dict[str, Any]:
    """JobStateData."""
    rows = task_rows(job)
    return {
        "id": job.job_id,
        "name": job.name,
        "priority": job.priority,
        "owner": job.owner,
        "tenant": None,
        "domain": None,
        "jobInfo": job_info(job, sim, rows),
        "projectName": job.workflow.project_name,
        "tasks": {row.name: task_state(job, row, sim) for row in rows},
        "genericInformation": dict(job.generic_info),
    }


def user_job(job: Job, sim: Simulation) -> dict[str, Any]:
    """UserJobData."""
    return {"jobid": str(job.job_id), "jobOwner": job.owner, "jobInfo": job_info(job, sim)}


def page(items: list[Any], size: int) -> dict[str, Any]:
    """RestPage: `size` is the number of items before paging."""
    return {"size": size, "list": items}


def find_row(job: Job, task_name: str) -> TaskRow:
    for row in task_rows(job):
        if row.name == task_name:
            return row
    known = ", ".join(row.name for row in task_rows(job))
    raise NotFound(f"taskname: job {job.job_id} has no task '{task_name}' (its tasks: {known})")


def task_value(job: Job, row: TaskRow) -> str | None:
    """What a task returned: the simulator runs no script, so a task's `sim.result`
    generic information stands for its `result = ...`; None otherwise."""
    return row.generic_info.get(GI_RESULT)


def task_result(job: Job, row: TaskRow) -> dict[str, Any]:
    """TaskResultData."""
    faulty = row.status in ("FAULTY", "FAILED", "IN_ERROR")
    return {
        "id": _task_id(job, row),
        "serializedValue": None,
        "value": None if faulty else task_value(job, row),
        "serializedException": None,
        "exceptionMessage": (job.error or f"task {row.name} failed") if faulty else None,
        "metadata": {},
        "propagatedVariables": {**_shown(job), **job.result},
        "serializedPropagatedVariables": {},
        "output": None,
        "raw": False,
    }


def job_result(job: Job, sim: Simulation) -> dict[str, Any]:
    """JobResultData: the tasks that ended, each with its result."""
    rows = task_rows(job)
    # A PSA job's tasks are one unit (its propagated variables read from the start);
    # a plain job's, each once it ended.
    ended = rows if job.tasks is None else [r for r in rows if r.finished_at is not None]
    results = {row.name: task_result(job, row) for row in ended}
    return {
        "id": job_id_data(job),
        "jobInfo": job_info(job, sim, rows),
        "allResults": results,
        "preciousResults": {},
        "resultMap": {},
        "serializedResultMap": {},
        "exceptionResults": {
            name: result
            for name, result in results.items()
            if result["exceptionMessage"] is not None
        },
    }


def job_log(job: Job, sim: Simulation, lines: Iterable[tuple[float, str]] | None = None) -> str:
    out = []
    for seconds, message in job.log if lines is None else lines:
        stamp = datetime.fromtimestamp(ms(sim, seconds) / 1000, tz=UTC)
        out.append(
            f"[{stamp.isoformat(timespec='milliseconds')}] job {job.job_id} ({job.name}): {message}"
        )
    return "\n".join(out) + "\n"


def task_log(job: Job, row: TaskRow, sim: Simulation) -> str:
    """A plain job's task: the job's lines that name it; a PSA job's: all of them."""
    if job.tasks is None:
        return job_log(job, sim)
    marker = f"task {row.name} "
    return job_log(job, sim, [(t, m) for t, m in job.log if m.startswith(marker)])
