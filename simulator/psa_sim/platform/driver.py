"""What owns the platform, and the clock that moves simulated time.

HTTP handlers never touch the model: they put a request on a queue and await its
future. One coroutine, on one thread (the HTTP server's event loop, or a thread of its
own), takes requests one by one, journals those that change state before answering, and
between requests moves the clock:

- instant: after each request, run while there is work in flight (jobs, provisioning,
  a loop that must act), so an activation completes in milliseconds of wall time; the
  periodic checks of healthy instances change nothing, so time stops there;
- realtime: `speed` simulated seconds per wall second;
- manual: only /sim-api/advance moves time.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypedDict, TypeVar

from psa_sim import defaults
from psa_sim.errors import InvalidInput
from psa_sim.platform.auth import load_users
from psa_sim.platform.journal import Journal
from psa_sim.platform.operations import Operation, operation, registered, replayable
from psa_sim.platform.platform import Platform, PlatformConfig
from psa_sim.platform.views import clock as clock_view

CLOCK_MODES = ("instant", "realtime", "manual")
# How often (wall seconds) the clock's position is saved while time runs by itself.
CHECKPOINT_PERIOD = 0.5
P = ParamSpec("P")
R = TypeVar("R")


# A request on the hosting loop's queue: the operation, its arguments, where its answer
# goes. False wakes the loop up for the clock; None stops it.
_Request = tuple[Operation[Any, ..., Any], dict[str, Any], "asyncio.Future[Any]"]


class BaseInfo(TypedDict):
    """What `psa-sim serve` prints once it is ready."""

    clock: str
    seed: int
    users_file: str | None
    demo_user: tuple[str, str] | None


class SimDriver:
    def __init__(
        self,
        config: PlatformConfig,
        journal: Journal | None = None,
        clock: str = "instant",
        speed: float = 1.0,
    ) -> None:
        _check_clock(clock, speed)
        self.config = config
        self.journal = journal or Journal(None)
        self.users = load_users(config.users)
        self.mode = clock
        self.speed = float(speed)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._inbox: asyncio.Queue[_Request | Literal[False] | None] | None = None
        self.platform = self._restore()
        self._anchor()

    @classmethod
    def from_options(
        cls,
        *,
        db: str | None = None,
        clock: str = "instant",
        speed: float = 1.0,
        seed: int | None = None,
        nodes: int | None = None,
        catalog: str | None = None,
        users: str | None = None,
        public_base: str = defaults.PUBLIC_BASE,
    ) -> SimDriver:
        """A driver from the `psa-sim serve` options; an existing --db keeps its own
        seed, nodes and catalog (replaying it on others would not give the same state)."""
        journal = Journal(Path(db) if db else None)
        stored = journal.get("config")
        if stored is not None:
            config = PlatformConfig.from_json(
                {**stored, "public_base": public_base, "users": users or stored["users"]}
            )
        else:
            config = PlatformConfig(
                seed=0 if seed is None else seed,
                nodes=defaults.NODES if nodes is None else nodes,
                catalog=str(Path(catalog).resolve()) if catalog else None,
                users=str(Path(users).resolve()) if users else None,
                public_base=public_base,
            )
            journal.put("config", config.to_json())
        return cls(config, journal, clock=clock, speed=speed)

    # --- restore -------------------------------------------------------------------
    def _restore(self) -> Platform:
        platform = Platform(self.config, self.users)
        sim = platform.sim
        for sim_time, name, args in self.journal.changes():
            sim.run(until=sim_time)
            try:
                replayable(name).func(platform, **args)
            except Exception as exc:
                raise RuntimeError(
                    f"{self.journal.path}: replaying '{name}' at simulated "
                    f"second {sim_time} failed ({exc}): was the database "
                    f"written by another version of psa-sim?"
                ) from exc
            platform.journal_as = None
        saved = self.journal.get("clock")
        if saved is not None:
            sim.run(until=saved)
        return platform

    # --- hosting -------------------------------------------------------------------
    def start(self) -> None:
        """Host the simulation on a thread of its own, with its own event loop (tools,
        tests). `psa-sim serve` hosts it on uvicorn's loop instead (see `host`)."""
        if self._thread is not None or self._loop is not None:
            return
        loop = asyncio.new_event_loop()
        started = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.host(started))
            loop.close()

        self._thread = threading.Thread(target=run, name="psa-sim", daemon=True)
        self._thread.start()
        started.wait()

    async def host(self, started: threading.Event | None = None) -> None:
        """Serve requests from the queue on the running event loop until `stop()`.

        Hosted on the HTTP server's own loop, a request reaches the simulation with no
        thread hop, and still one at a time: this coroutine is the only code that touches
        the platform.
        """
        self._loop = asyncio.get_running_loop()
        self._inbox = asyncio.Queue()
        self._anchor()
        if started is not None:
            started.set()
        try:
            await self._consume()
        finally:
            self._checkpoint()
            self._loop = None

    def stop(self) -> None:
        """Stop hosting (from any thread); returns once the simulation has stopped if it
        runs on a thread of its own."""
        loop, inbox = self._loop, self._inbox
        if loop is None or inbox is None:
            return
        try:
            loop.call_soon_threadsafe(inbox.put_nowait, None)
        except RuntimeError:  # its loop is already closed: nothing runs any more
            self._loop = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def base_info(self) -> BaseInfo:
        demo = None if self.config.users else ("admin", "admin")
        return {
            "clock": self.mode,
            "seed": self.config.seed,
            "users_file": self.config.users,
            "demo_user": demo,
        }

    async def call(self, op: Operation[Any, P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run an operation (`Platform.x` or `SimDriver.x`, see operations.py) in the
        simulation; await its result (on the loop that hosts it). Arguments go by name:
        that is how the journal keeps them."""
        if args:
            raise TypeError(f"{op!r}: pass its arguments by name")
        loop, inbox = self._hosting()
        future: asyncio.Future[R] = loop.create_future()
        inbox.put_nowait((registered(op), kwargs, future))
        return await future

    def call_sync(self, op: Operation[Any, P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """The same, from another thread (tests, tools)."""
        loop, _ = self._hosting()
        return asyncio.run_coroutine_threadsafe(self.call(op, *args, **kwargs), loop).result()

    def _hosting(
        self,
    ) -> tuple[asyncio.AbstractEventLoop, asyncio.Queue[_Request | Literal[False] | None]]:
        if self._loop is None or self._inbox is None:
            raise RuntimeError("the simulation is not hosted: call start() or host() first")
        return self._loop, self._inbox

    async def _consume(self) -> None:
        _, inbox = self._hosting()
        loop = asyncio.get_running_loop()
        last_checkpoint = time.monotonic()
        while True:
            # Wake up when the clock needs it even if no request comes (False = no request).
            delay = self._wait()
            wakeup = loop.call_later(delay, inbox.put_nowait, False) if delay is not None else None
            item = await inbox.get()
            if wakeup is not None:
                wakeup.cancel()
            if item is None:
                return
            if item:
                self._serve(*item)
            self._move_clock()
            now = time.monotonic()
            if now - last_checkpoint >= CHECKPOINT_PERIOD:
                self._checkpoint()
                last_checkpoint = now

    def _serve(
        self, op: Operation[Any, ..., Any], kwargs: dict[str, Any], future: asyncio.Future[Any]
    ) -> None:
        try:
            if op.owner is SimDriver:
                result = op.func(self, **kwargs)
            else:
                result = self._apply(op, kwargs)
        except Exception as exc:  # the caller gets it, the simulation goes on
            if not future.cancelled():
                future.set_exception(exc)
        else:
            if not future.cancelled():
                future.set_result(result)

    def _apply(self, op: Operation[Any, ..., Any], kwargs: dict[str, Any]) -> Any:
        platform = self.platform
        platform.wall_now = time.monotonic()
        platform.journal_as = None
        sim_time = platform.sim.now
        result = op.func(platform, **kwargs)
        journaled = platform.journal_as or ((op.name, kwargs) if op.journaled else None)
        if journaled is not None:
            # Committed before the answer leaves: an acknowledged change survives kill -9.
            self.journal.append(sim_time, *journaled)
        return result

    # --- clock ---------------------------------------------------------------------
    def _anchor(self) -> None:
        self._wall0 = time.monotonic()
        self._sim0 = self.platform.sim.now

    def _target(self) -> float:
        return self._sim0 + (time.monotonic() - self._wall0) * self.speed

    def _wait(self) -> float | None:
        """How long the driver may wait for a request before the clock needs it."""
        if self.mode != "realtime":
            return CHECKPOINT_PERIOD if self.journal.durable else None
        next_event = self.platform.sim.peek()
        if next_event == float("inf"):
            return CHECKPOINT_PERIOD
        return min(CHECKPOINT_PERIOD, max(0.0, (next_event - self._target()) / self.speed))

    def _move_clock(self) -> None:
        sim = self.platform.sim
        if self.mode == "instant":
            sim.run_until_idle()
        elif self.mode == "realtime":
            target = self._target()
            if target > sim.now:
                sim.run(until=target)

    def _checkpoint(self) -> None:
        if self.journal.durable:
            self.journal.put("clock", self.platform.sim.now)

    # --- requests the driver answers ------------------------------------------------
    @operation()
    def clock(self, session_id: str | None = None) -> dict:
        self.platform.wall_now = time.monotonic()
        self.platform.require_admin(session_id)
        return self._clock_info()

    def _clock_info(self) -> dict:
        return {"mode": self.mode, "speed": self.speed, **clock_view(self.platform.sim)}

    @operation()
    def set_clock(
        self, session_id: str | None = None, mode: str | None = None, speed: float | None = None
    ) -> dict:
        self.platform.wall_now = time.monotonic()
        self.platform.require_admin(session_id)
        mode = mode or self.mode
        speed = self.speed if speed is None else speed
        _check_clock(mode, speed)
        self.mode, self.speed = mode, float(speed)
        self._anchor()
        return self._clock_info()

    @operation()
    def reset(self, session_id: str | None = None) -> dict:
        """A fresh server with the same configuration; open sessions stay open."""
        self.platform.wall_now = time.monotonic()
        self.platform.require_admin(session_id)
        sessions = self.platform.sessions
        self.journal.clear_changes()
        self.journal.put("clock", 0.0)
        self.platform = Platform(self.config, self.users)
        self.platform.sessions = sessions
        for sid, username in sessions.owners():
            self.journal.append(0.0, "open_session", {"session_id": sid, "username": username})
        self._anchor()
        return self._clock_info()


def _check_clock(mode: str, speed: object) -> None:
    if mode not in CLOCK_MODES:
        raise InvalidInput(f"clock: '{mode}' is not one of {', '.join(CLOCK_MODES)}")
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not speed > 0:
        raise InvalidInput(
            f"speed: {speed!r} must be a number of simulated seconds per wall second, > 0"
        )
