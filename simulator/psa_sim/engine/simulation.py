"""The simulated ProActive server: catalog, scheduler, resource manager and PSA together.

Everything a caller does goes through this facade (submit an activation or an action,
kill, clean, inject a fault, advance time). It is single-threaded: the driver's one
coroutine hands it one command at a time. The workflows, not the server, report the new state of an
instance, as the real service scripts do: here, when the job's task ends.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import simpy

from psa_sim import defaults
from psa_sim.catalog import ServiceIndex, VariableProblem, Workflow, resolve_all, resolve_references
from psa_sim.catalog.workflow import SERVICE_ID_KEY
from psa_sim.engine.cluster import Cluster, Node, NodeSourceConfig
from psa_sim.engine.health import HealthLoops
from psa_sim.engine.jobs import Job, JobStatus
from psa_sim.engine.kinds import JobKind, workflow_kind
from psa_sim.engine.observer import Observer
from psa_sim.engine.plain_jobs import PlainJobs
from psa_sim.engine.ports import PortInUse
from psa_sim.engine.runtime import Container, ContainerStatus, InstanceRuntime
from psa_sim.engine.scheduler import PRIORITIES, Counters, Scheduler, call_later
from psa_sim.engine.script_library import (
    ADD_DEPLOYMENTS,
    RESUME_LAUNCHED,
    deployments_count,
    master_endpoint_id,
)
from psa_sim.engine.timing import TimingModel, TimingOverrides
from psa_sim.engine.workflow_facts import FactsCache
from psa_sim.errors import Conflict, InvalidInput, NotFound, PsaError
from psa_sim.model import lifecycle
from psa_sim.model.endpoints import (
    PROXY_GROUPS,
    Deployment,
    endpoint_scheme,
    is_proxyfied,
    proxyfied_url,
)
from psa_sim.model.instance import (
    RUNNING_STATE_DOWN,
    RUNNING_STATE_UP,
    Channel,
    JobSubmission,
    ServiceInstance,
)
from psa_sim.model.store import InstanceStore
from psa_sim.states import (
    ENDED_STATES,
    ERROR,
    FINISHED,
    KILLED,
    RUNNING,
    TRANSITION_ARROW,
    VOID,
)

# 2026-01-01T00:00:00Z: simulated time 0, so epoch-millisecond fields replay exactly.
DEFAULT_EPOCH_MS = 1_767_225_600_000

# Generic information the simulator reads besides pca.* (a real server ignores them).
GI_ENDPOINT = "sim.endpoint"
GI_ENDPOINT_REMOVE = "sim.endpoint.remove"
GI_ENDPOINT_SCHEME = "sim.endpoint.scheme"


# A job is ready for signal X once it holds READY_PREFIX + X (signalapi.readyForSignal).
READY_PREFIX = "ready_"


class Simulation:
    def __init__(
        self,
        index: ServiceIndex,
        *,
        seed: int = 0,
        node_sources: Iterable[NodeSourceConfig] = (
            NodeSourceConfig(defaults.NODE_SOURCE, defaults.NODES),
        ),
        port_range: tuple[int, int] = defaults.PORT_RANGE,
        health_period: float = defaults.HEALTH_PERIOD,
        timing: TimingOverrides | None = None,
        container_crash_per_hour: float = 0.0,
        action_failure_probability: float = 0.0,
        public_base: str = defaults.PUBLIC_BASE,
        epoch_ms: int = DEFAULT_EPOCH_MS,
        observer: Observer | None = None,
        remove_jobs_after: float = 0.0,
    ):
        if not 0.0 <= action_failure_probability <= 1.0:
            raise InvalidInput(
                f"action_failure_probability: {action_failure_probability!r} is not within 0..1"
            )
        if container_crash_per_hour < 0:
            raise InvalidInput(
                f"container_crash_per_hour: {container_crash_per_hour!r} is negative"
            )
        self.index = index
        self.seed = seed
        self.env = simpy.Environment()
        self.counters = Counters()
        self.epoch_ms = epoch_ms
        self.public_base = public_base
        self.observer = observer or Observer()
        # Independent streams: changing the fault rate does not move job durations.
        self._rng_faults = random.Random(f"{seed}:faults")
        self._rng_containers = random.Random(f"{seed}:containers")
        self.cluster = Cluster(list(node_sources), port_range, random.Random(f"{seed}:ports"))
        self.timing = TimingModel(random.Random(f"{seed}:timing"), dict(timing or {}))
        self.scheduler = Scheduler(self.env, self.cluster, self.timing, self.counters)
        self.scheduler.remove_after = remove_jobs_after
        self.scheduler.on_job_started = self.job_started
        self.health = HealthLoops(self.env, health_period, self.counters, self._health_check)
        self.store = InstanceStore()
        self.container_crash_per_hour = container_crash_per_hour
        self.action_failure_probability = action_failure_probability
        # (node name, token) → the instance whose activation put it there. Two instances
        # may share an INSTANCE_NAME, hence a token: each owns it on its own node only.
        self._token_owner: dict[tuple[str, str], ServiceInstance] = {}
        self._settle_waiters: dict[int, list[Callable[[ServiceInstance], None]]] = {}
        self._facts = FactsCache()
        # Looping instances their loop must act on (FINISHED, crashed), and node repairs
        # to come: what an idle server still has to run (see has_work).
        self._attention: set[int] = set()
        self._pending_repairs = 0
        # Simulated time after which nothing will run (a headless run's end; a server
        # has none): crash timers drawn past it are not made (see _schedule_crash).
        self.horizon = float("inf")
        self.plain_jobs = PlainJobs(
            self.scheduler,
            self._rng_faults,
            lambda: self.action_failure_probability,
            self.observer.job_ended,
        )

    # --- time ----------------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.env.now

    def now_ms(self) -> int:
        return self.epoch_ms + round(self.env.now * 1000)

    def run(self, until: float | None = None) -> None:
        """Advance simulated time to `until`, events due at `until` included (or, with
        no `until`, until nothing is left to happen)."""
        env = self.env
        health = self.health
        with gc_paused():
            if until is None:
                env.run()
                return
            # A period at a time, so that once only the checks of healthy instances are
            # left (the loops' timer is the one pending), time jumps to `until`: an
            # advance of a year must not step through half a million idle ticks.
            while env.now < until:
                if self.counters.pending == 1 and health.ticking and not self.has_work():
                    health.skip_to(until)
                    env.run(until=until)  # nothing left to happen before it
                    break
                env.run(until=min(until, env.now + health.period))
            while env.peek() <= until:  # SimPy stops short of events due exactly then
                env.step()

    def peek(self) -> float:
        """Simulated time of the next event (inf when none)."""
        return self.env.peek()

    def step(self) -> None:
        self.env.step()

    def has_work(self) -> bool:
        """True while something will change without a new request: a task runs, a node
        is being provisioned or repaired, or a loop must act on its instance. Periodic
        checks of healthy instances change nothing, so they do not count."""
        return bool(
            self.scheduler.running_tasks
            or self._attention
            or self._pending_repairs
            or self.scheduler.provisioning_nodes
        )

    def run_until_idle(self, max_events: int = 10_000_000) -> int:
        """Run events while there is work (the instant clock); returns events processed."""
        env = self.env
        processed = 0
        with gc_paused():
            while processed < max_events and self.has_work() and env.peek() != float("inf"):
                env.step()
                processed += 1
        return processed

    # --- queries -------------------------------------------------------------------
    def instance(self, instance_id: int) -> ServiceInstance:
        return self.store.get(instance_id)

    def job(self, job_id: int) -> Job:
        job = self.scheduler.get(job_id)
        if job is None:
            raise NotFound(f"job_id: no job {job_id}")
        return job

    def executable_actions(self, instance_id: int) -> list[tuple[str, Workflow]]:
        """(bucket, workflow) of every action the instance accepts now."""
        instance = self.store.get(instance_id)
        if instance.is_transitioning:
            return []
        return self.index.executable_actions(instance.service_id, instance.state)

    def _executable_names(self, instance: ServiceInstance) -> list[str]:
        return [
            wf.name for _, wf in self.index.executable_actions(instance.service_id, instance.state)
        ]

    # --- submitting ----------------------------------------------------------------
    def submit_activation(
        self,
        workflow_name: str,
        variables: Mapping[str, object] | None = None,
        *,
        bucket: str | None = None,
        service_id: str | None = None,
        user: str = "admin",
        label: str | None = None,
        parent_job_id: int | None = None,
    ) -> ServiceInstance:
        """Create an instance and launch its activation workflow (PSA's POST)."""
        bucket, workflow = self.index.find(workflow_name, service_id=service_id, bucket=bucket)
        return self.activate(
            bucket, workflow, variables, user=user, label=label, parent_job_id=parent_job_id
        )

    def activate(
        self,
        bucket: str,
        workflow: Workflow,
        variables: Mapping[str, object] | None = None,
        *,
        user: str = "admin",
        label: str | None = None,
        parent_job_id: int | None = None,
        generic_info: Mapping[str, str] | None = None,
    ) -> ServiceInstance:
        """Create an instance and launch this activation workflow: from PSA's POST, or
        the workflow submitted to the scheduler as a job (it registers its instance)."""
        if not workflow.is_activation:
            raise InvalidInput(
                f"workflow_name: '{workflow.name}' is not an activation workflow: its "
                f"pca.states has no (VOID,...) transition"
            )
        service = workflow.service_id
        if service is None:
            # The index finds a workflow by name alone: one that declares no service
            # cannot start an instance (ServiceInstanceData's service_id is a string).
            raise InvalidInput(
                f"workflow_name: '{workflow.name}' has no {SERVICE_ID_KEY}: "
                f"it belongs to no PSA service"
            )
        explicit = _stringify(variables)
        facts = self._facts(workflow)
        _raise_problems(facts.problems(explicit), workflow.name)
        to_state = workflow.target_state(VOID)
        assert to_state is not None  # an activation has a (VOID, X) transition
        merged = resolve_all({**workflow.defaults, **explicit}, self.scheduler.peek_job_id())
        # Refused now, with nothing created, rather than failing the deployment later.
        _requested_port(merged.get("SERVICE_PORT", "-1"))
        host = self._linked_instance(facts.link_keys, merged) if facts.link_keys else None
        job_id = self.scheduler.new_job_id()
        instance = ServiceInstance(
            self.store.new_id(),
            service,
            bucket,
            user,
            self.now_ms(),
            workflow.icon,
            merged,
            label,
        )
        instance.runtime = InstanceRuntime()
        self.store.add(instance)
        job = Job(
            job_id,
            workflow,
            bucket,
            JobKind.ACTIVATION,
            instance,
            VOID,
            to_state,
            merged,
            user,
            self.env.now,
            # Deployed on another instance (HDFS on a Docker_Swarm): on its nodes.
            token=host.runtime.token if host is not None and host.runtime else None,
            parent_job_id=parent_job_id,
        )
        if generic_info:
            job.generic_info = {**job.generic_info, **generic_info}
        self._launch(instance, job)
        self.observer.instance_created(instance, job)
        pairs = facts.dependencies(merged)
        if pairs:
            self._await_dependencies(job, pairs)
        else:
            self.scheduler.enqueue(job)
        return instance

    def submit_action(
        self,
        instance_id: int,
        workflow_name: str,
        variables: Mapping[str, object] | None = None,
        *,
        bucket: str | None = None,
        user: str | None = None,
    ) -> ServiceInstance:
        """Launch an action workflow on an instance (PSA's PUT …/action)."""
        instance = self.store.get(instance_id)
        workflow, bucket = self._find_action(instance, workflow_name, bucket)
        return self.act(instance, bucket, workflow, variables, user=user)

    def act(
        self,
        instance: ServiceInstance,
        bucket: str,
        workflow: Workflow,
        variables: Mapping[str, object] | None = None,
        *,
        user: str | None = None,
        generic_info: Mapping[str, str] | None = None,
    ) -> ServiceInstance:
        """Launch this action workflow on the instance, with the rules of PSA's PUT."""
        to_state = lifecycle.target_of_action(instance, workflow, self._executable_names(instance))
        explicit = _stringify(variables)
        facts = self._facts(workflow)
        _raise_problems(facts.problems(explicit), workflow.name)
        job_id = self.scheduler.new_job_id()
        submitted = {**workflow.defaults, **instance.variables, **explicit}
        # The instance's own values were resolved when it was created.
        if facts.defaults_have_references or any("$" in v for v in explicit.values()):
            submitted = resolve_all(submitted, job_id)
        kind = workflow_kind(instance.state, to_state)
        job = Job(
            job_id,
            workflow,
            bucket,
            kind,
            instance,
            instance.state,
            to_state,
            submitted,
            user or instance.user_name,
            self.env.now,
            token=self._node_token(facts.token_template, submitted, job_id),
        )
        if generic_info:
            job.generic_info = {**job.generic_info, **generic_info}
        self._launch(instance, job)
        # The guide: an action's variables are stored when it is executed, later values
        # winning (not only once it succeeds).
        instance.variables.update(submitted)
        self.store.touch(instance)  # its INSTANCE_NAME may have changed
        self.scheduler.enqueue(job)
        return instance

    def workflow_problems(
        self, workflow: Workflow, variables: Mapping[str, object]
    ) -> list[VariableProblem]:
        """Model violations of a workflow's variables given these explicit values."""
        return self._facts(workflow).problems(_stringify(variables))

    def submit_plain(
        self,
        workflow: Workflow,
        variables: Mapping[str, object] | None = None,
        *,
        user: str = "admin",
        bucket: str = "",
        generic_info: Mapping[str, str] | None = None,
    ) -> Job:
        """A workflow without pca.* submitted to the scheduler: a plain job."""
        explicit = _stringify(variables)
        facts = self._facts(workflow)
        _raise_problems(facts.problems(explicit), workflow.name)
        job_id = self.scheduler.new_job_id()
        merged = resolve_all({**workflow.defaults, **explicit}, job_id)
        job = Job(job_id, workflow, bucket, JobKind.TASK, None, "", "", merged, user, self.env.now)
        if generic_info:
            job.generic_info = {**job.generic_info, **generic_info}
        token = facts.token_template
        job.token = resolve_references(token, merged, job_id) if token else None
        self.plain_jobs.start(job)
        return job

    def _linked_instance(
        self, keys: tuple[str, ...], variables: dict[str, str]
    ) -> ServiceInstance | None:
        """The instance a `<x>_service_instance_id` variable names (HDFS and Spark name
        their Docker_Swarm), checked now: an unknown or unusable one is refused with the
        variable and its value. Empty means none (Spark's optional HDFS). The variables
        Retrieve_variables_from_service_instance_id would read from it (its INSTANCE_NAME
        as `<x>_token_name`) are put as that script does."""
        first = None
        for key in keys:
            value = variables.get(key, "").strip()
            if not value:
                continue
            try:
                linked = self.store.get(int(value))
            except (ValueError, NotFound):
                raise InvalidInput(
                    f"{key}: '{value}' is not the id of a service instance"
                ) from None
            if linked.is_transitioning or linked.state in ENDED_STATES or linked.state == ERROR:
                raise InvalidInput(
                    f"{key}: instance {value} ({linked.service_id}) is "
                    f"{linked.instance_status}: a service cannot be deployed on it"
                )
            prefix = key[: -len("_service_instance_id")]
            variables[f"{prefix}_token_name"] = "PSA_" + linked.name
            first = first or linked
        return first

    def _find_action(
        self, instance: ServiceInstance, name: str, bucket: str | None
    ) -> tuple[Workflow, str]:
        try:
            bucket, workflow = self.index.find(name, service_id=instance.service_id, bucket=bucket)
        except NotFound:
            # Name it right when the workflow exists, but for another service.
            bucket, workflow = self.index.find(name, bucket=bucket)
        return workflow, bucket

    def _node_token(
        self, template: str | None, variables: dict[str, str], job_id: int
    ) -> str | None:
        """The NODE_ACCESS_TOKEN its tasks ask for, while some node still holds it.

        A crashed instance keeps its token: its clean-up action runs on its node, as
        the tutorial says. Once no node holds it (removed by hand, or its node failed),
        the tasks run on any free node instead of waiting for ever.
        """
        if not template:
            return None
        token = resolve_references(template, variables, job_id)
        # Older real workflows write the token as $INSTANCE_NAME, without the PSA_ prefix.
        for candidate in (token, "PSA_" + token):
            if self.cluster.holds(candidate):
                return candidate
        return None

    def _launch(self, instance: ServiceInstance, job: Job) -> None:
        lifecycle.begin_transition(instance, job.to_state)
        self.store.touch(instance)
        instance.job_submissions.insert(
            0, JobSubmission(job.transition_state, job.job_id, self.now_ms(), job.parent_job_id)
        )
        instance.runtime.jobs.append(job)
        job.on_task_done = self._task_done
        self.scheduler.submit(job)
        self.observer.transition_started(instance, job)

    # --- dependencies --------------------------------------------------------------
    def _await_dependencies(self, job: Job, pairs: list[tuple[str, str]]) -> None:
        """Reuse or start each needed instance, then queue the job for a node."""
        remaining = list(pairs)

        def next_dependency(_settled: ServiceInstance | None = None) -> None:
            if job.status.is_final:
                return
            if _settled is not None and not _is_up(_settled):
                self._fail_job(
                    job,
                    f"dependency {_settled.service_id} instance "
                    f"'{_settled.name}' is {_settled.instance_status}",
                )
                return
            if not remaining:
                self.scheduler.enqueue(job)
                return
            service_id, name = remaining.pop(0)
            candidates = self.store.find_live_by_name(service_id, name)
            ready = [i for i in candidates if _is_up(i)]
            if ready:
                next_dependency()
                return
            starting = [i for i in candidates if i.is_transitioning and i.state == VOID]
            if starting:
                self._when_settled(starting[0], next_dependency)
                return
            try:
                activations = self.index.activations(service_id)
            except NotFound:
                activations = []
            if not activations:
                self._fail_job(
                    job,
                    f"dependency service '{service_id}' has no activation workflow in the catalog",
                )
                return
            dep_bucket, dep_workflow = activations[0]
            dependency = self.submit_activation(
                dep_workflow.name,
                {"INSTANCE_NAME": name},
                bucket=dep_bucket,
                service_id=service_id,
                user=job.owner,
                parent_job_id=job.job_id,
            )
            self._when_settled(dependency, next_dependency)

        next_dependency()

    def _when_settled(
        self, instance: ServiceInstance, callback: Callable[[ServiceInstance], None]
    ) -> None:
        self._settle_waiters.setdefault(instance.instance_id, []).append(callback)

    def _settled(self, instance: ServiceInstance) -> None:
        waiters = self._settle_waiters.pop(instance.instance_id, None)
        if waiters:
            for callback in waiters:
                callback(instance)

    # --- jobs ending ---------------------------------------------------------------
    def job_started(self, job: Job, wait: float) -> None:
        """The first task of a job runs: Pre_Trigger_Action signals here."""
        for task in job.workflow.tasks if job.tasks is None else ():
            for name in task.ready_signals:
                job.signals.setdefault(READY_PREFIX + name, {})
        if job.instance is None:
            self.observer.job_started(job, wait)
            return
        channel = job.instance.channel
        flag = self._facts(job.workflow).scripts.trigger_flag
        if flag == RESUME_LAUNCHED:
            channel[Channel.RUNNING_STATE] = RUNNING_STATE_UP
            channel[Channel.RESUMED] = True
            channel[Channel.PAUSE_LAUNCHED] = False
        elif flag is not None:
            channel[flag] = True  # whichever flag its argument names, as the script does
        elif job.kind == JobKind.FINISH:  # a workflow of its own code: the convention
            channel[Channel.FINISH_LAUNCHED] = True
        elif job.kind == JobKind.PAUSE:
            channel[Channel.PAUSE_LAUNCHED] = True
        self.observer.job_started(job, wait)

    def _task_done(self, job: Job, node: Node) -> None:
        instance = job.instance
        assert instance is not None  # a PSA job's: plain jobs end in plain_jobs.py
        if instance.target_state != job.to_state or instance.runtime.jobs[-1] is not job:
            self._end_job(
                job,
                JobStatus.FAILED,
                f"instance {instance.instance_id} is no "
                f"longer in transition {job.transition_state}",
            )
            return
        p = self.action_failure_probability
        if p and self._rng_faults.random() < p:
            self._fail_job(job, f"action '{job.name}' failed (job {job.job_id})")
            return
        kind = job.kind
        try:
            if kind == JobKind.ACTIVATION:
                self._deploy(instance, job, node)
            elif kind == JobKind.FINISH:
                self._undeploy(instance)
                instance.channel[Channel.FINISH_DONE] = True
                # From ERROR the loop is over: Clean_Trigger_Action (or, in a workflow of
                # its own code, the finish itself) removes the token. A finish that uses
                # the library without Clean_Trigger_Action leaves it on the node, as on a
                # real server (the tutorial's reason for that cleaning script).
                plan = self._facts(job.workflow).scripts
                if plan.removes_token_when_loop_over or not plan.uses_library:
                    self._clean_up_after_loop(instance)
            elif kind == JobKind.PAUSE:
                self._set_container(instance, ContainerStatus.PAUSED)
            elif kind == JobKind.RESUME:
                instance.channel[Channel.PAUSE_LAUNCHED] = False
                instance.channel[Channel.RESUMED] = True
                self._set_container(instance, ContainerStatus.RUNNING)
                if instance.runtime.crashed:
                    self._attention.add(instance.instance_id)
            else:
                self._apply_endpoint_hints(instance, job)
        except (PortInUse, DeploymentFailed) as exc:
            self._fail_job(job, str(exc))
            return
        # Variables: the instance keeps the union, this action's values winning.
        instance.variables.update(job.variables)
        self.store.touch(instance)  # its INSTANCE_NAME may have changed
        lifecycle.complete_transition(instance, job.to_state, self.now_ms())
        if job.to_state == FINISHED and instance.instance_id in self.health.members:
            self._attention.add(instance.instance_id)
        if kind != JobKind.ACTIVATION:
            self._end_job(job, JobStatus.FINISHED)
        self.observer.transition_completed(instance, job)
        self._settled(instance)
        if kind != JobKind.ACTIVATION:
            self._run_service_actions(job)

    def _run_service_actions(self, job: Job) -> None:
        """Service_Action tasks: an action on another service's instance, e.g. the
        Zookeeper a Kafka started, finished with it unless TERMINATE_ZOOKEEPER_ON_FINISH
        is false (the real Finish_Kafka)."""
        for action in self._facts(job.workflow).scripts.service_actions:
            variables = job.variables
            guard = action.guard
            if (
                guard is not None
                and guard in variables
                and variables[guard].strip().lower() != "true"
            ):
                job.log.append((self.env.now, f"{guard} is {variables[guard]!r}: not run"))
                continue
            service_id = resolve_references(action.service_arg, variables, job.job_id).strip()
            name = resolve_references(action.name_arg, variables, job.job_id).strip()
            bucket, _, workflow_name = action.workflow.rpartition("/")
            for target in self.store.find_live_by_name(service_id, name):
                if target.is_transitioning or target.state in ENDED_STATES:
                    continue
                try:
                    self.submit_action(
                        target.instance_id, workflow_name, bucket=bucket or None, user=job.owner
                    )
                    job.log.append(
                        (
                            self.env.now,
                            f"{workflow_name} submitted on instance {target.instance_id}",
                        )
                    )
                except PsaError as error:
                    job.log.append((self.env.now, f"{workflow_name} not run: {error}"))

    def _end_job(self, job: Job, status: JobStatus, error: str | None = None) -> None:
        if job.status.is_final:
            return
        self.scheduler.end(job, status, error)
        self.observer.job_ended(job)

    def _fail_job(self, job: Job, cause: str) -> None:
        """A job's failure puts its instance in ERROR with that cause."""
        self._end_job(job, JobStatus.FAILED, cause)
        instance = job.instance
        assert instance is not None  # a PSA job's: plain jobs end in plain_jobs.py
        if instance.runtime.jobs[-1] is job and instance.is_transitioning:
            self._to_error(instance, cause)
        # A cleaning script runs whatever the task's outcome: Clean_Trigger_Action
        # removes the token once the activation's job is over.
        if self._facts(job.workflow).scripts.removes_token_when_loop_over:
            self._clean_up_after_loop(instance)

    def _clean_up_after_loop(self, instance: ServiceInstance) -> None:
        """The clean-up path: the activation's job is over, so nobody else will remove
        the token (nor give the ports back)."""
        loop = instance.runtime.activation_job
        if loop is None or loop.status.is_final:
            self._release_token(instance)
            instance.runtime.release_ports()

    # --- deployment ----------------------------------------------------------------
    def _deploy(self, instance: ServiceInstance, job: Job, node: Node) -> None:
        """What Post_Start_Service does: port, container, endpoint, token, health loop."""
        runtime = instance.runtime
        variables = job.variables
        name = variables.get("INSTANCE_NAME") or f"instance-{instance.instance_id}"
        requested = _requested_port(variables.get("SERVICE_PORT", "-1"))
        endpoint_id = variables.get("ENDPOINT_ID") or job.workflow.generic_info.get(GI_ENDPOINT, "")
        facts = self._facts(job.workflow)
        plan = facts.scripts
        if plan.deployments_count is not None and not plan.post_start:
            self._check_deployments_count(instance, job, plan.deployments_count, name)
        # Post_Start_Service's argument; a workflow of its own code names it in sim.*.
        service_scheme = (
            plan.scheme_argument
            if plan.post_start
            else job.workflow.generic_info.get(GI_ENDPOINT_SCHEME)
        )
        scheme = endpoint_scheme(variables, service_scheme)
        count = facts.node_count(variables)
        extra = (
            self._extra_nodes(
                count, node, facts.node_count_label(), facts.node_count_text(variables)
            )
            if count is not None
            else []
        )
        try:
            port = node.ports.allocate(requested)  # may raise PortInUse
        except PortInUse:
            for taken in extra:
                self.cluster.release(taken)
            raise
        runtime.ports[endpoint_id or "_service"] = (node.ports, port)
        runtime.node = node
        runtime.container = Container(f"{self._rng_containers.getrandbits(48):012x}", name)
        if endpoint_id and scheme:
            self._add_deployment(
                instance, endpoint_id, f"{scheme}://{node.host}:{port}", node, variables
            )
        elif plan.deployments_basename is not None and not plan.post_start and count is None:
            # Add_deployments_and_update_service: the first deployment its callers build
            # (HDFS, Spark, HBase, Hive, YARN) is the master's GUI, always http and
            # proxyfied. Docker_Swarm's (count is not None) are one per node, below.
            master_id = (
                variables.get("ENDPOINT_ID")
                or resolve_references(
                    job.workflow.generic_info.get(GI_ENDPOINT, ""), variables, job.job_id
                ).strip()
                or master_endpoint_id(plan.deployments_basename, job.job_id)
            )
            runtime.ports[master_id] = runtime.ports.pop(endpoint_id or "_service")
            self._add_deployment(
                instance, master_id, f"http://{node.host}:{port}", node, variables, proxy=True
            )
        elif plan.deployments_basename is not None and not plan.post_start:
            self._add_node_deployments(instance, name, [node, *extra])
        put: dict[str, str] = {}
        if plan.pre_start and is_proxyfied(variables):
            url = proxyfied_url(self.public_base, instance.instance_id, endpoint_id)
            put["PROXYFIED_URL"] = url
            put["WS_PROXYFIED_URL"] = url.replace("https://", "wss://").replace("http://", "ws://")
        if plan.post_start:
            put["HOSTNAME"] = node.host
            put["PORT"] = str(port)
        if put:
            # variables.put: the job's variables (so its result's propagatedVariables)
            # and, merged when the transition completes, the instance's.
            variables.update(put)
            job.result.update(put)
        token = "PSA_" + name
        self.cluster.add_token(node, token, self.env.now)
        runtime.token = token
        self._token_owner[(node.name, token)] = instance
        for other in extra:
            self.cluster.add_token(other, token, self.env.now)
            self._token_owner[(other.name, token)] = instance
        runtime.extra_nodes = extra
        runtime.activation_job = job
        instance.channel[Channel.RUNNING_STATE] = RUNNING_STATE_UP
        instance.channel[Channel.INSTANCE_NAME] = name
        job.result["INSTANCE_NAME"] = name
        self.health.register(instance)
        self._schedule_crash(instance)

    def _check_deployments_count(
        self, instance: ServiceInstance, job: Job, argument: str, name: str
    ) -> None:
        """Add_deployments_and_update_service with no deployment (Docker_Swarm's code sets
        the count to 0 on a deploy error): the real script records none, reports ERROR
        and puts RUNNING_STATE=2 and DEPLOY_ERROR_MESSAGE on the channel; the workflow
        then fails (Docker_Swarm's throw_exception_if_deploy_error). Nothing is held."""
        count = deployments_count(argument, job.variables, job.job_id)
        if count is None or count > 0:
            return
        message = job.variables.get("DEPLOY_ERROR_MESSAGE", "").strip()
        instance.channel[Channel.RUNNING_STATE] = RUNNING_STATE_DOWN
        instance.channel[Channel.DEPLOY_ERROR_MESSAGE] = message or None
        instance.channel[Channel.INSTANCE_NAME] = name
        raise DeploymentFailed(
            message or f"{ADD_DEPLOYMENTS}: no deployment to record (count {argument!r} is {count})"
        )

    def _extra_nodes(self, count: int, node: Node, label: str, text: str) -> list[Node]:
        """A multi-node service (Docker_Swarm's TARGETED_NB_PA_NODES, a multi-node task's
        numberOfNodes) takes `count` nodes, each tokenized; all of them are free now, or
        the activation fails (DeploymentFailed naming `label`: nothing is held yet)."""
        if count < 1:
            raise DeploymentFailed(f"{label}: '{text}' is not a number of nodes (1 or more)")
        extra: list[Node] = []
        while len(extra) < count - 1:
            other = self.cluster.take_plain_except(node)
            if other is None:
                for taken in extra:
                    self.cluster.release(taken)
                raise DeploymentFailed(
                    f"{label}: {count} nodes are needed, only {len(extra) + 1} free"
                )
            extra.append(other)
        return extra

    def _add_node_deployments(
        self, instance: ServiceInstance, name: str, nodes: list[Node]
    ) -> None:
        """Docker_Swarm's deployments: one per node, an endpoint id and the node, no URL
        and no container; the manager's id is INSTANCE_NAME, each worker's
        `<INSTANCE_NAME>_<its replication index>` (the real workflow's inline code)."""
        for index, node in enumerate(nodes):
            instance.deployments.append(
                Deployment(
                    id=_next_deployment_id(instance),
                    endpoint_id=name if index == 0 else f"{name}_{index - 1}",
                    url=None,
                    proxyfied=False,
                    proxyfied_url=None,
                    node=node.to_data(),
                    container=None,
                )
            )

    def _add_deployment(
        self,
        instance: ServiceInstance,
        endpoint_id: str,
        url: str,
        node: Node,
        variables: dict[str, str],
        proxy: bool | None = None,
    ) -> None:
        if proxy is None:
            proxy = is_proxyfied(variables)
        runtime = instance.runtime
        container = runtime.container.to_data() if runtime.container else None
        instance.deployments.append(
            Deployment(
                id=_next_deployment_id(instance),
                endpoint_id=endpoint_id,
                url=url,
                proxyfied=proxy,
                proxyfied_url=(
                    proxyfied_url(self.public_base, instance.instance_id, endpoint_id)
                    if proxy
                    else None
                ),
                node=node.to_data(),
                container=container,
            )
        )
        if proxy:
            for group in PROXY_GROUPS:
                if group not in instance.groups:
                    instance.groups.append(group)

    def _apply_endpoint_hints(self, instance: ServiceInstance, job: Job) -> None:
        """A generic action's own endpoint: added (sim.endpoint) or removed."""
        info = job.workflow.generic_info
        runtime = instance.runtime
        removed = info.get(GI_ENDPOINT_REMOVE)
        if removed:
            instance.deployments = [d for d in instance.deployments if d.endpoint_id != removed]
            held = runtime.ports.pop(removed, None)
            if held:
                held[0].release(held[1])
        added = info.get(GI_ENDPOINT)
        node = runtime.node
        if added and node is not None:
            scheme = endpoint_scheme(job.variables, info.get(GI_ENDPOINT_SCHEME)) or "http"
            port = node.ports.allocate(-1)
            runtime.ports[added] = (node.ports, port)
            self._add_deployment(
                instance, added, f"{scheme}://{node.host}:{port}", node, job.variables
            )

    def _undeploy(self, instance: ServiceInstance) -> None:
        runtime = instance.runtime
        runtime.release_ports()
        if runtime.container is not None:
            runtime.container.status = ContainerStatus.REMOVED

    def _set_container(self, instance: ServiceInstance, status: ContainerStatus) -> None:
        container = instance.runtime.container
        if container is None or container.status in (
            ContainerStatus.REMOVED,
            ContainerStatus.CRASHED,
        ):
            return
        container.status = status
        if status is ContainerStatus.RUNNING:
            self._schedule_crash(instance)

    # --- health loops and faults ---------------------------------------------------
    def _health_check(self, instance: ServiceInstance) -> bool:
        """One iteration of the activation's loop; True ends the loop."""
        # The healthy case first and inline: it is nearly every one of millions of checks.
        if not instance.runtime.crashed and instance.state != FINISHED:
            return False
        if self._loop_iteration(instance):
            self._attention.discard(instance.instance_id)
            return True
        return False

    def _loop_iteration(self, instance: ServiceInstance) -> bool:
        runtime = instance.runtime
        if instance.state == FINISHED and instance.target_state is None:
            job = runtime.activation_job
            if job is not None:
                job.result["IS_FINISHED"] = "true"
                self._release_token(instance)
                self._end_job(job, JobStatus.FINISHED)
            return True
        if runtime.crashed:
            channel = instance.channel
            if channel.get(Channel.FINISH_LAUNCHED) or channel.get(Channel.PAUSE_LAUNCHED):
                # Stopped on purpose: nothing to do until a resume (which looks again).
                self._attention.discard(instance.instance_id)
                return False
            instance.channel[Channel.RUNNING_STATE] = RUNNING_STATE_DOWN
            self._to_error(instance, "container crashed", loop_status=JobStatus.IN_ERROR)
            return True
        return False

    def _schedule_crash(self, instance: ServiceInstance) -> None:
        rate = self.container_crash_per_hour
        container = instance.runtime.container
        if rate <= 0 or container is None:
            return
        container.epoch += 1
        delay = self._rng_faults.expovariate(rate / 3600.0)
        if self.env.now + delay > self.horizon:
            # Past the run's end it would never fire: counted as the timer it stands for
            # (scheduled, pending for ever), but no timer holds the instance in the heap.
            self.counters.events += 1
            self.counters.pending += 1
            return
        call_later(self.env, self.counters, delay, self._crash, instance, container.epoch)

    def _crash(self, instance: ServiceInstance, epoch: int) -> None:
        """A crash drawn by _schedule_crash; missed if the container restarted since."""
        container = instance.runtime.container
        if container is not None and container.epoch == epoch:
            self._crash_running_container(instance)

    def crash_container(self, instance_id: int) -> ServiceInstance:
        """Fault injection: the instance's container dies; its loop notices next tick."""
        instance = self.store.get(instance_id)
        if not self._crash_running_container(instance):
            raise InvalidInput(
                f"instance_id: instance {instance_id} has no running container to crash"
            )
        return instance

    def _crash_running_container(self, instance: ServiceInstance) -> bool:
        """Crash the instance's container if it runs (False if it does not)."""
        container = instance.runtime.container
        if container is None or container.status is not ContainerStatus.RUNNING:
            return False
        container.status = ContainerStatus.CRASHED
        instance.runtime.crashed = True
        self._attention.add(instance.instance_id)
        return True

    def fail_node(self, node_name: str, repair_after: float | None = None) -> Node:
        """Fault injection: a node goes down; what ran or was deployed there errs."""
        node = self.cluster.node(node_name)
        if not node.up:
            return node
        self.cluster.mark_down(node)
        cause = f"node {node.name} failed"
        job = node.job
        if job is not None and job.instance is None:
            self.plain_jobs.node_failed(job, cause)
        elif job is not None:
            self._fail_job(job, cause)
        for token in list(node.tokens):
            owner = self._token_owner.get((node.name, token))
            if owner is not None:
                self._to_error(owner, cause, node_lost=True)
        if repair_after is not None:
            self._pending_repairs += 1
            call_later(self.env, self.counters, repair_after, self._scheduled_repair, node.name)
        return node

    def _scheduled_repair(self, node_name: str) -> None:
        self._pending_repairs -= 1
        self.repair_node(node_name)

    def repair_node(self, node_name: str) -> Node:
        node = self.cluster.node(node_name)
        if not node.up:
            self.cluster.mark_up(node)
            self.scheduler.node_free(node)
        return node

    # --- error, kill, clean ----------------------------------------------------------
    def _to_error(
        self,
        instance: ServiceInstance,
        cause: str,
        loop_status: JobStatus = JobStatus.FAILED,
        *,
        node_lost: bool = False,
    ) -> None:
        """ERROR with a cause; its jobs end.

        Its token and ports stay, as on a real server: Check_Instance_Status ends the
        loop without removing the token, and only the clean-up path (Clean_Trigger_Action
        of a finishing action, once the activation's job is over) removes it. A node that
        failed takes its tokens and ports with it.
        """
        runtime = instance.runtime
        for job in runtime.jobs:
            if not job.status.is_final:
                status = loop_status if job is runtime.activation_job else JobStatus.FAILED
                self._end_job(job, status, cause)
        if node_lost:
            self._release(instance)
        else:
            runtime.crashed = False
            self.health.unregister(instance)
            self._attention.discard(instance.instance_id)
        if (
            runtime.container is not None
            and runtime.container.status is not ContainerStatus.REMOVED
        ):
            runtime.container.status = ContainerStatus.CRASHED
        lifecycle.fail_instance(instance, cause)
        self.observer.instance_failed(instance, cause)
        self._settled(instance)

    def kill(self, instance_id: int) -> ServiceInstance:
        """Kill the instance's jobs and set it KILLED, from any state."""
        instance = self.store.get(instance_id)
        runtime = instance.runtime
        for job in runtime.jobs:
            if not job.status.is_final:
                self._end_job(job, JobStatus.KILLED, "killed")
        self._release(instance)
        self._undeploy(instance)
        lifecycle.kill_instance(instance, self.now_ms())
        self.observer.instance_killed(instance)
        self._settled(instance)
        return instance

    def clean(self, instance_id: int) -> ServiceInstance:
        return self.store.clean(instance_id)

    def forget_ended(self, instances: Iterable[ServiceInstance]) -> list[ServiceInstance]:
        """For headless runs, which never read them again: drop what ended instances
        keep for the REST views (their jobs but the last, leaving the job table, the
        last one's variables and log, their submissions, channel and variables), so
        memory follows the live instances.
        What the summary, the reports and ``leaks()`` read stays. Returns the instances
        not yet done (a job still running: the loop ends at its next check)."""
        jobs = self.scheduler.jobs
        waiting = []
        for instance in instances:
            if instance.is_transitioning or instance.state not in ENDED_STATES:
                continue  # active again: the store will report it when it ends
            runtime = instance.runtime
            if any(not job.status.is_final for job in runtime.jobs):
                waiting.append(instance)
                continue
            for job in runtime.jobs:
                jobs.pop(job.job_id, None)
            runtime.jobs = runtime.jobs[-1:]  # the failure hooks read the last one
            for job in runtime.jobs:  # ... its name and error, not its variables or log
                job.variables = {}
                job.log = []
            runtime.activation_job = None  # over: the same to leaks() and the clean-up
            instance.job_submissions = []
            instance.channel = {}
            instance.variables = {}
        return waiting

    def kill_job(self, job_id: int) -> Job:
        """Kill one job. Its instance cannot go on without it: it goes to ERROR."""
        job = self.job(job_id)
        if job.status.is_final:
            raise Conflict(f"job_id: job {job_id} is already {job.status.value}")
        instance = job.instance
        for run in job.tasks or ():
            if run.status == "RUNNING":
                run.end(self.env.now, "ABORTED")
            elif run.status == "PENDING":
                run.status = "NOT_STARTED"
        self._end_job(job, JobStatus.KILLED, "killed")
        if instance is None:
            return job
        runtime = instance.runtime
        if runtime.activation_job is job or (instance.is_transitioning and runtime.jobs[-1] is job):
            self._to_error(instance, f"job {job_id} was killed")
        return job

    # --- acting on jobs (the scheduler's REST) ----------------------------------------
    def pause_job(self, job_id: int) -> Job:
        """Tasks not started yet wait until resumed; a running task runs on."""
        job = self.job(job_id)
        if job.status.is_final:
            raise Conflict(f"job_id: job {job_id} is already {job.status.value}")
        if job.status is not JobStatus.PAUSED:
            job.paused_from = job.status
            job.resume_needs_node = job.wants_node
            job.wants_node = False  # its queue entry is skipped until resumed
            job.status = JobStatus.PAUSED
            job.log.append((self.env.now, "job paused"))
            self.scheduler.revision += 1
        return job

    def resume_job(self, job_id: int) -> Job:
        job = self.job(job_id)
        if job.status is not JobStatus.PAUSED:
            return job
        job.status = job.paused_from or JobStatus.PENDING
        if job.status is JobStatus.PENDING and job.started_at is not None:
            job.status = JobStatus.RUNNING
        job.paused_from = None
        job.log.append((self.env.now, "job resumed"))
        self.scheduler.revision += 1
        if job.instance is None:
            self.plain_jobs.resume(job)
        elif job.resume_needs_node:
            self.scheduler.enqueue(job)
        job.resume_needs_node = False
        return job

    def remove_job(self, job_id: int) -> Job:
        """Forget a job, killing it first if it still runs (the scheduler's removeJob)."""
        job = self.job(job_id)
        if not job.status.is_final:
            self.kill_job(job_id)
        del self.scheduler.jobs[job_id]
        self.scheduler.revision += 1
        return job

    def set_job_priority(self, job_id: int, priority: str) -> Job:
        job = self.job(job_id)
        if priority not in PRIORITIES:
            raise InvalidInput(
                f"name: the priority {priority} doesn't exist (one of {', '.join(PRIORITIES)})"
            )
        if job.status.is_final:
            raise Conflict(f"job_id: job {job_id} is already {job.status.value}")
        self.scheduler.set_priority(job, priority)
        return job

    def add_job_signal(
        self, job_id: int, signal: str, variables: Mapping[str, object] | None = None
    ) -> list[str]:
        """A signal the job declared itself ready for (`ready_X`), or a `ready_X` itself;
        returns the job's signals after it, as the scheduler's addJobSignal."""
        job = self.job(job_id)
        name = (signal or "").strip()
        if not name:
            raise InvalidInput("signal: empty signals are not allowed")
        ready = READY_PREFIX + name
        if ready not in job.signals and not name.startswith(READY_PREFIX):
            raise Conflict(f"signal: job {job_id} is not ready to receive the signal {name}")
        values = job.signals.pop(ready, {})
        job.signals[name] = {**values, **_stringify(variables)}
        job.log.append((self.env.now, f"signal {name} received"))
        self.scheduler.revision += 1
        return list(job.signals)

    def update_instance(
        self,
        instance_id: int,
        *,
        status: str | None = None,
        variables: Mapping[str, object] | None = None,
        label: str | None = None,
        deployments: list[Deployment] | None = None,
        groups: list[str] | None = None,
    ) -> ServiceInstance:
        """What a workflow's script does through PSA's PUT: report a state, add variables,
        record its deployments and groups (each list replaces the stored one, since the
        real scripts send back the whole record they read, with their items added).

        A reported FINISHED lets the activation's loop end and release the token at its
        next check; ERROR and KILLED give everything back as they do from the engine.
        """
        instance = self.store.get(instance_id)
        if status is not None and status != instance.instance_status:
            if not status.strip() or TRANSITION_ARROW.strip() in status or status == VOID:
                raise InvalidInput(
                    f"instance_status: '{status}' is not a state an instance can be put in"
                )
            lifecycle.check_status_change(instance, status)
            if status == ERROR:
                self._to_error(instance, "reported by a client")
            elif status == KILLED:
                self.kill(instance_id)
            else:
                lifecycle.complete_transition(instance, status, self.now_ms())
                if status == FINISHED:
                    self._undeploy(instance)
                    if instance.instance_id in self.health.members:
                        self._attention.add(instance_id)
                self._settled(instance)
        if variables:
            instance.variables.update(_stringify(variables))
            self.store.touch(instance)  # its INSTANCE_NAME may have changed
        if label is not None:
            instance.label = label
        if deployments is not None:
            instance.deployments = list(deployments)
        if groups is not None:
            instance.groups = list(groups)
        return instance

    def add_node_token(self, node_url: str, token: str) -> Node:
        """The RM's POST /node/token: a token an administrator puts on a node."""
        node = self._node_by_url(node_url)
        if not token.strip():
            raise InvalidInput("token: an empty token cannot be added")
        self.cluster.add_token(node, token, self.env.now)
        self.scheduler.node_free(node)
        return node

    def remove_node_token(self, node_url: str, token: str) -> Node:
        node = self._node_by_url(node_url)
        if token not in node.tokens:
            raise NotFound(f"token: node {node.name} does not hold token '{token}'")
        self.cluster.remove_token(token, self.env.now, only=node)
        self.scheduler.node_free(node)
        return node

    def _node_by_url(self, node_url: str) -> Node:
        for node in self.cluster.nodes:
            if node.url == node_url:
                return node
        raise NotFound(f"nodeurl: no node at '{node_url}'")

    def _release(self, instance: ServiceInstance) -> None:
        self._release_token(instance)
        instance.runtime.release_ports()
        instance.runtime.crashed = False
        self.health.unregister(instance)
        self._attention.discard(instance.instance_id)

    def _release_token(self, instance: ServiceInstance) -> None:
        runtime = instance.runtime
        token = runtime.token
        if token is None:
            return
        runtime.token = None
        nodes = [runtime.node, *runtime.extra_nodes]
        runtime.extra_nodes = []
        for node in nodes:
            self._token_owner.pop((node.name, token), None)
            self.cluster.remove_token(token, self.env.now, only=node)
        if not self.cluster.holds(token):
            self.scheduler.fail_waiting_for(token, f"node token {token} was removed")
        for node in nodes:
            self.scheduler.node_free(node)

    # --- accounting ----------------------------------------------------------------
    def leaks(self) -> list[str]:
        """Tokens or ports still held by instances that no longer need them.

        A FINISHED instance keeps its token until its loop's next check ends the loop;
        past that, and for KILLED instances, anything held is a leak. An ERROR instance
        holds them by design until its clean-up action runs (as on a real server).
        """
        problems = []
        for (_, token), owner in self._token_owner.items():
            loop = owner.runtime.activation_job
            loop_over = loop is None or loop.status.is_final
            if owner.state in ENDED_STATES and not owner.is_transitioning and loop_over:
                problems.append(f"token {token} held by {owner.state} instance {owner.instance_id}")
        for instance in self.store:
            if instance.runtime.ports and instance.state in ENDED_STATES:
                ports = sorted(port for _, port in instance.runtime.ports.values())
                problems.append(
                    f"ports {ports} held by {instance.state} instance {instance.instance_id}"
                )
        return problems


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while events run.

    A run keeps every instance and job it created (PSA keeps them until CLEAN), and the
    collector's full passes over that growing heap cost as much as the simulation
    itself, to free almost nothing. Reference counting still frees everything acyclic;
    the collector resumes when the run returns.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _is_up(instance: ServiceInstance) -> bool:
    return instance.state == RUNNING and not instance.is_transitioning


def _stringify(variables: Mapping[str, object] | None) -> dict[str, str]:
    """PSA variables are strings on the wire; YAML and JSON callers may send others."""
    if not variables:
        return {}
    out = {}
    for key, value in variables.items():
        if isinstance(value, bool):
            out[str(key)] = "true" if value else "false"
        elif value is None:
            out[str(key)] = ""
        else:
            out[str(key)] = str(value)
    return out


def _raise_problems(problems: Sequence[VariableProblem], workflow_name: str) -> None:
    if problems:
        raise InvalidInput(
            f"invalid variables for workflow '{workflow_name}': "
            + "; ".join(str(p) for p in problems)
        )


def _next_deployment_id(instance: ServiceInstance) -> int:
    return instance.deployments[-1].id + 1 if instance.deployments else 1


class DeploymentFailed(Exception):
    """What a deployment cannot do (too few nodes): the activation fails with it."""


def _requested_port(text: str) -> int:
    try:
        port = int(str(text).strip() or "-1")
    except ValueError:
        raise InvalidInput(f"SERVICE_PORT: '{text}' is not a port number") from None
    if port != -1 and not 1 <= port <= 65535:
        raise InvalidInput(f"SERVICE_PORT: {port} is not -1 nor a port within 1..65535")
    return port
