# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a module acting on one service instance shares: psa_action and psa_instance.

``InstanceTask`` finds the instance (by id, or by service and name), loads its service
from the catalog (through a ``ServiceCache``, so a batch reads each bucket once), keeps
secrets out of the output, waits on the task's one deadline and reports the instance
(masked) and its before/after snapshots. Each module subclasses it and keeps only what
it alone does: planning and running a chain (psa_instance), one action or a kill
(psa_action).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

from ansible_collections.proactive.psa.plugins.module_utils.catalog import (
    ServiceNotFound,
    load_services,
    missing_service_message,
)
from ansible_collections.proactive.psa.plugins.module_utils.common import (
    PsaModuleError,
    requested_variables,
)
from ansible_collections.proactive.psa.plugins.module_utils.instances import (
    Deadline,
    WaitTimeout,
    endpoints_of,
    find_active,
    get_instance_or_none,
    instances_named,
    list_instances,
    masked,
    state_of,
    wait_settled,
)
from ansible_collections.proactive.psa.plugins.module_utils.models import (
    looks_secret,
    mask_secrets,
)

ABSENT = "absent"


def no_instance():
    """The before/after of the diff when there is no instance."""
    return {"state": ABSENT, "variables": {}}


class ServiceCache:
    """Services loaded from the catalog, one listing per bucket, safe to share by threads."""

    def __init__(self, client):
        self.client = client
        self._lock = threading.Lock()
        self._by_bucket = {}

    def services(self, bucket=None):
        with self._lock:
            if bucket not in self._by_bucket:
                self._by_bucket[bucket] = load_services(self.client, bucket)
            return self._by_bucket[bucket]

    def get(self, service_id, bucket=None):
        """The service ``service_id``, or ServiceNotFound listing the services there are."""
        services = self.services(bucket)
        service = services.get(service_id)
        if service is None or not service.workflows:
            raise ServiceNotFound(missing_service_message(service_id, bucket, services))
        return service


class InstanceTask:
    """One task on one instance. ``hide(value)`` keeps a value out of the output.

    ``catalog`` (a ServiceCache) and ``listing`` (every instance, listed once) may be
    shared by the tasks of one batch; ``deadline`` too, so wait_timeout bounds the batch.
    """

    def __init__(
        self,
        client,
        params,
        check_mode,
        warn,
        hide=None,
        sleep=None,
        deadline=None,
        catalog=None,
        listing=None,
    ):
        self.client = client
        self.params = params
        self.check_mode = check_mode
        self.warn = warn
        self.hide = hide or (lambda value: None)
        self.sleep = sleep
        self.deadline = deadline or Deadline(params["wait_timeout"])
        self.catalog = catalog or ServiceCache(client)
        self.listing = listing
        self.requested = requested_variables(params)
        self.service = None
        self.instance = None
        self.job_ids = []
        self._hide_secrets(self._given_secrets())

    # --- secrets ---------------------------------------------------------------------------

    def _given_secrets(self):
        """Requested names secret before the catalog says anything: by option or by name."""
        names = set(self.params.get("secret_variables") or {})
        names.update(n for n in self.requested if looks_secret(n))
        return names

    @property
    def secrets(self):
        """Every variable name whose value is kept out of the output."""
        names = self._given_secrets()
        if self.service is not None:
            names.update(self.service.secrets)
        return sorted(names)

    def _hide_secrets(self, names):
        for name in names:
            if self.requested.get(name):
                self.hide(self.requested[name])

    # --- finding ---------------------------------------------------------------------------

    def find_by_id(self, instance_id, service_id=None):
        """The instance ``instance_id`` (None when there is none); fails when it belongs
        to another service than ``service_id``."""
        instance = get_instance_or_none(self.client, instance_id)
        if instance is not None and service_id and instance.get("service_id") != service_id:
            raise PsaModuleError(
                "instance_id: instance %s belongs to service %s, not to service_id %s"
                % (instance_id, instance.get("service_id"), service_id)
            )
        return instance

    def find_by_name(self, service_id, name):
        """(the instance called ``name``, or None; every instance of that name, newest first)."""
        listing = self.listing if self.listing is not None else list_instances(self.client)
        named = instances_named(listing, service_id, name)
        return find_active(named, service_id, name), named

    def load_service(self, service_id, bucket=None):
        """Load the service, pass its catalog warnings on and hide its secrets' values."""
        try:
            self.service = self.catalog.get(service_id, bucket)
        except ServiceNotFound as error:
            raise PsaModuleError(str(error), instance=self.masked(self.instance))
        for warning in self.service.warnings:
            self.warn(warning)
        self._hide_secrets(self.service.secrets)
        return self.service

    # --- waiting ---------------------------------------------------------------------------

    def wait(self, instance, leaving=None):
        """Wait for the instance to settle; a timeout fails reporting the last one seen."""
        kwargs = {"sleep": self.sleep} if self.sleep else {}
        try:
            return wait_settled(
                self.client,
                instance,
                self.deadline,
                self.params["wait_sleep"],
                leaving=leaving,
                **kwargs,
            )
        except WaitTimeout as error:
            raise PsaModuleError(
                str(error), instance=self.masked(error.instance), job_ids=self.job_ids
            )

    # --- reporting -------------------------------------------------------------------------

    def masked(self, instance):
        return masked(instance, self.secrets) if instance else {}

    def snapshot(self, instance):
        """State and variables (masked): one side of the diff."""
        if not instance:
            return no_instance()
        return {
            "state": state_of(instance),
            "variables": mask_secrets(instance.get("variables") or {}, self.secrets),
        }

    def report(self, changed, before, after, **fields):
        """The result every task returns: changed, instance, state, endpoints, job_ids,
        elapsed, the module's own ``fields``, and the diff when something changes."""
        instance = self.instance
        result = {
            "changed": changed,
            "instance": self.masked(instance),
            "state": state_of(instance) if instance else ABSENT,
            "endpoints": endpoints_of(instance) if instance else {},
            "job_ids": self.job_ids,
            "elapsed": round(self.deadline.elapsed, 3),
        }
        result.update(fields)
        if changed:
            result["diff"] = {"before": before, "after": after}
        return result
