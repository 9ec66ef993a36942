"""The rules of an instance's life-cycle: which action may start, and how states change.

Pure functions over a ServiceInstance: the engine calls them, so the rules live in one
place whichever way an action arrives (scenario, HTTP, tests).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from psa_sim.errors import Conflict, InvalidInput
from psa_sim.states import ENDED_STATES, ERROR, FINISHED, KILLED

if TYPE_CHECKING:
    from psa_sim.catalog import Workflow
    from psa_sim.model.instance import ServiceInstance


def target_of_action(instance: ServiceInstance, workflow: Workflow, executable: list[str]) -> str:
    """The state `workflow` leads `instance` to, or a Conflict explaining why not.

    `executable` names the actions allowed from the current state, for the message.
    """
    if workflow.service_id != instance.service_id:
        raise InvalidInput(
            f"workflow_name: '{workflow.name}' belongs to service "
            f"'{workflow.service_id}', not to '{instance.service_id}' "
            f"(instance {instance.instance_id})"
        )
    if instance.is_transitioning:
        raise Conflict(
            f"instance {instance.instance_id} is transitioning "
            f"({instance.instance_status}): no action is accepted until it ends, "
            f"except a kill"
        )
    if instance.state in ENDED_STATES:
        raise Conflict(
            f"instance {instance.instance_id} is {instance.state}, a final state: no "
            f"action applies to it (it can only be cleaned)"
        )
    to_state = None if workflow.is_activation else workflow.target_state(instance.state)
    if to_state is None:
        allowed = ", ".join(executable) if executable else "none"
        raise Conflict(
            f"action '{workflow.name}' is not executable on instance "
            f"{instance.instance_id} in state {instance.state}; executable actions: "
            f"{allowed}"
        )
    return to_state


def begin_transition(instance: ServiceInstance, to_state: str) -> None:
    instance.target_state = to_state


def complete_transition(instance: ServiceInstance, to_state: str, now_ms: int) -> None:
    """The workflow reports the new state: the server never does it by itself."""
    instance.state = to_state
    instance.target_state = None
    if to_state in ENDED_STATES:
        instance.finish_time = now_ms


def fail_instance(instance: ServiceInstance, cause: str) -> None:
    """ERROR keeps no finish time: the instance is not over, a client may still act."""
    instance.state = ERROR
    instance.target_state = None
    instance.error_cause = cause


def kill_instance(instance: ServiceInstance, now_ms: int) -> None:
    """A kill is accepted in any state, transitioning or not, and always ends in KILLED."""
    instance.state = KILLED
    instance.target_state = None
    instance.finish_time = now_ms


def check_status_change(instance: ServiceInstance, status: str) -> None:
    """What a PUT of instance_status may do: a kill at any time before the end; any
    other state only once the transition in flight is over; nothing from a final state."""
    if instance.state in ENDED_STATES and not instance.is_transitioning:
        raise Conflict(
            f"instance {instance.instance_id} is {instance.state}, a final state: "
            f"instance_status cannot be changed to '{status}'"
        )
    if status != KILLED and instance.is_transitioning:
        raise Conflict(
            f"instance {instance.instance_id} is transitioning "
            f"({instance.instance_status}): its workflow reports the state when it ends "
            f"(only a kill is accepted meanwhile)"
        )


def check_cleanable(instance: ServiceInstance) -> None:
    if instance.is_transitioning or instance.state not in ENDED_STATES:
        raise Conflict(
            f"instance {instance.instance_id} is {instance.instance_status}: only "
            f"{FINISHED} or {KILLED} instances can be cleaned"
        )
