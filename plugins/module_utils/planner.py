# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A service's state graph, read from its workflows' ``pca.states``, and path planning.

``pca.states`` is ``(FROM,TO)`` repeated. ``VOID`` as FROM marks an activation (it starts
an instance), ``ALL`` as FROM matches any state but VOID. State names are compared
exactly: real services mix case (``LaBSGUI_DEPLOYED``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from collections import deque

VOID = "VOID"
ALL = "ALL"
FINISHED = "FINISHED"
KILLED = "KILLED"
ERROR = "ERROR"
# An instance in one of these states is over: no action moves it any more.
ENDED_STATES = frozenset([FINISHED, KILLED])
PREDEFINED_STATES = (VOID, FINISHED, ERROR, KILLED)
TRANSITION_SEPARATOR = " -> "

_PAIR = re.compile(r"\s*\(\s*([^(),\s]+)\s*,\s*([^(),\s]+)\s*\)\s*")
_SNIPPET = 30


class StatesSyntaxError(ValueError):
    """A pca.states value that does not follow the grammar; the message shows where."""


class PlanError(Exception):
    """The target cannot be reached; ``reachable`` lists the states that can."""

    def __init__(self, message, reachable=None, executable=None):
        super(PlanError, self).__init__(message)
        self.reachable = reachable or []
        self.executable = executable or []


def parse_pca_states(text):
    """The (FROM, TO) pairs of a pca.states value, or StatesSyntaxError naming the text."""
    if not isinstance(text, str) or not text.strip():
        raise StatesSyntaxError(
            "pca.states %r holds no transition: expected (FROM,TO)..." % (text,)
        )
    pairs = []
    targets = {}
    position = 0
    while position < len(text):
        match = _PAIR.match(text, position)
        if match is None or match.end() == position:
            snippet = text[position : position + _SNIPPET]
            raise StatesSyntaxError(
                "pca.states %r is not (FROM,TO) repeated: unexpected text %r at position %d"
                % (text, snippet, position + 1)
            )
        from_state, to_state = match.group(1), match.group(2)
        if to_state in (VOID, ALL):
            raise StatesSyntaxError("pca.states %r: %s cannot be a target state" % (text, to_state))
        if targets.get(from_state, to_state) != to_state:
            raise StatesSyntaxError(
                "pca.states %r: %s leads to both %s and %s (one FROM, one TO)"
                % (text, from_state, targets[from_state], to_state)
            )
        if from_state not in targets:
            targets[from_state] = to_state
            pairs.append((from_state, to_state))
        position = match.end()
    return pairs


def is_transitioning(status):
    """True for an instance_status such as ``VOID -> RUNNING``."""
    return TRANSITION_SEPARATOR in (status or "")


def split_transition(status):
    """(from, to) of a transitioning status, (status, status) for a settled one."""
    if is_transitioning(status):
        from_state, to_state = status.split(TRANSITION_SEPARATOR, 1)
        return from_state.strip(), to_state.strip()
    return status, status


class StateGraph:
    """The transitions of one service: workflow name -> {FROM: TO}."""

    def __init__(self, transitions):
        """``transitions``: {workflow name: [(FROM, TO), ...] or {FROM: TO}}."""
        self._targets = {}
        for name, pairs in transitions.items():
            self._targets[name] = dict(pairs.items() if isinstance(pairs, dict) else pairs)
        self._names = sorted(self._targets)

    @property
    def workflows(self):
        return list(self._names)

    def target_of(self, workflow, state):
        """The state ``workflow`` leads to from ``state``, or None if it does not apply.

        An exact FROM wins over ALL; ALL never applies to VOID (it would make any action
        an activation) nor to a transitioning status (no action runs during one).
        """
        targets = self._targets.get(workflow, {})
        if state in targets:
            return targets[state]
        if state == VOID or is_transitioning(state):
            return None
        return targets.get(ALL)

    def actions_from(self, state):
        """[(workflow, TO)] executable from ``state``, sorted by workflow name."""
        actions = []
        for name in self._names:
            target = self.target_of(name, state)
            if target is not None:
                actions.append((name, target))
        return actions

    def activations(self):
        return [name for name, _target in self.actions_from(VOID)]

    def states(self):
        """Every state named by the workflows, and PSA's predefined ones, sorted."""
        names = set(PREDEFINED_STATES)
        for targets in self._targets.values():
            names.update(targets)
            names.update(targets.values())
        names.discard(ALL)
        return sorted(names)

    def as_dict(self):
        """FROM -> {workflow: TO}, ALL expanded, every known state a key."""
        return {state: dict(self.actions_from(state)) for state in self.states()}

    def reachable(self, start):
        """States reachable from ``start`` with at least one action, sorted."""
        return sorted(self._search(start))

    def plan(self, current, target):
        """The shortest chain of actions from ``current`` to ``target``.

        Returns [(workflow, FROM, TO)], empty when already there. Ties are broken by
        workflow name, so the same graph always gives the same plan. Ended states are
        never crossed: an instance that finished cannot be moved on.
        """
        if current == target:
            return []
        parents = self._search(current)
        if target not in parents:
            reachable = sorted(parents)
            executable = [name for name, _to in self.actions_from(current)]
            raise PlanError(
                "state %s cannot be reached from %s: reachable states: %s; actions "
                "executable from %s: %s"
                % (
                    target,
                    current,
                    ", ".join(reachable) or "none",
                    current,
                    ", ".join(executable) or "none",
                ),
                reachable=reachable,
                executable=executable,
            )
        steps = []
        state = target
        while state != current:
            previous, workflow = parents[state]
            steps.append((workflow, previous, state))
            state = previous
        steps.reverse()
        return steps

    def _search(self, start):
        """Breadth-first search: {state: (previous state, workflow)} for every state reached."""
        parents = {}
        queue = deque([start])
        seen = {start}
        while queue:
            state = queue.popleft()
            if state in ENDED_STATES and state != start:
                continue
            for workflow, target in self.actions_from(state):
                if target not in seen:
                    seen.add(target)
                    parents[target] = (state, workflow)
                    queue.append(target)
        return parents
