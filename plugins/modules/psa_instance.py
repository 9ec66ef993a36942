#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: psa_instance
short_description: Bring a ProActive Service Automation (PSA) instance to a state
version_added: "0.1.0"
description:
  - Makes the instance called O(name) of the PSA service O(service_id) (or the instance
    O(instance_id)) reach O(state) - a state of the service, V(finished) or V(absent).
  - The service's transitions are read from the catalog (the C(pca.states) of its
    C(workflow/psa) workflows). The module plans the shortest chain of actions from the
    current state to the wanted one and runs them one after the other, waiting for each
    transition to end. For example O(state=HDFS_SPARK_DEPLOYED) of the C(Spark_HDFS)
    service runs C(Reserve_Nodes), C(Deploy_Swarm), C(Deploy_HDFS) and C(Deploy_Spark)
    from nothing, in one task.
  - An instance already in O(state) is left alone (C(changed=false)).
  - Instances are found by their C(INSTANCE_NAME) variable. Among the instances of the
    service with that name, FINISHED and KILLED ones are ignored (they cannot be moved
    any more); if several remain, the newest (highest instance id) is used.
author:
  - ProActive PSA collection contributors (@proactive-psa)
extends_documentation_fragment:
  - proactive.psa.connection
  - proactive.psa.wait
  - proactive.psa.attributes
attributes:
  check_mode:
    support: full
    details: Reports the actions it would run (RV(actions)) and changes nothing.
  diff_mode:
    support: full
    details: Shows the instance's state and variables before and after; secret variables are masked.
options:
  service_id:
    description:
      - The service, as its workflows' C(pca.service.id) generic information names it,
        for example V(MongoDB).
      - Required with O(name). With O(instance_id) it is checked against the instance.
    type: str
  name:
    description:
      - The instance name, its C(INSTANCE_NAME) variable. A new instance is started with
        this name.
      - Exactly one of O(name) and O(instance_id) is required.
    type: str
  instance_id:
    description:
      - Select the instance by its id instead of its name. Such an instance can be moved
        on or finished, not started again.
    type: int
  state:
    description:
      - The state to reach. Any state of the service's graph (V(RUNNING), V(PAUSED),
        V(HDFS_SPARK_DEPLOYED)...), compared exactly.
      - V(finished) (or V(FINISHED)) finishes the instance (a FINISHED or KILLED instance
        satisfies it; no instance at all too).
      - V(absent) finishes the instance, then removes it and the other finished instances
        of that name from the server (the portal's I(clean)). A server that does not offer
        the removal leaves them listed, with a warning.
    type: str
    default: RUNNING
  bucket:
    description:
      - Catalog bucket holding the service's workflows. By default every bucket holding
        C(workflow/psa) objects is searched.
    type: str
  variables:
    description:
      - Variables of the workflows, for example C(USER), C(PASSWORD), C(SERVICE_PORT).
        Values are sent as strings (booleans as V(true)/V(false)).
      - They are checked against the workflows' variable models before anything is
        submitted (C(PA:Integer), C(PA:Boolean), C(PA:List), ranges...). Values holding
        C($NAME) references are left to the server.
      - A starting instance gets them all (and C(INSTANCE_NAME)); each later action of the
        chain gets the ones its workflow declares.
      - When an existing instance's variables differ from these, the module warns and lists
        them in RV(variables_differ); set O(recreate=true) to replace the instance.
      - Values of variables whose model is C(PA:HIDDEN) or C(PA:CREDENTIAL) are masked in
        the output.
    type: dict
    default: {}
  recreate:
    description:
      - When the existing instance's variables differ from O(variables), finish it and start
        a new one with them.
    type: bool
    default: false
notes:
  - An instance in ERROR is moved on only by an action allowed from ERROR (typically the
    finishing action); otherwise the module fails and lists what is possible.
  - Waiting stops on any settled status. If it is not the state wanted (ERROR, KILLED...),
    the module fails and reports the instance.
seealso:
  - module: proactive.psa.psa_action
  - module: proactive.psa.psa_instance_info
  - module: proactive.psa.psa_service_info
"""

EXAMPLES = r"""
- name: A MongoDB instance is running
  proactive.psa.psa_instance:
    url: https://proactive.example.com:8443
    username: admin
    password: "{{ proactive_password }}"
    service_id: MongoDB
    name: db1
    variables:
      USER: app
      PASSWORD: "{{ mongo_password }}"

- name: Connection set once for every module of the collection
  module_defaults:
    group/proactive.psa.psa:
      url: https://proactive.example.com:8443
      username: admin
      password: "{{ proactive_password }}"
  block:
    - name: Pause it (runs Pause_MongoDB)
      proactive.psa.psa_instance:
        service_id: MongoDB
        name: db1
        state: PAUSED

    - name: Spark on HDFS in one task (four actions)
      proactive.psa.psa_instance:
        service_id: Spark_HDFS
        name: analytics
        state: HDFS_SPARK_DEPLOYED
        wait_timeout: 1800
      register: spark

    - name: Show the Spark UI
      ansible.builtin.debug:
        msg: "{{ spark.endpoints }}"

    - name: Finish it and clean it up
      proactive.psa.psa_instance:
        service_id: MongoDB
        name: db1
        state: absent
"""

RETURN = r"""
instance:
  description:
    - The instance as the server last showed it (ServiceInstanceData), secret variables
      masked. Empty when there is no instance.
    - With O(wait=false) it may still be transitioning (C(instance_status) like
      C(RUNNING -> PAUSED)).
  returned: always
  type: dict
  sample:
    instance_id: 12
    service_id: MongoDB
    bucket_name: service-automation
    instance_status: RUNNING
    variables: {INSTANCE_NAME: db1, USER: app, PASSWORD: "********"}
    deployments: []
    job_submissions: [{transition_state: "VOID -> RUNNING", job_id: 40, parent_job_id: null, submission_time: 1767225600000}]
state:
  description: The instance's status at the end (V(absent) when there is none).
  returned: always
  type: str
  sample: RUNNING
endpoints:
  description: Endpoint id to URL; the proxyfied URL when the endpoint has one.
  returned: always
  type: dict
  sample: {mongodb-endpoint-12: "mongodb://node-1:27017"}
actions:
  description: The workflows run, in order, or planned in check mode.
  returned: always
  type: list
  elements: str
  sample: [Reserve_Nodes, Deploy_Swarm, Deploy_HDFS, Deploy_Spark]
job_ids:
  description: Ids of the scheduler jobs the actions launched.
  returned: always
  type: list
  elements: int
  sample: [40, 41]
elapsed:
  description: Seconds the task took.
  returned: always
  type: float
  sample: 3.2
variables_differ:
  description: Names of the requested variables whose value differs from the existing instance's.
  returned: always
  type: list
  elements: str
  sample: [USER]
cleaned:
  description: Ids of the finished instances removed from the server (O(state=absent)).
  returned: always
  type: list
  elements: int
  sample: [12]
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
    clean,
    endpoints_of,
    find_active,
    get_instance_or_none,
    instances_named,
    is_ended,
    launched_job_id,
    list_instances,
    masked,
    run_action,
    start,
    state_of,
    summary,
    wait_settled,
    NAME_VARIABLE,
)
from ansible_collections.proactive.psa.plugins.module_utils.models import (
    mask_secrets,
    validate_variables,
)
from ansible_collections.proactive.psa.plugins.module_utils.planner import (
    ENDED_STATES,
    ERROR,
    FINISHED,
    KILLED,
    VOID,
    PlanError,
    is_transitioning,
    split_transition,
)

ABSENT = "absent"


def no_instance():
    """The before/after of the diff when there is no instance."""
    return {"state": ABSENT, "variables": {}}


# States this module is never asked to reach: VOID is before an instance exists, ERROR is
# a failure, KILLED is psa_action's kill.
UNREACHABLE_TARGETS = frozenset([VOID, ERROR, KILLED])


class Step:
    """One action of the plan."""

    def __init__(self, workflow, from_state, to_state, new_instance=False):
        self.workflow = workflow  # a catalog.CatalogWorkflow
        self.from_state = from_state
        self.to_state = to_state
        self.new_instance = new_instance


class InstanceState:
    """Brings one instance to the wanted state; ``run()`` returns the module result.

    ``hide(value)`` is told the values to keep out of the output (secret variables).
    """

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
        self.job_ids = []
        self.cleaned = []

    @property
    def secrets(self):
        return self.service.secrets if self.service is not None else []

    # --- the whole task ------------------------------------------------------------------

    def run(self):
        named = self._select()
        target = self._target()
        if self.service is None:  # instance_id of an instance that is gone: finished
            return self._result([], [], no_instance(), no_instance(), [])
        if target == FINISHED and self.instance is None and named:
            self.instance = named[0]  # only ended ones: report the newest, change nothing
        for name in self.secrets:
            if self.requested.get(name):
                self.hide(self.requested[name])
        before = self._snapshot(self.instance)

        if self.instance is not None and is_transitioning(state_of(self.instance)):
            self._settle_first(target)
        differ = self._variables_differ()
        steps = self._plan(self._current_state(), target, differ)
        self._check_variables(steps)
        to_clean = self._to_clean(named) if target == ABSENT else []

        if self.check_mode:
            return self._result(
                steps, to_clean, before, self._predicted(before, steps, target), differ
            )
        for index, step in enumerate(steps):
            self._execute(step, last=index == len(steps) - 1)
        for instance in to_clean:
            self._clean(instance)
        after = self._snapshot(self.instance)
        if self.instance is not None and self.instance.get("instance_id") in self.cleaned:
            after = no_instance()
        return self._result(steps, to_clean, before, after, differ)

    # --- which instance, which service, which target --------------------------------------

    def _select(self):
        """Find the instance; return every instance of that name (candidates for cleaning)."""
        params = self.params
        service_id = params["service_id"]
        if params["instance_id"] is not None:
            self.instance = get_instance_or_none(self.client, params["instance_id"])
            if self.instance is None:
                return []
            if service_id and self.instance.get("service_id") != service_id:
                raise PsaModuleError(
                    "instance_id: instance %s belongs to service %s, not to service_id %s"
                    % (params["instance_id"], self.instance.get("service_id"), service_id)
                )
            self._load_service(self.instance.get("service_id"))
            return [self.instance]
        self._load_service(service_id)
        named = instances_named(list_instances(self.client), service_id, params["name"])
        self.instance = find_active(named, service_id, params["name"])
        return named

    def _load_service(self, service_id):
        try:
            self.service = load_service(self.client, service_id, self.params["bucket"])
        except ServiceNotFound as error:
            raise PsaModuleError(str(error))
        for warning in self.service.warnings:
            self.warn(warning)

    def _target(self):
        state = self.params["state"]
        if state == ABSENT:
            return ABSENT
        if state in ("finished", FINISHED):
            return FINISHED
        if self.service is None:
            raise PsaModuleError(
                "instance_id: there is no instance %s: it cannot be brought "
                "to %s (use name and service_id to start one)" % (self.params["instance_id"], state)
            )
        states = [s for s in self.service.graph.states() if s not in UNREACHABLE_TARGETS]
        if state not in states:
            raise PsaModuleError(
                "state: %r is not a state the service %s can be brought to; its states: %s, "
                "or finished, absent" % (state, self.service.service_id, ", ".join(states))
            )
        return state

    def _settle_first(self, target):
        """An instance in transition accepts no action: wait for it (not in check mode)."""
        status = state_of(self.instance)
        heading_to = split_transition(status)[1]
        if self.check_mode:
            self.warn(
                "instance %s is transitioning (%s): planned as if it were %s"
                % (self.instance.get("instance_id"), status, heading_to)
            )
            return
        if not self.params["wait"] and heading_to == target:
            return
        self.instance = self._wait(self.instance)

    def _current_state(self):
        if self.instance is None:
            return VOID
        return split_transition(state_of(self.instance))[1]

    def _variables_differ(self):
        if self.instance is None or is_ended(self.instance):
            return []
        existing = self.instance.get("variables") or {}
        return sorted(
            name
            for name, value in self.requested.items()
            if name != NAME_VARIABLE and existing.get(name) != value
        )

    # --- planning --------------------------------------------------------------------------

    def _plan(self, current, target, differ):
        nothing_to_move = self.instance is None or current in ENDED_STATES
        if target in (FINISHED, ABSENT):
            return [] if nothing_to_move else self._steps(current, FINISHED)
        if nothing_to_move:
            if self.instance is not None and self.params["instance_id"] is not None:
                # chosen by id, so it must be this one; by name, a new one is started
                raise PsaModuleError(
                    "instance %s is %s: an ended instance cannot be moved on; select the "
                    "instance by name to start a new one"
                    % (self.instance.get("instance_id"), current)
                )
            return self._steps(VOID, target, new_instance=True)
        if differ:
            if self.params["recreate"]:
                return self._steps(current, FINISHED) + self._steps(VOID, target, new_instance=True)
            self.warn(
                "the variables %s of instance %s differ from the requested ones; set "
                "recreate to true to replace the instance"
                % (", ".join(differ), self.instance.get("instance_id"))
            )
        return self._steps(current, target)

    def _steps(self, current, target, new_instance=False):
        try:
            chain = self.service.graph.plan(current, target)
        except PlanError as error:
            who = (
                "instance %s (%s)" % (self.instance.get("instance_id"), current)
                if current != VOID
                else "a new instance"
            )
            raise PsaModuleError(
                "service %s, %s: %s" % (self.service.service_id, who, error),
                reachable=error.reachable,
                executable=error.executable,
                instance=self._masked(self.instance) if current != VOID else {},
            )
        return [
            Step(
                self.service.workflows[name],
                from_state,
                to_state,
                new_instance=new_instance and index == 0,
            )
            for index, (name, from_state, to_state) in enumerate(chain)
        ]

    def _variables_for(self, step):
        """What a step submits: an action gets the requested variables its workflow
        declares; a start also gets those no other workflow declares, and the name."""
        declared = step.workflow.variables
        if not step.new_instance:
            return {n: v for n, v in self.requested.items() if n in declared}
        elsewhere = set()
        for workflow in self.service.workflows.values():
            if workflow.name != step.workflow.name:
                elsewhere.update(workflow.variables)
        sent = {n: v for n, v in self.requested.items() if n in declared or n not in elsewhere}
        sent[NAME_VARIABLE] = self._instance_name()
        return sent

    def _instance_name(self):
        if self.params["name"]:
            return self.params["name"]
        # recreating an instance chosen by id: the new one keeps its name
        return (self.instance.get("variables") or {}).get(NAME_VARIABLE) or ""

    def _check_variables(self, steps):
        """Refuse bad values before anything is submitted, naming each variable."""
        name = self.requested.get(NAME_VARIABLE)
        if name is not None and self.params["name"] and name != self.params["name"]:
            raise PsaModuleError(
                "variables: INSTANCE_NAME %r differs from name %r: give the "
                "name once, in name" % (name, self.params["name"])
            )
        problems = []
        checks = [(self.requested, wf) for wf in self.service.workflows.values()]
        checks += [(self._variables_for(step), step.workflow) for step in steps]
        for values, workflow in checks:
            for problem in validate_variables(values, workflow.models, workflow.name):
                if problem not in problems:
                    problems.append(problem)
        if problems:
            raise PsaModuleError("variables: " + "; ".join(sorted(problems)))

    def _to_clean(self, named):
        """The instance (once finished) and the other ended instances of that name.

        ``named`` was listed before any wait: the instance itself is taken as last seen.
        """
        current_id = self.instance.get("instance_id") if self.instance is not None else None
        others = [i for i in named if is_ended(i) and i.get("instance_id") != current_id]
        return ([self.instance] if self.instance is not None else []) + others

    # --- doing -----------------------------------------------------------------------------

    def _execute(self, step, last):
        variables = self._variables_for(step)
        workflow = step.workflow
        previous = None if step.new_instance else self.instance
        if step.new_instance:
            self.instance = start(self.client, workflow.bucket, workflow.name, variables)
        else:
            self.instance = run_action(
                self.client, self.instance["instance_id"], workflow.bucket, workflow.name, variables
            )
        job_id = launched_job_id(previous, self.instance)
        if job_id is not None and job_id not in self.job_ids:
            self.job_ids.append(job_id)
        # Only the last transition may be left running, and not when it must be cleaned.
        if last and not self.params["wait"] and self.params["state"] != ABSENT:
            return
        leaving = step.from_state if step.from_state != step.to_state else None
        self.instance = self._wait(self.instance, leaving)
        reached = state_of(self.instance)
        if reached != step.to_state:
            raise PsaModuleError(
                "action %s should have brought instance %s from %s to %s, but it is %s "
                "(job %s)"
                % (
                    workflow.name,
                    self.instance.get("instance_id"),
                    step.from_state,
                    step.to_state,
                    reached,
                    job_id,
                ),
                instance=self._masked(self.instance),
                job_ids=self.job_ids,
            )

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
            raise PsaModuleError(
                str(error), instance=self._masked(error.instance), job_ids=self.job_ids
            )

    def _clean(self, instance):
        if self.instance is not None and instance.get("instance_id") == self.instance.get(
            "instance_id"
        ):
            instance = self.instance  # the one just finished, as last seen
        if not is_ended(instance):
            raise PsaModuleError(
                "instance %s cannot be removed: %s"
                % (instance.get("instance_id"), summary(instance)),
                instance=self._masked(instance),
            )
        if clean(self.client, instance["instance_id"]):
            self.cleaned.append(instance["instance_id"])
        else:
            self.warn(
                "the server does not remove instances (DELETE "
                "/cloud-automation-service/serviceInstances/%s answered 404 or 405): "
                "instance %s stays listed as %s"
                % (instance["instance_id"], instance["instance_id"], state_of(instance))
            )

    # --- reporting -------------------------------------------------------------------------

    def _masked(self, instance):
        return masked(instance, self.secrets) if instance else {}

    def _snapshot(self, instance):
        if instance is None:
            return no_instance()
        return {
            "state": state_of(instance),
            "variables": mask_secrets(instance.get("variables") or {}, self.secrets),
        }

    def _predicted(self, before, steps, target):
        if target == ABSENT:
            return no_instance()
        if not steps:
            return before
        variables = dict(before["variables"])
        for step in steps:
            if step.new_instance:
                variables = {}
            variables.update(self._variables_for(step))
        return {"state": steps[-1].to_state, "variables": mask_secrets(variables, self.secrets)}

    def _result(self, steps, to_clean, before, after, differ):
        changed = bool(steps or (to_clean if self.check_mode else self.cleaned))
        instance = self.instance
        result = {
            "changed": changed,
            "instance": self._masked(instance),
            "state": after["state"],
            "endpoints": endpoints_of(instance) if instance else {},
            "actions": [step.workflow.name for step in steps],
            "job_ids": self.job_ids,
            "elapsed": round(self.deadline.elapsed, 3),
            "variables_differ": differ,
            "cleaned": self.cleaned,
        }
        if changed:
            result["diff"] = {"before": before, "after": after}
        return result


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            wait=True,
            service_id=dict(type="str"),
            name=dict(type="str"),
            instance_id=dict(type="int"),
            state=dict(type="str", default="RUNNING"),
            bucket=dict(type="str"),
            variables=dict(type="dict", default={}),
            recreate=dict(type="bool", default=False),
        ),
        required_one_of=[("name", "instance_id")],
        mutually_exclusive=[("name", "instance_id")],
        required_by={"name": "service_id"},
        supports_check_mode=True,
    )
    run_module(
        module,
        lambda client: InstanceState(
            client, module.params, module.check_mode, module.warn, hide=module.no_log_values.add
        ).run(),
    )


if __name__ == "__main__":
    main()
