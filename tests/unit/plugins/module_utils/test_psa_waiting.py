# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for a transition: poll soon, back off up to wait_sleep, stop on any settled state."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.proactive.psa.plugins.module_utils.instances import (
    Deadline,
    WaitTimeout,
    wait_settled,
)


class StatusSequence:
    """A client whose instance reports the given statuses, one per GET."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.gets = 0

    def get(self, path):
        self.gets += 1
        return {"instance_id": 7, "instance_status": self.statuses.pop(0)}


def test_polls_soon_then_doubles_the_pause_up_to_wait_sleep():
    client = StatusSequence(["VOID -> RUNNING"] * 5 + ["RUNNING"])
    sleeps = []
    instance = wait_settled(
        client,
        {"instance_id": 7, "instance_status": "VOID -> RUNNING"},
        Deadline(600),
        0.3,
        sleep=sleeps.append,
    )
    assert instance["instance_status"] == "RUNNING"
    assert sleeps == [0.05, 0.1, 0.2, 0.3, 0.3, 0.3]


def test_a_settled_error_stops_the_wait():
    client = StatusSequence(["ERROR"])
    instance = wait_settled(
        client,
        {"instance_id": 7, "instance_status": "RUNNING -> PAUSED"},
        Deadline(600),
        2,
        sleep=lambda seconds: None,
    )
    assert instance["instance_status"] == "ERROR"


def test_timeout_reports_the_last_instance_seen():
    client = StatusSequence(["VOID -> RUNNING"] * 10)
    with pytest.raises(WaitTimeout) as info:
        wait_settled(
            client,
            {"instance_id": 7, "instance_status": "VOID -> RUNNING"},
            Deadline(0),
            1,
            sleep=lambda seconds: None,
        )
    assert "instance 7" in str(info.value) and "VOID -> RUNNING" in str(info.value)
