"""The resource manager's operations (/rest/rm), mixed into Platform.

As the real RMRestInterface (ow2-proactive/scheduling, rest/rest-api/.../common/
RMRestInterface.java): the `model/*` lists answer without a session; the state and the
monitoring views need one (NotConnectedException: 401). Nodes are printed as RMNodeEvent
(nodeUrl, nodeSource, hostName, nodeState FREE/BUSY/DOWN, tokens, ...) and node sources
as RMNodeSourceEvent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from psa_sim.engine.cluster import Node
from psa_sim.platform.input_limits import check_listable
from psa_sim.platform.operations import operation

if TYPE_CHECKING:
    from psa_sim.engine.simulation import Simulation
    from psa_sim.platform.auth import User

NODE_EVENT = "NODE_STATE_CHANGED"
SOURCE_EVENT = "NODESOURCE_CREATED"


class RMOperations:
    """Operations of /rest/rm; `Platform` provides the state they use."""

    if TYPE_CHECKING:
        sim: Simulation

        def _user(self, session_id: str | None) -> User: ...

        def require_admin(self, session_id: str | None) -> User: ...

    # The real Python client reads these three without a session.
    @operation()
    def rm_hosts(self) -> list[str]:
        return self.sim.cluster.hosts()

    @operation()
    def rm_node_sources(self) -> list[str]:
        return list(self.sim.cluster.sources)

    @operation()
    def rm_tokens(self) -> list[str]:
        return self.sim.cluster.tokens()

    @operation(journaled=True)
    def add_node_token(self, session_id: str | None, node_url: str, token: str) -> None:
        self.require_admin(session_id)
        check_listable("token", token or "")
        self.sim.add_node_token(node_url or "", token or "")

    @operation(journaled=True)
    def remove_node_token(self, session_id: str | None, node_url: str, token: str) -> None:
        self.require_admin(session_id)
        self.sim.remove_node_token(node_url or "", token or "")

    @operation()
    def rm_is_active(self, session_id: str | None) -> bool:
        self._user(session_id)
        return True

    @operation()
    def rm_state(self, session_id: str | None) -> dict[str, Any]:
        """RMState: counts and URLs of free, alive and all nodes."""
        self._user(session_id)
        nodes = self.sim.cluster.nodes
        free = [n.url for n in nodes if node_state(n) == "FREE"]
        alive = [n.url for n in nodes if n.up]
        every = [n.url for n in nodes]
        return {
            "rmNodeUrls": {"freeNodesUrls": free, "aliveNodesUrls": alive, "allNodesUrls": every},
            "maxNumberOfNodes": sum(
                s.config.max_nodes or s.config.nodes for s in self.sim.cluster.sources.values()
            ),
            "freeNodesNumber": len(free),
            "freeNodes": free,
            "totalAliveNodesNumber": len(alive),
            "aliveNodes": alive,
            "totalNodesNumber": len(every),
            "allNodes": every,
        }

    @operation()
    def rm_monitoring(self, session_id: str | None, full: bool = True) -> dict[str, Any]:
        """RMStateFull (monitoring/full) or RMStateDelta (monitoring): every node source
        and node, as events; `latestCounter` counts them (a client asks again from it)."""
        user = self._user(session_id)
        sim = self.sim
        now = sim.now_ms()
        sources = [
            source_event(name, source.config.max_nodes, user.name, now, i)
            for i, (name, source) in enumerate(sim.cluster.sources.items(), start=1)
        ]
        nodes = [
            node_event(n, now, len(sources) + i) for i, n in enumerate(sim.cluster.nodes, start=1)
        ]
        data: dict[str, Any] = {"nodeSource": sources, "nodesEvents": nodes}
        if not full:
            data["latestCounter"] = len(sources) + len(nodes)
        return data


def node_state(node: Node) -> str:
    """NodeState: DOWN when it failed, BUSY while a task runs there, FREE otherwise (a
    node holding a token is FREE: only tasks asking for that token may use it)."""
    if not node.up:
        return "DOWN"
    return "BUSY" if node.job is not None else "FREE"


def _event(kind: str, now: int, counter: int) -> dict[str, Any]:
    return {
        "eventType": kind,
        "timeStamp": now,
        "counter": counter,
        "firstCounter": 0,
        "initiator": None,
        "rmurl": None,
    }


def node_event(node: Node, now: int, counter: int) -> dict[str, Any]:
    """RMNodeEvent."""
    state = node_state(node)
    job = node.job
    return {
        **_event(NODE_EVENT, now, counter),
        "nodeUrl": node.url,
        "nodeSource": node.source,
        "padname": node.source,
        "vnName": node.source,
        "hostName": node.host,
        "vmname": f"{node.host}-vm",
        "nodeState": state,
        "previousNodeState": None,
        "nodeProvider": "rm",
        "nodeOwner": job.owner if job is not None else None,
        "nodeInfo": f"Node {node.name}, host {node.host}, state {state}",
        "defaultJMXUrl": None,
        "proactiveJMXUrl": None,
        "locked": False,
        "lockTime": -1,
        "nodeLocker": None,
        "tokens": list(node.tokens),
        "description": None,
        "tenant": None,
    }


def source_event(
    name: str, max_nodes: int | None, admin: str, now: int, counter: int
) -> dict[str, Any]:
    """RMNodeSourceEvent."""
    return {
        **_event(SOURCE_EVENT, now, counter),
        "sourceName": name,
        "nodeSourceName": name,
        "sourceDescription": "",
        "nodeSourceDescription": "",
        "nodeSourceAdmin": admin,
        "nodeSourceStatus": "deployed",
        "infrastructureType": "DynamicInfrastructure" if max_nodes else "LocalInfrastructure",
        "policyType": "DynamicPolicy" if max_nodes else "StaticPolicy",
        "accessTokens": [],
        "tenant": None,
    }
