"""A sweep's plan: the options read, every combination checked, the runs listed.

``--seeds`` and ``--set`` are parsed here; each run becomes a :class:`SweepTask` (the
scenario as data, the overrides, the seed), plain data that pickles to any worker, which
turns it back into a scenario with :func:`scenario_with`.
"""

from __future__ import annotations

import copy
import itertools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from psa_sim.catalog import ServiceIndex, load_catalog
from psa_sim.errors import InvalidInput
from psa_sim.loadtest.scenario import (
    Scenario,
    ScenarioError,
    check_against_catalog,
    load_scenario,
    parse_scenario,
    scenario_to_dict,
)

# A --set value, as YAML reads a scalar, and a run's (key path, value) pairs.
Scalar = str | int | float | bool | None
Overrides = tuple[tuple[str, Scalar], ...]


class SweepError(InvalidInput):
    """A bad ``--seeds``, ``--set``, or executor option; the message names it."""


# -- reading the options ----------------------------------------------------------------

_RANGE = re.compile(r"\s*(\d+)\s*\.\.\s*(\d+)\s*")
_LIST = re.compile(r"\s*\d+\s*(,\s*\d+\s*)*")


def parse_seeds(text: str | None, default: int) -> list[int]:
    """``"1..20"`` (inclusive), ``"7"`` or ``"1,5,9"``; ``None`` gives ``[default]``."""
    if text is None:
        return [default]
    match = _RANGE.fullmatch(text)
    if match:
        low, high = int(match[1]), int(match[2])
        if low > high:
            raise SweepError(
                f"--seeds {text!r}: the range is empty ({low} is more "
                f"than {high}; write {high}..{low})"
            )
        return list(range(low, high + 1))
    if _LIST.fullmatch(text):
        seeds = [int(part) for part in text.split(",")]
        if len(set(seeds)) != len(seeds):
            raise SweepError(f"--seeds {text!r}: a seed is given twice")
        return seeds
    raise SweepError(
        f"--seeds {text!r} is not a seed range: write A..B (e.g. 1..20), "
        f"one seed (7) or a list (1,5,9) of whole numbers 0 or more"
    )


_KEY = r"[^.\[\]=\s]+"
_PATH = re.compile(rf"{_KEY}(?:\[\d+\])*(?:\.{_KEY}(?:\[\d+\])*)*")
_TOKEN = re.compile(rf"({_KEY})|\[(\d+)\]")


def path_tokens(path: str) -> list[str | int]:
    return [key if key else int(index) for key, index in _TOKEN.findall(path)]


def parse_set(text: str) -> tuple[str, list[Scalar]]:
    """``"KEY=V1,V2"`` → (``KEY``, the values read as YAML scalars).

    ``10`` gives 10, ``0.5`` 0.5, ``true`` True, ``null`` None, ``2m`` the string "2m".
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise SweepError(
            f"--set {text!r}: write KEY=V1,V2 (e.g. cluster.node_sources[0].nodes=10,20,40)"
        )
    if not _PATH.fullmatch(key):
        raise SweepError(
            f"--set {text!r}: {key!r} is not a key path (write keys joined "
            f"by dots, list items as [i]: workloads[0].arrivals_per_hour)"
        )
    if key == "seed":
        raise SweepError("--set seed: sweep seeds with --seeds A..B")
    if not raw.strip():
        raise SweepError(f"--set {key}: no value given")
    values: list[Scalar] = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            raise SweepError(f"--set {key}={raw}: an empty value")
        try:
            value = yaml.safe_load(part)
        except yaml.YAMLError:
            value = part
        if isinstance(value, (list, dict)):
            raise SweepError(
                f"--set {key}={raw}: {part!r} is not a single value (values are YAML scalars)"
            )
        if value is not None and not isinstance(value, (str, int, float, bool)):
            value = part  # a date or other implicit type: as written
        values.append(value)
    return key, values


def _describe(node: object) -> str:
    if isinstance(node, dict):
        return "its keys: " + (", ".join(map(str, node)) or "none")
    if isinstance(node, list):
        return f"it has {len(node)} item{'s' if len(node) != 1 else ''}"
    return f"it is the value {node!r}"


def _set_path(data: dict[str, Any], path: str, value: Scalar) -> None:
    """Set ``path`` in the scenario data; the path must exist up to its last part.

    The last key may be new only in a mapping of free keys (``variables``,
    ``thresholds``); elsewhere a key the scenario does not have is an error, as is a list
    index past the end.
    """
    tokens = path_tokens(path)
    node = data
    walked = ""
    for position, token in enumerate(tokens):
        last = position == len(tokens) - 1
        shown = (
            f"{walked}[{token}]"
            if isinstance(token, int)
            else (f"{walked}.{token}" if walked else token)
        )
        if isinstance(token, int):
            if not isinstance(node, list):
                raise SweepError(
                    f"--set {path}: {walked or 'the scenario'} is not a list ({_describe(node)})"
                )
            if token >= len(node):
                raise SweepError(
                    f"--set {path}: the scenario has no {shown} "
                    f"({walked} has {len(node)} item"
                    f"{'s' if len(node) != 1 else ''})"
                )
        else:
            if not isinstance(node, dict):
                raise SweepError(
                    f"--set {path}: {walked or 'the scenario'} is not a mapping ({_describe(node)})"
                )
            free = walked.endswith("variables") or walked == "thresholds"
            if token not in node and not (last and free):
                raise SweepError(
                    f"--set {path}: the scenario has no key {token!r}"
                    f"{' in ' + walked if walked else ''} ({_describe(node)})"
                )
        if last:
            node[token] = value
        else:
            node = node[token]
        walked = shown


def scenario_data(scenario: Scenario) -> dict:
    """The scenario as data to set keys in: ``scenario_to_dict``, so every key the
    scenario format has is there (defaults included) and values are as the scenario
    read them, but with each workload's actions in the file's order, so that
    ``workloads[0].actions[1]`` is the second action written (the scenario sorts them by
    ``after`` again when read back)."""
    data = scenario_to_dict(scenario)
    for i, workload in enumerate(data["workloads"]):
        actions = workload["actions"]
        in_file: list = [None] * len(actions)
        for rank, action in enumerate(actions):
            index = scenario.positions.get(f"workloads[{i}].actions.order[{rank}]", rank)
            in_file[index] = action
        if None not in in_file:
            workload["actions"] = in_file
    return data


def scenario_with(base: dict[str, Any], overrides: Overrides, source: str) -> Scenario:
    """The scenario ``base`` (``scenario_to_dict`` data) with ``overrides`` ((path, value)
    pairs) applied, read back by ``parse_scenario`` (so every scenario rule applies)."""
    if not overrides:
        data = base
    else:
        data = copy.deepcopy(base)
        for path, value in overrides:
            _set_path(data, path, value)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return parse_scenario(text, source)


# -- the plan -------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepTask:
    """One run: everything a worker needs, as plain data."""

    index: int
    scenario: dict  # scenario_data() of the scenario file
    source: str  # its file name (the summary's "scenario")
    overrides: Overrides
    seed: int
    catalog: str | None = None  # a catalog folder (None: the bundled catalog)


@dataclass
class SweepPlan:
    scenario: Scenario
    parameters: list[str]  # the --set key paths, in order
    combinations: list[tuple]  # values of the parameters, in run order
    seeds: list[int]
    tasks: list[SweepTask]
    catalog: str | None = None

    @property
    def source(self) -> str:
        return self.scenario.source


def plan_sweep(
    path: str,
    *,
    seeds: str | None = None,
    sets: Iterable[str] = (),
    catalog: str | None = None,
    index: ServiceIndex | None = None,
) -> SweepPlan:
    """Read the scenario and the options, check every combination, list the runs."""
    scenario = load_scenario(path)
    base = scenario_data(scenario)
    parameters: list[str] = []
    value_lists: list[list[Scalar]] = []
    for text in sets:
        key, values = parse_set(text)
        if key in parameters:
            raise SweepError(
                f"--set {key}: given twice (list its values in one --set: {key}=V1,V2)"
            )
        _set_path(copy.deepcopy(base), key, values[0])  # the key exists
        parameters.append(key)
        value_lists.append(values)
    seed_list = parse_seeds(seeds, scenario.seed)
    index = index if index is not None else load_catalog(catalog)
    known = {
        service: [wf.name for _, wf in index.workflows(service)] for service in index.services()
    }
    combinations = list(itertools.product(*value_lists))
    for combination in combinations:
        overrides = tuple(zip(parameters, combination))
        try:
            check_against_catalog(scenario_with(base, overrides, scenario.source), known)
        except ScenarioError as exc:
            raise SweepError(_bad_combination(overrides, exc)) from None
    catalog_path = os.path.abspath(catalog) if catalog else None
    tasks: list[SweepTask] = []
    for combination in combinations:
        overrides = tuple(zip(parameters, combination))
        for seed in seed_list:
            tasks.append(
                SweepTask(len(tasks), base, scenario.source, overrides, seed, catalog_path)
            )
    return SweepPlan(scenario, parameters, combinations, seed_list, tasks, catalog_path)


def _bad_combination(overrides: Overrides, exc: ScenarioError) -> str:
    shown = ", ".join(f"{k}={show_value(v)}" for k, v in overrides)
    for key, value in overrides:
        if exc.path == key or exc.path.startswith(key + ".") or exc.path.startswith(key + "["):
            return f"--set {key}={show_value(value)}: {exc.path}: {exc.detail}"
    where = f"{exc.path}: " if exc.path else ""
    return f"--set {shown}: the scenario becomes invalid: {where}{exc.detail}"


def show_value(value: Scalar) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
