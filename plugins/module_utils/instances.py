# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PSA service instances: find them, start them, run actions, wait, kill, clean."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.proactive.psa.plugins.module_utils.client import PsaApiError
from ansible_collections.proactive.psa.plugins.module_utils.models import mask_secrets
from ansible_collections.proactive.psa.plugins.module_utils.planner import (
    ENDED_STATES,
    ERROR,
    is_transitioning,
)

# The clock deadlines are measured with (time.monotonic on every supported Python 3).
_MONOTONIC = getattr(time, "monotonic", time.time)

INSTANCES = "/cloud-automation-service/serviceInstances"
JOBS = "/rest/scheduler/jobs"
NAME_VARIABLE = "INSTANCE_NAME"
# Scheduler job statuses after which a job runs no more.
FINAL_JOB_STATUSES = frozenset(["FINISHED", "CANCELED", "FAILED", "KILLED"])
# Where a waiting instance stops moving by itself.
STOP_STATES = frozenset(ENDED_STATES | {ERROR})


class WaitTimeout(Exception):
    """The instance did not settle in time; ``instance`` is the last one seen."""

    def __init__(self, message, instance):
        super(WaitTimeout, self).__init__(message)
        self.instance = instance


# --- reading -----------------------------------------------------------------------------


def list_instances(client):
    return client.get(INSTANCES) or []


def get_instance(client, instance_id):
    return client.get("%s/%d" % (INSTANCES, int(instance_id)))


def get_instance_or_none(client, instance_id):
    try:
        return get_instance(client, instance_id)
    except PsaApiError as error:
        if error.status == 404:
            return None
        raise


def state_of(instance):
    return instance.get("instance_status") or ""


def name_of(instance):
    return (instance.get("variables") or {}).get(NAME_VARIABLE)


def is_ended(instance):
    return state_of(instance) in ENDED_STATES


def instances_named(instances, service_id, name):
    """The instances of ``service_id`` whose INSTANCE_NAME is ``name``, newest first."""
    matches = [i for i in instances if i.get("service_id") == service_id and name_of(i) == name]
    return sorted(matches, key=lambda i: i.get("instance_id") or 0, reverse=True)


def find_active(instances, service_id, name):
    """The instance called ``name``: the newest not FINISHED/KILLED, or None.

    A finished instance is not "the" instance any more: it cannot be moved on.
    """
    for instance in instances_named(instances, service_id, name):
        if not is_ended(instance):
            return instance
    return None


def endpoints_of(instance):
    """{endpoint id: URL}, the proxyfied URL when there is one."""
    endpoints = {}
    for deployment in instance.get("deployments") or []:
        endpoint = deployment.get("endpoint") or {}
        if endpoint.get("id"):
            endpoints[endpoint["id"]] = endpoint.get("proxyfiedUrl") or endpoint.get("url")
    return endpoints


def job_ids_of(instance):
    return [
        s.get("job_id")
        for s in instance.get("job_submissions") or []
        if s.get("job_id") is not None
    ]


def launched_job_id(before, after):
    """The job a submission launched: the first id of ``after`` missing from ``before``.

    Real servers list job_submissions newest first, so index 0 is the fallback.
    """
    known = set(job_ids_of(before or {}))
    ids = job_ids_of(after or {})
    for job_id in ids:
        if job_id not in known:
            return job_id
    return ids[0] if ids else None


def masked(instance, secrets):
    """A copy of the instance with its secret variables masked."""
    if not instance:
        return instance
    copy = dict(instance)
    copy["variables"] = mask_secrets(instance.get("variables") or {}, secrets)
    return copy


# --- changing ----------------------------------------------------------------------------


def _description(bucket, workflow, variables):
    return {"bucket_name": bucket, "workflow_name": workflow, "variables": dict(variables)}


def start(client, bucket, workflow, variables):
    """Submit an activation workflow (never retried: it launches a job)."""
    return client.post(INSTANCES, json_body=_description(bucket, workflow, variables))


def run_action(client, instance_id, bucket, workflow, variables):
    """Submit an action workflow on an instance (never retried: it launches a job)."""
    return client.put(
        "%s/%d/action" % (INSTANCES, int(instance_id)),
        json_body=_description(bucket, workflow, variables),
    )


def clean(client, instance_id):
    """Remove an ended instance from the server's database.

    The DELETE route is inferred, not confirmed: a server without it answers 404 or 405,
    and then False is returned (the instance stays listed, finished).
    """
    try:
        client.delete("%s/%d" % (INSTANCES, int(instance_id)))
    except PsaApiError as error:
        if error.status in (404, 405):
            return False
        raise
    return True


def clean_supported(client, instance_id):
    """Whether the server removes instances: False when its answer to OPTIONS on the
    instance lists the methods it allows without DELETE; True when it does, or says
    nothing (then the DELETE itself tells)."""
    allowed = client.allowed_methods("%s/%d" % (INSTANCES, int(instance_id)))
    return allowed is None or "DELETE" in allowed


def kill(client, instance):
    """Kill the instance's running jobs, then mark it KILLED. Returns (instance, killed ids)."""
    killed = []
    for job_id in sorted(set(job_ids_of(instance))):
        if job_is_final(client, job_id):
            continue
        try:
            client.put("%s/%d/kill" % (JOBS, int(job_id)))
        except PsaApiError as error:
            if error.status not in (404, 409):
                raise
            continue  # ended or gone meanwhile
        killed.append(job_id)
    data = dict(instance)
    data["instance_status"] = "KILLED"
    updated = client.put("%s/%d" % (INSTANCES, int(instance["instance_id"])), json_body=data)
    return updated or data, killed


def job_is_final(client, job_id):
    try:
        job = client.get("%s/%d" % (JOBS, int(job_id)))
    except PsaApiError as error:
        if error.status == 404:
            return True  # the scheduler forgot it: nothing left to kill
        raise
    status = ((job or {}).get("jobInfo") or {}).get("status")
    return str(status).upper() in FINAL_JOB_STATUSES


# --- waiting -----------------------------------------------------------------------------


class Deadline:
    """A point in time shared by every wait of one task."""

    def __init__(self, seconds, clock=_MONOTONIC):
        self._clock = clock
        self.seconds = seconds
        self.started = clock()

    @property
    def remaining(self):
        return self.seconds - (self._clock() - self.started)

    @property
    def elapsed(self):
        return self._clock() - self.started


FIRST_POLL_SECONDS = 0.05


def wait_settled(client, instance, deadline, sleep_seconds, leaving=None, sleep=time.sleep):
    """Poll the instance until its status is settled (no ``FROM -> TO``); return it.

    ``leaving``: the state an action was just submitted from. A server may answer the
    submission before showing the transition: until the status leaves that state, the
    transition has not begun. Stops on any settled status, ERROR and KILLED included (the
    caller compares it with the state it wanted). Raises WaitTimeout with the last
    instance seen.
    """
    current = instance
    # Short transitions are common (a fast server, a simulated one): poll soon, then
    # back off, doubling the pause up to wait_sleep.
    pause = min(FIRST_POLL_SECONDS, sleep_seconds)
    while _still_moving(current, leaving):
        if deadline.remaining <= 0:
            raise WaitTimeout(
                "timed out after %.1f s (wait_timeout %s) waiting for %s to settle; last seen: "
                "%s"
                % (
                    deadline.elapsed,
                    deadline.seconds,
                    "instance %s" % current.get("instance_id"),
                    summary(current),
                ),
                current,
            )
        sleep(max(0.0, min(pause, deadline.remaining)))
        pause = min(pause * 2, sleep_seconds)
        current = get_instance(client, current["instance_id"])
    return current


def _still_moving(instance, leaving):
    status = state_of(instance)
    if is_transitioning(status):
        return True
    return leaving is not None and status == leaving and status not in STOP_STATES


def summary(instance):
    """One line about an instance for messages."""
    return "instance %s of %s named %s, status %s, jobs %s" % (
        instance.get("instance_id"),
        instance.get("service_id"),
        name_of(instance),
        state_of(instance),
        ", ".join(str(j) for j in job_ids_of(instance)) or "none",
    )
