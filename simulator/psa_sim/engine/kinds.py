"""What a workflow does, derived from the transition it performs (docs/wire-contract.md,
section 6): the one list of job kinds, which the timing model and scenarios key on."""

from __future__ import annotations

from enum import StrEnum

from psa_sim.states import FINISHED, PAUSED, VOID


class JobKind(StrEnum):
    ACTIVATION = "activation"
    FINISH = "finish"
    PAUSE = "pause"
    RESUME = "resume"
    ACTION = "action"  # any other action
    TASK = "task"  # one task of a plain job (a workflow without pca.*: plain_jobs.py)


def workflow_kind(from_state: str, to_state: str) -> JobKind:
    if from_state == VOID:
        return JobKind.ACTIVATION
    if to_state == FINISHED:
        return JobKind.FINISH
    if to_state == PAUSED:
        return JobKind.PAUSE
    if from_state == PAUSED:
        return JobKind.RESUME
    return JobKind.ACTION
