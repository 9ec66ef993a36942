"""`psa-sim serve`: the simulated server on one uvicorn process, one worker.

The listening socket is bound first, so that `--port 0` knows its port before the
driver is built (proxyfied URLs carry the public base). Once uvicorn accepts
connections, two lines go to stdout, flushed, for tests and CI to wait on:

    psa-sim serving on http://127.0.0.1:8080
    demo user: admin / admin (no --users file given)

The simulation is hosted on uvicorn's own event loop (SimDriver.host): handlers queue
their requests for it and await the answers, with no thread hop on the way. Ctrl-C and
SIGTERM stop the server gracefully, then the driver (which saves the clock).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import socket
import sys
from types import FrameType

import uvicorn

from psa_sim.api.app import create_app
from psa_sim.api.limits import BodyLimits
from psa_sim.api.protocol import PsaH11Protocol
from psa_sim.platform.driver import BaseInfo, SimDriver
from psa_sim.platform.journal import DatabaseInUse, IncompatibleDatabase

EXIT_FAILED = 1
# Allocations of container objects between two young-generation collections.
GC_THRESHOLD = 500_000


def serve(args: argparse.Namespace) -> int:
    _log_to_stderr()
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        print(
            f"psa-sim serve: error: cannot listen on {args.host}:{args.port}: "
            f"{exc.strerror or exc}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    base = _url(args.host, sock.getsockname()[1])
    try:
        driver = SimDriver.from_options(
            db=args.db,
            clock=args.clock,
            speed=args.speed,
            seed=args.seed,
            nodes=args.nodes,
            catalog=args.catalog,
            users=args.users,
            public_base=base,
            remove_jobs_after=getattr(args, "remove_jobs_after", None),
            **_snapshot_option(args),
        )
    except (DatabaseInUse, IncompatibleDatabase) as exc:
        sock.close()
        print(f"psa-sim serve: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BaseException:
        sock.close()
        raise
    _tune_gc()
    ready = [f"psa-sim serving on {base}", _users_line(driver.base_info())]
    defaults = BodyLimits()
    limits = BodyLimits(
        upload=getattr(args, "max_upload_bytes", None) or defaults.upload,
        json=getattr(args, "max_body_bytes", None) or defaults.json,
    )
    config = uvicorn.Config(
        create_app(driver, limits),
        http=PsaH11Protocol,
        log_level="warning",
        access_log=False,
        lifespan="off",
        workers=1,
        timeout_graceful_shutdown=5,
    )
    server = _Server(config, ready, driver)
    # uvicorn re-raises the signal that stopped it once it has shut down gracefully:
    # make SIGTERM's re-raise harmless so the driver is stopped below, not killed (and
    # one that comes before uvicorn listens for it stops the server as it starts).
    previous = signal.signal(signal.SIGTERM, server.stop_soon)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        driver.stop()
        signal.signal(signal.SIGTERM, previous)
        sock.close()
    return 0


class _Server(uvicorn.Server):
    """uvicorn's Server, hosting the simulation on its own event loop (requests reach it
    with no thread hop) and printing the ready lines once it accepts connections."""

    def __init__(self, config: uvicorn.Config, ready_lines: list[str], driver: SimDriver) -> None:
        super().__init__(config)
        self.ready_lines = ready_lines
        self.driver = driver
        self._hosting: asyncio.Task[None] | None = None

    def stop_soon(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        self.should_exit = True

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._hosting = asyncio.create_task(self.driver.host())
        await asyncio.sleep(0)  # let it set up its queue before any request comes
        await super().startup(sockets=sockets)
        if not self.should_exit:
            print("\n".join(self.ready_lines), flush=True)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets=sockets)
        if self._hosting is not None:
            self.driver.stop()
            await self._hosting


def _snapshot_option(args: argparse.Namespace) -> dict[str, int]:
    every = getattr(args, "snapshot_every", None)
    return {"snapshot_every": every} if every else {}


def _log_to_stderr() -> None:
    """The server's own warnings and errors (a journal that cannot be written, a
    checkpoint retried) on stderr, one line each."""
    logger = logging.getLogger("psa_sim")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("psa-sim: %(levelname)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def _tune_gc() -> None:
    """A long-lived server holding many instances: what exists at start-up (catalog,
    replayed journal) is never garbage, and a listing of 10,000 instances builds ~10^5
    short-lived containers. With the default thresholds each such answer triggers full
    collections over the whole heap (x3 its time): collect rarely, and never the frozen
    start-up state."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 20, 100)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on sockets that say so, and
    # without it Nagle's algorithm holds every keep-alive answer for ~40 ms.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _users_line(info: BaseInfo) -> str:
    demo = info["demo_user"]
    if demo:
        return f"demo user: {demo[0]} / {demo[1]} (no --users file given)"
    return f"users from {info['users_file']}"
