"""Reading a YAML document node by node, so that every complaint names a line.

``yaml.load`` gives plain Python values and forgets where they came from; this module
composes the document with the safe loader (``yaml.compose``) and walks the node graph,
recording the line of every key and list item under its *key path*
(``workloads[0].actions[1].after``) and raising errors of the form::

    <source>: line 7: workloads[0].arrivals_per_hour: 'lots' is not a number

Only plain YAML is accepted: mappings, sequences and the standard scalars (strings,
integers, floats, booleans, null; an implicit date is read back as its text). Any other
tag -- ``!!python/object``, ``!!binary``, ``!!set``, ``!custom`` -- is an error, as are
duplicate keys (which ``yaml.load`` silently lets the last one win). Merge keys
(``<<: *defaults``) are honoured; keys written next to them take precedence.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import NoReturn

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from psa_sim.errors import InvalidInput

__all__ = ["PositionedError", "YamlDocument", "join_index", "join_key"]

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
_TIMESTAMP, _MAP, _SEQ, _MERGE = (_TAG + t for t in ("timestamp", "map", "seq", "merge"))
_SCALAR_TAGS = frozenset({_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP})
_CONSTRUCTOR = SafeConstructor()


class PositionedError(InvalidInput):
    """Bad input found at ``line`` (1-based; ``None`` when unknown) under key ``path``.

    ``str(error)`` is ``"<source>: line <line>[, column <column>]: <path>: <detail>"``; the
    line part is left out when unknown and the path part when it is empty (the document).
    """

    def __init__(
        self,
        source: str,
        line: int | None,
        path: str,
        detail: str,
        column: int | None = None,
    ) -> None:
        self.source = source
        self.line = line
        self.column = column
        self.path = path
        self.detail = detail
        parts = [source]
        if line is not None:
            parts.append(f"line {line}" + (f", column {column}" if column is not None else ""))
        if path:
            parts.append(path)
        parts.append(detail)
        super().__init__(": ".join(parts))


def join_key(path: str, key: str) -> str:
    """``join_key("cluster", "node_sources") == "cluster.node_sources"``."""
    return f"{path}.{key}" if path else key


def join_index(path: str, index: int) -> str:
    """``join_index("workloads", 0) == "workloads[0]"``."""
    return f"{path}[{index}]"


def line_of(node: Node) -> int:
    """The 1-based line where ``node`` starts."""
    return node.start_mark.line + 1


def _quote_list(names: Iterable[str]) -> str:
    return ", ".join(names)


class YamlDocument:
    """One YAML document, composed, with helpers that check shapes and record positions.

    ``root`` is the document's node (``None`` for an empty document). ``positions`` maps
    every key path read so far to the line of its key (mapping entries) or of the item
    (list items); the document itself is ``""``.
    """

    def __init__(
        self,
        text: str,
        source: str,
        error: type[PositionedError] = PositionedError,
    ) -> None:
        self.source = source
        self.error = error
        self.positions: dict[str, int] = {}
        try:
            self.root: Node | None = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            detail = f"YAML syntax error: {exc.problem or exc.context}"
            if exc.context and exc.problem:
                if exc.context.startswith("while") and exc.context_mark is not None:
                    detail += f" ({exc.context} at line {exc.context_mark.line + 1})"
                else:  # the composer's "expected a single document ..., but found ..."
                    detail = f"YAML syntax error: {exc.context}, {exc.problem}"
            if mark is None:  # pragma: no cover - PyYAML always gives one of the marks
                raise error(source, None, "", detail) from None
            raise error(source, mark.line + 1, "", detail, column=mark.column + 1) from None
        except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
            raise error(source, None, "", f"not a YAML document: {exc}") from None
        if self.root is not None:
            self.positions[""] = line_of(self.root)

    # -- errors -----------------------------------------------------------------------

    def fail(self, at: Node | int | None, path: str, detail: str) -> NoReturn:
        """Raise the document's error at a node, a line, or the path's recorded line."""
        if isinstance(at, Node):
            line: int | None = line_of(at)
        elif at is None:
            line = self.positions.get(path)
        else:
            line = at
        raise self.error(self.source, line, path, detail)

    @staticmethod
    def show(node: Node) -> str:
        """The value as written, for messages: strings quoted, other scalars verbatim."""
        if isinstance(node, MappingNode):
            return "a mapping"
        if isinstance(node, SequenceNode):
            return "a list"
        if node.tag == _STR:
            return repr(node.value)
        if node.tag == _NULL:
            return "an empty value" if node.value in ("", "~") else node.value
        return str(node.value)

    def _check_tag(self, node: Node, path: str) -> None:
        expected = (
            _MAP
            if isinstance(node, MappingNode)
            else _SEQ
            if isinstance(node, SequenceNode)
            else None
        )
        allowed = node.tag == expected if expected else node.tag in _SCALAR_TAGS
        if not allowed:
            self.fail(
                node,
                path,
                f"the tag {node.tag.replace(_TAG, '!!')!r} is not allowed "
                "(write plain YAML: mappings, lists, strings, numbers, booleans)",
            )

    # -- shapes -----------------------------------------------------------------------

    def mapping(
        self,
        node: Node,
        path: str,
        allowed: Sequence[str] | None,
        required: Sequence[str] = (),
        what: str = "a mapping",
    ) -> dict[str, tuple[Node, Node]]:
        """The entries of a mapping node as ``{key: (key node, value node)}`` in order.

        Keys are taken as written (``ON: 1`` has the key ``"ON"``, not ``True``); each key
        path's line is recorded. ``allowed=None`` accepts any key (e.g. variables);
        otherwise an unknown key is an error listing the allowed ones. A missing
        ``required`` key is an error at the mapping's line; so is a required key whose
        value is empty (null).
        """
        self._check_tag(node, path)
        if not isinstance(node, MappingNode):
            self.fail(node, path, f"{self.show(node)} where {what} is expected")
        entries: dict[str, tuple[Node, Node]] = {}
        merged: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                for source in self._merge_sources(value_node, path):
                    for key, pair in self.mapping(source, path, allowed, (), what).items():
                        merged.setdefault(key, pair)
                continue
            self._check_tag(key_node, path)
            if not isinstance(key_node, ScalarNode):
                self.fail(key_node, path, f"{self.show(key_node)} cannot be a key")
            key = key_node.value
            key_path = join_key(path, key)
            if key in entries:
                self.fail(
                    key_node,
                    key_path,
                    f"duplicate key {key!r} (first at line {line_of(entries[key][0])})",
                )
            if allowed is not None and key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.fail(
                    key_node,
                    key_path,
                    f"unknown key {key!r} ({hint}allowed keys: {_quote_list(allowed)})",
                )
            entries[key] = (key_node, value_node)
        for key, pair in merged.items():
            entries.setdefault(key, pair)
        for key, (key_node, _) in entries.items():
            self.positions[join_key(path, key)] = line_of(key_node)
        for key in required:
            if key not in entries:
                self.fail(node, path, f"missing required key {key!r}")
            value_node = entries[key][1]
            if value_node.tag == _NULL:
                self.fail(value_node, join_key(path, key), "is required but its value is empty")
        return entries

    def _merge_sources(self, node: Node, path: str) -> list[Node]:
        if isinstance(node, SequenceNode):
            sources = list(node.value)
        else:
            sources = [node]
        for source in sources:
            if not isinstance(source, MappingNode):
                self.fail(
                    source, path, f"a merge key (<<) needs a mapping, not {self.show(source)}"
                )
        return sources

    def sequence(self, node: Node, path: str, what: str = "a list") -> list[Node]:
        """The items of a list node; each item's line is recorded under ``path[i]``."""
        self._check_tag(node, path)
        if not isinstance(node, SequenceNode):
            self.fail(node, path, f"{self.show(node)} where {what} is expected")
        for index, item in enumerate(node.value):
            self.positions[join_index(path, index)] = line_of(item)
        return list(node.value)

    def scalar(self, node: Node, path: str, what: str = "a single value") -> object:
        """The Python value of a scalar: ``str``, ``int``, ``float``, ``bool`` or ``None``.

        An implicit date (``2024-01-01``) comes back as its text.
        """
        self._check_tag(node, path)
        if not isinstance(node, ScalarNode):
            self.fail(node, path, f"{self.show(node)} where {what} is expected")
        if node.tag in (_STR, _TIMESTAMP):
            return node.value
        # The tag's constructor directly: construct_object() would cache every node forever.
        return _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)

    @staticmethod
    def is_null(node: Node) -> bool:
        """Whether the node is YAML's empty value (``~``, ``null`` or nothing)."""
        return node.tag == _NULL
