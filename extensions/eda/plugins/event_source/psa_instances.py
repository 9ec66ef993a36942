# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Event-Driven Ansible source: an event for each change of a PSA service instance.

    sources:
      - proactive.psa.psa_instances:
          url: https://proactive.example.com:8443   # or PSA_URL
          username: operator                        # or PSA_USERNAME
          password: "{{ proactive_password }}"      # or PSA_PASSWORD
          interval: 5

Arguments: the modules' connection options (``url``, ``username``, ``password``,
``session_id``, ``validate_certs``, ``ca_path``, ``timeout``, with the fallbacks
PSA_URL, PSA_USERNAME, PSA_PASSWORD, PSA_VALIDATE_CERTS, PSA_CA_PATH), ``interval``
(seconds between two listings, default 10), ``service_ids`` (only these services) and
``emit_existing`` (false: the first listing is the baseline; true: a ``created`` event
for each instance already there).

The server offers no event stream, so the source lists the instances every ``interval``
and compares each listing with the one before. Each event is
``{"psa": {"type", "instance_id", "service_id", "instance_name", "state",
"previous_state", "endpoints", "deployments", "variables", "node_host"}}`` (secrets
masked), ``type`` one of

* ``created``: a new instance (followed by its state's event when it is already in
  ERROR, FINISHED or KILLED, or by ``transition_started``);
* ``transition_started``: its status became ``FROM -> TO``;
* ``transition_ended``: a transition ended (status ``FROM -> TO`` before, a state now),
  or the state changed between two listings (a whole transition in one interval);
* ``error``, ``finished``, ``killed``: it entered ERROR, FINISHED or KILLED (a crash
  puts a RUNNING instance in ERROR without any transition);
* ``removed``: it is listed no more (cleaned).

A change that starts and ends within one interval is seen as its outcome only. A
listing that fails (server restarting) is logged and retried at the next interval.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import asyncio
import logging
import os
import sys

# ansible-rulebook runs this file by its path: when the collection is not importable yet,
# the collections root holding this file
# (<root>/ansible_collections/proactive/psa/extensions/eda/plugins/event_source) makes it so.
_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), *[os.pardir] * 7))
if os.path.isdir(os.path.join(_ROOT, "ansible_collections")) and _ROOT not in sys.path:
    sys.path.append(_ROOT)

from ansible_collections.proactive.psa.plugins.module_utils.client import PsaApiError
from ansible_collections.proactive.psa.plugins.module_utils.instances import list_instances
from ansible_collections.proactive.psa.plugins.module_utils.planner import is_transitioning
from ansible_collections.proactive.psa.plugins.plugin_utils.psa import (
    CONNECTION_OPTIONS,
    PsaPluginError,
    SecretIndex,
    connect,
    instance_view,
)

LOG = logging.getLogger(__name__)
DEFAULT_INTERVAL = 10.0
ENV_FALLBACKS = {
    "url": "PSA_URL",
    "username": "PSA_USERNAME",
    "password": "PSA_PASSWORD",
    "validate_certs": "PSA_VALIDATE_CERTS",
    "ca_path": "PSA_CA_PATH",
}
# States that get an event of their own, named after them.
STATE_EVENTS = {"ERROR": "error", "FINISHED": "finished", "KILLED": "killed"}


def event(kind, view, previous_state):
    data = dict(view)
    data["type"] = kind
    data["previous_state"] = previous_state
    return {"psa": data}


def changes(previous, current):
    """The events between two listings, each {instance id: instance view}.

    In instance id order (then removals), so that replaying listings gives the same
    events.
    """
    events = []
    for instance_id in sorted(current):
        view = current[instance_id]
        state = view["state"]
        before = previous.get(instance_id)
        if before is None:
            events.append(event("created", view, None))
            if state in STATE_EVENTS:
                events.append(event(STATE_EVENTS[state], view, None))
            elif is_transitioning(state):
                events.append(event("transition_started", view, None))
            continue
        old = before["state"]
        if old == state:
            continue
        if is_transitioning(state):
            events.append(event("transition_started", view, old))
            continue
        if is_transitioning(old) or state not in STATE_EVENTS:
            events.append(event("transition_ended", view, old))
        if state in STATE_EVENTS:
            events.append(event(STATE_EVENTS[state], view, old))
    for instance_id in sorted(set(previous) - set(current)):
        gone = previous[instance_id]
        events.append(event("removed", gone, gone["state"]))
    return events


def connection_options(args):
    options = {}
    for name in CONNECTION_OPTIONS:
        value = args.get(name)
        if value is None and name in ENV_FALLBACKS:
            value = os.environ.get(ENV_FALLBACKS[name])
        options[name] = value
    return options


class Poller:
    """Lists the instances and keeps the last listing; blocking (run it in a thread)."""

    def __init__(self, args):
        self.client = connect(connection_options(args))
        self.secrets = SecretIndex(self.client)
        self.service_ids = set(args.get("service_ids") or [])
        self.last = None

    def listing(self):
        views = {}
        for instance in list_instances(self.client):
            if self.service_ids and instance.get("service_id") not in self.service_ids:
                continue
            views[instance.get("instance_id")] = instance_view(instance, self.secrets)
        return views

    def poll(self, emit_existing=False):
        """The events since the last poll (the first poll: a baseline)."""
        current = self.listing()
        previous = self.last
        self.last = current
        if previous is None:
            return changes({}, current) if emit_existing else []
        return changes(previous, current)

    def close(self):
        self.client.logout()


def _interval(args):
    try:
        interval = float(args.get("interval", DEFAULT_INTERVAL))
    except (TypeError, ValueError):
        raise PsaPluginError("interval: %r is not a number of seconds" % args.get("interval"))
    if interval <= 0:
        raise PsaPluginError("interval: must be a positive number of seconds, got %s" % interval)
    return interval


async def main(queue, args):
    """Put an event on ``queue`` for each instance change, until cancelled."""
    interval = _interval(args)
    poller = Poller(args)
    first = True
    try:
        while True:
            try:
                events = await asyncio.to_thread(
                    poller.poll, first and bool(args.get("emit_existing"))
                )
                first = False
            except PsaApiError as error:
                LOG.warning("psa_instances: listing the instances failed: %s", error)
                events = []
            for item in events:
                await queue.put(item)
            await asyncio.sleep(interval)
    finally:
        await asyncio.to_thread(poller.close)


if __name__ == "__main__":
    # python psa_instances.py: print the events of the server in PSA_URL.

    class _PrintQueue:
        async def put(self, item):
            print(item, flush=True)

    asyncio.run(main(_PrintQueue(), {"interval": 2, "emit_existing": True}))
