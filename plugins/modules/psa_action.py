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
version_added: "0.1.0"
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
    details: Only says whether the action is executable (RV(executable)); nothing is run.
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

- name: Is Resume_MongoDB possible now? (check mode only answers)
  proactive.psa.psa_action:
    instance_id: 12
    action: service-automation/Resume_MongoDB
  check_mode: true
  register: probe

- name: Kill an instance stuck in a transition
  proactive.psa.psa_action:
    instance_id: 12
    kill: true
"""

RETURN = r"""
executable:
  description: Whether the action was executable from the instance's state (always true with O(kill)).
  returned: always
  type: bool
  sample: true
executable_actions:
  description: The actions executable from the instance's state before the task.
  returned: always
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
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.proactive.psa.plugins.module_utils.catalog import (
    ServiceNotFound,
    load_service,
)
from ansible_collections.proactive.psa.plugins.module_utils.common import (
    PsaModuleError,
    argument_spec,
    run_module,
    wire_variables,
)
from ansible_collections.proactive.psa.plugins.module_utils.instances import (
    Deadline,
    WaitTimeout,
    endpoints_of,
    find_active,
    get_instance_or_none,
    instances_named,
    is_ended,
    job_ids_of,
    job_is_final,
    kill,
    launched_job_id,
    list_instances,
    masked,
    run_action,
    state_of,
    wait_settled,
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


class ActionTask:
    """Runs one action (or a kill) on one instance; ``run()`` returns the module result."""

    def __init__(self, client, params, check_mode, warn, hide=None, sleep=None):
        self.client = client
        self.params = params
        self.check_mode = check_mode
        self.warn = warn
        self.hide = hide or (lambda value: None)
        self.sleep = sleep
        self.deadline = Deadline(params["wait_timeout"])
        self.requested = wire_variables(params["variables"])
        self.service = None
        self.instance = None

    def run(self):
        params = self.params
        if params["kill"] and params["action"]:
            raise PsaModuleError(
                "action and kill=true cannot be used together: a kill runs no action"
            )
        if not params["kill"] and not params["action"]:
            raise PsaModuleError("action: the workflow to run is required (or kill=true)")
        self.instance = self._select()
        try:
            self.service = load_service(self.client, self.instance["service_id"])
        except ServiceNotFound as error:
            raise PsaModuleError(str(error), instance=self._masked(self.instance))
        for warning in self.service.warnings:
            self.warn(warning)
        for name in self.service.secrets:
            if self.requested.get(name):
                self.hide(self.requested[name])
        before = self._snapshot()
        if params["kill"]:
            return self._kill(before)
        return self._action(before)

    def _select(self):
        params = self.params
        if params["instance_id"] is not None:
            instance = get_instance_or_none(self.client, params["instance_id"])
            if instance is None:
                raise PsaModuleError("instance_id: there is no instance %s" % params["instance_id"])
            if params["service_id"] and instance.get("service_id") != params["service_id"]:
                raise PsaModuleError(
                    "instance_id: instance %s belongs to service %s, not to service_id %s"
                    % (params["instance_id"], instance.get("service_id"), params["service_id"])
                )
            return instance
        named = instances_named(list_instances(self.client), params["service_id"], params["name"])
        instance = find_active(named, params["service_id"], params["name"])
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
                self.instance = self._wait(self.instance)
            else:
                raise PsaModuleError(
                    "instance %s is transitioning (%s): no action is accepted "
                    "until it ends (set wait to true to wait for it)"
                    % (self.instance["instance_id"], status)
                )
        current = split_transition(state_of(self.instance))[1]
        executable = [name for name, _to in self.service.graph.actions_from(current)]
        target = StateGraph({workflow.name: workflow.transitions}).target_of(workflow.name, current)
        if target is None:
            if self.check_mode:
                return self._result(False, before, before, workflow, executable, [])
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
                instance=self._masked(self.instance),
            )
        problems = validate_variables(self.requested, workflow.models, workflow.name)
        if problems:
            raise PsaModuleError("variables: " + "; ".join(problems))
        if self.check_mode:
            after = {
                "state": target,
                "variables": mask_secrets(
                    dict(before["variables"], **self.requested), self.service.secrets
                ),
            }
            return self._result(True, before, after, workflow, executable, [])
        previous = self.instance
        self.instance = run_action(
            self.client,
            self.instance["instance_id"],
            workflow.bucket,
            workflow.name,
            self.requested,
        )
        job_id = launched_job_id(previous, self.instance)
        if self.params["wait"]:
            self.instance = self._wait(self.instance, current if current != target else None)
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
                    instance=self._masked(self.instance),
                    job_ids=[job_id],
                )
        return self._result(
            True,
            before,
            self._snapshot(),
            workflow,
            executable,
            [job_id] if job_id is not None else [],
        )

    # --- a kill ----------------------------------------------------------------------------

    def _kill(self, before):
        running = [
            j for j in sorted(set(job_ids_of(self.instance))) if not job_is_final(self.client, j)
        ]
        needed = bool(running) or not is_ended(self.instance)
        current = split_transition(state_of(self.instance))[1]
        executable = [name for name, _to in self.service.graph.actions_from(current)]
        if not needed:
            return self._result(False, before, before, None, executable, [])
        if self.check_mode:
            after = {"state": "KILLED", "variables": before["variables"]}
            return self._result(True, before, after, None, executable, running)
        self.instance, killed = kill(self.client, self.instance)
        return self._result(True, before, self._snapshot(), None, executable, killed)

    # --- helpers ---------------------------------------------------------------------------

    def _wait(self, instance, leaving=None):
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
            raise PsaModuleError(str(error), instance=self._masked(error.instance))

    def _masked(self, instance):
        return masked(instance, self.service.secrets if self.service else [])

    def _snapshot(self):
        return {
            "state": state_of(self.instance),
            "variables": mask_secrets(self.instance.get("variables") or {}, self.service.secrets),
        }

    def _result(self, changed, before, after, workflow, executable, job_ids):
        result = {
            "changed": changed,
            "executable": workflow is None or changed,
            "executable_actions": executable,
            "action": workflow.full_name if workflow is not None else "",
            "instance": self._masked(self.instance),
            "state": state_of(self.instance),
            "endpoints": endpoints_of(self.instance),
            "job_ids": job_ids,
            "elapsed": round(self.deadline.elapsed, 3),
        }
        if changed:
            result["diff"] = {"before": before, "after": after}
        return result


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            wait=True,
            instance_id=dict(type="int"),
            service_id=dict(type="str"),
            name=dict(type="str"),
            action=dict(type="str"),
            variables=dict(type="dict", default={}),
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
