"""Every service instance the server knows, by id."""

from __future__ import annotations

from collections.abc import Iterator

from psa_sim.errors import NotFound
from psa_sim.model.instance import ServiceInstance
from psa_sim.model.lifecycle import check_cleanable
from psa_sim.states import ENDED_STATES


class InstanceStore:
    def __init__(self) -> None:
        self._by_id: dict[int, ServiceInstance] = {}
        self._next_id = 1

    def new_id(self) -> int:
        instance_id = self._next_id
        self._next_id += 1
        return instance_id

    def add(self, instance: ServiceInstance) -> ServiceInstance:
        self._by_id[instance.instance_id] = instance
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

    def active(self) -> list[ServiceInstance]:
        """What the portal lists as activated services: neither FINISHED nor KILLED."""
        return [
            i for i in self._by_id.values() if i.is_transitioning or i.state not in ENDED_STATES
        ]

    def clean(self, instance_id: int) -> ServiceInstance:
        """The portal's CLEAN: only a FINISHED or KILLED instance leaves the database."""
        instance = self.get(instance_id)
        check_cleanable(instance)
        del self._by_id[instance_id]
        return instance

    def find_by_name(self, service_id: str, instance_name: str) -> list[ServiceInstance]:
        return [
            i
            for i in self._by_id.values()
            if i.service_id == service_id and i.name == instance_name
        ]
