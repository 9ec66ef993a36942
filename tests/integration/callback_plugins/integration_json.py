# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stdout callback printing one JSON document per run, for the integration tests.

ansible-core has no JSON stdout callback of its own (ansible.posix.json is a separate
collection, not installed from PyPI with ansible-core). This one prints
``{"plays": [{"play": {"name"}, "tasks": [{"task": {"name", "action"},
"hosts": {host: result}}]}], "stats": {host: {ok, changed, failures, ...}}}``
at the end of the run, the same shape as ansible.posix.json.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

DOCUMENTATION = """
    name: integration_json
    type: stdout
    short_description: One JSON document per run (integration tests of proactive.psa)
    description:
      - Collects every task's result per host and prints them, with the stats, as JSON
        when the run ends.
"""

import json

from ansible.module_utils.common.json import AnsibleJSONEncoder
from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    """Prints the whole run as one JSON document."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "integration_json"

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display)
        self.plays = []

    def _new_task(self, task):
        self.plays[-1]["tasks"].append(
            {
                "task": {"name": task.get_name(), "action": task.action},
                "hosts": {},
            }
        )

    def _record(self, result, **extra):
        data = dict(result._result)  # pylint: disable=protected-access
        data.update(extra)
        if not self.plays:
            self.plays.append({"play": {"name": ""}, "tasks": []})
        if not self.plays[-1]["tasks"]:
            self._new_task(result._task)  # pylint: disable=protected-access
        host = result._host.get_name()  # pylint: disable=protected-access
        self.plays[-1]["tasks"][-1]["hosts"][host] = data

    def v2_playbook_on_play_start(self, play):
        self.plays.append({"play": {"name": play.get_name()}, "tasks": []})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._new_task(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._new_task(task)

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True, ignored=ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)

    def v2_runner_on_unreachable(self, result):
        self._record(result, unreachable=True)

    def v2_playbook_on_stats(self, stats):
        summary = {host: stats.summarize(host) for host in sorted(stats.processed)}
        document = {"plays": self.plays, "stats": summary}
        self._display.display(
            json.dumps(document, cls=AnsibleJSONEncoder, indent=1, sort_keys=True)
        )
