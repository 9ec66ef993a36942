"""State names PSA predefines, and the label shown while an instance transitions."""

from __future__ import annotations

VOID = "VOID"
FINISHED = "FINISHED"
ERROR = "ERROR"
KILLED = "KILLED"
RUNNING = "RUNNING"
PAUSED = "PAUSED"

PREDEFINED_STATES = (VOID, FINISHED, ERROR, KILLED)
# An instance in one of these states is over: the portal lists it under "Finished
# Services" and only these can be cleaned (removed from the database).
ENDED_STATES = frozenset({FINISHED, KILLED})


def transitioning_label(from_state: str, to_state: str) -> str:
    """The instance_status a real server shows while a transition runs."""
    return f"{from_state} -> {to_state}"
