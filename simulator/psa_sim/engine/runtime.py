"""What the engine attaches to an instance: its jobs, node token, container and ports."""

from __future__ import annotations

from dataclasses import dataclass, field

from psa_sim.engine.ports import HostPorts


@dataclass(slots=True)
class Container:
    """A simulated container: this machine has no Docker engine, and needs none."""

    id: str
    name: str
    status: str = "running"  # running | paused | crashed | removed
    epoch: int = 0  # bumped on every (re)start, so stale crash timers miss

    def to_data(self) -> dict:
        return {"id": self.id, "name": self.name}


@dataclass(slots=True)
class InstanceRuntime:
    jobs: list = field(default_factory=list)  # every job run for the instance
    activation_job: object = None  # the job whose loop checks health
    token: str | None = None  # PSA_<INSTANCE_NAME> while held
    node: object = None  # node the platform was deployed on
    container: Container | None = None
    # endpoint id → (host's ports, port): what to give back when the endpoint goes.
    ports: dict[str, tuple[HostPorts, int]] = field(default_factory=dict)
    crashed: bool = False  # read by every health check: kept flat

    def release_ports(self) -> None:
        for host_ports, port in self.ports.values():
            host_ports.release(port)
        self.ports.clear()
