# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which events the EDA source emits between two listings (no server needed)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import asyncio

import pytest

from ansible_collections.proactive.psa.extensions.eda.plugins.event_source import (
    psa_instances as source,
)
from ansible_collections.proactive.psa.plugins.plugin_utils.psa import PsaPluginError


def view(instance_id, state):
    return {"instance_id": instance_id, "service_id": "MongoDB", "state": state}


def kinds(previous, current):
    return [
        (e["psa"]["type"], e["psa"]["instance_id"], e["psa"]["previous_state"])
        for e in source.changes(previous, current)
    ]


def listing(*views):
    return {v["instance_id"]: v for v in views}


@pytest.mark.parametrize(
    "before, after, expected",
    [
        ({}, [view(1, "RUNNING")], [("created", 1, None)]),
        ({}, [view(1, "ERROR")], [("created", 1, None), ("error", 1, None)]),
        ({}, [view(1, "VOID -> RUNNING")], [("created", 1, None), ("transition_started", 1, None)]),
        ([view(1, "RUNNING")], [view(1, "RUNNING")], []),
        (
            [view(1, "RUNNING")],
            [view(1, "RUNNING -> PAUSED")],
            [("transition_started", 1, "RUNNING")],
        ),
        (
            [view(1, "RUNNING -> PAUSED")],
            [view(1, "PAUSED")],
            [("transition_ended", 1, "RUNNING -> PAUSED")],
        ),
        # a crash: no transition, only the state's own event
        ([view(1, "RUNNING")], [view(1, "ERROR")], [("error", 1, "RUNNING")]),
        # an action that fails: the transition ends, in ERROR
        (
            [view(1, "RUNNING -> PAUSED")],
            [view(1, "ERROR")],
            [("transition_ended", 1, "RUNNING -> PAUSED"), ("error", 1, "RUNNING -> PAUSED")],
        ),
        (
            [view(1, "RUNNING -> FINISHED")],
            [view(1, "FINISHED")],
            [
                ("transition_ended", 1, "RUNNING -> FINISHED"),
                ("finished", 1, "RUNNING -> FINISHED"),
            ],
        ),
        ([view(1, "RUNNING")], [view(1, "KILLED")], [("killed", 1, "RUNNING")]),
        # a whole transition between two listings
        ([view(1, "RUNNING")], [view(1, "PAUSED")], [("transition_ended", 1, "RUNNING")]),
        (
            [view(1, "FINISHED"), view(2, "RUNNING")],
            [view(2, "RUNNING")],
            [("removed", 1, "FINISHED")],
        ),
    ],
)
def test_changes(before, after, expected):
    before = listing(*before) if isinstance(before, list) else before
    assert kinds(before, listing(*after)) == expected


def test_events_carry_the_instance():
    current = listing(dict(view(3, "ERROR"), instance_name="db1", variables={"PASSWORD": "*"}))
    (created, error) = source.changes({}, current)
    assert error == {
        "psa": {
            "type": "error",
            "instance_id": 3,
            "service_id": "MongoDB",
            "instance_name": "db1",
            "state": "ERROR",
            "previous_state": None,
            "variables": {"PASSWORD": "*"},
        }
    }
    assert created["psa"]["type"] == "created"


@pytest.mark.parametrize(
    "args, message",
    [
        (dict(interval="soon"), "interval: 'soon' is not a number of seconds"),
        (dict(interval=0), "interval: must be a positive number of seconds, got 0"),
        (dict(url="ftp://x"), "url: 'ftp://x' is not an http:// or https:// URL"),
        (dict(username=None), "username and password are required"),
        (dict(url=None), "url: the ProActive server URL is required"),
    ],
)
def test_bad_arguments_fail_at_start(args, message, monkeypatch):
    for name in ("PSA_URL", "PSA_USERNAME", "PSA_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    args = dict(dict(url="http://x", username="u", password="p"), **args)
    with pytest.raises(PsaPluginError, match=message):
        asyncio.run(source.main(asyncio.Queue(), args))
