"""JSON shapes of the scheduler and resource manager REST answers, and the admin views."""

from __future__ import annotations

from datetime import UTC, datetime

from psa_sim.engine.cluster import Node
from psa_sim.engine.jobs import Job, JobStatus
from psa_sim.engine.simulation import Simulation


def _ms(sim: Simulation, seconds: float | None) -> int:
    """Epoch milliseconds of a simulated time; -1 for "not yet", as the scheduler says."""
    return -1 if seconds is None else sim.epoch_ms + round(seconds * 1000)


# The task status a final job gives its tasks, as the scheduler names them.
_FINAL_TASK_STATUS = {
    JobStatus.FINISHED: "FINISHED",
    JobStatus.FAILED: "FAULTY",
    JobStatus.KILLED: "ABORTED",
    JobStatus.IN_ERROR: "IN_ERROR",
}


def _task_statuses(job: Job) -> list[str]:
    """One status per task (a job without tasks counts as one).

    The simulation runs a job's work as one task at a time on one node: while the job
    runs, its first task is shown running and the others pending. The counts in jobInfo
    are computed from this same list, so they always add up to totalNumberOfTasks.
    """
    count = len(job.workflow.tasks) or 1
    if job.status is JobStatus.PENDING:
        return ["PENDING"] * count
    if job.status is JobStatus.RUNNING:
        return ["RUNNING"] + ["PENDING"] * (count - 1)
    return [_FINAL_TASK_STATUS[job.status]] * count


def job_info(job: Job, sim: Simulation) -> dict:
    statuses = _task_statuses(job)
    pending = statuses.count("PENDING")
    running = statuses.count("RUNNING")
    return {
        "jobId": {"id": job.job_id, "readableName": job.name},
        "owner": job.owner,
        "status": job.status.value,
        "submittedTime": _ms(sim, job.submitted_at),
        "startTime": _ms(sim, job.started_at),
        "finishedTime": _ms(sim, job.finished_at),
        "totalNumberOfTasks": len(statuses),
        "numberOfPendingTasks": pending,
        "numberOfRunningTasks": running,
        "numberOfFinishedTasks": len(statuses) - pending - running,
    }


def job_state(job: Job, sim: Simulation) -> dict:
    info = job_info(job, sim)
    return {
        "id": job.job_id,
        "name": job.name,
        "owner": job.owner,
        "projectName": job.workflow.project_name,
        "priority": "NORMAL",
        "jobInfo": info,
        "tasks": {
            task.name: {"name": task.name, "taskInfo": {"taskStatus": status}}
            for task, status in zip(job.workflow.tasks, _task_statuses(job))
        },
        "genericInformation": dict(job.workflow.generic_info),
        "variables": dict(job.variables),
    }


def job_result(job: Job, sim: Simulation) -> dict:
    """Propagated variables: what the job ran with, plus what its scripts set."""
    propagated = {**job.variables, **job.result}
    tasks = [t.name for t in job.workflow.tasks] or [job.name]
    return {
        "id": job.job_id,
        "jobInfo": job_info(job, sim),
        "allResults": {name: {"propagatedVariables": propagated} for name in tasks},
    }


def job_log(job: Job, sim: Simulation) -> str:
    lines = []
    for seconds, message in job.log:
        stamp = datetime.fromtimestamp(_ms(sim, seconds) / 1000, tz=UTC)
        lines.append(
            f"[{stamp.isoformat(timespec='milliseconds')}] job {job.job_id} ({job.name}): {message}"
        )
    return "\n".join(lines) + "\n"


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
