"""What a request's variables may hold: bounded in number and size, finite, and free of
the characters that would corrupt the resource manager's `PA:LIST(,a,b)` listings.

Checked before anything is applied, each error naming the variable.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from psa_sim.errors import InvalidInput, PayloadTooLarge

MAX_VARIABLES = 1000
MAX_NAME_LENGTH = 256
MAX_VALUE_LENGTH = 64 * 1024
# Variables whose value names a node token (PSA_$INSTANCE_NAME), listed in PA:LIST.
_LISTED = ("INSTANCE_NAME",)


def check_variables(field: str, variables: Mapping[object, object]) -> None:
    if len(variables) > MAX_VARIABLES:
        raise PayloadTooLarge(
            f"{field}: {len(variables)} variables, at most {MAX_VARIABLES} are accepted"
        )
    for key, value in variables.items():
        if not isinstance(key, str) or not key:
            raise InvalidInput(f"{field}: {key!r} is not a variable name")
        if len(key) > MAX_NAME_LENGTH:
            raise PayloadTooLarge(
                f"{field}: a variable name of {len(key)} characters, at most {MAX_NAME_LENGTH}"
            )
        if "\0" in key:
            raise InvalidInput(f"{field}: variable name {key!r} holds a NUL character")
        where = f"{field}.{key}"
        if isinstance(value, (dict, list)):
            raise InvalidInput(f"{where}: {value!r} is not a string")
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidInput(f"{where}: {value!r} is not a finite number")
        if isinstance(value, str):
            if len(value) > MAX_VALUE_LENGTH:
                raise PayloadTooLarge(
                    f"{where}: a value of {len(value)} characters, at most {MAX_VALUE_LENGTH}"
                )
            if "\0" in value:
                raise InvalidInput(f"{where}: the value holds a NUL character")
            if key in _LISTED:
                check_listable(where, value)


def check_listable(field: str, value: str) -> None:
    """A name that ends up in a PA:LIST: no comma, parenthesis or control character."""
    bad = next((c for c in value if c in ",()" or ord(c) < 32 or ord(c) == 127), None)
    if bad is not None:
        raise InvalidInput(
            f"{field}: {value!r} holds {bad!r}, which would corrupt the resource manager's "
            f"PA:LIST listings (no comma, parenthesis or control character)"
        )
