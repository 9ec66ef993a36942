"""The scheduler's JSON views of a job: task counts that add up, task statuses that agree."""

from __future__ import annotations

from psa_sim.platform import scheduler_views as views

COUNTS = ("numberOfPendingTasks", "numberOfRunningTasks", "numberOfFinishedTasks")


def counts_and_statuses(job, sim):
    info = views.job_info(job, sim)
    statuses = [t["taskInfo"]["taskStatus"] for t in views.job_state(job, sim)["tasks"].values()]
    counts = [info[c] for c in COUNTS]
    assert sum(counts) == info["totalNumberOfTasks"] == len(statuses)
    return counts, statuses


def test_task_counts_add_up_and_match_the_tasks_at_every_stage(make_sim):
    sim = make_sim(nodes=1)
    first = sim.submit_activation("MongoDB")
    second = sim.submit_activation("MongoDB")  # waits: the only node is taken
    sim.run(until=1)
    running = sim.job(first.job_submissions[0].job_id)
    pending = sim.job(second.job_submissions[0].job_id)
    tasks = len(running.workflow.tasks)
    assert tasks > 1  # the point: a job of several tasks
    assert (running.status.value, pending.status.value) == ("RUNNING", "PENDING")

    counts, statuses = counts_and_statuses(pending, sim)
    assert counts == [tasks, 0, 0] and set(statuses) == {"PENDING"}
    counts, statuses = counts_and_statuses(running, sim)
    assert counts == [tasks - 1, 1, 0]  # one task at a time on its node
    assert sorted(statuses) == sorted(["RUNNING"] + ["PENDING"] * (tasks - 1))

    sim.run(until=41)
    sim.submit_action(first.instance_id, "Finish_MongoDB")
    sim.run(until=120)
    finish = sim.job(first.job_submissions[0].job_id)
    assert finish.status.value == "FINISHED"
    counts, statuses = counts_and_statuses(finish, sim)
    assert counts == [0, 0, len(statuses)] and set(statuses) == {"FINISHED"}
