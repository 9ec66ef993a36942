"""The ``pca.states`` generic information: which state a workflow moves an instance to.

Grammar: ``(FROM,TO)`` repeated, nothing but whitespace between, around names and around
parentheses. A state name is non-empty and holds no ``(``, ``)``, ``,`` or whitespace.
Names are compared exactly: real services mix case (``LaBSGUI_DEPLOYED``).
Positions in error messages count characters from 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NoReturn

from psa_sim.catalog.errors import CatalogError
from psa_sim.states import ALL, VOID

# A target that an instance can never be moved to by a workflow.
_FORBIDDEN_TARGETS = (ALL, VOID)
_NAME_STOPS = frozenset("(),")
_SNIPPET_LENGTH = 20


@dataclass(frozen=True, slots=True)
class Transition:
    from_state: str
    to_state: str


def is_state_name(text: str) -> bool:
    """True for text usable as a state name (so never a transitioning label)."""
    return bool(text) and not any(c in _NAME_STOPS or c.isspace() for c in text)


def format_pca_states(transitions: Iterable[Transition | tuple[str, str]]) -> str:
    """The canonical pca.states text: ``(A,B)(C,D)``."""
    pairs = (t if isinstance(t, Transition) else Transition(*t) for t in transitions)
    return "".join(f"({t.from_state},{t.to_state})" for t in pairs)


def parse_pca_states(text: str) -> tuple[Transition, ...]:
    """Parse a pca.states value; raise CatalogError naming the offending text and position.

    A pair repeated verbatim is kept once; one FROM leading to two targets is refused
    because an action must be deterministic (PSA user guide, 1.1).
    """
    if not isinstance(text, str):
        raise CatalogError(f"pca.states: expected text, got {text!r}")
    scanner = _Scanner(text)
    transitions: list[Transition] = []
    target_of: dict[str, str] = {}
    scanner.skip_space()
    if scanner.at_end():
        raise CatalogError(f"pca.states: no transition in {text!r}, expected (FROM,TO)...")
    while not scanner.at_end():
        scanner.expect("(")
        from_state = scanner.name("source state")
        scanner.expect(",")
        scanner.skip_space()
        to_position = scanner.position
        to_state = scanner.name("target state")
        scanner.expect(")")
        scanner.skip_space()
        if to_state in _FORBIDDEN_TARGETS:
            raise CatalogError(
                f"pca.states: '{to_state}' cannot be a target state "
                f"(position {to_position + 1} in {text!r})"
            )
        known_target = target_of.get(from_state)
        if known_target is None:
            target_of[from_state] = to_state
            transitions.append(Transition(from_state, to_state))
        elif known_target != to_state:
            raise CatalogError(
                f"pca.states: state '{from_state}' leads to both '{known_target}' and "
                f"'{to_state}' in {text!r}; one source state must have one target"
            )
    return tuple(transitions)


class _Scanner:
    """A cursor over the pca.states text that reports errors with their position."""

    def __init__(self, text: str):
        self.text = text
        self.position = 0

    def at_end(self) -> bool:
        return self.position >= len(self.text)

    def skip_space(self) -> None:
        while not self.at_end() and self.text[self.position].isspace():
            self.position += 1

    def expect(self, char: str) -> None:
        self.skip_space()
        if self.at_end():
            raise CatalogError(f"pca.states: missing '{char}' at the end of {self.text!r}")
        if self.text[self.position] != char:
            self.fail(f"expected '{char}'")
        self.position += 1

    def name(self, what: str) -> str:
        self.skip_space()
        start = self.position
        while not self.at_end():
            char = self.text[self.position]
            if char in _NAME_STOPS or char.isspace():
                break
            self.position += 1
        if self.position == start:
            if self.at_end():
                raise CatalogError(f"pca.states: missing {what} at the end of {self.text!r}")
            self.fail(f"expected a {what}")
        return self.text[start : self.position]

    def fail(self, expectation: str) -> NoReturn:
        snippet = self.text[self.position : self.position + _SNIPPET_LENGTH]
        if self.position + _SNIPPET_LENGTH < len(self.text):
            snippet += "..."
        raise CatalogError(
            f"pca.states: unexpected text {snippet!r} at position {self.position + 1} "
            f"in {self.text!r} ({expectation})"
        )
