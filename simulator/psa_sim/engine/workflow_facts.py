"""What the engine derives from a workflow once, instead of on every submission.

Checking defaults against their models, finding dependency pairs and the node token
template cost a little each; at thousands of life-cycles per wall second they add up.
"""

from __future__ import annotations

from psa_sim.catalog import VariableProblem, check_variables, resolve_references
from psa_sim.catalog.workflow import Workflow
from psa_sim.engine.script_library import plan_of

# Services that need another one (Kafka and Storm need Zookeeper) declare the pair
# `<X>_SERVICE_ID` / `<X>_INSTANCE_NAME`: they reuse a RUNNING instance of that service
# with that INSTANCE_NAME, or start one themselves.
SERVICE_ID_SUFFIX = "_SERVICE_ID"
INSTANCE_NAME_SUFFIX = "_INSTANCE_NAME"
# A service deployed on several nodes says how many (the real Docker_Swarm: 3 by default).
NODE_COUNT_VARIABLE = "TARGETED_NB_PA_NODES"
# Services deployed on another instance name it by id (HDFS, Spark on a Docker_Swarm).
LINK_SUFFIX = "_service_instance_id"


class WorkflowFacts:
    __slots__ = (
        "default_problems",
        "defaults_have_references",
        "dependency_keys",
        "has_node_count",
        "link_keys",
        "node_count_source",
        "scripts",
        "token_template",
        "variable_names",
        "workflow",
    )

    def __init__(self, workflow: Workflow) -> None:
        self.workflow = workflow
        self.default_problems = check_variables(workflow.variables, {})
        self.defaults_have_references = any("$" in v for v in workflow.defaults.values())
        self.variable_names = frozenset(v.name for v in workflow.variables)
        names = [v.name for v in workflow.variables]
        self.dependency_keys = [
            (name, name[: -len(SERVICE_ID_SUFFIX)] + INSTANCE_NAME_SUFFIX)
            for name in names
            if name.endswith(SERVICE_ID_SUFFIX)
            and len(name) > len(SERVICE_ID_SUFFIX)
            and name[: -len(SERVICE_ID_SUFFIX)] + INSTANCE_NAME_SUFFIX in self.variable_names
        ]
        self.has_node_count = NODE_COUNT_VARIABLE in self.variable_names
        # Where the number of nodes comes from: Docker_Swarm's variable, else the first
        # multi-node task's `<parallel numberOfNodes>` (the real
        # SSH_Terminal_For_Distributed_Nodes: "${NUMBER_OF_HOSTS}"), as (label, text).
        multi_node = next((t for t in workflow.tasks if t.parallel_nodes is not None), None)
        self.node_count_source: tuple[str, str] | None = (
            (NODE_COUNT_VARIABLE, f"${{{NODE_COUNT_VARIABLE}}}")
            if self.has_node_count
            else (f"task '{multi_node.name}' numberOfNodes", multi_node.parallel_nodes or "1")
            if multi_node is not None
            else None
        )
        self.link_keys = tuple(
            n for n in names if n.endswith(LINK_SUFFIX) and len(n) > len(LINK_SUFFIX)
        )
        # What its references to the service-automation script library do.
        self.scripts = plan_of(workflow)
        # Task level first; some real workflows set it for the whole job instead.
        self.token_template = next(
            (t.node_access_token for t in workflow.tasks if t.node_access_token),
            workflow.generic_info.get("NODE_ACCESS_TOKEN"),
        )

    def problems(self, explicit: dict[str, str]) -> list[VariableProblem]:
        """Model violations of the effective values, the explicit ones overriding defaults."""
        if not explicit:
            return list(self.default_problems)
        kept = [p for p in self.default_problems if p.name not in explicit]
        overridden = [v for v in self.workflow.variables if v.name in explicit]
        return kept + check_variables(overridden, explicit)

    def node_count_label(self) -> str:
        """What an error about the number of nodes names (the variable or the task)."""
        return self.node_count_source[0] if self.node_count_source else NODE_COUNT_VARIABLE

    def node_count_text(self, variables: dict[str, str]) -> str:
        """The number of nodes as resolved text ('' when not a multi-node service)."""
        if self.node_count_source is None:
            return ""
        if self.has_node_count:
            return variables.get(NODE_COUNT_VARIABLE, "1").strip()
        return resolve_references(self.node_count_source[1], variables).strip()

    def node_count(self, variables: dict[str, str]) -> int | None:
        """How many nodes the activation takes at once (None: not a multi-node service;
        0 for a value that is not a positive whole number, which the engine refuses)."""
        if self.node_count_source is None:
            return None
        try:
            return max(0, int(self.node_count_text(variables)))
        except ValueError:
            return 0

    def dependencies(self, variables: dict[str, str]) -> list[tuple[str, str]]:
        """(service id, instance name) of each `<X>_SERVICE_ID`/`<X>_INSTANCE_NAME` pair."""
        pairs = []
        for service_key, name_key in self.dependency_keys:
            service_id = variables.get(service_key, "").strip()
            instance_name = variables.get(name_key, "").strip()
            if service_id and instance_name:
                pairs.append((service_id, instance_name))
        return pairs


class FactsCache:
    """Facts per workflow object; a re-uploaded workflow is a new object, so new facts."""

    def __init__(self) -> None:
        self._by_id: dict[int, WorkflowFacts] = {}

    def __call__(self, workflow: Workflow) -> WorkflowFacts:
        facts = self._by_id.get(id(workflow))
        if facts is None or facts.workflow is not workflow:
            facts = self._by_id[id(workflow)] = WorkflowFacts(workflow)
        return facts
