"""Hooks the simulation calls as things happen; metrics and reports subclass this."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from psa_sim.engine.jobs import Job
    from psa_sim.model.instance import ServiceInstance


class Observer:
    """Every method is a no-op here; override the ones you need."""

    def instance_created(self, instance: ServiceInstance, job: Job) -> None: ...

    def transition_started(self, instance: ServiceInstance, job: Job) -> None: ...

    def transition_completed(self, instance: ServiceInstance, job: Job) -> None: ...

    def instance_failed(self, instance: ServiceInstance, cause: str) -> None: ...

    def instance_killed(self, instance: ServiceInstance) -> None: ...

    def job_started(self, job: Job, wait: float) -> None: ...

    def job_ended(self, job: Job) -> None: ...
