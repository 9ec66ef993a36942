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
version_added: "1.0.0"
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
        them in RV(variables_differ); set O(recreate=true) to replace the instance. The
        server keeps values with their references resolved (V(/tmp/$INSTANCE_NAME) is held
        as V(/tmp/db1)), so a requested value is resolved against the instance's own
        variables before it is compared; a value whose references the instance cannot
        resolve (V($PA_JOB_ID), system variables) is not compared.
      - Values of variables whose model is C(PA:HIDDEN) or C(PA:CREDENTIAL), or whose name
        says they are secret (it contains PASSWORD, PASSWD, PASSPHRASE, TOKEN, SECRET or
        CREDENTIAL, or ends a word with KEY), are masked in the output. Put secrets in
        O(secret_variables) instead, which Ansible never shows nor logs.
    type: dict
    default: {}
  secret_variables:
    description:
      - Variables holding secrets (passwords, tokens), merged into O(variables) and sent
        the same way; a name may not be in both.
      - This option is C(no_log) - its values never appear in the output, the
        invocation or the target's log, even when the task fails before the catalog is
        read.
    type: dict
    default: {}
  recreate:
    description:
      - When the existing instance's variables differ from O(variables), finish it and start
        a new one with them.
    type: bool
    default: false
  instances:
    description:
      - Many instances in one task - each entry brings one instance to its state, as the
        single form does (the same keys - O(instances[].service_id) and
        O(instances[].name), or O(instances[].instance_id), O(instances[].state),
        O(instances[].variables)...), at most O(parallel) at a time, on one session and one
        read of the catalog.
      - Mutually exclusive with the single-instance options O(service_id), O(name),
        O(instance_id), O(state), O(bucket), O(variables), O(secret_variables) and
        O(recreate). The wait options apply to every entry; O(wait_timeout) bounds the
        whole task.
      - Entries are independent - one that fails does not stop the others. The task fails
        when any entry failed, listing each; RV(results) shows what every entry did.
      - Two entries may not select the same instance.
    type: list
    elements: dict
    suboptions:
      service_id:
        description: As O(service_id).
        type: str
      name:
        description: As O(name). One of O(instances[].name) and O(instances[].instance_id) is required.
        type: str
      instance_id:
        description: As O(instance_id).
        type: int
      state:
        description: As O(state).
        type: str
        default: RUNNING
      bucket:
        description: As O(bucket).
        type: str
      variables:
        description: As O(variables).
        type: dict
        default: {}
      secret_variables:
        description: As O(secret_variables).
        type: dict
        default: {}
      recreate:
        description: As O(recreate).
        type: bool
        default: false
  parallel:
    description:
      - With O(instances), how many entries are worked on at the same time.
    type: int
    default: 10
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
- name: Three instances, each to its own state
  proactive.psa.psa_instance:
    instances:
      - {service_id: MongoDB, name: db1}
      - {service_id: MongoDB, name: db2, state: PAUSED}
      - {service_id: Kafka, name: events, variables: {ZOOKEEPER_PORT: 2181}}
    parallel: 3
  register: fleet

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
reachable:
  description: When the wanted state cannot be reached from the instance's, the states that can.
  returned: on failure, when no chain of actions leads to O(state)
  type: list
  elements: str
  sample: [FINISHED, PAUSED]
executable:
  description: When the wanted state cannot be reached, the actions executable from the instance's state.
  returned: on failure, when no chain of actions leads to O(state)
  type: list
  elements: str
  sample: [Finish_MongoDB]
results:
  description:
    - With O(instances), one result per entry, in the order of O(instances), with the keys
      the single form returns (RV(instance), RV(state), RV(endpoints), RV(actions),
      RV(job_ids), RV(variables_differ), RV(cleaned), RV(elapsed), C(changed) and C(diff)),
      plus C(failed) and, for a failed entry, C(msg) and the keys of the single form's
      failure (RV(reachable), RV(url)...).
    - The single-instance keys are not returned at the top level then; RV(elapsed) is.
  returned: with O(instances)
  type: list
  elements: dict
  sample:
    - changed: true
      failed: false
      state: RUNNING
      actions: [MongoDB]
      job_ids: [40]
      endpoints: {mongodb-endpoint-12: "mongodb://node-1:27017"}
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

from ansible_collections.proactive.psa.plugins.module_utils.batch import run_batch
from ansible_collections.proactive.psa.plugins.module_utils.common import (
    PsaModule,
    PsaModuleError,
    argument_spec,
    run_module,
)
from ansible_collections.proactive.psa.plugins.module_utils.instance_task import (
    ABSENT,
    InstanceTask,
    no_instance,
)
from ansible_collections.proactive.psa.plugins.module_utils.instances import (
    NAME_VARIABLE,
    clean,
    clean_supported,
    is_ended,
    launched_job_id,
    run_action,
    start,
    state_of,
    summary,
)
from ansible_collections.proactive.psa.plugins.module_utils.models import (
    mask_secrets,
    resolve_references,
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


class InstanceState(InstanceTask):
    """Brings one instance to the wanted state; ``run()`` returns the module result."""

    def __init__(self, *args, **kwargs):
        super(InstanceState, self).__init__(*args, **kwargs)
        self.cleaned = []

    # --- the whole task ------------------------------------------------------------------

    def run(self):
        named = self._select()
        target = self._target()
        if self.service is None:  # instance_id of an instance that is gone: finished
            return self._result([], [], no_instance(), no_instance(), [])
        if target == FINISHED and self.instance is None and named:
            self.instance = named[0]  # only ended ones: report the newest, change nothing
        before = self.snapshot(self.instance)

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
        after = self.snapshot(self.instance)
        if self.instance is not None and self.instance.get("instance_id") in self.cleaned:
            after = no_instance()
        return self._result(steps, to_clean, before, after, differ)

    # --- which instance, which service, which target --------------------------------------

    def _select(self):
        """Find the instance; return every instance of that name (candidates for cleaning)."""
        params = self.params
        if params["instance_id"] is not None:
            self.instance = self.find_by_id(params["instance_id"], params["service_id"])
            if self.instance is None:
                return []
            self.load_service(self.instance.get("service_id"), params["bucket"])
            return [self.instance]
        self.load_service(params["service_id"], params["bucket"])
        self.instance, named = self.find_by_name(params["service_id"], params["name"])
        return named

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
        self.instance = self.wait(self.instance)

    def _current_state(self):
        if self.instance is None:
            return VOID
        return split_transition(state_of(self.instance))[1]

    def _variables_differ(self):
        """The requested variables whose value the instance does not hold.

        The server keeps values with their references resolved (``/tmp/$INSTANCE_NAME``
        is held as ``/tmp/db1``): a requested value is resolved against the instance's
        own variables before it is compared, and one whose references the instance
        cannot resolve (``$PA_JOB_ID``, system variables) is not compared.
        """
        if self.instance is None or is_ended(self.instance):
            return []
        existing = self.instance.get("variables") or {}
        differ = []
        for name, value in self.requested.items():
            if name == NAME_VARIABLE:
                continue
            resolved = resolve_references(value, existing)
            if resolved is not None and existing.get(name) != resolved:
                differ.append(name)
        return sorted(differ)

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
                instance=self.masked(self.instance) if current != VOID else {},
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
        """The instance (once finished) and the other ended instances of that name, when
        the server removes instances at all (else nothing: the run would change nothing).

        ``named`` was listed before any wait: the instance itself is taken as last seen.
        """
        current_id = self.instance.get("instance_id") if self.instance is not None else None
        others = [i for i in named if is_ended(i) and i.get("instance_id") != current_id]
        candidates = ([self.instance] if self.instance is not None else []) + others
        if candidates and not clean_supported(self.client, candidates[0]["instance_id"]):
            self.warn(
                "the server does not remove instances (its DELETE "
                "/cloud-automation-service/serviceInstances/{id} is not offered): "
                "instance%s %s stay%s listed, ended"
                % (
                    "s" if len(candidates) > 1 else "",
                    ", ".join(str(i["instance_id"]) for i in candidates),
                    "" if len(candidates) > 1 else "s",
                )
            )
            return []
        return candidates

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
        self.instance = self.wait(self.instance, leaving)
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
                instance=self.masked(self.instance),
                job_ids=self.job_ids,
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
                instance=self.masked(instance),
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
        result = self.report(
            changed,
            before,
            after,
            actions=[step.workflow.name for step in steps],
            variables_differ=differ,
            cleaned=self.cleaned,
        )
        result["state"] = after["state"]
        return result


def main():
    entry_options = dict(
        service_id=dict(type="str"),
        name=dict(type="str"),
        instance_id=dict(type="int"),
        state=dict(type="str", default="RUNNING"),
        bucket=dict(type="str"),
        variables=dict(type="dict", default={}),
        secret_variables=dict(type="dict", default={}, no_log=True),
        recreate=dict(type="bool", default=False),
    )
    selectors = ("name", "instance_id")
    module = PsaModule(
        argument_spec=argument_spec(
            instances=dict(
                type="list",
                elements="dict",
                options=entry_options,
                required_one_of=[selectors],
                mutually_exclusive=[selectors],
                required_by={"name": "service_id"},
            ),
            parallel=dict(type="int", default=10),
            **entry_options,
        ),
        required_one_of=[("name", "instance_id", "instances")],
        mutually_exclusive=[selectors] + [("instances", option) for option in entry_options],
        required_by={"name": "service_id"},
        supports_check_mode=True,
    )
    if module.params["instances"] is not None:
        run_module(
            module,
            lambda client: run_batch(
                client,
                module.params,
                module.check_mode,
                module.warn,
                InstanceState,
                hide=module.no_log_values.add,
            ),
        )
    run_module(
        module,
        lambda client: InstanceState(
            client, module.params, module.check_mode, module.warn, hide=module.no_log_values.add
        ).run(),
    )


if __name__ == "__main__":
    main()
