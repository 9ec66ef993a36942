#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: psa_action
short_description: Run one action on a ProActive Service Automation (PSA) instance, or kill it
version_added: "1.0.0"
description:
  - Runs the action workflow O(action) on a PSA service instance, with extra O(variables),
    and waits for the transition it starts to end.
  - The action must be executable from the instance's current state, as the service's
    C(pca.states) in the catalog say; otherwise the module fails and lists the executable
    actions.
  - With O(kill=true), kills the scheduler jobs of the instance that are still running and
    marks the instance KILLED.
  - Unlike M(proactive.psa.psa_instance) this is imperative - it always runs the action
    (C(changed=true)). Use M(proactive.psa.psa_instance) to reach a state idempotently.
author:
  - ProActive PSA collection contributors (@proactive-psa)
extends_documentation_fragment:
  - proactive.psa.connection
  - proactive.psa.wait
  - proactive.psa.attributes
attributes:
  check_mode:
    support: full
    details:
      - Says whether the action is executable and predicts the diff; nothing is run.
      - An action not executable from the instance's state fails as the real run does.
  diff_mode:
    support: full
    details: Shows the instance's state and variables before and after; secret variables are masked.
options:
  instance_id:
    description:
      - The instance, by id. Exactly one of O(instance_id) and O(name) is required.
    type: int
  service_id:
    description:
      - The instance's service (C(pca.service.id)). Required with O(name).
    type: str
  name:
    description:
      - The instance, by its C(INSTANCE_NAME) variable. The newest instance of
        O(service_id) with that name that is not FINISHED or KILLED is used.
    type: str
  action:
    description:
      - The action workflow, by name (V(Pause_MongoDB)) or as V(bucket/name).
      - Required unless O(kill=true).
    type: str
  variables:
    description:
      - Variables for the action, checked against the workflow's variable models before it
        is submitted. PSA merges the instance's variables in.
    type: dict
    default: {}
  secret_variables:
    description:
      - Variables holding secrets, merged into O(variables); a name may not be in both.
      - This option is C(no_log) - its values never appear in the output, the invocation
        or the target's log. Values of O(variables) whose name says they are secret
        (PASSWORD, TOKEN, SECRET, ...KEY) or whose model is C(PA:HIDDEN) or
        C(PA:CREDENTIAL) are masked too.
    type: dict
    default: {}
  kill:
    description:
      - Kill the instance's jobs that are not finished (C(PUT /rest/scheduler/jobs/{id}/kill))
        and set the instance KILLED. Cannot be used with O(action).
      - A FINISHED or KILLED instance without running jobs is left alone (C(changed=false)).
    type: bool
    default: false
seealso:
  - module: proactive.psa.psa_instance
  - module: proactive.psa.psa_service_info
"""

EXAMPLES = r"""
- name: Pause a MongoDB instance
  proactive.psa.psa_action:
    url: https://proactive.example.com:8443
    username: admin
    password: "{{ proactive_password }}"
    service_id: MongoDB
    name: db1
    action: Pause_MongoDB

- name: Would Resume_MongoDB run now? (check mode fails, listing the executable actions, if not)
  proactive.psa.psa_action:
    instance_id: 12
    action: service-automation/Resume_MongoDB
  check_mode: true
  register: probe
  ignore_errors: true

- name: Kill an instance stuck in a transition
  proactive.psa.psa_action:
    instance_id: 12
    kill: true
"""

RETURN = r"""
executable:
  description: Whether the action is executable from the instance's state (true with O(kill)); an action that is not fails the task.
  returned: success
  type: bool
  sample: true
executable_actions:
  description: The actions executable from the instance's state before the task.
  returned: success, and on failure when the action is not executable from the instance's state
  type: list
  elements: str
  sample: [Finish_MongoDB, Pause_MongoDB]
action:
  description: The workflow run (or that would run), as C(bucket/name); empty with O(kill).
  returned: always
  type: str
  sample: service-automation/Pause_MongoDB
instance:
  description: The instance as the server last showed it, secret variables masked.
  returned: always
  type: dict
  sample: {instance_id: 12, service_id: MongoDB, instance_status: PAUSED}
state:
  description: The instance's status at the end.
  returned: always
  type: str
  sample: PAUSED
endpoints:
  description: Endpoint id to URL; the proxyfied URL when the endpoint has one.
  returned: always
  type: dict
  sample: {mongodb-endpoint-12: "mongodb://node-1:27017"}
job_ids:
  description: The job the action launched, or the jobs killed with O(kill).
  returned: always
  type: list
  elements: int
  sample: [41]
elapsed:
  description: Seconds the task took.
  returned: always
  type: float
  sample: 1.4
url:
  description: The URL of the request to the server that failed.
  returned: when a request to the server failed
  type: str
  sample: https://proactive.example.com:8443/cloud-automation-service/serviceInstances
status:
  description: The HTTP status the server answered the failed request with (none when it could not be reached).
  returned: when a request to the server failed
  type: int
  sample: 409
server_message:
  description: What the server said about the failed request (its C(errorMessage), or the body).
  returned: when a request to the server failed
  type: str
  sample: "Action Pause_MongoDB is not executable in state PAUSED"
"""

from ansible_collections.proactive.psa.plugins.module_utils.common import (
    PsaModule,
    PsaModuleError,
    argument_spec,
    run_module,
)
from ansible_collections.proactive.psa.plugins.module_utils.instance_task import InstanceTask
from ansible_collections.proactive.psa.plugins.module_utils.instances import (
    is_ended,
    job_ids_of,
    job_is_final,
    kill,
    launched_job_id,
    run_action,
    state_of,
)
from ansible_collections.proactive.psa.plugins.module_utils.models import (
    mask_secrets,
    validate_variables,
)
from ansible_collections.proactive.psa.plugins.module_utils.planner import (
    StateGraph,
    is_transitioning,
    split_transition,
)


class ActionTask(InstanceTask):
    """Runs one action (or a kill) on one instance; ``run()`` returns the module result."""

    def run(self):
        params = self.params
        if params["kill"] and params["action"]:
            raise PsaModuleError(
                "action and kill=true cannot be used together: a kill runs no action"
            )
        if not params["kill"] and not params["action"]:
            raise PsaModuleError("action: the workflow to run is required (or kill=true)")
        self.instance = self._select()
        self.load_service(self.instance["service_id"])
        before = self.snapshot(self.instance)
        if params["kill"]:
            return self._kill(before)
        return self._action(before)

    def _select(self):
        """The instance to act on: it must exist and must not have ended (by name)."""
        params = self.params
        if params["instance_id"] is not None:
            instance = self.find_by_id(params["instance_id"], params["service_id"])
            if instance is None:
                raise PsaModuleError("instance_id: there is no instance %s" % params["instance_id"])
            return instance
        instance, named = self.find_by_name(params["service_id"], params["name"])
        if instance is None:
            ended = ", ".join("%s (%s)" % (i["instance_id"], state_of(i)) for i in named)
            raise PsaModuleError(
                "name: service %s has no instance named %r that is not FINISHED or KILLED%s"
                % (
                    params["service_id"],
                    params["name"],
                    "; ended ones: %s" % ended if ended else "",
                )
            )
        return instance

    # --- an action -------------------------------------------------------------------------

    def _action(self, before):
        workflow = self.service.find_workflow(self.params["action"])
        if workflow is None:
            raise PsaModuleError(
                "action: service %s has no workflow %r; its workflows: %s"
                % (
                    self.service.service_id,
                    self.params["action"],
                    ", ".join(sorted(w.full_name for w in self.service.every_bucket)),
                )
            )
        status = state_of(self.instance)
        if is_transitioning(status):
            # PSA accepts no action during a transition: wait for it to end first.
            if self.check_mode:
                self.warn(
                    "instance %s is transitioning (%s): judged as if it were %s"
                    % (self.instance["instance_id"], status, split_transition(status)[1])
                )
            elif self.params["wait"]:
                self.instance = self.wait(self.instance)
            else:
                raise PsaModuleError(
                    "instance %s is transitioning (%s): no action is accepted "
                    "until it ends (set wait to true to wait for it)"
                    % (self.instance["instance_id"], status)
                )
        current = split_transition(state_of(self.instance))[1]
        executable = self._executable(current)
        target = StateGraph({workflow.name: workflow.transitions}).target_of(workflow.name, current)
        if target is None:
            # Check mode fails the same way: it predicts the real run.
            raise PsaModuleError(
                "action: %s is not executable on instance %s in state %s; executable actions: "
                "%s"
                % (
                    workflow.name,
                    self.instance["instance_id"],
                    current,
                    ", ".join(executable) or "none",
                ),
                executable_actions=executable,
                instance=self.masked(self.instance),
            )
        problems = validate_variables(self.requested, workflow.models, workflow.name)
        if problems:
            raise PsaModuleError("variables: " + "; ".join(problems))
        if self.check_mode:
            after = {
                "state": target,
                "variables": mask_secrets(
                    dict(before["variables"], **self.requested), self.secrets
                ),
            }
            return self._result(True, before, after, workflow, executable)
        previous = self.instance
        self.instance = run_action(
            self.client,
            self.instance["instance_id"],
            workflow.bucket,
            workflow.name,
            self.requested,
        )
        job_id = launched_job_id(previous, self.instance)
        if job_id is not None:
            self.job_ids.append(job_id)
        if self.params["wait"]:
            self.instance = self.wait(self.instance, current if current != target else None)
            if state_of(self.instance) != target:
                raise PsaModuleError(
                    "action %s should have brought instance %s from %s to %s, but it is %s "
                    "(job %s)"
                    % (
                        workflow.name,
                        self.instance["instance_id"],
                        current,
                        target,
                        state_of(self.instance),
                        job_id,
                    ),
                    instance=self.masked(self.instance),
                    job_ids=self.job_ids,
                )
        return self._result(True, before, self.snapshot(self.instance), workflow, executable)

    # --- a kill ----------------------------------------------------------------------------

    def _kill(self, before):
        running = [
            j for j in sorted(set(job_ids_of(self.instance))) if not job_is_final(self.client, j)
        ]
        needed = bool(running) or not is_ended(self.instance)
        executable = self._executable(split_transition(state_of(self.instance))[1])
        if not needed:
            return self._result(False, before, before, None, executable)
        if self.check_mode:
            self.job_ids = running
            after = {"state": "KILLED", "variables": before["variables"]}
            return self._result(True, before, after, None, executable)
        self.instance, self.job_ids = kill(self.client, self.instance)
        return self._result(True, before, self.snapshot(self.instance), None, executable)

    # --- helpers ---------------------------------------------------------------------------

    def _executable(self, state):
        return [name for name, _to in self.service.graph.actions_from(state)]

    def _result(self, changed, before, after, workflow, executable):
        return self.report(
            changed,
            before,
            after,
            executable=workflow is None or changed,
            executable_actions=executable,
            action=workflow.full_name if workflow is not None else "",
        )


def main():
    module = PsaModule(
        argument_spec=argument_spec(
            instance_id=dict(type="int"),
            service_id=dict(type="str"),
            name=dict(type="str"),
            action=dict(type="str"),
            variables=dict(type="dict", default={}),
            secret_variables=dict(type="dict", default={}, no_log=True),
            kill=dict(type="bool", default=False),
        ),
        required_one_of=[("name", "instance_id")],
        mutually_exclusive=[("name", "instance_id")],
        required_by={"name": "service_id"},
        supports_check_mode=True,
    )
    run_module(
        module,
        lambda client: ActionTask(
            client, module.params, module.check_mode, module.warn, hide=module.no_log_values.add
        ).run(),
    )


if __name__ == "__main__":
    main()
