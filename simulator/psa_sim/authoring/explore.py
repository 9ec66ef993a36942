"""`psa-sim test-service`: drive each service through its whole state graph in the
simulator, in process and deterministically, and say what does not hold.

Each path is run in a fresh simulation (seed 0, instant clock), so paths cannot disturb
one another and a report replays exactly:

- every transition from a reached state: the path to its FROM state, the transition,
  then the shortest declared way to FINISHED (so every reached state is also shown to
  reach FINISHED, or named when it cannot);
- every steady state with a running container: the container crashes there, the
  instance must end in ERROR, and the shortest declared clean-up from ERROR must reach
  FINISHED;
- at the end of every path: no node token, port or job left behind; and after each
  activation, an endpoint when the activation declares one (ENDPOINT_ID or
  `sim.endpoint`).

Static checks come first: the activation names its instances (INSTANCE_NAME), required
variables have a default, defaults fit their models.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from psa_sim.catalog import ServiceIndex, Variable, Workflow, check_variables
from psa_sim.catalog.service_checks import case_near_miss
from psa_sim.catalog.variables import BOOLEAN, DOUBLE, FLOAT, INTEGER, LIST, LONG, MISSING
from psa_sim.defaults import NODE_SOURCE
from psa_sim.engine.cluster import NodeSourceConfig
from psa_sim.engine.simulation import GI_ENDPOINT, Simulation
from psa_sim.engine.workflow_facts import LINK_SUFFIX
from psa_sim.errors import PsaError
from psa_sim.model.instance import ServiceInstance
from psa_sim.states import ENDED_STATES, ERROR, FINISHED, KILLED, VOID

INSTANCE_NAME = "INSTANCE_NAME"
ENDPOINT_ID = "ENDPOINT_ID"
# Every path of one service must take far fewer steps than this; past it, a loop.
_MAX_EVENTS = 200_000
_NODES = 16

# Kinds of failure, as the report and the JUnit test cases name them.
CHECK_VARIABLES = "variables"
CHECK_REACHED = "state-reached"
CHECK_TRANSITION = "transition"
CHECK_FINISH = "finished-reachable"
CHECK_CRASH = "crash"
CHECK_CLEANUP = "clean-up"
CHECK_LEFTOVERS = "leftovers"
CHECK_ENDPOINT = "endpoint"


@dataclass(frozen=True, slots=True)
class Failure:
    """One check that did not hold: where (service, state, transition), what was
    expected, what happened."""

    service: str
    check: str
    state: str
    transition: str  # "Workflow (FROM->TO)", or "" for a check of no transition
    expected: str
    happened: str

    def __str__(self) -> str:
        where = f"state {self.state}" + (f", {self.transition}" if self.transition else "")
        return (
            f"{self.service}: {self.check}: {where}: expected {self.expected}; "
            f"happened: {self.happened}"
        )


@dataclass(slots=True)
class TransitionCoverage:
    from_state: str
    workflow: str
    to_state: str
    covered: bool = False
    why_not: str = ""

    @property
    def label(self) -> str:
        return f"{self.workflow} ({self.from_state}->{self.to_state})"


@dataclass(slots=True)
class ServiceResult:
    service: str
    states: dict[str, str] = field(default_factory=dict)  # state -> "" reached, or why not
    transitions: list[TransitionCoverage] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    needed: list[str] = field(default_factory=list)  # required variables without default
    not_crashed: list[str] = field(default_factory=list)  # steady states with no container up
    paths: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures


def explore_services(
    index: ServiceIndex, service_ids: Iterable[str] | None = None
) -> list[ServiceResult]:
    """Test each service (every service of the index when none is named)."""
    ids = list(service_ids) if service_ids is not None else index.services()
    return [_Explorer(index, service_id).run() for service_id in ids]


class _Explorer:
    def __init__(self, index: ServiceIndex, service_id: str) -> None:
        self.index = index
        self.service = service_id
        self.graph = index.state_graph(service_id)
        self.result = ServiceResult(service_id)
        self.activation_values: dict[str, str] = {}
        self.seen: set[str] = {VOID}  # every state an instance of a run was in

    # --- the whole run -----------------------------------------------------------------

    def run(self) -> ServiceResult:
        self._check_variables()
        reached: dict[str, list[str]] = {VOID: []}
        coverage: dict[tuple[str, str], TransitionCoverage] = {}
        for state in sorted(self.graph):
            for workflow, target in sorted(self.graph[state].items()):
                coverage[(state, workflow)] = TransitionCoverage(state, workflow, target)
        queue = deque([VOID])
        while queue:
            state = queue.popleft()
            for workflow, target in sorted(self.graph.get(state, {}).items()):
                path = [*reached[state], workflow]
                if self._run_transition(path, state, workflow, target, coverage):
                    if target not in reached:
                        reached[target] = path
                        if target not in ENDED_STATES:
                            queue.append(target)
        self._crash_every_steady_state(reached, coverage)
        self._explain_unreached(reached, coverage)
        self.result.transitions = list(coverage.values())
        return self.result

    def _explain_unreached(
        self, reached: dict[str, list[str]], coverage: dict[tuple[str, str], TransitionCoverage]
    ) -> None:
        targets = {to for edges in self.graph.values() for to in edges.values()}
        error_why = self.result.states.pop(ERROR, "")
        # VOID first, then by name; KILLED is left out: only a kill leads there.
        for state in sorted(self.graph, key=lambda name: (name != VOID, name)):
            if state == KILLED:
                continue
            if state in reached or state in self.seen:
                self.result.states[state] = ""
                continue
            if state == ERROR:
                why = error_why
            elif state in targets:
                sources = sorted(f for f, edges in self.graph.items() if state in edges.values())
                if all(f not in reached and f not in self.seen for f in sources):
                    why = (
                        f"only actions from states never reached lead to it ({', '.join(sources)})"
                    )
                else:
                    why = "the transitions leading to it did not complete (see below)"
            else:
                why = "no workflow leads to it" + case_near_miss(state, targets)
            self.result.states[state] = why
            if why and state != ERROR:
                self._fail(
                    CHECK_REACHED,
                    state,
                    "",
                    "every declared state reachable from VOID",
                    f"state {state} is never reached: {why}",
                )
        for (state, _), entry in coverage.items():
            if not entry.covered and not entry.why_not:
                why = self.result.states.get(state, "")
                entry.why_not = f"FROM state {state} never reached: {why}" if why else "not run"

    # --- static checks -------------------------------------------------------------------

    def _check_variables(self) -> None:
        workflows = [w for _, w in self.index.workflows(self.service)]
        # Activations first: PSA passes the instance's variables to every action.
        for workflow in sorted(workflows, key=lambda w: not w.is_activation):
            is_activation = workflow.is_activation
            given = self.activation_values if not is_activation else {}
            for problem in check_variables(workflow.variables, {}):
                if not is_activation and problem.name in given:
                    continue  # PSA passes the instance's value to every action
                variable = workflow.variable_map[problem.name]
                if problem.message == MISSING:
                    self.result.needed.append(f"{workflow.name}: {problem.name}")
                    expected = f"a default for required variable {problem.name}"
                    happened = f"none (model {variable.model.raw}): every start must give a value"
                else:
                    expected = f"a default of {problem.name} valid for model {variable.model.raw}"
                    happened = problem.message
                self._fail(CHECK_VARIABLES, VOID, _label(workflow), expected, happened)
            if is_activation:
                self.activation_values = {
                    **workflow.defaults,
                    **{v.name: _sample_value(v) for v in _refused(workflow)},
                }
                if INSTANCE_NAME not in workflow.variable_map:
                    self._fail(
                        CHECK_VARIABLES,
                        VOID,
                        _label(workflow),
                        f"an {INSTANCE_NAME} variable (it names the instance, its container "
                        f"and its node token PSA_$INSTANCE_NAME)",
                        "the activation declares none",
                    )

    # --- one path ------------------------------------------------------------------------

    def _run_transition(
        self,
        path: list[str],
        state: str,
        workflow: str,
        target: str,
        coverage: dict[tuple[str, str], TransitionCoverage],
    ) -> bool:
        """Run the path and then the way to FINISHED; True when the transition worked."""
        entry = coverage[(state, workflow)]
        run = _Run(self)
        instance = run.walk(path)
        if instance is None:
            entry.why_not = run.problem or "the path did not complete"
            self._fail(
                CHECK_TRANSITION, state, entry.label, f"the instance in {target}", entry.why_not
            )
            return False
        entry.covered = True
        self._then_finish(run, instance, target, entry.label)
        return True

    def _then_finish(
        self, run: _Run, instance: ServiceInstance, state: str, transition: str
    ) -> None:
        """From ``state``, the shortest way to FINISHED, then nothing must be left."""
        if state == FINISHED:
            run.check_leftovers(instance, transition)
            return
        way = self._way_to_finished(state)
        if way is None:
            self._fail(
                CHECK_FINISH,
                state,
                "",
                "a way to FINISHED (an action from this state, or a chain of them)",
                "none declared: only a kill ends an instance here",
            )
            run.kill(instance)
            return
        self._finish(run, instance, way, state)

    def _finish(self, run: _Run, instance: ServiceInstance, way: list[str], start: str) -> None:
        if run.walk(way, instance=instance) is None:
            self._fail(
                CHECK_CLEANUP if start == ERROR else CHECK_FINISH,
                start,
                self._chain(start, way),
                "the instance FINISHED",
                run.problem or "it did not finish",
            )
            run.kill(instance)
            return
        run.check_leftovers(instance, self._chain(start, way))

    def _crash_every_steady_state(
        self, reached: dict[str, list[str]], coverage: dict[tuple[str, str], TransitionCoverage]
    ) -> None:
        crash_at: str | None = None  # the first state whose crash led to ERROR
        for state in sorted(reached):
            if state in ENDED_STATES or state in (VOID, ERROR):
                continue
            run = _Run(self)
            instance = run.walk(reached[state])
            if instance is None:
                continue  # already reported by the transition that leads here
            if not run.crash(instance):
                self.result.not_crashed.append(state)  # paused: nothing to crash
                continue
            if instance.instance_status != ERROR:
                self._fail(
                    CHECK_CRASH,
                    state,
                    "",
                    "ERROR once the health loop sees the dead container",
                    f"the instance is {instance.instance_status}",
                )
                run.kill(instance)
                continue
            crash_at = crash_at or state
            way = self._way_to_finished(ERROR)
            if way is None:
                self._fail(
                    CHECK_CLEANUP,
                    ERROR,
                    "",
                    "a clean-up action from ERROR leading to FINISHED, e.g. (ERROR,FINISHED) "
                    "in the finish workflow's pca.states",
                    "none declared: the crashed instance keeps its node token for ever",
                )
                run.kill(instance)
                continue
            coverage[(ERROR, way[0])].covered = True
            self._finish(run, instance, way, ERROR)
        if crash_at is None:
            self.result.states[ERROR] = "no reached state has a running container to crash"
            return
        self.result.states[ERROR] = ""
        # Every other action from ERROR, after a crash in the first state that has one.
        for workflow, target in sorted(self.graph.get(ERROR, {}).items()):
            entry = coverage[(ERROR, workflow)]
            if entry.covered:
                continue
            run = _Run(self)
            instance = run.walk(reached[crash_at])
            if instance is None or not run.crash(instance):
                continue
            if run.walk([workflow], instance=instance) is None:
                entry.why_not = run.problem
                self._fail(
                    CHECK_TRANSITION, ERROR, entry.label, f"the instance in {target}", run.problem
                )
                continue
            entry.covered = True
            self._then_finish(run, instance, target, entry.label)

    # --- helpers -------------------------------------------------------------------------

    def _way_to_finished(self, start: str) -> list[str] | None:
        """The shortest chain of declared actions from ``start`` to FINISHED."""
        previous: dict[str, tuple[str, str]] = {}
        queue = deque([start])
        seen = {start}
        while queue:
            state = queue.popleft()
            if state == FINISHED:
                way: list[str] = []
                while state != start:
                    state, workflow = previous[state]
                    way.append(workflow)
                return way[::-1]
            for workflow, target in sorted(self.graph.get(state, {}).items()):
                if target not in seen:
                    seen.add(target)
                    previous[target] = (state, workflow)
                    queue.append(target)
        return None

    def _chain(self, start: str, way: list[str]) -> str:
        steps = []
        state = start
        for workflow in way:
            target = self.graph[state][workflow]
            steps.append(f"{workflow} ({state}->{target})")
            state = target
        return ", ".join(steps)

    def _fail(self, check: str, state: str, transition: str, expected: str, happened: str) -> None:
        failure = Failure(self.service, check, state, transition, expected, happened)
        if failure not in self.result.failures:
            self.result.failures.append(failure)


class _Run:
    """One path in a fresh simulation: the instance it drives and what went wrong."""

    def __init__(self, explorer: _Explorer) -> None:
        self.explorer = explorer
        # Room for a multi-node service (Docker_Swarm takes 3) and the ones it carries.
        self.sim = Simulation(
            explorer.index, seed=0, node_sources=[NodeSourceConfig(NODE_SOURCE, _NODES)]
        )
        self._linked: dict[str, str] = {}  # service id -> id of the instance started for it
        self.problem = ""
        explorer.result.paths += 1

    def walk(
        self, path: list[str], instance: ServiceInstance | None = None
    ) -> ServiceInstance | None:
        """Run each workflow of the path in turn; None when one cannot run or fails."""
        explorer = self.explorer
        graph = explorer.graph
        for workflow in path:
            before = instance.state if instance is not None else VOID
            target = graph[before].get(workflow)
            if target is None:
                self.problem = f"{workflow} does not apply in {before}"
                return None
            try:
                if instance is None:
                    bucket, found = explorer.index.find(workflow, service_id=explorer.service)
                    values = {v.name: _sample_value(v) for v in _refused(found)}
                    values.update(self._links(found, explorer.service))
                    instance = self.sim.submit_activation(
                        workflow, values, bucket=bucket, service_id=explorer.service
                    )
                else:
                    bucket, _ = explorer.index.find(workflow, service_id=explorer.service)
                    self.sim.submit_action(instance.instance_id, workflow, bucket=bucket)
            except PsaError as error:
                self.problem = f"{workflow} was refused: {error}"
                return None
            self.sim.run_until_idle(_MAX_EVENTS)
            status = instance.instance_status
            if status != target:
                cause = f" ({instance.error_cause})" if instance.error_cause else ""
                self.problem = f"after {workflow} the instance is {status}{cause}"
                return None
            explorer.seen.add(target)
            if before == VOID:
                self._check_endpoint(instance, workflow)
        return instance

    def _links(self, workflow: Workflow, service: str) -> dict[str, str]:
        """Values for its `<x>_service_instance_id` variables (HDFS or Spark deployed on a
        Docker_Swarm): the id of a RUNNING instance of the service `x` names in the
        index, started first, with its own links. A variable whose service is not in the
        index keeps its default (the activation is then refused, naming it)."""
        values: dict[str, str] = {}
        for variable in workflow.variables:
            if not variable.name.endswith(LINK_SUFFIX) or variable.value.strip().isdigit():
                continue
            provider = _provider(self.explorer.index, variable.name[: -len(LINK_SUFFIX)])
            if provider is None or provider == service:
                continue
            if provider not in self._linked:
                bucket, activation = self.explorer.index.activations(provider)[0]
                started = self.sim.submit_activation(
                    activation.name,
                    self._links(activation, provider),
                    bucket=bucket,
                    service_id=provider,
                )
                self.sim.run_until_idle(_MAX_EVENTS)
                self._linked[provider] = str(started.instance_id)
            values[variable.name] = self._linked[provider]
        return values

    def crash(self, instance: ServiceInstance) -> bool:
        try:
            self.sim.crash_container(instance.instance_id)
        except PsaError:
            return False
        self.sim.run_until_idle(_MAX_EVENTS)
        return True

    def kill(self, instance: ServiceInstance) -> None:
        """End a path that cannot finish (a failure already says why)."""
        self.sim.kill(instance.instance_id)
        self.sim.run_until_idle(_MAX_EVENTS)

    def _check_endpoint(self, instance: ServiceInstance, activation: str) -> None:
        _, workflow = self.explorer.index.find(activation, service_id=self.explorer.service)
        declared = instance.variables.get(ENDPOINT_ID) or workflow.generic_info.get(GI_ENDPOINT)
        if declared and not instance.deployments:
            self.explorer._fail(
                CHECK_ENDPOINT,
                instance.state,
                _label(workflow),
                f"an endpoint '{declared}' recorded once the instance runs",
                "none: Post_Start_Service finds no scheme (declare HTTP_ENABLED or "
                "HTTPS_ENABLED, or give it the scheme as argument)",
            )

    def check_leftovers(self, instance: ServiceInstance, transition: str) -> None:
        """Nothing left once the instance is FINISHED: token, ports, jobs."""
        sim = self.sim
        sim.run_until_idle(_MAX_EVENTS)
        left = list(sim.leaks())
        # A dependency it started (Kafka's Zookeeper) keeps running, as PSA leaves it.
        alive = {
            other.runtime.token
            for other in sim.store
            if other is not instance and other.state not in ENDED_STATES
        }
        for node in sim.cluster.nodes:
            left.extend(
                f"token {token} on node {node.name}" for token in node.tokens if token not in alive
            )
        for job in instance.runtime.jobs:
            if not job.status.is_final:
                left.append(f"job {job.job_id} ({job.name}) still {job.status.value}")
        unique = list(dict.fromkeys(left))  # leaks() and the nodes may name one token twice
        if unique:
            self.explorer._fail(
                CHECK_LEFTOVERS,
                FINISHED,
                transition,
                "no token, port or job left once the instance is FINISHED",
                "; ".join(unique),
            )


def _label(workflow: Workflow) -> str:
    pairs = [f"{t.from_state}->{t.to_state}" for t in workflow.transitions]
    return f"{workflow.name} ({', '.join(pairs)})"


def _provider(index: ServiceIndex, prefix: str) -> str | None:
    """The service a `<prefix>_service_instance_id` names: the one whose id is the prefix,
    or ends with `_<prefix>` (swarm: Docker_Swarm), case aside; None when none is."""
    wanted = prefix.lower()
    for service in index.services():
        name = service.lower()
        if (name == wanted or name.endswith("_" + wanted)) and index.activations(service):
            return service
    return None


def _refused(workflow: Workflow) -> list[Variable]:
    """The variables whose default their model refuses (missing or invalid)."""
    names = {p.name for p in check_variables(workflow.variables, {})}
    return [v for v in workflow.variables if v.name in names]


def _sample_value(variable: Variable) -> str:
    """A value the variable's model accepts, so that a test run can start an activation
    whose default is missing or refused (each reported) and test the rest of the graph."""
    model = variable.model
    if model.kind == LIST and model.options:
        return next((o for o in model.options if o), model.options[0])
    if model.kind == BOOLEAN:
        return "true"
    if model.kind in (INTEGER, LONG, FLOAT, DOUBLE):
        low = model.minimum if model.minimum is not None else 1
        return str(low)
    return f"test-{variable.name.lower()}"
