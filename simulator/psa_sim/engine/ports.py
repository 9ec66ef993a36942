"""Ports per host, as `config/pca_services_port_range` ("LOWER UPPER") hands them out."""

from __future__ import annotations

import random


class PortInUse(Exception):
    """An explicit SERVICE_PORT already taken on the chosen host."""


class HostPorts:
    """The ports taken on one host; random free ones drawn from the range."""

    __slots__ = ("_rng", "host", "lower", "upper", "used")

    def __init__(self, host: str, port_range: tuple[int, int], rng: random.Random):
        self.host = host
        self.lower, self.upper = port_range
        self.used: set[int] = set()
        self._rng = rng

    def allocate(self, requested: int) -> int:
        """`requested` -1 draws a free port of the range; any other is taken as is."""
        if requested != -1:
            if requested in self.used:
                raise PortInUse(
                    f"SERVICE_PORT: port {requested} is already in use on host {self.host}"
                )
            self.used.add(requested)
            return requested
        size = self.upper - self.lower + 1
        if len(self.used) >= size:
            raise PortInUse(
                f"SERVICE_PORT: no free port left in {self.lower}-{self.upper} on host {self.host}"
            )
        # Random probing is fast while the range is mostly free; fall back to a scan.
        for _ in range(16):
            port = self._rng.randint(self.lower, self.upper)
            if port not in self.used:
                self.used.add(port)
                return port
        for port in range(self.lower, self.upper + 1):
            if port not in self.used:
                self.used.add(port)
                return port
        raise AssertionError("unreachable: a free port was counted")

    def release(self, port: int) -> None:
        self.used.discard(port)
