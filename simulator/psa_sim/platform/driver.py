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

An advance (up to a century) runs in slices too (see `_advance`): between two slices the
driver answers the reads queued meanwhile; changes wait for the advance to end, so the
journal keeps every change in the order of simulated time and replays to the same state.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypedDict, TypeVar

from psa_sim import defaults
from psa_sim.errors import InvalidInput, ServiceUnavailable, Unauthorized
from psa_sim.platform import snapshots
from psa_sim.platform.auth import User, load_users, verify_password
from psa_sim.platform.journal import (
    DEFAULT_BUSY_TIMEOUT,
    CommitFailed,
    IncompatibleDatabase,
    Journal,
)
from psa_sim.platform.operations import Operation, operation, registered, replayable
from psa_sim.platform.platform import MAX_SECONDS, REMOVE_JOBS_AFTER, Platform, PlatformConfig
from psa_sim.platform.sessions import SessionStore
from psa_sim.platform.throttle import LoginThrottle
from psa_sim.platform.views import clock as clock_view

log = logging.getLogger("psa_sim.driver")

CLOCK_MODES = ("instant", "realtime", "manual")
# How often (wall seconds) the clock's position is saved while time runs by itself.
CHECKPOINT_PERIOD = 0.5
# After a checkpoint that could not be written (a locked database), wait this long
# before the next try: each try may wait for the lock (journal.DEFAULT_BUSY_TIMEOUT).
CHECKPOINT_RETRY = 5.0
# The realtime clock's fastest speed (simulated seconds per wall second): a century in
# about an hour of wall time, far past what a test needs.
MAX_SPEED = 1_000_000.0
# A snapshot of the whole state every this many journaled changes (and at a graceful
# stop): a restart loads it and replays only the changes after it (see snapshots.py).
SNAPSHOT_EVERY = 10_000
# The longest the realtime clock runs between two requests (wall seconds): a clock that
# cannot keep up falls behind rather than keep requests waiting.
MAX_CLOCK_SLICE = 0.05
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
        snapshot_every: int = SNAPSHOT_EVERY,
    ) -> None:
        _check_clock(clock, speed)
        self.snapshot_every = snapshot_every
        self._since_snapshot = 0  # changes journaled since the last snapshot
        self.config = config
        self.journal = journal or Journal(None)
        self.users = load_users(config.users)
        self.sessions = SessionStore(self.users, self.journal)
        self.throttle = LoginThrottle()
        # Why the server refuses every request, if its state could not be kept whole.
        self.failed: str | None = None
        self._next_checkpoint = 0.0
        self.mode = clock
        self.speed = float(speed)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._inbox: asyncio.Queue[_Request | Literal[False] | None] | None = None
        # Requests that came during an advance and must wait for its end (changes, clock
        # settings, reset, stop), in the order they came.
        self._deferred: deque[_Request | None] = deque()
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
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        remove_jobs_after: float | None = None,
        snapshot_every: int = SNAPSHOT_EVERY,
    ) -> SimDriver:
        """A driver from the `psa-sim serve` options; an existing --db keeps its own
        seed, nodes and catalog (replaying it on others would not give the same state)."""
        journal = Journal(Path(db) if db else None, busy_timeout=busy_timeout)
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
                remove_jobs_after=(
                    REMOVE_JOBS_AFTER if remove_jobs_after is None else remove_jobs_after
                ),
            )
            journal.put("config", config.to_json())
        try:
            return cls(config, journal, clock=clock, speed=speed, snapshot_every=snapshot_every)
        except BaseException:
            journal.close()  # and its lock
            raise

    # --- restore -------------------------------------------------------------------
    def _restore(self, until: float | None = None) -> Platform:
        """A platform with every journaled change replayed, each as the user who made
        it (what was accepted stays accepted, whatever the users file says now), then
        the clock run to `until` (default: where it was last saved)."""
        saved = self.journal.snapshot()
        after = 0
        if saved is None:
            platform = Platform(self.config, self.users, self.sessions)
        else:
            after, build, state = saved
            if build != snapshots.build():
                raise IncompatibleDatabase(
                    f"{self.journal.path}: its snapshot was written by another build of "
                    f"psa-sim ({build}, this one is {snapshots.build()}): serve it with the "
                    f"build that wrote it, or start with a new --db"
                )
            platform = snapshots.load(state, self.config, self.users, self.sessions)
        sim = platform.sim
        self._since_snapshot = 0
        for sim_time, name, entry in self.journal.changes(after):
            self._since_snapshot += 1
            sim.run(until=sim_time)
            user = entry.get("user")
            platform.replay_user = User(user, "", admin=True) if user is not None else None
            try:
                replayable(name).func(platform, **entry["args"])
            except Exception as exc:
                raise RuntimeError(
                    f"{self.journal.path}: replaying '{name}' at simulated "
                    f"second {sim_time} failed ({exc}): was the database "
                    f"written by another version of psa-sim?"
                ) from exc
            finally:
                platform.replay_user = None
        if until is None:
            until = self.journal.get("clock")
        if until is not None:
            sim.run(until=until)
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
            self._loop = None
            self._checkpoint(force=True)
            self._snapshot()  # a graceful stop leaves a restart nothing to replay
            self.journal.close()  # and its lock: another server may open the file now

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
            raise ServiceUnavailable("the simulation is not running (not started yet, or stopping)")
        return self._loop, self._inbox

    async def _consume(self) -> None:
        _, inbox = self._hosting()
        loop = asyncio.get_running_loop()
        last_checkpoint = time.monotonic()
        while True:
            item: _Request | Literal[False] | None
            if self._deferred:
                item = self._deferred.popleft()
            else:
                # Wake up when the clock needs it even if no request comes (False = none).
                delay = self._wait()
                wakeup = (
                    loop.call_later(delay, inbox.put_nowait, False) if delay is not None else None
                )
                item = await inbox.get()
                if wakeup is not None:
                    wakeup.cancel()
            if item is None:
                return
            try:
                if item and item[0] is Platform.advance and self.failed is None:
                    await self._advance(*item)
                elif item:
                    self._serve(*item)
                self._move_clock()
                now = time.monotonic()
                if now - last_checkpoint >= CHECKPOINT_PERIOD:
                    self._checkpoint()
                    last_checkpoint = now
                if self._since_snapshot >= self.snapshot_every:
                    self._snapshot()
            except Exception:  # a bug: logged, and the simulation keeps answering
                log.exception("the simulation loop met an unexpected error")

    def _serve(
        self, op: Operation[Any, ..., Any], kwargs: dict[str, Any], future: asyncio.Future[Any]
    ) -> None:
        try:
            if self.failed is not None:
                raise ServiceUnavailable(self.failed)
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
        """Run an operation; a journaled one is applied and journaled together or not
        at all (see journal.py): the write lock is taken first (a database that cannot
        be written refuses the change before anything moved), the row is committed
        before the answer leaves, and a failed commit rebuilds the state from the
        journal, so that memory never holds a change the database does not."""
        platform = self.platform
        platform.acting = None
        if not op.journaled:
            return op.func(platform, **kwargs)
        sim_time = platform.sim.now
        try:
            with self.journal.transaction() as changes:
                result = op.func(platform, **kwargs)
                changes.append(sim_time, op.name, _entry(kwargs, platform.acting))
        except CommitFailed:
            self._rebuild(sim_time)
            raise
        self._since_snapshot += 1
        return result

    async def _advance(
        self, op: Operation[Any, ..., Any], kwargs: dict[str, Any], future: asyncio.Future[Any]
    ) -> None:
        """`Platform.advance`, live: run in slices of about MAX_CLOCK_SLICE wall seconds,
        answering the reads queued meanwhile between two slices, so that a long busy
        advance never keeps a read waiting for long. Every other request waits for the
        advance to end: a change made in its middle would be journaled at a simulated
        time before the advance's end, but after the advance in the journal, and a replay
        (which runs the advance in one go) would apply it too late. The advance is
        journaled once it has run, at the simulated time it started (what replay runs
        from); a journal that refuses it rebuilds the state from before it."""
        platform = self.platform
        sim = platform.sim
        start = sim.now
        try:
            platform.acting = None
            target = platform.advance_target(**kwargs)
        except Exception as exc:
            _settle(future, exc=exc)
            return
        acting = platform.acting
        step = 1.0  # simulated seconds per run: doubled while runs are quick, halved if slow
        while sim.now < target:
            deadline = time.monotonic() + MAX_CLOCK_SLICE
            while sim.now < target and time.monotonic() < deadline:
                began = time.monotonic()
                sim.run(until=min(target, sim.now + step))
                took = time.monotonic() - began
                if took < MAX_CLOCK_SLICE / 8:
                    step *= 2
                elif took > MAX_CLOCK_SLICE / 2:
                    step = max(step / 2, 1e-3)
            if sim.now < target:
                await asyncio.sleep(0)  # let the HTTP server queue what has come
                if not self._answer_reads():
                    # Stopping: time went as far as this (the stop saves the clock, as
                    # the realtime clock's moves), the rest of the advance is not made.
                    _settle(
                        future,
                        exc=ServiceUnavailable(
                            f"the server is stopping: the advance stopped at simulated "
                            f"second {sim.now:g}, short of {target:g}"
                        ),
                    )
                    return
        try:
            with self.journal.transaction() as changes:
                changes.append(start, op.name, _entry(kwargs, acting))
        except Exception as exc:  # in memory only, like a change whose commit failed
            self._rebuild(start)
            _settle(future, exc=exc)
            return
        self._since_snapshot += 1
        _settle(future, result=clock_view(sim))

    def _answer_reads(self) -> bool:
        """Between two slices of an advance: answer the queued reads now and keep every
        other request, in order, for after it. False once asked to stop."""
        _, inbox = self._hosting()
        while not inbox.empty():
            item = inbox.get_nowait()
            if item is None:
                self._deferred.append(None)
                return False
            if not item:  # a clock wake-up: the advance is moving the clock
                continue
            op = item[0]
            if op.journaled or (op.owner is SimDriver and op is not SimDriver.clock):
                self._deferred.append(item)
            else:
                self._serve(*item)
        return True

    def _snapshot(self) -> None:
        """Save the whole state and drop the changes it includes (a second or so for a
        thousand live instances, once every SNAPSHOT_EVERY changes). A failure is logged:
        the journal still holds every change, so nothing is lost."""
        if not self.journal.durable or self._since_snapshot == 0 or self.failed is not None:
            return
        started = time.monotonic()
        try:
            state = snapshots.dump(self.platform)
            self.journal.save_snapshot(self.journal.last_seq, snapshots.build(), state)
        except Exception as exc:
            self._since_snapshot = 0  # try again SNAPSHOT_EVERY changes later
            log.warning("snapshot not saved (%s): the journal still has every change", exc)
            return
        self._since_snapshot = 0
        log.info(
            "snapshot saved (%d bytes, %.2f s); the journal was compacted",
            len(state),
            time.monotonic() - started,
        )

    def _rebuild(self, sim_time: float) -> None:
        """Undo a change the journal refused by replaying the journal (deterministic:
        the same changes at the same times give the same state) up to the moment just
        before it. If even that fails, every request is refused until a restart."""
        try:
            self.platform = self._restore(until=sim_time)
        except Exception as exc:
            self.failed = (
                f"the journal {self.journal.path} could not be written nor read back "
                f"({exc}): restart the server"
            )
            log.error("%s", self.failed)
            return
        self._anchor()
        log.warning("state rebuilt from the journal after a change it could not keep")

    # --- sessions (not simulated state: they never go through the queue) -----------
    async def login(self, username: str, password: str, address: str | None = None) -> str:
        """A new session id for good credentials. Repeated failures are throttled (see
        throttle.py); a hashed password is checked on a worker thread, so the simulation
        never waits for bcrypt."""
        self.throttle.check(username, address, time.monotonic())
        user = self.users.get(username)
        if user is not None and user.hashed:
            good = await asyncio.to_thread(verify_password, user, password)
        else:
            good = verify_password(user, password)
        if user is None or not good:
            self.throttle.failed(username, address, time.monotonic())
            raise Unauthorized("login: bad username or password")
        self.throttle.succeeded(username, address)
        return self.sessions.open(user)

    def login_sync(self, username: str, password: str, address: str | None = None) -> str:
        """`login` from another thread (tests, tools)."""
        if self._loop is None:
            raise ServiceUnavailable("the simulation is not running")
        future = asyncio.run_coroutine_threadsafe(
            self.login(username, password, address), self._loop
        )
        return future.result()

    def logout(self, session_id: str | None) -> None:
        self.sessions.user(session_id)  # 401 without a valid session
        self.sessions.close(session_id)

    def connected(self, session_id: str | None) -> bool:
        return self.sessions.is_valid(session_id)

    # --- clock ---------------------------------------------------------------------
    def _anchor(self) -> None:
        self._wall0 = time.monotonic()
        self._sim0 = self.platform.sim.now

    def _target(self) -> float:
        return min(MAX_SECONDS, self._sim0 + (time.monotonic() - self._wall0) * self.speed)

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
            if target <= sim.now:
                return
            # In slices, watching the wall clock: however fast the clock or busy the
            # simulation, the next request waits at most about MAX_CLOCK_SLICE.
            deadline = time.monotonic() + MAX_CLOCK_SLICE
            step = max(self.speed * MAX_CLOCK_SLICE / 10, 1e-3)
            while sim.now < target:
                sim.run(until=min(target, sim.now + step))
                if time.monotonic() > deadline:
                    if sim.now < target:  # behind: go on from here at the same speed
                        self._anchor()
                    break

    def _checkpoint(self, force: bool = False) -> None:
        """Save the clock's position and the sessions' last uses. A database that cannot
        be written now (locked by another process, say) is logged and tried again
        later: it must never stop the simulation."""
        now = time.monotonic()
        if not self.journal.durable or (now < self._next_checkpoint and not force):
            return
        try:
            self.journal.put("clock", self.platform.sim.now)
            self.sessions.flush()
        except Exception as exc:
            self._next_checkpoint = now + CHECKPOINT_RETRY
            log.warning("checkpoint not saved, next try in %.0f s: %s", CHECKPOINT_RETRY, exc)
        else:
            self._next_checkpoint = 0.0

    # --- requests the driver answers ------------------------------------------------
    @operation()
    def clock(self, session_id: str | None = None) -> dict:
        self.platform.require_admin(session_id)
        return self._clock_info()

    def _clock_info(self) -> dict:
        return {"mode": self.mode, "speed": self.speed, **clock_view(self.platform.sim)}

    @operation()
    def set_clock(
        self, session_id: str | None = None, mode: str | None = None, speed: float | None = None
    ) -> dict:
        self.platform.require_admin(session_id)
        mode = mode or self.mode
        speed = self.speed if speed is None else speed
        _check_clock(mode, speed)
        self.mode, self.speed = mode, float(speed)
        self._anchor()
        return self._clock_info()

    @operation()
    def reset(self, session_id: str | None = None) -> dict:
        """A fresh server with the same configuration; sessions stay open."""
        self.platform.require_admin(session_id)
        with self.journal.transaction():
            self.journal.clear_changes()
            self.journal.clear_snapshot()
            self.journal.put("clock", 0.0)
        self._since_snapshot = 0
        self.platform = Platform(self.config, self.users, self.sessions)
        self._anchor()
        return self._clock_info()


def _settle(
    future: asyncio.Future[Any], result: Any = None, exc: BaseException | None = None
) -> None:
    """Answer a request's future, unless its caller has gone."""
    if future.cancelled():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)


def _entry(kwargs: dict[str, Any], user: User | None) -> dict[str, Any]:
    """What the journal keeps of a change: its arguments and the name of the user who
    made it, never the session it came with."""
    args = {k: (None if k == "session_id" else v) for k, v in kwargs.items()}
    return {"user": user.name if user is not None else None, "args": args}


def _check_clock(mode: str, speed: object) -> None:
    if mode not in CLOCK_MODES:
        raise InvalidInput(f"clock: '{mode}' is not one of {', '.join(CLOCK_MODES)}")
    if (
        isinstance(speed, bool)
        or not isinstance(speed, (int, float))
        or not math.isfinite(speed)
        or not 0 < speed <= MAX_SPEED
    ):
        raise InvalidInput(
            f"speed: {speed!r} must be a number of simulated seconds per wall second, "
            f"> 0 and at most {MAX_SPEED:g}"
        )
