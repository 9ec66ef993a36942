"""Variable references in values: ``$NAME`` and ``${NAME}``, as ProActive resolves them.

``$PA_JOB_ID`` is the id of the job the workflow runs as; any other name refers to another
variable. Unknown references stay as written (ProActive leaves them for the scripts).
Nested references are followed (``MOUNT_LOG_PATH=/shared/$INSTANCE_NAME`` with
``INSTANCE_NAME=tensorboard-$PA_JOB_ID``), a reference cycle is left unresolved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

JOB_ID_VARIABLE = "PA_JOB_ID"

# Braced form first; the bare form takes the longest identifier ($NAME_2 is NAME_2).
_REFERENCE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
# ``${...}`` with any content counts as a pending reference when checking values.
_ANY_REFERENCE = re.compile(r"\$(?:\{[^}]*\}|[A-Za-z_])")

# Deep enough for any real chain; stops runaway expansion of self-growing values.
MAX_DEPTH = 10


def has_references(value: str) -> bool:
    """True if the value still holds ``$NAME`` or ``${...}`` text to be resolved later."""
    return bool(_ANY_REFERENCE.search(value))


def resolve_references(value: str, variables: Mapping[str, str], job_id: int | None = None) -> str:
    """Replace the references to known variables (and to PA_JOB_ID when job_id is given)."""
    return _resolve(value, variables, job_id, visiting=())


def resolve_all(variables: Mapping[str, str], job_id: int | None = None) -> dict[str, str]:
    """Every variable with its references resolved against the whole mapping."""
    # Most values hold no reference: skip the call for them (this runs per submission).
    return {
        name: _resolve(value, variables, job_id, visiting=(name,)) if "$" in value else value
        for name, value in variables.items()
    }


def _resolve(
    value: str, variables: Mapping[str, str], job_id: int | None, visiting: tuple[str, ...]
) -> str:
    if "$" not in value:
        return value

    def substitute(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        if name == JOB_ID_VARIABLE and job_id is not None:
            return str(job_id)
        if name not in variables or name in visiting or len(visiting) >= MAX_DEPTH:
            return match.group(0)  # unknown, cyclic or too deep: leave as written
        return _resolve(variables[name], variables, job_id, (*visiting, name))

    return _REFERENCE.sub(substitute, value)
