"""Progress bars on the terminal (rich): a run's simulated time, a sweep's runs.

Shown only when stderr is a terminal and ``--quiet`` is not given; stdout is left alone
(it carries the summary, which replays byte for byte). Redrawn at most ten times a wall
second, so a bar costs nothing measurable however often it is told about progress.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from psa_sim.durations import format_duration

if TYPE_CHECKING:  # rich is imported when a bar is shown: it slows the start down
    from rich.console import Console
    from rich.progress import ProgressColumn

REFRESH_SECONDS = 0.1


class RunListener(Protocol):
    """What a headless run tells as it goes (RunProgress draws it as a bar)."""

    def update(self, simulated: float, events: int) -> None: ...

    def finish(self) -> None: ...


def terminal_console(quiet: bool = False, stream: TextIO | None = None) -> Console | None:
    """A rich console on ``stream`` (stderr) if a bar should be shown there, else None."""
    stream = sys.stderr if stream is None else stream
    if quiet:
        return None
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):  # closed or not a real stream
        return None
    from rich.console import Console

    return Console(file=stream)


class _Bar:
    def __init__(self, console: Console, total: float, columns: Sequence[ProgressColumn]) -> None:
        from rich.progress import Progress

        self._progress = Progress(
            *columns, console=console, auto_refresh=False, transient=False, refresh_per_second=10
        )
        self._task = self._progress.add_task("", total=total, **self._fields(0.0, 0.0))
        self._started = time.perf_counter()
        self._last = float("-inf")
        self._running = False

    # rich task fields: any values, given to Progress.add_task/update as keyword arguments
    def _fields(self, done: float, rate: float) -> dict[str, Any]:  # pragma: no cover - overridden
        return {}

    def _show(self, done: float, rate_of: float, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self._last < REFRESH_SECONDS:
            return
        self._last = now
        if not self._running:
            self._progress.start()
            self._running = True
        elapsed = now - self._started
        rate = rate_of / elapsed if elapsed > 0 else 0.0
        self._progress.update(self._task, completed=done, **self._fields(done, rate))
        self._progress.refresh()

    def _stop(self) -> None:
        if self._running:
            self._progress.stop()
            self._running = False


class RunProgress(_Bar):
    """A run: simulated time reached out of the duration, events per wall second, ETA."""

    def __init__(self, console: Console, duration: float, label: str = "simulating") -> None:
        from rich.progress import BarColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self.duration = duration
        self._done = 0.0
        self._events = 0
        super().__init__(
            console,
            duration,
            (
                TextColumn(label),
                BarColumn(),
                TextColumn("{task.fields[simulated]}"),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
            ),
        )

    def _fields(self, done: float, rate: float) -> dict[str, Any]:
        return {
            "simulated": f"{format_duration(int(done))} / "
            f"{format_duration(self.duration)} simulated",
            "rate": f"{rate:,.0f} events/s",
        }

    def update(self, simulated: float, events: int) -> None:
        self._done, self._events = simulated, events
        self._show(simulated, events)

    def finish(self) -> None:
        self._show(self._done, self._events, force=True)
        self._stop()


class SweepProgress(_Bar):
    """A sweep: runs done out of all, runs per wall second, ETA."""

    def __init__(self, console: Console, runs: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._done = 0
        super().__init__(
            console,
            runs,
            (
                TextColumn("sweeping"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("runs"),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
            ),
        )
        self._show(0, 0, force=True)  # on screen before the first run ends

    def _fields(self, done: float, rate: float) -> dict[str, Any]:
        return {"rate": f"{rate:.2f} runs/s"}

    def advance(self) -> None:
        self._done += 1
        self._show(self._done, self._done)

    def finish(self) -> None:
        self._show(self._done, self._done, force=True)
        self._stop()
