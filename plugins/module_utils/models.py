# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ProActive variable models (``PA:Integer``, ``PA:List(a,b)``...): check values early.

A value the server would refuse is caught here, before a job is submitted, with the
variable's name in the message. Model names are case-insensitive, as in ProActive; a
trailing ``?`` makes a model optional (empty allowed); numeric models may carry a range
``PA:Integer[min,max]``. Values holding ``$NAME`` or ``${...}`` references are resolved by
the server later and are not checked. Models this module does not know are not checked.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

try:
    from urllib.parse import urlsplit
except ImportError:  # Python 2
    from urlparse import urlsplit  # type: ignore

MASK = "********"
SECRET_MODELS = frozenset(["HIDDEN", "CREDENTIAL"])

_HEAD = re.compile(r"^PA:\s*([A-Za-z_]+)(.*)$", re.IGNORECASE | re.DOTALL)
_RANGE = re.compile(r"^\[\s*([^,\]]*?)\s*(?:,\s*([^,\]]*?)\s*)?\]$")
_INTEGER_TEXT = re.compile(r"^[+-]?[0-9]+$")
# What Java's Double.parseDouble accepts (blanks trimmed, f/d suffixes allowed).
_DECIMAL_TEXT = re.compile(
    r"^\s*[+-]?(?:NaN|Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?)\s*$"
)
_REFERENCE = re.compile(r"\$(?:\{[^}]*\}|[A-Za-z_])")
# Names that say "secret": PASSWORD, DB_PASSWD, API_TOKEN, CLIENT_SECRET, SSH_KEY, APIKEY...
_SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|CREDENTIAL|(?:^|[_.-])PWD(?:$|[_.-])"
    r"|KEY(?:$|[_.-])"
)

# keyword -> (type name in messages, Java bounds or None, integral)
_NUMERIC = {
    "INTEGER": ("an Integer", (-(2**31), 2**31 - 1), True),
    "SHORT": ("a Short", (-(2**15), 2**15 - 1), True),
    "LONG": ("a Long", (-(2**63), 2**63 - 1), True),
    "FLOAT": ("a Float", None, False),
    "DOUBLE": ("a Double", None, False),
}
# Kinds that refuse an empty value unless optional ("PA:Integer?").
_TYPED = frozenset(list(_NUMERIC) + ["BOOLEAN", "LIST", "URL", "JSON", "REGEXP"])


def to_wire(value):
    """A variable value as PSA carries it: always a string (booleans as true/false)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def has_references(value):
    """True if the value holds ``$NAME`` or ``${...}`` for the server to resolve."""
    return bool(_REFERENCE.search(value or ""))


_NAMED_REFERENCE = re.compile(r"\$(?:\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
# Nested references resolve in a few rounds; a cycle stops here, left unresolved.
_MAX_ROUNDS = 10


def _reference_name(match):
    return match.group(1) if match.group(1) is not None else match.group(2)


def resolve_references(value, variables):
    """``value`` with its ``$NAME`` and ``${NAME}`` references replaced from ``variables``
    (nested ones too), or None when one cannot be: it names a variable ``variables`` lacks
    (``$PA_JOB_ID``, a system variable) or a cycle."""
    for _round in range(_MAX_ROUNDS):
        names = [_reference_name(m) for m in _NAMED_REFERENCE.finditer(value or "")]
        if not names:
            return value
        if any(name not in variables for name in names):
            return None
        value = _NAMED_REFERENCE.sub(lambda m: str(variables[_reference_name(m)]), value)
    return None


class VariableModel:
    """One parsed model; ``check(value)`` says why a value is refused, or None."""

    def __init__(self, raw):
        self.raw = (raw or "").strip()
        self.keyword = None
        self.optional = False
        self.options = ()
        self.pattern = None
        self._full_pattern = None
        self.minimum = None
        self.maximum = None
        self.known = True
        head = _HEAD.match(self.raw)
        if head is None:
            self.known = not self.raw
            return
        self.keyword = head.group(1).upper()
        rest = head.group(2).strip()
        if rest.endswith("?"):
            self.optional = True
            rest = rest[:-1].rstrip()
        try:
            self._parse_arguments(rest)
        except (ValueError, re.error):
            self.known = False

    def _parse_arguments(self, rest):
        if self.keyword in _NUMERIC:
            _name, bounds, integral = _NUMERIC[self.keyword]
            self.minimum, self.maximum = _parse_range(rest, integral)
            if bounds is not None:
                self.minimum = bounds[0] if self.minimum is None else max(self.minimum, bounds[0])
                self.maximum = bounds[1] if self.maximum is None else min(self.maximum, bounds[1])
        elif self.keyword == "LIST":
            self.options = tuple(item.strip() for item in _parenthesised(rest).split(","))
        elif self.keyword == "REGEXP":
            self.pattern = _parenthesised(rest)
            self._full_pattern = re.compile("(?:%s)\\Z" % self.pattern)
        elif (
            self.keyword in ("BOOLEAN", "URL", "JSON", "NOT_EMPTY_STRING")
            or self.keyword in SECRET_MODELS
        ):
            if rest:
                raise ValueError(rest)
        else:
            self.known = False  # CATALOG_OBJECT, SPEL, dates...: the server checks them

    @property
    def is_secret(self):
        return self.keyword in SECRET_MODELS

    def check(self, value):
        """Why ``value`` (a string) is refused, or None when the model accepts it."""
        if not self.known or self.keyword is None or has_references(value):
            return None
        if value == "" or (self.keyword == "NOT_EMPTY_STRING" and not value.strip()):
            if self.keyword == "NOT_EMPTY_STRING":
                return "an empty value is not allowed"
            if self.keyword in _TYPED and not self.optional and "" not in self.options:
                return "an empty value is not allowed"
            return None
        if self.keyword in _NUMERIC:
            return self._check_number(value)
        if self.keyword == "BOOLEAN":
            if value.lower() in ("true", "false"):
                return None
            return "%r is not a Boolean (true or false)" % value
        if self.keyword == "LIST":
            if value in self.options:
                return None
            return "%r is not one of %s" % (value, ", ".join(repr(o) for o in self.options))
        if self.keyword == "REGEXP":
            if self._full_pattern.match(value):
                return None
            return "%r does not match the regular expression %r" % (value, self.pattern)
        if self.keyword == "URL":
            return _check_url(value)
        if self.keyword == "JSON":
            try:
                json.loads(value)
            except ValueError as error:
                return "%r is not valid JSON (%s)" % (value, error)
        return None

    def _check_number(self, value):
        type_name, _bounds, integral = _NUMERIC[self.keyword]
        if not (_INTEGER_TEXT if integral else _DECIMAL_TEXT).match(value):
            return "%r is not %s" % (value, type_name)
        number = int(value) if integral else _java_float(value)
        if self.minimum is not None and number < self.minimum:
            return "%r is below the minimum %s" % (value, self.minimum)
        if self.maximum is not None and number > self.maximum:
            return "%r is above the maximum %s" % (value, self.maximum)
        return None


def _parenthesised(rest):
    """Everything between the first '(' and the last ')': a regexp may hold both."""
    if not (rest.startswith("(") and rest.endswith(")")):
        raise ValueError(rest)
    return rest[1:-1]


def _parse_range(rest, integral):
    if not rest:
        return None, None
    match = _RANGE.match(rest)
    if match is None:
        raise ValueError(rest)
    bounds = []
    for text in match.groups():
        if not text:
            bounds.append(None)
        elif not (_INTEGER_TEXT if integral else _DECIMAL_TEXT).match(text):
            raise ValueError(text)
        else:
            bounds.append(int(text) if integral else _java_float(text))
    return bounds[0], bounds[1]


def _java_float(text):
    return float(text.strip().rstrip("fFdD"))


def _check_url(value):
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is not None and parts.scheme and parts.netloc:
        return None
    return "%r is not a URL (it needs a scheme and a host, e.g. http://host:port)" % value


def validate_variables(values, models, workflow=None):
    """Messages for the values their model refuses, each naming the variable.

    ``values``: {name: string}; ``models``: {name: model text} of the workflow's
    declared variables. Names the workflow does not declare are not checked here.
    """
    problems = []
    for name in sorted(values):
        if name not in models:
            continue
        model = VariableModel(models[name])
        reason = model.check(values[name])
        if reason:
            where = " of workflow %s" % workflow if workflow else ""
            problems.append("variable %s%s: %s (model %s)" % (name, where, reason, model.raw))
    return problems


def secret_names(models):
    """Names of the variables whose model is HIDDEN or CREDENTIAL."""
    return sorted(name for name, raw in models.items() if VariableModel(raw).is_secret)


def looks_secret(name):
    """True if a variable's name says it holds a secret (DB_PASSWORD, API_TOKEN, SSH_KEY)."""
    return bool(_SECRET_NAME.search(str(name).upper()))


def mask_secrets(variables, secrets):
    """A copy of ``variables`` with the non-empty secret values replaced by a mask.

    Secret: named in ``secrets`` (models HIDDEN/CREDENTIAL, secret_variables) or by a
    name that says so (``looks_secret``).
    """
    if not isinstance(variables, dict):
        return variables
    masked = dict(variables)
    for name, value in variables.items():
        if value and (name in secrets or looks_secret(name)):
            masked[name] = MASK
    return masked
