"""Stateful property test of the instance life-cycle against a small reference model.

Hypothesis drives a real Simulation (activate, act, kill, clean, crash a container,
advance time) on MongoDB and Spark_HDFS instances. A reference model, written from
docs/wire-contract.md (sections 2 and 6) and from the catalog's state graph only, predicts
every answer (accepted, or the exact error type) and every label; when time passes it
accepts only the changes the life-cycle allows: a transition in flight completing to exactly its
target, or ERROR after a container crash the model was told about.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from psa_sim.catalog import load_catalog
from psa_sim.engine.cluster import NodeSourceConfig
from psa_sim.engine.simulation import Simulation
from psa_sim.engine.timing import Distribution
from psa_sim.errors import Conflict, InvalidInput, NotFound

# The model's own names: it does not import the engine's constants.
VOID, RUNNING, PAUSED = "VOID", "RUNNING", "PAUSED"
FINISHED, KILLED, ERROR = "FINISHED", "KILLED", "ERROR"
ENDED = (FINISHED, KILLED)

SERVICES = ("MongoDB", "Spark_HDFS")
NODES = 3
MAX_ALIVE = NODES
UNKNOWN_WORKFLOW = "No_Such_Workflow"
SLOW_ACTIONS = {
    kind: Distribution("lognormal", mean=45.0, sd=20.0) for kind in ("pause", "resume", "finish")
}
INDEX = load_catalog()
GRAPHS = {service: INDEX.state_graph(service) for service in SERVICES}
# Workflow name -> its service, for every workflow of the two services.
OWNER = {wf.name: service for service in SERVICES for _bucket, wf in INDEX.workflows(service)}
ALL_NAMES = [*sorted(OWNER), UNKNOWN_WORKFLOW]
OWN_NAMES = {
    service: sorted(n for n, owner in OWNER.items() if owner == service) for service in SERVICES
}
ACTIVATIONS = {
    name: (service, target)
    for service in SERVICES
    for name, target in GRAPHS[service][VOID].items()
}

# Every name the graphs mention is a workflow of its service, and the MongoDB
# life-cycle is the one PSA's bundled workflows declare.
assert all(
    OWNER[name] == service
    for service in SERVICES
    for edges in GRAPHS[service].values()
    for name in edges
)
assert set(ACTIVATIONS) == {"MongoDB", "Reserve_Nodes"}
assert GRAPHS["MongoDB"][RUNNING] == {"Finish_MongoDB": FINISHED, "Pause_MongoDB": PAUSED}
assert GRAPHS["MongoDB"][PAUSED] == {"Finish_MongoDB": FINISHED, "Resume_MongoDB": RUNNING}
assert GRAPHS["MongoDB"][ERROR] == {"Finish_MongoDB": FINISHED}


def kind_of(from_state: str, to_state: str) -> str:
    """What a transition does to the platform (docs/wire-contract.md, section 6)."""
    if from_state == VOID:
        return "activation"
    if to_state == FINISHED:
        return "finish"
    if to_state == PAUSED:
        return "pause"
    if from_state == PAUSED:
        return "resume"
    return "action"


@dataclass
class ModelInstance:
    service: str
    state: str = VOID
    target: str | None = None
    # transition labels of the accepted submissions, newest first
    submissions: list[str] = field(default_factory=list)
    container: str | None = None  # None | running | paused | crashed | removed
    crash_pending: bool = False  # crashed, the health loop has not reacted yet
    # Channel flags known to be set: with either, the loop lets a crashed container be.
    pause_launched: bool = False
    finish_launched: bool = False
    doomed_since: float | None = None  # stable and crashed: ERROR due within a period
    has_token: bool | None = False  # None: may or may not (FINISHED, loop not over)
    token_deadline: float = 0.0  # FINISHED: the loop gives the token back by then
    name: str | None = None
    cleaned: bool = False

    @property
    def shielded(self) -> bool:
        return self.pause_launched or self.finish_launched

    @property
    def label(self) -> str:
        return f"{self.state} -> {self.target}" if self.target else self.state

    def begin(self, to_state: str) -> None:
        self.submissions.insert(0, f"{self.state} -> {to_state}")
        self.target = to_state
        # The ERROR deadline holds only while stable: a transition may end it otherwise.
        self.doomed_since = None


class InstanceLifecycle(RuleBasedStateMachine):
    instances = Bundle("instances")

    def __init__(self) -> None:
        super().__init__()
        self.sim: Simulation | None = None
        self.model: dict[int, ModelInstance] = {}
        self.next_id = 1
        self.last_job_id = 0

    @initialize(seed=st.integers(0, 2**16), slow_actions=st.booleans())
    def start(self, seed, slow_actions):
        # Slow pauses and finishes leave room for a crash, or a loop check, mid-action.
        timing = SLOW_ACTIONS if slow_actions else None
        self.sim = Simulation(
            load_catalog(),
            seed=seed,
            timing=timing,
            node_sources=[NodeSourceConfig("LocalNodes", NODES)],
        )
        self.period = self.sim.health.period

    # --- helpers -------------------------------------------------------------------
    def _newest_job_id(self, instance) -> int:
        job_id = instance.job_submissions[0].job_id
        assert job_id > self.last_job_id, "job ids must grow with every submission"
        self.last_job_id = job_id
        return job_id

    def _fail_to_error(self, m: ModelInstance) -> None:
        m.state, m.target = ERROR, None
        if m.container is not None and m.container != "removed":
            m.container = "crashed"
        m.crash_pending = False
        m.doomed_since = None
        # The token (and port) stay until the clean-up path removes them: the loop's
        # Check_Instance_Status ends without removing it (PcaScripts).

    def _complete(self, m: ModelInstance, now: float) -> None:
        kind = kind_of(m.state, m.target)
        if kind == "activation":
            m.container = "running"
            m.has_token = True
        elif kind == "pause":
            m.pause_launched = True
            if m.container == "running":
                m.container = "paused"
        elif kind == "resume":
            m.pause_launched = False
            if m.container == "paused":
                m.container = "running"
        elif kind == "finish":
            if m.container is not None:
                m.container = "removed"
            # The job started (FINISH_LAUNCHED): the loop no longer errs on a crash.
            m.crash_pending = False
            if m.state == ERROR:
                # The loop is over: Clean_Trigger_Action removes the token at once.
                m.has_token = False
            # The loop's next check sees FINISHED, removes the token and ends.
            elif m.has_token:
                m.has_token = None
                m.token_deadline = now + self.period
        m.state, m.target = m.target, None

    # --- rules ---------------------------------------------------------------------
    def _alive(self) -> int:
        return sum(
            1
            for m in self.model.values()
            if not m.cleaned and m.state not in (FINISHED, KILLED, ERROR)
        )

    # Each platform keeps a node (its token): past 3 nodes, activations only queue.
    # One queued activation is worth covering; a pile of them only stalls the run.
    @precondition(lambda self: self._alive() <= MAX_ALIVE)
    @rule(target=instances, name=st.sampled_from(sorted(ACTIVATIONS)))
    def activate(self, name):
        service, to_state = ACTIVATIONS[name]
        instance = self.sim.submit_activation(name)
        assert instance.instance_id == self.next_id
        self.next_id += 1
        m = ModelInstance(service)
        m.begin(to_state)
        m.name = instance.name
        assert m.name, "an activation resolves INSTANCE_NAME"
        self.model[instance.instance_id] = m
        self._newest_job_id(instance)
        assert instance.instance_status == f"VOID -> {to_state}"
        event(f"activated {service}")
        return instance.instance_id

    @rule(name=st.sampled_from(sorted(set(ALL_NAMES) - set(ACTIVATIONS))))
    def activate_refused(self, name):
        """Only an activation workflow creates an instance; nothing else changes."""
        expected = NotFound if name == UNKNOWN_WORKFLOW else InvalidInput
        with pytest.raises(expected):
            self.sim.submit_activation(name)

    @rule(instance_id=instances, data=st.data())
    def act(self, instance_id, data):
        """Any workflow of the instance's own service, executable now or not."""
        own = OWN_NAMES[self.model[instance_id].service]
        self._submit(instance_id, data.draw(st.sampled_from(own), label="workflow"))

    # Hypothesis draws rules uniformly: these copies, biased towards the executable
    # actions, make life-cycles go further than kills and refusals would let them.
    @rule(instance_id=instances, data=st.data())
    def act_executable(self, instance_id, data):
        m = self.model[instance_id]
        names = [] if m.cleaned else sorted(set(GRAPHS[m.service][m.state]) - set(ACTIVATIONS))
        own = OWN_NAMES[m.service]
        self._submit(instance_id, data.draw(st.sampled_from(names or own), label="workflow"))

    @rule(instance_id=instances, data=st.data())
    def act_executable_again(self, instance_id, data):
        self.act_executable(instance_id, data)

    @rule(instance_id=instances, name=st.sampled_from(ALL_NAMES))
    def act_any(self, instance_id, name):
        """Any name at all: another service's workflow, an unknown one, or its own."""
        self._submit(instance_id, name)

    def _submit(self, instance_id, name):
        m = self.model[instance_id]
        if m.cleaned or name == UNKNOWN_WORKFLOW:
            expected = NotFound
        elif OWNER[name] != m.service:
            expected = InvalidInput
        elif m.target is not None:
            expected = Conflict
        elif name in ACTIVATIONS or name not in GRAPHS[m.service][m.state]:
            expected = Conflict
        else:
            expected = None
        if expected is not None:
            with pytest.raises(expected):
                self.sim.submit_action(instance_id, name)
            event(f"action refused: {expected.__name__}")
            return
        from_state = m.state
        to_state = GRAPHS[m.service][m.state][name]
        instance = self.sim.submit_action(instance_id, name)
        m.begin(to_state)
        self._newest_job_id(instance)
        assert instance.instance_status == f"{from_state} -> {to_state}"
        event(f"accepted {from_state} -> {to_state}")

    @rule(instance_id=instances)
    def kill(self, instance_id):
        m = self.model[instance_id]
        if m.cleaned:
            with pytest.raises(NotFound):
                self.sim.kill(instance_id)
            return
        event(f"kill while {m.label}")
        instance = self.sim.kill(instance_id)
        assert instance.instance_status == KILLED
        m.state, m.target = KILLED, None
        if m.container is not None:
            m.container = "removed"
        m.crash_pending = False
        m.doomed_since = None
        m.has_token = False

    @rule(instance_id=instances)
    def clean(self, instance_id):
        m = self.model[instance_id]
        if m.cleaned:
            with pytest.raises(NotFound):
                self.sim.clean(instance_id)
            return
        if m.target is not None or m.state not in ENDED:
            with pytest.raises(Conflict):
                self.sim.clean(instance_id)
            return
        removed = self.sim.clean(instance_id)
        assert removed.instance_id == instance_id
        m.cleaned = True
        event("cleaned")

    @rule(instance_id=instances)
    def crash(self, instance_id):
        m = self.model[instance_id]
        if m.cleaned:
            with pytest.raises(NotFound):
                self.sim.crash_container(instance_id)
            return
        if m.container != "running":
            with pytest.raises(InvalidInput):
                self.sim.crash_container(instance_id)
            return
        self.sim.crash_container(instance_id)
        m.container = "crashed"
        m.crash_pending = True
        self._observe_launches()
        self._mark_doomed(self.sim.now)
        event(f"crashed while {m.label}")

    @rule(dt=st.one_of(st.integers(0, 90), st.floats(0.0, 400.0, allow_nan=False)))
    def advance(self, dt):
        self.sim.run(until=self.sim.now + dt)
        now = self.sim.now
        for instance_id, m in self.model.items():
            if m.has_token is None and now > m.token_deadline:
                m.has_token = False
            if m.cleaned:
                continue
            real = self.sim.instance(instance_id)
            if real.instance_status != m.label:
                if m.target is not None and real.target_state is None and real.state == m.target:
                    event(f"completed {kind_of(m.state, m.target)}")
                    self._complete(m, now)
                if real.instance_status != m.label:
                    if real.instance_status == ERROR and self._may_err(instance_id, m):
                        event(f"ERROR after crash ({m.label})")
                        self._fail_to_error(m)
                    else:
                        raise AssertionError(
                            f"instance {instance_id} went from {m.label!r} to "
                            f"{real.instance_status!r}: not a change the model allows "
                            f"(crash pending: {m.crash_pending}, pause/finish launched: "
                            f"{m.pause_launched}/{m.finish_launched})"
                        )
            if m.doomed_since is not None and now > m.doomed_since + self.period:
                raise AssertionError(
                    f"instance {instance_id}: container crashed while {m.label} since "
                    f"t={m.doomed_since}, yet still {real.instance_status} at t={now} "
                    f"(health period {self.period})"
                )
        self._observe_launches()
        self._mark_doomed(now)

    @rule(dt=st.floats(20.0, 120.0, allow_nan=False))
    def advance_more(self, dt):
        self.advance(dt)

    @rule(dt=st.floats(20.0, 120.0, allow_nan=False))
    def advance_again(self, dt):
        self.advance(dt)

    def _may_err(self, instance_id: int, m: ModelInstance) -> bool:
        """Whether the loop may have put the instance in ERROR since the last look."""
        if not m.crash_pending:
            return False
        if not m.shielded:
            return True
        # Paused and resuming: once the resume completes, PAUSE_LAUNCHED is cleared and
        # the loop's next check sees the crashed container.
        if m.target is not None and kind_of(m.state, m.target) == "resume":
            resume = self.sim.job(self.sim.instance(instance_id).job_submissions[0].job_id)
            return resume.status.value == "FINISHED"
        return False

    def _observe_launches(self) -> None:
        """A pause or finish job sets its flag when it starts (Pre_Trigger_Action).

        Observed when no ERROR happened: had the loop checked a crashed container
        before the job started, the instance would be in ERROR already.
        """
        for instance_id, m in self.model.items():
            if m.cleaned or m.target is None:
                continue
            kind = kind_of(m.state, m.target)
            if kind not in ("pause", "finish"):
                continue
            job = self.sim.job(self.sim.instance(instance_id).job_submissions[0].job_id)
            if job.started_at is not None:
                if kind == "pause":
                    m.pause_launched = True
                else:
                    m.finish_launched = True

    def _mark_doomed(self, now: float) -> None:
        """A stable instance with a crashed container errs at the loop's next check,
        unless PAUSE_LAUNCHED (PAUSED, or paused and resuming) says it is down on purpose.
        """
        for m in self.model.values():
            if (
                m.crash_pending
                and m.doomed_since is None
                and m.target is None
                and not m.shielded
                and m.state not in (FINISHED, KILLED, ERROR)
            ):
                m.doomed_since = now

    # --- invariants ----------------------------------------------------------------
    @invariant()
    def matches_model(self):
        if self.sim is None:
            return
        tokens = set(self.sim.cluster.tokens())
        for instance_id, m in self.model.items():
            if m.cleaned:
                with pytest.raises(NotFound):
                    self.sim.instance(instance_id)
                continue
            real = self.sim.instance(instance_id)
            label = real.instance_status
            assert label == m.label, f"instance {instance_id}: {label!r} != {m.label!r}"
            assert real.service_id == m.service

            subs = real.job_submissions
            assert [s.transition_state for s in subs] == m.submissions
            ids = [s.job_id for s in subs]
            assert all(a > b for a, b in itertools.pairwise(ids)), f"not newest first: {ids}"
            jobs = [self.sim.job(job_id) for job_id in ids]
            assert all(job.instance is real for job in jobs)
            live = [job for job in jobs if not job.status.is_final]
            if real.is_transitioning:
                current = [job for job in live if job.transition_state == label]
                assert len(current) == 1, f"instance {instance_id} ({label}): {current}"
                assert current[0].job_id == ids[0]
                others = [job for job in live if job is not current[0]]
            else:
                others = live
            activation = jobs[-1]
            assert activation.from_state == VOID
            # Only the activation's health loop may outlive its transition.
            assert all(job is activation for job in others), (
                f"instance {instance_id} ({label}): stray jobs {[j.job_id for j in others]}"
            )
            if real.state in (KILLED, ERROR) and not real.is_transitioning:
                assert not live, f"instance {instance_id} is {label} with live jobs"
            if real.state == FINISHED and m.has_token is False:
                assert not live, f"instance {instance_id}: FINISHED, its loop still runs"

            if real.state in ENDED and not real.is_transitioning:
                assert real.finish_time is not None, f"{instance_id} {label}: no finish_time"
            elif real.state != ERROR:
                assert real.finish_time is None, f"{instance_id} {label}: finish_time set"

            token = "PSA_" + m.name
            if m.has_token:
                assert token in tokens, f"instance {instance_id} ({label}) lost {token}"
            elif m.has_token is False:
                assert token not in tokens, f"instance {instance_id} ({label}) holds {token}"

        # Every token held belongs to an instance that may hold it.
        allowed = {"PSA_" + m.name for m in self.model.values() if m.has_token is not False}
        assert tokens <= allowed, f"tokens {sorted(tokens - allowed)} held by no live instance"
        assert self.sim.leaks() == []


InstanceLifecycle.TestCase.settings = settings(
    max_examples=50,
    stateful_step_count=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_instance_lifecycle = InstanceLifecycle.TestCase
