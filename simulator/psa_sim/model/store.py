"""Every service instance the server knows, by id.

Two indexes keep the hot questions from walking every instance ever created (issue 14:
at 10x the mixed day, a scan of every instance per dependency lookup was the top entry
of the profile): the instances not ended, for the portal's `/active` and dependency
lookups, and those same instances by (service, INSTANCE_NAME). Ended instances are
dropped from both lazily, once the indexes have doubled since the last sweep, so the
cost stays proportional to the live instances, amortized.
"""

from __future__ import annotations

from collections.abc import Iterator

from psa_sim.errors import NotFound
from psa_sim.model.instance import ServiceInstance
from psa_sim.model.lifecycle import check_cleanable
from psa_sim.states import ENDED_STATES

# Sweep the live index once it holds this many more entries than after the last sweep.
_SWEEP_SLACK = 1024


def _is_active(instance: ServiceInstance) -> bool:
    return instance.target_state is not None or instance.state not in ENDED_STATES


class InstanceStore:
    def __init__(self) -> None:
        self._by_id: dict[int, ServiceInstance] = {}
        self._next_id = 1
        # Instances possibly not ended (a superset: ended ones leave at the next sweep).
        self._live: dict[int, ServiceInstance] = {}
        # (service_id, INSTANCE_NAME when indexed) -> ids, for the instances of _live.
        self._by_name: dict[tuple[str, str], list[int]] = {}
        self._sweep_at = _SWEEP_SLACK
        # When set (headless runs), the instances the sweeps find ended are kept here
        # until drain_ended() takes them: the simulation then forgets their jobs.
        self.track_ended = False
        self._ended: list[ServiceInstance] = []

    def new_id(self) -> int:
        instance_id = self._next_id
        self._next_id += 1
        return instance_id

    def add(self, instance: ServiceInstance) -> ServiceInstance:
        self._by_id[instance.instance_id] = instance
        self.touch(instance)
        return instance

    def get(self, instance_id: int) -> ServiceInstance:
        try:
            return self._by_id[instance_id]
        except KeyError:
            raise NotFound(f"instance_id: no service instance {instance_id}") from None

    def __iter__(self) -> Iterator[ServiceInstance]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    # --- keeping the indexes ------------------------------------------------------------
    def touch(self, instance: ServiceInstance) -> None:
        """Call when a transition begins or the variables change: the instance may be
        active again, or named differently."""
        instance_id = instance.instance_id
        self._live[instance_id] = instance
        ids = self._by_name.setdefault((instance.service_id, instance.name), [])
        if instance_id not in ids:
            ids.append(instance_id)
        if len(self._live) >= self._sweep_at:
            self._sweep()

    def _sweep(self) -> None:
        by_id = self._by_id
        live: dict[int, ServiceInstance] = {}
        for i, instance in self._live.items():
            if _is_active(instance):
                live[i] = instance
            elif self.track_ended and i in by_id:
                self._ended.append(instance)
        self._live = {i: instance for i, instance in live.items() if i in by_id}
        self._by_name = {}
        for instance_id, instance in self._live.items():
            self._by_name.setdefault((instance.service_id, instance.name), []).append(instance_id)
        self._sweep_at = 2 * len(self._live) + _SWEEP_SLACK

    def drain_ended(self) -> list[ServiceInstance]:
        """The instances found ended since the last call (with ``track_ended`` set)."""
        self._sweep()
        ended, self._ended = self._ended, []
        return ended

    # --- queries ------------------------------------------------------------------------
    def active(self) -> list[ServiceInstance]:
        """What the portal lists as activated services: neither FINISHED nor KILLED, in
        id order. The cost is proportional to the live instances, not to all."""
        self._sweep()
        return sorted(self._live.values(), key=_instance_id)

    def clean(self, instance_id: int) -> ServiceInstance:
        """The portal's CLEAN: only a FINISHED or KILLED instance leaves the database."""
        instance = self.get(instance_id)
        check_cleanable(instance)
        del self._by_id[instance_id]
        return instance

    def find_live_by_name(self, service_id: str, instance_name: str) -> list[ServiceInstance]:
        """The instances of the service named so that have not ended, in id order."""
        ids = self._by_name.get((service_id, instance_name))
        if not ids:
            return []
        by_id = self._by_id
        found = []
        for instance_id in sorted(ids):
            instance = by_id.get(instance_id)
            if instance is not None and instance.name == instance_name and _is_active(instance):
                found.append(instance)
        return found


def _instance_id(instance: ServiceInstance) -> int:
    return instance.instance_id
