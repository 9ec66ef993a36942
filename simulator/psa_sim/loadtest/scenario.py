"""Scenario files: what ``psa-sim run`` simulates, read from YAML into frozen dataclasses.

A scenario names a cluster (node sources), the users asking for services (workloads), the
faults to inject, how long the simulated life-cycle steps take (timing), and the thresholds
that decide whether the run passes. See ``docs/scenarios-and-reports.md`` and
``scenarios/mongodb-day.yaml`` for the file format; every key is documented on the
dataclass that holds it. Durations are written as in :mod:`psa_sim.durations` and held
in seconds.

Every bad input raises :class:`ScenarioError` naming the source, the line, the key path
and the offending value::

    mongodb-day.yaml: line 7: workloads[0].arrivals_per_hour: 'lots' is not a number

Service, workflow and action names are *not* checked here (the file is read without a
catalog); the runner calls :func:`check_against_catalog` once it has one.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from yaml.nodes import Node

from psa_sim import defaults
from psa_sim.durations import format_duration, parse_duration
from psa_sim.engine.cluster import NodeSourceConfig
from psa_sim.engine.kinds import JobKind
from psa_sim.engine.timing import DISTRIBUTION_KINDS, Distribution, TimingSpec
from psa_sim.errors import InvalidInput
from psa_sim.loadtest.yaml_positions import PositionedError, YamlDocument, join_index, join_key

__all__ = [
    "DISTRIBUTION_KINDS",
    "THRESHOLD_KEYS",
    "ActionSpec",
    "FaultSpec",
    "NodeFailureSpec",
    "Scenario",
    "ScenarioError",
    "WorkloadSpec",
    "check_against_catalog",
    "load_scenario",
    "parse_scenario",
    "scenario_to_dict",
]

#: The thresholds a scenario may set, and the kind of value each takes: a ``"duration"``
#: (the measured value must not exceed it) or a ``"fraction"`` in [0, 1].
THRESHOLD_KEYS: dict[str, str] = {
    "p50_time_to_running": "duration",
    "p95_time_to_running": "duration",
    "p99_time_to_running": "duration",
    "p95_queue_wait": "duration",
    "max_queue_wait": "duration",
    "error_rate": "fraction",
    "max_node_utilization": "fraction",
}

DEFAULT_SEED = 0


class ScenarioError(PositionedError):
    """A bad scenario: ``"<source>: line <n>: <key path>: <value> <what is wrong>"``.

    Attributes ``source``, ``line`` (1-based, ``None`` when unknown), ``column`` (YAML
    syntax errors only), ``path`` (dotted key path with ``[i]`` indexes, ``""`` for the
    whole document) and ``detail``. A subclass of :class:`~psa_sim.errors.InvalidInput`.
    """


# -- the scenario ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """An action a user runs on an instance (YAML: ``{action: Pause_MongoDB, after: 30m}``).

    ``after`` is in seconds; the runner measures it from the instance first reaching a
    running state.
    """

    action: str
    after: float


@dataclass(frozen=True, slots=True)
class WorkloadSpec:
    """Users asking for one service (YAML: an item of ``workloads``).

    ``service``: the service id. ``arrivals_per_hour``: rate of a Poisson arrival process
    (> 0) starting ``start`` seconds into the run (default 0). ``count``: stop after this
    many arrivals (``None``: no limit). ``lifetime``: seconds after which the user runs the
    finishing action (``math.inf``, written ``never`` or left out: never). ``variables``:
    the activation variables, as strings (YAML booleans give ``"true"``/``"false"``, numbers
    their text, an empty value ``""``). ``actions``: sorted by ``after`` (stable).
    ``workflow``: the activation workflow to run (``None``: the service's activation).
    ``name``: the workload's name in reports (default: the service).
    """

    service: str
    arrivals_per_hour: float
    count: int | None = None
    lifetime: float = math.inf
    variables: dict[str, str] = field(default_factory=dict, hash=False)
    actions: tuple[ActionSpec, ...] = ()
    workflow: str | None = None
    start: float = 0.0
    name: str | None = None

    def __post_init__(self) -> None:
        if self.name is None:
            object.__setattr__(self, "name", self.service)


@dataclass(frozen=True, slots=True)
class JobsSpec:
    """Plain jobs submitted to the scheduler (YAML: an item of ``jobs``): arrivals of one
    workflow without pca.* (see engine/plain_jobs.py), competing with the services'
    jobs for the same nodes.

    ``workflow``: the catalog workflow's name (``bucket``: its bucket, ``None``: any).
    ``arrivals_per_hour``, ``count``, ``start``, ``variables`` and ``name`` as in
    :class:`WorkloadSpec` (``name`` defaults to the workflow).
    """

    workflow: str
    arrivals_per_hour: float
    count: int | None = None
    start: float = 0.0
    variables: dict[str, str] = field(default_factory=dict, hash=False)
    bucket: str | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        if self.name is None:
            object.__setattr__(self, "name", self.workflow)


@dataclass(frozen=True, slots=True)
class NodeFailureSpec:
    """``count`` nodes of ``node_source`` fail ``at`` seconds into the run; each comes back
    ``repair_after`` seconds later (``None``, written ``never`` or left out: never)."""

    at: float
    node_source: str
    count: int = 1
    repair_after: float | None = None


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """Faults to inject (YAML: ``faults``; every key optional).

    ``container_crash_per_hour``: rate, per running instance, of its container dying (the
    health loop then moves it to ERROR). ``action_failure_probability``: chance that an
    action's job fails. ``node_failures``: in the file's order.
    """

    container_crash_per_hour: float = 0.0
    action_failure_probability: float = 0.0
    node_failures: tuple[NodeFailureSpec, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A whole scenario file. Times are in seconds.

    ``seed`` (default 0), ``duration`` (simulated time, > 0), ``health_period`` (the
    activation jobs' loop period, default 60 s), ``cluster`` (the node sources, names
    unique), ``port_range`` (YAML ``cluster.port_range: "LOWER UPPER"`` as in ProActive's
    ``config/pca_services_port_range``; default ``(9000, 9999)``), ``workloads``,
    ``jobs`` (plain jobs, :class:`JobsSpec`), ``faults``, ``thresholds`` (keys of :data:`THRESHOLD_KEYS`, in that order), ``timing``,
    ``source`` (file name or ``"<scenario>"``).

    ``positions`` maps key paths (``workloads[0].actions[1].after``, list indexes as in the
    file) to the line they were read from; it is not part of equality, hash or repr. It
    also holds, under ``workloads[i].actions.order[k]``, the file index of the ``k``-th
    action once sorted.
    """

    seed: int = DEFAULT_SEED
    duration: float
    health_period: float = defaults.HEALTH_PERIOD
    cluster: tuple[NodeSourceConfig, ...]
    port_range: tuple[int, int] = defaults.PORT_RANGE
    workloads: tuple[WorkloadSpec, ...] = ()
    jobs: tuple[JobsSpec, ...] = ()
    faults: FaultSpec = FaultSpec()
    thresholds: dict[str, float] = field(default_factory=dict, hash=False)
    timing: TimingSpec = field(default_factory=TimingSpec)
    source: str = "<scenario>"
    positions: Mapping[str, int] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def node_source(self, name: str) -> NodeSourceConfig:
        """The node source called ``name`` (``KeyError`` if none)."""
        for spec in self.cluster:
            if spec.name == name:
                return spec
        raise KeyError(name)


# -- reading YAML ---------------------------------------------------------------------

_TOP_KEYS = (
    "seed",
    "duration",
    "health_period",
    "cluster",
    "workloads",
    "jobs",
    "faults",
    "thresholds",
    "timing",
)
_CLUSTER_KEYS = ("node_sources", "port_range")
_NODE_SOURCE_KEYS = ("name", "nodes", "max_nodes", "provisioning_delay")
_WORKLOAD_KEYS = (
    "service",
    "name",
    "workflow",
    "arrivals_per_hour",
    "count",
    "start",
    "lifetime",
    "variables",
    "actions",
)
_ACTION_KEYS = ("action", "after")
_JOBS_KEYS = ("workflow", "bucket", "name", "arrivals_per_hour", "count", "start", "variables")
_FAULT_KEYS = ("container_crash_per_hour", "action_failure_probability", "node_failures")
_NODE_FAILURE_KEYS = ("at", "node_source", "count", "repair_after")
_TIMING_KEYS = tuple(JobKind)
_DISTRIBUTION_KEYS = ("distribution", "mean", "sd", "low", "high")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_PORT_RANGE = re.compile(r"\s*(\d+)\s+(\d+)\s*")


# What a list's item reader returns (a workload, a jobs spec, ...).
_Item = TypeVar("_Item")


class _Reader:
    """Reads one composed document into a :class:`Scenario`."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc

    # -- values ---------------------------------------------------------------------

    def optional(self, entries: dict[str, tuple[Node, Node]], key: str) -> Node | None:
        """The value node of ``key``, or ``None`` when absent or empty (null)."""
        pair = entries.get(key)
        if pair is None or self.doc.is_null(pair[1]):
            return None
        return pair[1]

    def number(
        self,
        node: Node,
        path: str,
        *,
        positive: bool = False,
        at_most: float | None = None,
        whole: bool = False,
    ) -> float | int:
        """A finite number ``>= 0`` (``> 0`` if ``positive``; ``<= at_most``; an int if
        ``whole``). A quoted decimal (``"30"``) is read as the number."""
        doc = self.doc
        what = "a whole number" if whole else "a number"
        value = doc.scalar(node, path, what)
        shown = doc.show(node)
        if isinstance(value, bool):
            doc.fail(node, path, f"{shown} is not {what} (YAML reads it as a boolean)")
        if isinstance(value, str):
            text = value.strip()
            if not _DECIMAL.fullmatch(text):
                doc.fail(node, path, f"{shown} is not {what}")
            value = int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
        if not isinstance(value, (int, float)):
            doc.fail(node, path, f"{shown} is not {what}")
        if isinstance(value, float) and not math.isfinite(value):
            doc.fail(node, path, f"{shown} is not a finite number")
        if whole and not isinstance(value, int):
            doc.fail(node, path, f"{shown} is not {what}")
        if positive and value <= 0:
            doc.fail(node, path, f"{shown} must be greater than 0")
        if value < 0:
            doc.fail(node, path, f"{shown} must be 0 or more")
        if at_most is not None and value > at_most:
            doc.fail(node, path, f"{shown} must be between 0 and {at_most:g}")
        return value

    def duration(
        self, node: Node, path: str, *, allow_infinite: bool = False, positive: bool = False
    ) -> float:
        doc = self.doc
        value = doc.scalar(node, path, "a duration")
        shown = doc.show(node)
        try:
            seconds = parse_duration(value, field=path, allow_infinite=allow_infinite, shown=shown)
        except InvalidInput as exc:
            doc.fail(node, path, str(exc).removeprefix(f"{path}: "))
        if positive and seconds <= 0:
            doc.fail(node, path, f"{shown} must be longer than 0s")
        return seconds

    def text(self, node: Node, path: str) -> str:
        """A name, as written (``2024`` or ``on`` are the names "2024" and "on")."""
        doc = self.doc
        doc.scalar(node, path, "a name")
        value: str = node.value
        if doc.is_null(node) or not value.strip():
            doc.fail(node, path, f"{doc.show(node)} is not a name (it is empty)")
        if value != value.strip():
            doc.fail(node, path, f"{doc.show(node)} starts or ends with spaces")
        return value

    def variable_value(self, node: Node, path: str) -> str:
        value = self.doc.scalar(node, path, "a single value (variables are strings)")
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        return str(node.value)  # strings, and floats and dates as written

    def before_end(self, node: Node, path: str, seconds: float, end: float) -> None:
        if seconds >= end:
            self.doc.fail(
                node,
                path,
                f"{self.doc.show(node)} is not before the end of the run "
                f"(duration {format_duration(end)})",
            )

    # -- sections -------------------------------------------------------------------

    def scenario(self, source: str) -> Scenario:
        doc = self.doc
        root = doc.root
        if root is None or doc.is_null(root):
            doc.fail(1, "", "the scenario is empty (it needs duration, cluster and workloads)")
        top = doc.mapping(
            root,
            "",
            _TOP_KEYS,
            required=("duration", "cluster", "workloads"),
            what="a mapping of scenario keys (duration, cluster, workloads, ...)",
        )
        node = self.optional(top, "seed")
        seed = DEFAULT_SEED if node is None else int(self.number(node, "seed", whole=True))
        duration = self.duration(top["duration"][1], "duration", positive=True)
        node = self.optional(top, "health_period")
        health_period = (
            defaults.HEALTH_PERIOD
            if node is None
            else self.duration(node, "health_period", positive=True)
        )
        cluster, port_range = self.cluster(top["cluster"][1])
        workloads = self.workloads(top["workloads"][1], duration)
        node = self.optional(top, "jobs")
        jobs = () if node is None else self.jobs(node, duration)
        node = self.optional(top, "faults")
        faults = FaultSpec() if node is None else self.faults(node, cluster, duration)
        node = self.optional(top, "thresholds")
        thresholds = {} if node is None else self.thresholds(node)
        node = self.optional(top, "timing")
        timing = TimingSpec() if node is None else self.timing(node)
        return Scenario(
            seed=seed,
            duration=duration,
            health_period=health_period,
            cluster=cluster,
            port_range=port_range,
            workloads=workloads,
            jobs=jobs,
            faults=faults,
            thresholds=thresholds,
            timing=timing,
            source=source,
            positions=dict(doc.positions),
        )

    def cluster(self, node: Node) -> tuple[tuple[NodeSourceConfig, ...], tuple[int, int]]:
        doc = self.doc
        entries = doc.mapping(node, "cluster", _CLUSTER_KEYS, required=("node_sources",))
        path = "cluster.node_sources"
        items = doc.sequence(entries["node_sources"][1], path, "a list of node sources")
        if not items:
            doc.fail(None, path, "the cluster needs at least one node source")
        sources: list[NodeSourceConfig] = []
        name_lines: dict[str, int] = {}
        for index, item in enumerate(items):
            spec = self.node_source(item, join_index(path, index))
            name_path = join_key(join_index(path, index), "name")
            if spec.name in name_lines:
                doc.fail(
                    None,
                    name_path,
                    f"{spec.name!r} is the name of another node source too "
                    f"(line {name_lines[spec.name]}); names must be unique",
                )
            name_lines[spec.name] = doc.positions[name_path]
            sources.append(spec)
        if not any(spec.nodes or spec.dynamic for spec in sources):
            doc.fail(
                None,
                path,
                "the cluster has no node: give a node source nodes > 0, "
                "or max_nodes > nodes to deploy them on demand",
            )
        port_range = defaults.PORT_RANGE
        range_node = self.optional(entries, "port_range")
        if range_node is not None:
            port_range = self.port_range(range_node, "cluster.port_range")
        return tuple(sources), port_range

    def node_source(self, node: Node, path: str) -> NodeSourceConfig:
        entries = self.doc.mapping(
            node,
            path,
            _NODE_SOURCE_KEYS,
            required=("name", "nodes"),
            what="a node source mapping ({name: ..., nodes: ...})",
        )
        name = self.text(entries["name"][1], join_key(path, "name"))
        nodes = int(self.number(entries["nodes"][1], join_key(path, "nodes"), whole=True))
        max_nodes = None
        value = self.optional(entries, "max_nodes")
        if value is not None:
            max_nodes = int(self.number(value, join_key(path, "max_nodes"), whole=True))
            if max_nodes < nodes:
                self.doc.fail(
                    value,
                    join_key(path, "max_nodes"),
                    f"{self.doc.show(value)} is less than nodes ({nodes})",
                )
        value = self.optional(entries, "provisioning_delay")
        delay = 0.0 if value is None else self.duration(value, join_key(path, "provisioning_delay"))
        return NodeSourceConfig(name, nodes, max_nodes, delay)

    def port_range(self, node: Node, path: str) -> tuple[int, int]:
        doc = self.doc
        value = doc.scalar(node, path, "a port range")
        match = _PORT_RANGE.fullmatch(value) if isinstance(value, str) else None
        shown = doc.show(node)
        if match is None:
            doc.fail(
                node, path, f'{shown} is not a port range (write "LOWER UPPER", e.g. "9000 9999")'
            )
        lower, upper = int(match.group(1)), int(match.group(2))
        if not 1 <= lower <= upper <= 65535:
            doc.fail(node, path, f"{shown} is not a port range (need 1 <= LOWER <= UPPER <= 65535)")
        return lower, upper

    def each(
        self, node: Node, path: str, what: str, read: Callable[[Node, str], _Item]
    ) -> tuple[_Item, ...]:
        """Every item of the list at `path`, read with its own path (`path[i]`)."""
        items = self.doc.sequence(node, path, what)
        return tuple(read(item, join_index(path, index)) for index, item in enumerate(items))

    def arrival_rate(self, entries: dict[str, tuple[Node, Node]], path: str) -> float:
        key = "arrivals_per_hour"
        return float(self.number(entries[key][1], join_key(path, key), positive=True))

    def arrival_count(self, entries: dict[str, tuple[Node, Node]], path: str) -> int | None:
        value = self.optional(entries, "count")
        if value is None:
            return None
        return int(self.number(value, join_key(path, "count"), whole=True, positive=True))

    def arrival_start(
        self, entries: dict[str, tuple[Node, Node]], path: str, duration: float
    ) -> float:
        value = self.optional(entries, "start")
        if value is None:
            return 0.0
        start = self.duration(value, join_key(path, "start"))
        self.before_end(value, join_key(path, "start"), start, duration)
        return start

    def variables(self, entries: dict[str, tuple[Node, Node]], path: str) -> dict[str, str]:
        variables: dict[str, str] = {}
        value = self.optional(entries, "variables")
        if value is None:
            return variables
        where = join_key(path, "variables")
        pairs = self.doc.mapping(value, where, None, what="a mapping of variables")
        for key, (key_node, value_node) in pairs.items():
            key_path = join_key(where, key)
            if not key.strip():
                self.doc.fail(key_node, key_path, "a variable name cannot be empty")
            variables[key] = self.variable_value(value_node, key_path)
        return variables

    def workloads(self, node: Node, duration: float) -> tuple[WorkloadSpec, ...]:
        return self.each(
            node,
            "workloads",
            "a list of workloads",
            lambda item, path: self.workload(item, path, duration),
        )

    def workload(self, node: Node, path: str, duration: float) -> WorkloadSpec:
        doc = self.doc
        entries = doc.mapping(
            node,
            path,
            _WORKLOAD_KEYS,
            required=("service", "arrivals_per_hour"),
            what="a workload mapping ({service: ..., arrivals_per_hour: ...})",
        )
        sub = lambda key: join_key(path, key)  # noqa: E731
        service = self.text(entries["service"][1], sub("service"))
        rate = self.arrival_rate(entries, path)
        count = self.arrival_count(entries, path)
        lifetime = math.inf
        value = self.optional(entries, "lifetime")
        if value is not None:
            lifetime = self.duration(value, sub("lifetime"), allow_infinite=True)
        start = self.arrival_start(entries, path, duration)
        workflow = None
        value = self.optional(entries, "workflow")
        if value is not None:
            workflow = self.text(value, sub("workflow"))
        name = None
        value = self.optional(entries, "name")
        if value is not None:
            name = self.text(value, sub("name"))
        variables = self.variables(entries, path)
        actions: tuple[ActionSpec, ...] = ()
        value = self.optional(entries, "actions")
        if value is not None:
            items = doc.sequence(value, sub("actions"), "a list of actions")
            read = [
                self.action(item, join_index(sub("actions"), index))
                for index, item in enumerate(items)
            ]
            order = sorted(range(len(read)), key=lambda index: read[index].after)
            for rank, index in enumerate(order):
                doc.positions[join_index(sub("actions.order"), rank)] = index
            actions = tuple(read[index] for index in order)
        return WorkloadSpec(
            service=service,
            arrivals_per_hour=rate,
            count=count,
            lifetime=lifetime,
            variables=variables,
            actions=actions,
            workflow=workflow,
            start=start,
            name=name,
        )

    def jobs(self, node: Node, duration: float) -> tuple[JobsSpec, ...]:
        return self.each(
            node,
            "jobs",
            "a list of plain job arrivals",
            lambda item, path: self.job_arrivals(item, path, duration),
        )

    def job_arrivals(self, node: Node, path: str, duration: float) -> JobsSpec:
        doc = self.doc
        entries = doc.mapping(
            node,
            path,
            _JOBS_KEYS,
            required=("workflow", "arrivals_per_hour"),
            what="a mapping of plain job arrivals ({workflow: ..., arrivals_per_hour: ...})",
        )
        sub = lambda key: join_key(path, key)  # noqa: E731
        workflow = self.text(entries["workflow"][1], sub("workflow"))
        rate = self.arrival_rate(entries, path)
        count = self.arrival_count(entries, path)
        start = self.arrival_start(entries, path, duration)
        texts: dict[str, str | None] = {"bucket": None, "name": None}
        for key in texts:
            value = self.optional(entries, key)
            if value is not None:
                texts[key] = self.text(value, sub(key))
        variables = self.variables(entries, path)
        return JobsSpec(
            workflow=workflow,
            arrivals_per_hour=rate,
            count=count,
            start=start,
            variables=variables,
            bucket=texts["bucket"],
            name=texts["name"],
        )

    def action(self, node: Node, path: str) -> ActionSpec:
        entries = self.doc.mapping(
            node,
            path,
            _ACTION_KEYS,
            required=("action", "after"),
            what="an action mapping ({action: ..., after: ...})",
        )
        return ActionSpec(
            self.text(entries["action"][1], join_key(path, "action")),
            self.duration(entries["after"][1], join_key(path, "after")),
        )

    def faults(
        self, node: Node, cluster: tuple[NodeSourceConfig, ...], duration: float
    ) -> FaultSpec:
        doc = self.doc
        entries = doc.mapping(node, "faults", _FAULT_KEYS)
        crash = 0.0
        value = self.optional(entries, "container_crash_per_hour")
        if value is not None:
            crash = float(self.number(value, "faults.container_crash_per_hour"))
        probability = 0.0
        value = self.optional(entries, "action_failure_probability")
        if value is not None:
            probability = float(self.number(value, "faults.action_failure_probability", at_most=1))
        failures: list[NodeFailureSpec] = []
        value = self.optional(entries, "node_failures")
        if value is not None:
            items = doc.sequence(value, "faults.node_failures", "a list of node failures")
            for index, item in enumerate(items):
                failures.append(
                    self.node_failure(
                        item, join_index("faults.node_failures", index), cluster, duration
                    )
                )
        return FaultSpec(crash, probability, tuple(failures))

    def node_failure(
        self, node: Node, path: str, cluster: tuple[NodeSourceConfig, ...], duration: float
    ) -> NodeFailureSpec:
        doc = self.doc
        entries = doc.mapping(
            node,
            path,
            _NODE_FAILURE_KEYS,
            required=("at", "node_source"),
            what="a node failure mapping ({at: ..., node_source: ..., count: ...})",
        )
        sub = lambda key: join_key(path, key)  # noqa: E731
        at_node = entries["at"][1]
        at = self.duration(at_node, sub("at"))
        self.before_end(at_node, sub("at"), at, duration)
        source_node = entries["node_source"][1]
        source = self.text(source_node, sub("node_source"))
        spec = next((spec for spec in cluster if spec.name == source), None)
        if spec is None:
            doc.fail(
                source_node,
                sub("node_source"),
                f"{source!r} is not a node source of the cluster "
                f"(node sources: {', '.join(spec.name for spec in cluster)})",
            )
        count = 1
        value = self.optional(entries, "count")
        if value is not None:
            count = int(self.number(value, sub("count"), whole=True, positive=True))
            if count > spec.capacity:
                doc.fail(
                    value,
                    sub("count"),
                    f"{doc.show(value)} is more than the {spec.capacity} nodes {source!r} can hold",
                )
        repair_after = None
        value = self.optional(entries, "repair_after")
        if value is not None:
            repair_after = self.duration(value, sub("repair_after"), allow_infinite=True)
            if math.isinf(repair_after):
                repair_after = None
        return NodeFailureSpec(at, source, count, repair_after)

    def thresholds(self, node: Node) -> dict[str, float]:
        entries = self.doc.mapping(node, "thresholds", tuple(THRESHOLD_KEYS))
        thresholds: dict[str, float] = {}
        for key, kind in THRESHOLD_KEYS.items():  # in THRESHOLD_KEYS order
            value = self.optional(entries, key)
            if value is None:
                continue
            path = join_key("thresholds", key)
            if kind == "duration":
                thresholds[key] = self.duration(value, path)
            else:
                thresholds[key] = float(self.number(value, path, at_most=1))
        return thresholds

    def timing(self, node: Node) -> TimingSpec:
        entries = self.doc.mapping(node, "timing", _TIMING_KEYS)
        given = {}
        for key in _TIMING_KEYS:
            value = self.optional(entries, key)
            if value is not None:
                given[key] = self.distribution(value, join_key("timing", key))
        return TimingSpec(**given)

    def distribution(self, node: Node, path: str) -> Distribution:
        doc = self.doc
        if not isinstance(node.value, list):  # a scalar: a constant duration
            return Distribution("constant", self.duration(node, path))
        entries = doc.mapping(
            node,
            path,
            _DISTRIBUTION_KEYS,
            required=("distribution",),
            what="a duration or a distribution mapping ({distribution: lognormal, mean: 40s, sd: 10s})",
        )
        kind_node = entries["distribution"][1]
        kind = doc.scalar(kind_node, join_key(path, "distribution"), "a distribution name")
        if kind not in DISTRIBUTION_KINDS:
            doc.fail(
                kind_node,
                join_key(path, "distribution"),
                f"{doc.show(kind_node)} is not a distribution "
                f"(one of: {', '.join(DISTRIBUTION_KINDS)})",
            )
        needed = DISTRIBUTION_KINDS[kind]
        for key, (key_node, _) in entries.items():
            if key != "distribution" and key not in needed:
                doc.fail(
                    key_node,
                    join_key(path, key),
                    f"a {kind} distribution takes no {key!r} "
                    f"(its keys: distribution, {', '.join(needed)})",
                )
        values: dict[str, float] = {}
        for key in needed:
            if key not in entries:
                doc.fail(
                    node,
                    path,
                    f"missing required key {key!r} (a {kind} distribution needs "
                    f"{' and '.join(needed)})",
                )
            values[key] = self.duration(entries[key][1], join_key(path, key))
        if kind == "uniform":
            if values["low"] > values["high"]:
                high_node = entries["high"][1]
                doc.fail(
                    high_node,
                    join_key(path, "high"),
                    f"{doc.show(high_node)} is less than low ({format_duration(values['low'])})",
                )
            return Distribution(
                kind, (values["low"] + values["high"]) / 2, low=values["low"], high=values["high"]
            )
        if kind in ("lognormal", "exponential") and values["mean"] <= 0:
            mean_node = entries["mean"][1]
            doc.fail(
                mean_node,
                join_key(path, "mean"),
                f"{doc.show(mean_node)} must be longer than 0s for a {kind} distribution",
            )
        return Distribution(kind, values["mean"], values.get("sd", 0.0))


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Read a scenario from YAML text; ``source`` names it in errors (a file name)."""
    if not isinstance(text, str):
        raise TypeError(f"parse_scenario: text must be a str, not {type(text).__name__}")
    doc = YamlDocument(text, source, ScenarioError)
    return _Reader(doc).scenario(source)


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read the scenario file at ``path`` (UTF-8 YAML); errors name the path."""
    source = os.fspath(path)
    try:
        with open(source, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise ScenarioError(source, None, "", "no such scenario file") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(source, None, "", f"not a UTF-8 text file ({exc.reason})") from None
    except OSError as exc:
        raise ScenarioError(
            source, None, "", f"cannot read the scenario file: {exc.strerror}"
        ) from None
    return parse_scenario(text, source)


# -- checks needing the catalog -------------------------------------------------------


def check_against_catalog(
    scenario: Scenario, known_services: Mapping[str, Collection[str]]
) -> None:
    """Check the scenario's service, workflow and action names against a catalog.

    ``known_services`` maps each service id to the names of its workflows. Raises
    :class:`ScenarioError` at the first unknown name, in file order, naming
    ``workloads[i].service``, ``workloads[i].workflow`` or ``workloads[i].actions[j].action``
    (``j`` as in the file), the value and the known names.
    """
    positions = scenario.positions

    def fail(path: str, detail: str) -> None:
        raise ScenarioError(scenario.source, positions.get(path), path, detail)

    for i, workload in enumerate(scenario.workloads):
        path = f"workloads[{i}]"
        if workload.service not in known_services:
            known = ", ".join(sorted(known_services)) or "none"
            fail(
                f"{path}.service",
                f"{workload.service!r} is not a known service (known services: {known})",
            )
        workflows = known_services[workload.service]
        listed = ", ".join(sorted(workflows)) or "none"
        checks: list[tuple[str, str]] = []
        if workload.workflow is not None:
            checks.append((f"{path}.workflow", workload.workflow))
        for rank, action in enumerate(workload.actions):
            index = positions.get(f"{path}.actions.order[{rank}]", rank)
            checks.append((f"{path}.actions[{index}].action", action.action))
        checks.sort(key=lambda check: (positions.get(check[0], 0), check[0]))
        for key_path, name in checks:
            if name not in workflows:
                fail(
                    key_path,
                    f"{name!r} is not a workflow of the service {workload.service!r} "
                    f"(its workflows: {listed})",
                )


# -- JSON form ------------------------------------------------------------------------


def _seconds(value: float) -> int | float | str:
    if math.isinf(value):
        return "never"
    return int(value) if value == int(value) else value


def _distribution_to_dict(spec: Distribution) -> dict[str, Any]:
    out: dict[str, Any] = {"distribution": spec.kind}
    for key in DISTRIBUTION_KINDS.get(spec.kind, ("mean", "sd", "low", "high")):
        out[key] = _seconds(getattr(spec, key))
    return out


def scenario_to_dict(s: Scenario) -> dict[str, Any]:
    """The scenario as JSON-ready data, keys in a fixed order, durations in seconds
    (``"never"`` for infinity). It is itself a valid scenario: ``parse_scenario`` of its
    JSON gives back an equal :class:`Scenario` (``source`` aside)."""
    return {
        "seed": s.seed,
        "duration": _seconds(s.duration),
        "health_period": _seconds(s.health_period),
        "cluster": {
            "node_sources": [
                {
                    "name": spec.name,
                    "nodes": spec.nodes,
                    "max_nodes": spec.max_nodes,
                    "provisioning_delay": _seconds(spec.provisioning_delay),
                }
                for spec in s.cluster
            ],
            "port_range": f"{s.port_range[0]} {s.port_range[1]}",
        },
        "workloads": [
            {
                "name": workload.name,
                "service": workload.service,
                "workflow": workload.workflow,
                "arrivals_per_hour": workload.arrivals_per_hour,
                "count": workload.count,
                "start": _seconds(workload.start),
                "lifetime": _seconds(workload.lifetime),
                "variables": dict(workload.variables),
                "actions": [
                    {"action": action.action, "after": _seconds(action.after)}
                    for action in workload.actions
                ],
            }
            for workload in s.workloads
        ],
        **(
            {
                "jobs": [
                    {
                        "name": jobs.name,
                        "workflow": jobs.workflow,
                        "bucket": jobs.bucket,
                        "arrivals_per_hour": jobs.arrivals_per_hour,
                        "count": jobs.count,
                        "start": _seconds(jobs.start),
                        "variables": dict(jobs.variables),
                    }
                    for jobs in s.jobs
                ]
            }
            if s.jobs
            else {}
        ),
        "faults": {
            "container_crash_per_hour": s.faults.container_crash_per_hour,
            "action_failure_probability": s.faults.action_failure_probability,
            "node_failures": [
                {
                    "at": _seconds(failure.at),
                    "node_source": failure.node_source,
                    "count": failure.count,
                    "repair_after": (
                        None if failure.repair_after is None else _seconds(failure.repair_after)
                    ),
                }
                for failure in s.faults.node_failures
            ],
        },
        "thresholds": {
            key: (_seconds(s.thresholds[key]) if kind == "duration" else s.thresholds[key])
            for key, kind in THRESHOLD_KEYS.items()
            if key in s.thresholds
        },
        "timing": {str(kind): _distribution_to_dict(d) for kind, d in s.timing.items()},
    }
