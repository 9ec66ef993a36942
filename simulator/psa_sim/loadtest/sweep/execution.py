"""Running a sweep's tasks: here, in a local process pool, or on a Dask cluster; each
task gives the same summary wherever it runs."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from psa_sim.catalog import ServiceIndex, load_catalog
from psa_sim.loadtest.sweep.aggregate import comparison_row
from psa_sim.loadtest.sweep.plan import SweepError, SweepPlan, SweepTask, scenario_with

if TYPE_CHECKING:
    from psa_sim.loadtest.progress import SweepProgress

# -- running --------------------------------------------------------------------------

_CATALOGS: dict[str | None, ServiceIndex] = {}

# What a task gives back: {"index", "summary", "wall_seconds", "worker"}.
TaskResult = dict[str, Any]
OnResult = Callable[[TaskResult], None]


def _catalog(path: str | None) -> ServiceIndex:
    index = _CATALOGS.get(path)
    if index is None:
        index = _CATALOGS[path] = load_catalog(path)
    return index


def _worker_name() -> str:
    """Where a run ran: the Dask worker's address, or host and process id."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):  # no Dask, or not inside one of its workers
        return f"{socket.gethostname()} pid {os.getpid()}"


def run_task(task: SweepTask) -> TaskResult:
    """Run one task (in any process): ``{"index", "summary", "wall_seconds", "worker"}``."""
    from psa_sim.loadtest.runner import run_scenario

    scenario = scenario_with(task.scenario, task.overrides, task.source)
    result = run_scenario(scenario, _catalog(task.catalog), seed=task.seed)
    return {
        "index": task.index,
        "summary": result.summary,
        "wall_seconds": result.performance["wall_seconds"],
        "worker": _worker_name(),
    }


def _run_in_process(tasks: Sequence[SweepTask], on_result: OnResult) -> str:
    for task in tasks:
        on_result(run_task(task))
    return "in-process"


def _run_pool(tasks: Sequence[SweepTask], workers: int, on_result: OnResult) -> str:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    workers = min(workers, len(tasks))
    # spawn: a fresh interpreter per worker, safe whatever threads this process runs.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    try:
        futures = [pool.submit(run_task, task) for task in tasks]
        for future in as_completed(futures):
            on_result(future.result())
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return f"process pool ({workers} workers)"


def _run_dask(
    tasks: Sequence[SweepTask], address: str, workers: int | None, on_result: OnResult
) -> str:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise SweepError(
            f"--dask {address}: Dask is not installed (pip install 'psa-sim[dask]')"
        ) from None
    cluster = None
    if address == "local":
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
        )
        client = Client(cluster)
        label = f"dask LocalCluster ({len(cluster.workers)} workers)"
    else:
        try:
            client = Client(address, timeout=10)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SweepError(f"--dask {address}: cannot reach the Dask scheduler ({exc})") from None
        label = f"dask {address}"
    try:
        futures = client.map(run_task, tasks, pure=False)
        for future in as_completed(futures):
            on_result(future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return label


@dataclass
class SweepResult:
    plan: SweepPlan
    summaries: list[dict]  # by task index
    rows: list[dict]  # the comparison rows, by task index
    performance: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(s["passed"] for s in self.summaries)


def run_sweep(
    plan: SweepPlan,
    *,
    workers: int | None = None,
    dask: str | None = None,
    quiet: bool = True,
    progress: SweepProgress | None = None,
) -> SweepResult:
    """Run the plan's tasks: in a Dask cluster with ``dask`` (an address or ``"local"``),
    else in ``workers`` local processes (default: the CPUs; 1 runs them here)."""
    if dask is not None and workers is not None and dask != "local":
        raise SweepError(
            "--workers and --dask ADDRESS exclude each other (the Dask "
            "cluster has its own workers); --workers goes with --dask local"
        )
    tasks = plan.tasks
    if progress is None and not quiet:
        from psa_sim.loadtest.progress import terminal_console

        console = terminal_console(quiet)
        progress = SweepProgress(console, len(tasks)) if console is not None else None
    results: list[TaskResult] = [{} for _ in tasks]

    def on_result(result: TaskResult) -> None:
        results[result["index"]] = result
        if progress is not None:
            progress.advance()

    started = time.perf_counter()
    try:
        if dask is not None:
            executor = _run_dask(tasks, dask, workers, on_result)
        else:
            count = workers or os.cpu_count() or 1
            if count == 1 or len(tasks) == 1:
                executor = _run_in_process(tasks, on_result)
            else:
                executor = _run_pool(tasks, count, on_result)
    finally:
        if progress is not None:
            progress.finish()
    wall = time.perf_counter() - started
    summaries = [r["summary"] for r in results]
    rows = [comparison_row(plan, task, summary) for task, summary in zip(tasks, summaries)]
    performance = {
        "executor": executor,
        "runs": len(tasks),
        "wall_seconds": round(wall, 3),
        "runs_per_wall_second": round(len(tasks) / wall, 2) if wall > 0 else None,
        "run_wall_seconds_total": round(sum(r["wall_seconds"] for r in results), 3),
        # How long each run took and where: whether the workers shared the load.
        "by_run": [
            {"run": r["index"], "wall_seconds": r["wall_seconds"], "worker": r["worker"]}
            for r in sorted(results, key=lambda r: r["index"])
        ],
    }
    return SweepResult(plan, summaries, rows, performance)
