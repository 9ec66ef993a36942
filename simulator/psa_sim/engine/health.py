"""The activation jobs' health loops, batched.

A real activation job loops on a cron expression (every minute, on the minute), so all
loops of a server fall due together. We keep that: one timer per period for every
instance, instead of one per instance, and each tick checks every looping instance.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import simpy

from psa_sim.engine.scheduler import Counters, call_later

if TYPE_CHECKING:
    from psa_sim.model.instance import ServiceInstance


class HealthLoops:
    def __init__(
        self,
        env: simpy.Environment,
        period: float,
        counters: Counters,
        check: Callable[[ServiceInstance], bool],
    ) -> None:
        """`check(instance)` runs one health check; it returns True to end that loop."""
        if not period > 0:
            raise ValueError(f"health_period: {period!r} must be positive")
        self.env = env
        self.period = period
        self.counters = counters
        self._check = check
        self.members: dict[int, ServiceInstance] = {}
        self._ticking = False
        self._next_tick = 0.0
        self._generation = 0  # a skip makes the timer already scheduled stale

    def __len__(self) -> int:
        return len(self.members)

    def register(self, instance: ServiceInstance) -> None:
        self.members[instance.instance_id] = instance
        if not self._ticking:
            self._ticking = True
            self._schedule(self._until_next_tick())

    def unregister(self, instance: ServiceInstance) -> None:
        self.members.pop(instance.instance_id, None)

    def _until_next_tick(self) -> float:
        now = self.env.now
        next_tick = (math.floor(now / self.period) + 1) * self.period
        return next_tick - now

    @property
    def ticking(self) -> bool:
        return self._ticking

    def _schedule(self, delay: float) -> None:
        self._next_tick = self.env.now + delay
        call_later(self.env, self.counters, delay, self._tick, self._generation)

    def skip_to(self, until: float) -> None:
        """Jump over the ticks due up to `until`, counting the checks they stand for.

        Only for when nothing else will happen meanwhile (the simulation checks that):
        then every one of those checks would find a healthy instance and change nothing.
        """
        if not self._ticking or self._next_tick > until:
            return
        ticks = math.floor((until - self._next_tick) / self.period) + 1
        self.counters.health_checks += ticks * len(self.members)
        self._generation += 1
        self._schedule(self._next_tick + ticks * self.period - self.env.now)

    def _tick(self, generation: int) -> None:
        if generation != self._generation:
            return  # replaced by a skip
        members = self.members
        check = self._check
        # A snapshot, because a check may end other loops (a kill, a node failure).
        snapshot = list(members.values())
        for instance in snapshot:
            if check(instance):
                members.pop(instance.instance_id, None)
        self.counters.health_checks += len(snapshot)
        if members:
            self._schedule(self._until_next_tick())
        else:
            # Nothing loops: stop ticking so an idle simulation can run out of events.
            self._ticking = False
