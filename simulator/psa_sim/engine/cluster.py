"""The resource manager: node sources, nodes, node tokens and per-host ports.

A node runs one task at a time. A node carrying a token only takes tasks that ask for
that token (NODE_ACCESS_TOKEN); a node carrying none takes any other task. Free nodes
are kept in insertion order (FreeNodes) so the choice is deterministic and O(1).
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from psa_sim.engine.ports import HostPorts
from psa_sim.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from psa_sim.engine.jobs import Job


@dataclass(frozen=True, slots=True)
class NodeSourceConfig:
    """A node source of the cluster (a scenario's item of ``cluster.node_sources``).

    ``nodes`` are up from the start. With ``max_nodes`` (``>= nodes``) the source is
    *dynamic*: it may deploy more nodes, up to ``max_nodes``, each taking
    ``provisioning_delay`` seconds (default 0) to come up. Without it, or with
    ``max_nodes == nodes``, the source is static.
    """

    name: str
    nodes: int
    max_nodes: int | None = None
    provisioning_delay: float = 0.0

    @property
    def dynamic(self) -> bool:
        """Whether the source can deploy nodes beyond the initial ``nodes``."""
        return self.max_nodes is not None and self.max_nodes > self.nodes

    @property
    def capacity(self) -> int:
        """The most nodes the source can ever hold."""
        return self.nodes if self.max_nodes is None else max(self.nodes, self.max_nodes)


class Node:
    __slots__ = (
        "busy_since",
        "busy_total",
        "busy_unreserved",
        "created_at",
        "host",
        "index",
        "job",
        "name",
        "ports",
        "reserved_since",
        "reserved_total",
        "source",
        "tokens",
        "up",
        "url",
    )

    def __init__(self, index: int, name: str, source: str, host: str, ports: HostPorts) -> None:
        self.index = index
        self.name = name
        self.source = source
        self.host = host
        self.url = f"pnp://{host}:64738/{name}"
        self.ports = ports
        self.job: Job | None = None  # the job whose task runs here
        self.tokens: dict[str, None] = {}  # ordered set of node tokens
        self.up = True
        self.busy_since = 0.0
        self.busy_total = 0.0  # seconds spent running tasks, for utilization
        self.busy_unreserved = 0.0  # the part of busy_total spent with no token
        self.reserved_since = 0.0
        self.reserved_total = 0.0  # seconds spent holding a PSA token
        self.created_at = 0.0

    def to_data(self) -> dict[str, str]:
        return {
            "id": self.name,
            "name": self.name,
            "node_source_name": self.source,
            "host": self.host,
            "url": self.url,
        }


class NodeSource:
    __slots__ = ("config", "nodes", "provisioning")

    def __init__(self, config: NodeSourceConfig):
        self.config = config
        self.nodes: list[Node] = []
        self.provisioning = 0  # nodes asked for and not yet up

    def can_grow(self) -> bool:
        c = self.config
        return c.dynamic and len(self.nodes) + self.provisioning < c.capacity


class FreeNodes:
    """An insertion-ordered set of nodes with O(1) add, discard and pop of the oldest.

    A dict used so (pop the first key, add at the end) rescans the holes its deletions
    leave at the front: O(nodes) per pop, 37 us at 50,000 nodes (issue 14). Here a
    deque holds (stamp, node) in order and the dict each member's current stamp; entries
    whose stamp is stale are skipped once, so the order is exactly the dict's.
    """

    __slots__ = ("_order", "_stamp", "_stamps")

    def __init__(self) -> None:
        self._stamps: dict[Node, int] = {}
        self._order: deque[tuple[int, Node]] = deque()
        self._stamp = 0

    def __contains__(self, node: object) -> bool:
        return node in self._stamps

    def __len__(self) -> int:
        return len(self._stamps)

    def add(self, node: Node) -> None:
        """At the end, unless already in (then it keeps its place)."""
        if node not in self._stamps:
            self._stamp += 1
            self._stamps[node] = self._stamp
            self._order.append((self._stamp, node))
            if len(self._order) > 2 * len(self._stamps) + 64:  # mostly stale: compact
                self._order = deque((stamp, n) for n, stamp in self._stamps.items())

    def discard(self, node: Node) -> None:
        self._stamps.pop(node, None)

    def pop_first(self) -> Node | None:
        order, stamps = self._order, self._stamps
        while order:
            stamp, node = order.popleft()
            if stamps.get(node) == stamp:
                del stamps[node]
                return node
        return None


class Cluster:
    def __init__(
        self, configs: Sequence[NodeSourceConfig], port_range: tuple[int, int], rng: random.Random
    ) -> None:
        names = [c.name for c in configs]
        if len(set(names)) != len(names):
            raise InvalidInput(f"node_sources: duplicate name in {names}")
        self.port_range = port_range
        self._rng = rng
        self.sources: dict[str, NodeSource] = {c.name: NodeSource(c) for c in configs}
        self.nodes: list[Node] = []
        self.by_name: dict[str, Node] = {}
        self.free_plain = FreeNodes()  # up, idle, no token
        self.token_nodes: dict[str, dict[Node, None]] = {}
        for source in self.sources.values():
            for _ in range(source.config.nodes):
                self.add_node(source)

    # --- nodes ---------------------------------------------------------------------
    def add_node(self, source: NodeSource, now: float = 0.0) -> Node:
        i = len(source.nodes) + 1
        prefix = source.config.name
        host = f"{prefix.lower()}-host-{i}"
        node = Node(
            len(self.nodes),
            f"{prefix}-node-{i}",
            prefix,
            host,
            HostPorts(host, self.port_range, self._rng),
        )
        node.created_at = now
        source.nodes.append(node)
        self.nodes.append(node)
        self.by_name[node.name] = node
        self.free_plain.add(node)
        return node

    def node(self, name: str) -> Node:
        try:
            return self.by_name[name]
        except KeyError:
            raise NotFound(f"node: no node named '{name}'") from None

    def growable_source(self) -> NodeSource | None:
        for source in self.sources.values():
            if source.can_grow():
                return source
        return None

    def hosts(self) -> list[str]:
        return sorted({n.host for n in self.nodes})

    # --- selection -----------------------------------------------------------------
    def take(self, token: str | None) -> Node | None:
        """An idle node for a task asking for `token` (None: a node with no token)."""
        if token is None:
            return self.free_plain.pop_first()
        for node in self.token_nodes.get(token, ()):
            if node.job is None and node.up:
                return node
        return None

    def take_plain_except(self, node: Node) -> Node | None:
        """An idle node with no token other than `node` (a multi-node deployment's
        further nodes; `node` itself may be free again while its task reports)."""
        free = self.free_plain
        skipped = node in free
        if skipped:
            free.discard(node)
        other = free.pop_first()
        if skipped:
            free.add(node)  # it is tokenized next: its place in the order no longer matters
        return other

    def release(self, node: Node) -> None:
        """The task on `node` ended: the node takes work again."""
        node.job = None
        if node.up and not node.tokens:
            self.free_plain.add(node)

    # --- tokens --------------------------------------------------------------------
    def add_token(self, node: Node, token: str, now: float) -> None:
        if not node.tokens:
            node.reserved_since = now
        node.tokens[token] = None
        self.free_plain.discard(node)
        self.token_nodes.setdefault(token, {})[node] = None

    def remove_token(self, token: str, now: float, only: Node | None = None) -> list[Node]:
        """Remove `token` from `only` that node, or from every node holding it; returns
        the nodes it was taken from."""
        holders = self.token_nodes.get(token, {})
        nodes = (
            [only]
            if only is not None and only in holders
            else ([] if only is not None else list(holders))
        )
        for node in nodes:
            del holders[node]
        if not holders:
            self.token_nodes.pop(token, None)
        for node in nodes:
            node.tokens.pop(token, None)
            if not node.tokens:
                node.reserved_total += now - node.reserved_since
            if node.up and node.job is None and not node.tokens:
                self.free_plain.add(node)
        return nodes

    def holds(self, token: str) -> bool:
        return bool(self.token_nodes.get(token))

    def tokens(self) -> list[str]:
        return sorted(self.token_nodes)

    # --- failures ------------------------------------------------------------------
    def mark_down(self, node: Node) -> None:
        node.up = False
        self.free_plain.discard(node)

    def mark_up(self, node: Node) -> None:
        node.up = True
        if node.job is None and not node.tokens:
            self.free_plain.add(node)
