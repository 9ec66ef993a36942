"""What the engine attaches to an instance: its jobs, node token, container and ports."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from psa_sim.engine.ports import HostPorts

if TYPE_CHECKING:
    from psa_sim.engine.cluster import Node
    from psa_sim.engine.jobs import Job


class ContainerStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    CRASHED = "crashed"
    REMOVED = "removed"


@dataclass(slots=True)
class Container:
    """A simulated container: this machine has no Docker engine, and needs none."""

    id: str
    name: str
    status: ContainerStatus = ContainerStatus.RUNNING
    epoch: int = 0  # bumped on every (re)start, so stale crash timers miss

    def to_data(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}


@dataclass(slots=True)
class InstanceRuntime:
    jobs: list[Job] = field(default_factory=list)  # every job run for the instance
    activation_job: Job | None = None  # the job whose loop checks health
    token: str | None = None  # PSA_<INSTANCE_NAME> while held
    node: Node | None = None  # node the platform was deployed on
    # Further nodes a multi-node service holds (TARGETED_NB_PA_NODES), each with the token.
    extra_nodes: list[Node] = field(default_factory=list)
    container: Container | None = None
    # endpoint id → (host's ports, port): what to give back when the endpoint goes.
    ports: dict[str, tuple[HostPorts, int]] = field(default_factory=dict)
    crashed: bool = False  # read by every health check: kept flat

    def release_ports(self) -> None:
        for host_ports, port in self.ports.values():
            host_ports.release(port)
        self.ports.clear()
