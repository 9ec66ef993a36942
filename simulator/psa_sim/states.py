"""Instance states: the names PSA predefines, which ones mean "over", and the label an
instance shows while a transition runs. Every layer imports them from here."""

from __future__ import annotations

VOID = "VOID"  # before activation: FROM=VOID marks an activation workflow
FINISHED = "FINISHED"
ERROR = "ERROR"
KILLED = "KILLED"
ALL = "ALL"  # in pca.states, as FROM only: the workflow applies in any state
# Not predefined, but the names every bundled service uses for up and paused.
RUNNING = "RUNNING"
PAUSED = "PAUSED"

PREDEFINED_STATES = (VOID, FINISHED, ERROR, KILLED)
# An instance in one of these states is over: the portal lists it under "Finished
# Services" and only these can be cleaned (removed from the database).
ENDED_STATES = frozenset({FINISHED, KILLED})
# The states an instance stays in until a client acts: the ended ones and ERROR, in the
# order the reports stack them. Nothing should be held (token, ports) in these.
ENDED_OR_ERROR = (ERROR, KILLED, FINISHED)

TRANSITION_ARROW = " -> "


def transitioning_label(from_state: str, to_state: str) -> str:
    """The instance_status a real server shows while a transition runs, e.g.
    ``"VOID -> RUNNING"``."""
    return f"{from_state}{TRANSITION_ARROW}{to_state}"


def is_transitioning_label(status: str) -> bool:
    return TRANSITION_ARROW in status


def source_state(status: str) -> str:
    """The state an instance_status starts from: itself, or a label's FROM."""
    return status.split(TRANSITION_ARROW, 1)[0]
