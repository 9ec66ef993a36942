"""What a workflow does, derived from the transition it performs (docs/wire-contract.md, section 6)."""

from __future__ import annotations

from psa_sim.model.states import FINISHED, PAUSED, VOID

ACTIVATION = "activation"
FINISH = "finish"
PAUSE = "pause"
RESUME = "resume"
ACTION = "action"


def workflow_kind(from_state: str, to_state: str) -> str:
    if from_state == VOID:
        return ACTIVATION
    if to_state == FINISHED:
        return FINISH
    if to_state == PAUSED:
        return PAUSE
    if from_state == PAUSED:
        return RESUME
    return ACTION
