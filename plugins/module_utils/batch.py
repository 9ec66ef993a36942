# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Many instances in one task: each entry of ``instances`` run by its own task, at most
``parallel`` at a time, on one session, one catalog read, one listing and one deadline.

Entries are independent: one that fails does not stop the others. The result has one
entry per item of ``instances`` in ``results`` (the keys the single form returns, plus
``failed`` and ``msg``), and the task fails when any entry failed, listing each.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.proactive.psa.plugins.module_utils.client import PsaApiError
from ansible_collections.proactive.psa.plugins.module_utils.common import PsaModuleError
from ansible_collections.proactive.psa.plugins.module_utils.instance_task import (
    ABSENT,
    ServiceCache,
)
from ansible_collections.proactive.psa.plugins.module_utils.instances import (
    Deadline,
    endpoints_of,
    list_instances,
    state_of,
)

# Options of the task that every entry shares.
SHARED_OPTIONS = ("wait", "wait_timeout", "wait_sleep")


def entry_label(index, entry):
    """How messages name an entry: ``instances[3] (MongoDB db4)``."""
    if entry.get("instance_id") is not None:
        who = "instance_id %s" % entry["instance_id"]
    else:
        who = "%s %s" % (entry.get("service_id"), entry.get("name"))
    return "instances[%d] (%s)" % (index, who)


def _check_entries(entries, parallel):
    if parallel < 1:
        raise PsaModuleError("parallel: must be at least 1, got %s" % parallel)
    seen = {}
    for index, entry in enumerate(entries):
        if entry.get("instance_id") is not None:
            key = ("id", entry["instance_id"])
        else:
            key = ("name", entry.get("service_id"), entry.get("name"))
        if key in seen:
            # Two entries driving one instance would race each other.
            raise PsaModuleError(
                "instances: %s and %s select the same instance; give each instance once"
                % (entry_label(seen[key], entries[seen[key]]), entry_label(index, entry))
            )
        seen[key] = index


def run_batch(client, params, check_mode, warn, task_class, hide=None, sleep=None):
    """Bring every entry of ``params['instances']`` to its state with ``task_class``
    (an InstanceTask); returns the module result, or raises PsaModuleError listing the
    failed entries (with every entry's result)."""
    entries = params["instances"]
    parallel = params["parallel"]
    _check_entries(entries, parallel)
    deadline = Deadline(params["wait_timeout"])
    results = [None] * len(entries)
    if entries:
        if not client.session_id:
            client.login()  # once, before the workers share the session
        client.set_concurrency(parallel)
        catalog = ServiceCache(client)
        # One listing serves every entry: entries select different instances, so what
        # one entry does cannot change what another finds.
        listing = list_instances(client)

        def run_entry(index):
            entry = dict(entries[index])
            entry.update((name, params[name]) for name in SHARED_OPTIONS)
            label = entry_label(index, entry)

            def entry_warn(message):
                warn("%s: %s" % (label, message))

            task = None
            try:
                task = task_class(
                    client,
                    entry,
                    check_mode,
                    entry_warn,
                    hide=hide,
                    sleep=sleep,
                    deadline=deadline,
                    catalog=catalog,
                    listing=listing,
                )
                result = task.run()
                result["failed"] = False
            except (PsaModuleError, PsaApiError) as error:
                result = _failure(task, error, deadline)
            results[index] = result

        workers = min(parallel, len(entries))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            # list() re-raises what a worker did not catch (a bug), not silently lost
            list(pool.map(run_entry, range(len(entries))))

    changed = any(r["changed"] for r in results)
    failed = [(i, r) for i, r in enumerate(results) if r["failed"]]
    result = {"changed": changed, "results": results, "elapsed": round(deadline.elapsed, 3)}
    diffs = []
    for index, entry_result in enumerate(results):
        if "diff" in entry_result:
            diff = dict(entry_result["diff"])
            diff["before_header"] = diff["after_header"] = entry_label(index, entries[index])
            diffs.append(diff)
    if diffs:
        result["diff"] = diffs
    if failed:
        raise PsaModuleError(
            "%d of %d entries failed (the others were done): %s"
            % (
                len(failed),
                len(results),
                "; ".join("%s: %s" % (entry_label(i, entries[i]), r["msg"]) for i, r in failed),
            ),
            **result,
        )
    return result


def _failure(task, error, deadline):
    """An entry's result when it failed: what its task did so far, and why it stopped."""
    instance = task.instance if task is not None else None
    job_ids = task.job_ids if task is not None else []
    cleaned = getattr(task, "cleaned", [])
    result = {
        "changed": bool(job_ids or cleaned),
        "failed": True,
        "msg": str(error),
        "instance": task.masked(instance) if task is not None else {},
        "state": state_of(instance) if instance else ABSENT,
        "endpoints": endpoints_of(instance) if instance else {},
        "job_ids": job_ids,
        "cleaned": cleaned,
        "elapsed": round(deadline.elapsed, 3),
    }
    if isinstance(error, PsaModuleError):
        result.update(error.details)
    else:
        result.update(url=error.url, status=error.status, server_message=error.server_message)
    return result
