"""Workflow variables and their ProActive models (``PA:Integer``, ``PA:List(a,b)``...).

A model constrains the values a variable accepts. Model names are case-insensitive, as in
ProActive; a trailing ``?`` (``PA:Integer?``) makes a typed model optional (empty allowed);
numeric models may carry a range (``PA:Integer[1,65535]``, ``PA:Integer[1]``).
A model the simulator does not understand is never an error: its values are treated as
plain strings, and ``VariableModel.problem`` says why (workflow validation warns about it).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from psa_sim.catalog.references import has_references

MISSING = "required but missing"

STRING = "string"
INTEGER = "integer"
LONG = "long"
BOOLEAN = "boolean"
FLOAT = "float"
DOUBLE = "double"
LIST = "list"
NOT_EMPTY_STRING = "not_empty_string"
REGEXP = "regexp"
URL = "url"
JSON = "json"
HIDDEN = "hidden"
CREDENTIAL = "credential"
OTHER = "other"

# Kinds whose value must be non-empty unless the model is optional ("PA:Integer?").
_TYPED_KINDS = frozenset({INTEGER, LONG, BOOLEAN, FLOAT, DOUBLE, LIST, URL, JSON, REGEXP})
_SECRET_KINDS = frozenset({HIDDEN, CREDENTIAL})

# Model keyword (upper case) -> kind, for models without arguments.
_PLAIN_KEYWORDS = {
    "BOOLEAN": BOOLEAN,
    "URL": URL,
    "JSON": JSON,
    "NOT_EMPTY_STRING": NOT_EMPTY_STRING,
    "HIDDEN": HIDDEN,
    "CREDENTIAL": CREDENTIAL,
}
# Numeric keyword -> (kind, Java bounds of the type or None, integral?).
_NUMERIC_KEYWORDS = {
    "INTEGER": (INTEGER, (-(2**31), 2**31 - 1), True),
    "SHORT": (INTEGER, (-(2**15), 2**15 - 1), True),
    "LONG": (LONG, (-(2**63), 2**63 - 1), True),
    "FLOAT": (FLOAT, None, False),
    "DOUBLE": (DOUBLE, None, False),
}
# Real ProActive models whose values the simulator does not check (catalog lookups,
# SpEL expressions, dates, files...): accepted as plain strings without a warning.
_UNCHECKED_KEYWORDS = frozenset(
    {
        "CATALOG_OBJECT",
        "MODEL_FROM_URL",
        "SPEL",
        "CRON",
        "DATETIME",
        "URI",
        "GLOBAL_FILE",
        "USER_FILE",
        "GLOBAL_FOLDER",
        "USER_FOLDER",
    }
)

_MODEL_HEAD = re.compile(r"PA:\s*([A-Za-z_]+)(.*)\Z", re.IGNORECASE | re.DOTALL)
_RANGE = re.compile(r"\[\s*([^,\]]*?)\s*(?:,\s*([^,\]]*?)\s*)?\]\Z")
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+\Z")
# What Java's Double.parseDouble accepts (it trims blanks; f/d suffixes are allowed).
_DECIMAL_TEXT = re.compile(
    r"\s*[+-]?(?:NaN|Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?)\s*\Z"
)
_TYPE_NAMES = {INTEGER: "an Integer", LONG: "a Long", FLOAT: "a Float", DOUBLE: "a Double"}


@dataclass(frozen=True, slots=True)
class VariableModel:
    raw: str | None
    kind: str = STRING
    options: tuple[str, ...] = ()  # PA:List choices, trimmed, in order
    pattern: str | None = None  # PA:REGEXP expression (full match)
    minimum: int | float | None = None  # numeric range, inclusive
    maximum: int | float | None = None
    optional: bool = False  # trailing "?": an empty value is allowed
    problem: str | None = None  # why the model text is not understood (values unchecked)

    @property
    def is_secret(self) -> bool:
        return self.kind in _SECRET_KINDS

    @property
    def is_required(self) -> bool:
        """True if an empty value is refused."""
        if self.kind == NOT_EMPTY_STRING:
            return True  # ProActive never lets this one be optional
        if self.kind not in _TYPED_KINDS or self.optional:
            return False
        return not (self.kind == LIST and "" in self.options)

    @property
    def is_known(self) -> bool:
        return self.problem is None

    def validate(self, value: str) -> str | None:
        """The reason the value is refused, or None if the model accepts it."""
        if value == "" or (self.kind == NOT_EMPTY_STRING and not value.strip()):
            return MISSING if self.is_required else None
        checker = _CHECKERS.get(self.kind)
        return checker(self, value) if checker else None


def parse_model(raw: str | None) -> VariableModel:
    """The model of a ``model="..."`` attribute; lenient (see module docstring)."""
    text = (raw or "").strip()
    if not text:
        return VariableModel(raw=None)
    head = _MODEL_HEAD.match(text)
    if head is None:
        return VariableModel(
            raw=text, kind=OTHER, problem="unknown variable model (expected PA:...)"
        )
    keyword, rest = head.group(1).upper(), head.group(2).strip()
    optional = rest.endswith("?")
    if optional:
        rest = rest[:-1].rstrip()
    try:
        return _parse_keyword(text, keyword, rest, optional)
    except _UnreadableModel as unreadable:
        return VariableModel(raw=text, kind=OTHER, problem=str(unreadable))


class _UnreadableModel(Exception):
    pass


def _parse_keyword(text: str, keyword: str, rest: str, optional: bool) -> VariableModel:
    if keyword in _PLAIN_KEYWORDS:
        _expect_nothing_after(keyword, rest)
        return VariableModel(raw=text, kind=_PLAIN_KEYWORDS[keyword], optional=optional)
    if keyword in _NUMERIC_KEYWORDS:
        kind, type_bounds, integral = _NUMERIC_KEYWORDS[keyword]
        minimum, maximum = _parse_range(keyword, rest, integral)
        if type_bounds is not None:
            minimum = type_bounds[0] if minimum is None else max(minimum, type_bounds[0])
            maximum = type_bounds[1] if maximum is None else min(maximum, type_bounds[1])
        return VariableModel(
            raw=text, kind=kind, minimum=minimum, maximum=maximum, optional=optional
        )
    if keyword == "LIST":
        items = _parenthesised(keyword, rest).split(",")
        return VariableModel(
            raw=text, kind=LIST, options=tuple(i.strip() for i in items), optional=optional
        )
    if keyword == "REGEXP":
        pattern = _parenthesised(keyword, rest)
        try:
            _compiled(pattern)
        except re.error as error:
            raise _UnreadableModel(
                f"regular expression {pattern!r} does not compile: {error}"
            ) from None
        return VariableModel(raw=text, kind=REGEXP, pattern=pattern, optional=optional)
    if keyword in _UNCHECKED_KEYWORDS:
        return VariableModel(raw=text, kind=OTHER, optional=optional)
    raise _UnreadableModel(f"unknown variable model 'PA:{keyword}'")


def _expect_nothing_after(keyword: str, rest: str) -> None:
    if rest:
        raise _UnreadableModel(f"unexpected text {rest!r} after PA:{keyword}")


def _parenthesised(keyword: str, rest: str) -> str:
    """Everything between the first '(' and the last ')': a regexp may hold both."""
    if not rest.startswith("(") or not rest.endswith(")"):
        raise _UnreadableModel(f"PA:{keyword} expects (...), got {rest!r}")
    return rest[1:-1]


def _parse_range(
    keyword: str, rest: str, integral: bool
) -> tuple[int | float | None, int | float | None]:
    if not rest:
        return None, None
    match = _RANGE.match(rest)
    if match is None:
        raise _UnreadableModel(f"unexpected text {rest!r} after PA:{keyword} (expected [min,max])")
    minimum = _bound(keyword, match.group(1), integral)
    maximum = _bound(keyword, match.group(2), integral)
    if minimum is not None and maximum is not None and minimum > maximum:
        raise _UnreadableModel(f"PA:{keyword} range {rest!r} has its minimum above its maximum")
    return minimum, maximum


def _bound(keyword: str, text: str | None, integral: bool) -> int | float | None:
    if not text:
        return None
    pattern = _INTEGER_TEXT if integral else _DECIMAL_TEXT
    if not pattern.match(text):
        raise _UnreadableModel(f"PA:{keyword} range bound {text!r} is not a number")
    return int(text) if integral else _java_float(text)


def _java_float(text: str) -> float:
    return float(text.strip().rstrip("fFdD"))


@functools.lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def _check_number(model: VariableModel, value: str) -> str | None:
    integral = model.kind in (INTEGER, LONG)
    if not (_INTEGER_TEXT if integral else _DECIMAL_TEXT).match(value):
        return f"{value!r} is not {_TYPE_NAMES[model.kind]}"
    number = int(value) if integral else _java_float(value)
    if model.minimum is not None and number < model.minimum:
        return f"{value!r} is below the minimum {model.minimum}"
    if model.maximum is not None and number > model.maximum:
        return f"{value!r} is above the maximum {model.maximum}"
    return None


def _check_boolean(model: VariableModel, value: str) -> str | None:
    if value.lower() in ("true", "false"):
        return None
    return f"{value!r} is not a Boolean (true or false)"


def _check_list(model: VariableModel, value: str) -> str | None:
    if value in model.options:
        return None
    return f"{value!r} is not one of {', '.join(repr(o) for o in model.options)}"


def _check_regexp(model: VariableModel, value: str) -> str | None:
    if _compiled(model.pattern).fullmatch(value):
        return None
    return f"{value!r} does not match the regular expression {model.pattern!r}"


def _check_url(model: VariableModel, value: str) -> str | None:
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts and parts.scheme and parts.netloc:
        return None
    return f"{value!r} is not a URL (it needs a scheme and a host, e.g. http://host:port)"


def _check_json(model: VariableModel, value: str) -> str | None:
    try:
        json.loads(value)
    except ValueError as error:
        return f"{value!r} is not valid JSON ({error})"
    return None


_CHECKERS = {
    INTEGER: _check_number,
    LONG: _check_number,
    FLOAT: _check_number,
    DOUBLE: _check_number,
    BOOLEAN: _check_boolean,
    LIST: _check_list,
    REGEXP: _check_regexp,
    URL: _check_url,
    JSON: _check_json,
    # not_empty_string: only emptiness matters, handled in validate()
}


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    value: str
    model: VariableModel
    description: str = ""
    group: str = ""
    advanced: bool = False
    hidden: bool = False  # hidden in the submission form, which does not make it secret

    @property
    def is_secret(self) -> bool:
        return self.model.is_secret


@dataclass(frozen=True, slots=True)
class VariableProblem:
    name: str
    value: str | None  # None when the value is missing/empty
    model: str | None
    message: str

    def __str__(self) -> str:
        text = f"variable {self.name}: {self.message}"
        if self.model and self.value:
            text += f" (model {self.model})"
        return text


def check_variables(
    declared: Sequence[Variable], values: Mapping[str, str]
) -> list[VariableProblem]:
    """The declared variables whose effective value their model refuses, in declaration order.

    Values for undeclared names are fine (PSA merges arbitrary variables). A value still
    holding a ``$REF``/``${...}`` reference is not checked: it is resolved later.
    """
    problems = []
    for variable in declared:
        value = values.get(variable.name, variable.value)
        if value is None:
            value = ""
        if has_references(value):
            continue
        message = variable.model.validate(value)
        if message:
            problems.append(
                VariableProblem(variable.name, value or None, variable.model.raw, message)
            )
    return problems
