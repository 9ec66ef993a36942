"""What every benchmark shares: finding the simulator, measuring, and talking to run.py.

A benchmark script runs each side of its comparison (our simulator, the bare SimPy
baseline) in a fresh subprocess of itself, so the two sides share no heap and each
`ru_maxrss` is that side's own peak. A side prints one line `BENCH_RESULT <json>` on
stdout; everything meant for people goes to stderr.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
SIMULATOR_DIR = REPO_DIR / "simulator"
RESULT_PREFIX = "BENCH_RESULT "


def use_simulator() -> None:
    """Make `psa_sim` importable: the installed package (tox), else this tree's source."""
    try:
        import psa_sim  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(SIMULATOR_DIR))


def child_env() -> dict[str, str]:
    """The environment of a side's subprocess: psa_sim importable the same way."""
    env = dict(os.environ)
    try:
        import psa_sim  # noqa: F401
    except ImportError:
        paths = [str(SIMULATOR_DIR)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def maxrss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (ru_maxrss is KiB on Linux)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":  # bytes there
        rss /= 1024
    return round(rss / 1024, 1)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class GcClock:
    """Wall seconds spent in the cyclic garbage collector, through gc.callbacks."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = [0, 0, 0]
        self._started = 0.0

    def __enter__(self) -> GcClock:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.collections[info["generation"]] += 1

    def figures(self) -> dict:
        return {"gc_seconds": round(self.seconds, 3), "gc_collections": list(self.collections)}


def log_rows(rows: list[dict]) -> None:
    """One line per measured row: figure, ratio, target and verdict."""
    for row in rows:
        verdict = "-" if row["passed"] is None else ("pass" if row["passed"] else "FAIL")
        log(
            f"  {row['metric']}: {row['measured']} {row['unit']} "
            f"(ratio {row['ratio']}, target {row['target']}): {verdict}"
        )


def emit(result: dict) -> None:
    """A side's answer to its parent: the last line of its stdout."""
    print(RESULT_PREFIX + json.dumps(result, sort_keys=True), flush=True)


def run_side(script: Path, args: list[str]) -> dict:
    """Run one side in a fresh interpreter and return what it emitted."""
    command = [sys.executable, str(script), *args]
    log(f"  $ {' '.join(command[1:])}")
    proc = subprocess.run(command, env=child_env(), stdout=subprocess.PIPE, text=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{script.name} {' '.join(args)} failed (exit {proc.returncode})")
    return json.loads(lines[-1][len(RESULT_PREFIX) :])


def machine_info() -> dict:
    import simpy

    use_simulator()
    import psa_sim

    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "simpy": simpy.__version__,
        "psa_sim_from": str(Path(psa_sim.__file__).resolve().parent),
        "code": code_version(),
    }


def code_version() -> dict | None:
    """The commit measured, and whether simulator/ differed from it (a dirty tree)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(REPO_DIR), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()

    try:
        changed = git("status", "--porcelain", "--", "simulator")
        return {
            "commit": git("rev-parse", "HEAD"),
            "simulator_uncommitted_changes": len(changed.splitlines()),
        }
    except (OSError, subprocess.SubprocessError):
        return None


def run_side_median(script: Path, args: list[str], repeat: int) -> dict:
    """Run a side `repeat` times, each in a fresh interpreter; keep the median run by wall.

    Its figures gain `runs_wall_seconds`, every run's wall time, so the spread shows.
    """
    runs = [run_side(script, args) for _ in range(max(1, repeat))]
    runs.sort(key=lambda r: r["wall_seconds"])
    median = dict(runs[(len(runs) - 1) // 2])
    median["runs_wall_seconds"] = [r["wall_seconds"] for r in runs]
    return median
