"""The registry of operations a client may ask the server for.

Each operation is a method of `Platform` (or of `SimDriver`, for the clock and reset)
marked with `@operation`, which says whether the driver journals it. Callers name the
operation itself, ``await driver.call(Platform.get_instance, session_id=…, instance_id=1)``:
a method that is not marked cannot be called, and adding one is one edit.

The journal stores an operation by its method name; replaying looks the name up here, so
a method keeps its name once it is journaled (renaming one breaks existing --db files).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from psa_sim.errors import InvalidInput

P = ParamSpec("P")
R = TypeVar("R")
# An operation returning a dict may be passed where one returning `object` is expected.
R_co = TypeVar("R_co", covariant=True)
T = TypeVar("T")


class Operation(Generic[T, P, R_co]):
    """A method a client may call through the driver.

    Read from the class (``Platform.kill_job``) it is the operation; read from an
    instance it is the plain bound method, so code inside the platform calls it as usual.
    """

    def __init__(
        self, func: Callable[Concatenate[T, P], R_co], journaled: bool, replay_only: bool
    ) -> None:
        self.func = func
        self.journaled = journaled or replay_only
        self.replay_only = replay_only
        self.name = func.__name__
        self.owner: type | None = None
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.owner = owner
        known = REGISTRY.setdefault(name, self)
        if known is not self:
            raise RuntimeError(
                f"operation '{name}' is declared twice ({known.owner} and {owner}): "
                f"the journal names an operation by its name alone"
            )

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> Operation[T, P, R_co]: ...

    @overload
    def __get__(self, obj: T, objtype: type | None = None) -> Callable[P, R_co]: ...

    def __get__(self, obj: T | None, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        return self.func.__get__(obj, objtype)

    def __repr__(self) -> str:
        owner = self.owner.__name__ if self.owner is not None else "?"
        return f"<operation {owner}.{self.name}{' (journaled)' if self.journaled else ''}>"


# Every declared operation, by name: what the driver accepts and the journal replays.
REGISTRY: dict[str, Operation[Any, Any, Any]] = {}


def operation(
    *, journaled: bool = False, replay_only: bool = False
) -> Callable[[Callable[Concatenate[T, P], R]], Operation[T, P, R]]:
    """Mark a method as an operation clients may call; `journaled` ones change state, so
    the driver commits them to the journal before it answers. A `replay_only` one is
    journaled in place of another (login journals the session it opened, never the
    password) and only the journal's replay may call it."""

    def mark(func: Callable[Concatenate[T, P], R]) -> Operation[T, P, R]:
        return Operation(func, journaled, replay_only)

    return mark


def registered(op: object) -> Operation[Any, Any, Any]:
    """`op` itself if it is a declared operation; otherwise an error naming it."""
    if isinstance(op, Operation) and REGISTRY.get(op.name) is op and not op.replay_only:
        return op
    raise InvalidInput(f"operation: {op!r} is not an operation of the server")


def replayable(name: str) -> Operation[Any, Any, Any]:
    """The journaled operation a journal entry names (KeyError if none is)."""
    op = REGISTRY.get(name)
    if op is None or not op.journaled:
        raise KeyError(f"'{name}' is not a journaled operation")
    return op
