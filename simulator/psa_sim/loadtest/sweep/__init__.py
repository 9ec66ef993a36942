"""Sweeps: one scenario run over seeds and parameter values, then compared.

``psa-sim sweep SCENARIO.yaml --seeds 1..20 --set cluster.node_sources[0].nodes=10,20,40``
runs every combination of the ``--set`` values (several ``--set`` multiply) for every
seed. Each run is a :class:`SweepTask` -- the scenario as data (:func:`scenario_data`),
the overrides, the seed -- that a worker turns back into a scenario (the overrides set on
the data, dumped to YAML, read by ``parse_scenario``) and runs; it returns the summary.
Tasks and results are plain data, so they pickle, and a run's summary is the same in
whichever process or machine runs it: a local process pool (``--workers N``) or a Dask
distributed cluster (``--dask ADDRESS``) give the same rows.

Every combination is read and checked against the catalog before anything runs, so a
bad key (``workloads[0].colour``), index (``cluster.node_sources[5]``), value
(``nodes=abc``) or seed range (``5..1``) is an error naming it, raised as
:class:`SweepError` (the command exits 2).

The parts, as for single runs: :mod:`.plan` (options, combinations, tasks),
:mod:`.execution` (the executors), :mod:`.aggregate` (rows and statistics) and
:mod:`.report` (text, CSV, charts, HTML).
"""

from psa_sim.loadtest.report import prepare_out_dir
from psa_sim.loadtest.sweep.aggregate import CHART_METRICS, METRICS
from psa_sim.loadtest.sweep.execution import SweepResult, run_sweep, run_task
from psa_sim.loadtest.sweep.plan import (
    SweepError,
    SweepPlan,
    SweepTask,
    parse_seeds,
    parse_set,
    plan_sweep,
    scenario_data,
    scenario_with,
)
from psa_sim.loadtest.sweep.report import render_text, write_sweep_report

__all__ = [
    "CHART_METRICS",
    "METRICS",
    "SweepError",
    "SweepPlan",
    "SweepResult",
    "SweepTask",
    "parse_seeds",
    "parse_set",
    "plan_sweep",
    "prepare_out_dir",
    "render_text",
    "run_sweep",
    "run_task",
    "scenario_data",
    "scenario_with",
    "write_sweep_report",
]
