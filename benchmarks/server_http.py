"""The HTTP server: `psa-sim serve` answering GETs, against a bare FastAPI endpoint.

Two measurements, each client in a fresh subprocess of this script that starts its own
server subprocess (`python -m psa_sim serve --port 0 ...`) and always stops it:

1. GET /cloud-automation-service/serviceInstances/{id} (one RUNNING MongoDB instance,
   created through the API; a valid `sessionid` header). Baseline: a bare endpoint served
   by the same stack in the same run: a FastAPI app with one route answering that
   instance's JSON, captured once from our server, as a constant, with the same
   response class. It is served by psa_sim.api.serve's own `serve()` (same socket, GC
   tuning, uvicorn settings), only the app and the driver swapped for the bare ones.
   Measured: requests/s with CONNECTIONS requests in flight, and the latency of one
   request at a time (p50/p99). The sides alternate, --repeat times each; the median
   run by requests/s counts. Target: ours >= 60 % of the bare throughput.
2. GET /cloud-automation-service/serviceInstances with 10,000 RUNNING instances (10,000
   activations POSTed through the API to `psa-sim serve --nodes 10000 --clock instant`):
   after a warm-up, --gets timed GETs of the whole list. Target: p50 <= 150 ms (the
   target is the baseline, ratio measured/target).

The client is light, so that it leaves the server its core (two cores: they compete):
one thread, raw sockets, persistent HTTP/1.1 connections, requests prepared once as
bytes, a response read up to its content-length. The same client serves both sides.

    PYTHONPATH=simulator python benchmarks/server_http.py
    PYTHONPATH=simulator python benchmarks/server_http.py --seconds 1 --repeat 1 \
        --instances 1000 --gets 10
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import child_env, emit, log, log_rows, run_side, use_simulator

NAME = "server_http"
THROUGHPUT_RATIO_MIN = 0.60
LIST_P50_MS_MAX = 150.0
PSA = "/cloud-automation-service"
INSTANCES = PSA + "/serviceInstances"
ACTIVATION = json.dumps(
    {"bucket_name": "service-automation", "workflow_name": "MongoDB", "variables": {}}
).encode()
READY = "psa-sim serving on "
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
SETTLE_TIMEOUT = 120.0


# --- the server subprocess ---------------------------------------------------------------
class ServerProcess:
    """A server subprocess printing `psa-sim serving on http://HOST:PORT`; a context
    manager that always stops it (SIGTERM, then SIGKILL)."""

    def __init__(self, command: list[str]) -> None:
        log(f"  $ {' '.join(command[1:])}")
        env = child_env()
        env["PYTHONUNBUFFERED"] = "1"
        # stderr (warnings only: log level "warning") goes straight to ours.
        self.proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
        self.url: str | None = None
        self._ready = threading.Event()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        if not self._ready.wait(START_TIMEOUT) or self.url is None:
            self.stop()
            raise RuntimeError(
                f"{' '.join(command[1:])}: no '{READY}URL' line "
                f"within {START_TIMEOUT:g} s (exit {self.proc.returncode})"
            )
        host, _, port = self.url.removeprefix("http://").rpartition(":")
        self.address = (host.strip("[]"), int(port))

    def _read_stdout(self) -> None:  # all along: a full pipe would block the server
        for line in self.proc.stdout:
            if line.startswith(READY):
                self.url = line.split()[-1]
                self._ready.set()
        self._ready.set()  # the process ended

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc.wait(STOP_TIMEOUT)

    def cpu_seconds(self) -> float | None:
        """User + system CPU of the server so far (Linux /proc), to show it was busy."""
        try:
            stat = Path(f"/proc/{self.proc.pid}/stat").read_text()
        except OSError:
            return None
        fields = stat[stat.rfind(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float | None:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
        except OSError:
            pass
        return None


# --- the client --------------------------------------------------------------------------
def request_bytes(
    method: str, path: str, address: tuple[str, int], headers: dict | None = None, body: bytes = b""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {address[0]}:{address[1]}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Connection:
    """One persistent HTTP/1.1 connection: send prepared bytes, read responses up to
    their content-length. The least client work per request that still checks each one.
    Requests may be pipelined: `sent_at` keeps the send times of those unanswered."""

    def __init__(self, address: tuple[str, int]) -> None:
        self.sock = socket.create_connection(address, timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.total: int | None = None  # bytes of the response being read, once known
        self.body_at = 0
        self.status = 0
        self.sent_at: collections.deque[float] = collections.deque()

    def close(self) -> None:
        self.sock.close()

    def send(self, request: bytes) -> None:
        self.sent_at.append(time.perf_counter())
        self.sock.sendall(request)

    def feed(self) -> bool:
        """Read what is there (one recv); True once a whole response is in."""
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buf += chunk
        return self.complete()

    def complete(self) -> bool:
        """Whether the buffer holds a whole response (the oldest unanswered one)."""
        if self.total is None:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return False
            head = bytes(self.buf[:end]).lower()
            self.status = int(head[9:12])
            at = head.find(b"\r\ncontent-length:")
            if at < 0:
                raise ConnectionError(f"no content-length in {head[:200]!r}")
            stop = head.find(b"\r\n", at + 2)
            self.body_at = end + 4
            self.total = self.body_at + int(head[at + 17 : stop if stop >= 0 else None])
        return len(self.buf) >= self.total

    def take(self) -> tuple[int, bytes, float]:
        """The complete response's status, body and send time; the buffer keeps what
        follows."""
        body = bytes(self.buf[self.body_at : self.total])
        del self.buf[: self.total]
        self.total = None
        return self.status, body, self.sent_at.popleft()

    def call(self, request: bytes) -> tuple[int, bytes, float]:
        """One request, waited for: (status, body, seconds)."""
        self.send(request)
        while not self.feed():
            pass
        done = time.perf_counter()
        status, body, sent = self.take()
        return status, body, done - sent


def closed_loop(
    address: tuple[str, int],
    request: bytes,
    connections: int,
    seconds: float | None = None,
    count: int | None = None,
    expect_length: int | None = None,
    depth: int = 1,
) -> dict:
    """`connections` connections, each with `depth` requests in flight (pipelined), one
    sent as soon as one is answered, for `seconds` or until `count` requests were sent.
    Answers that are not 200 (or not `expect_length` bytes long) count as errors; only
    those answered within `seconds` count at all."""
    conns = [Connection(address) for _ in range(connections)]
    selector = selectors.DefaultSelector()
    latencies: list[float] = []
    errors = 0
    first_error = None
    sent = 0
    in_flight = 0
    started = time.perf_counter()
    deadline = started + seconds if seconds is not None else math.inf
    try:
        for conn in conns:
            for _ in range(depth):
                if count is None or sent < count:
                    conn.send(request)
                    sent += 1
                    in_flight += 1
            if conn.sent_at:
                selector.register(conn.sock, selectors.EVENT_READ, conn)
        while in_flight:
            for key, _ in selector.select():
                conn = key.data
                if not conn.feed():
                    continue
                now = time.perf_counter()
                while True:
                    status, body, sent_at = conn.take()
                    in_flight -= 1
                    if now <= deadline:
                        latencies.append(now - sent_at)
                        if status != 200 or (
                            expect_length is not None and len(body) != expect_length
                        ):
                            errors += 1
                            first_error = first_error or f"{status} {body[:300]!r}"
                    if now < deadline and (count is None or sent < count):
                        conn.send(request)
                        sent += 1
                        in_flight += 1
                    if not conn.complete():
                        break
                if not conn.sent_at:
                    selector.unregister(conn.sock)
        ended = min(time.perf_counter(), deadline)
    finally:
        selector.close()
        for conn in conns:
            conn.close()
    return {
        "latencies": latencies,
        "errors": errors,
        "first_error": first_error,
        "seconds": ended - started,
    }


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def login(address: tuple[str, int]) -> str:
    conn = Connection(address)
    try:
        status, body, _ = conn.call(
            request_bytes(
                "POST",
                "/rest/common/login",
                address,
                {"Content-Type": "application/x-www-form-urlencoded"},
                b"username=admin&password=admin",
            )
        )
    finally:
        conn.close()
    if status != 200:
        raise RuntimeError(f"login: {status} {body[:300]!r}")
    return body.decode()


def get_json(address: tuple[str, int], path: str, session: str):
    conn = Connection(address)
    try:
        status, body, _ = conn.call(request_bytes("GET", path, address, {"sessionid": session}))
    finally:
        conn.close()
    if status != 200:
        raise RuntimeError(f"GET {path}: {status} {body[:300]!r}")
    return json.loads(body), body


def wait_running(address, path: str, session: str, expected: int | None = None):
    """GET `path` until its instance (or all `expected` instances of the list) is RUNNING."""
    deadline = time.perf_counter() + SETTLE_TIMEOUT
    while True:
        data, body = get_json(address, path, session)
        items = data if isinstance(data, list) else [data]
        running = sum(1 for i in items if i["instance_status"] == "RUNNING")
        if running == len(items) and (expected is None or len(items) == expected):
            return data, body
        if time.perf_counter() > deadline:
            raise RuntimeError(
                f"GET {path}: {running} of {len(items)} instances RUNNING "
                f"after {SETTLE_TIMEOUT:g} s"
            )
        time.sleep(0.1)


# --- target 1: GET one instance, ours and bare -------------------------------------------
def measure_get(
    server: ServerProcess,
    request: bytes,
    expect_length: int,
    seconds: float,
    warmup: float,
    connections: int,
    depth: int,
) -> dict:
    closed_loop(server.address, request, connections, seconds=warmup, depth=depth)
    cpu0, client0 = server.cpu_seconds(), time.process_time()
    loaded = closed_loop(
        server.address,
        request,
        connections,
        seconds=seconds,
        expect_length=expect_length,
        depth=depth,
    )
    cpu1, client1 = server.cpu_seconds(), time.process_time()
    single = closed_loop(server.address, request, 1, seconds=seconds, expect_length=expect_length)
    for phase in (loaded, single):
        if phase["errors"]:
            raise RuntimeError(f"{phase['errors']} bad answers, e.g. {phase['first_error']}")
    wall = loaded["seconds"]
    lat, one = loaded["latencies"], single["latencies"]
    return {
        "requests": len(lat),
        "seconds": round(wall, 3),
        "requests_per_second": round(len(lat) / wall, 1),
        "loaded_p50_ms": ms(percentile(lat, 0.50)),
        "loaded_p99_ms": ms(percentile(lat, 0.99)),
        "single_requests": len(one),
        "single_p50_ms": ms(percentile(one, 0.50)),
        "single_p99_ms": ms(percentile(one, 0.99)),
        "single_requests_per_second": round(len(one) / single["seconds"], 1),
        # Share of one core used during the loaded phase: the client's must stay well
        # below the server's (else the client, not the server, is measured).
        "server_cpu_share": round((cpu1 - cpu0) / wall, 3) if cpu0 is not None else None,
        # CPU per request: what a request costs the server, less sensitive than req/s to
        # what else the machine runs (waits are not counted).
        "server_cpu_us_per_request": (
            round((cpu1 - cpu0) / len(lat) * 1e6, 1) if cpu0 is not None else None
        ),
        "client_cpu_share": round((client1 - client0) / wall, 3),
        "body_bytes": expect_length,
    }


def side_get_ours(
    seconds: float, warmup: float, connections: int, depth: int, capture: Path
) -> dict:
    command = [sys.executable, "-m", "psa_sim", "serve", "--port", "0", "--clock", "instant"]
    with ServerProcess(command) as server:
        address = server.address
        session = login(address)
        conn = Connection(address)
        try:
            status, body, _ = conn.call(
                request_bytes(
                    "POST",
                    INSTANCES,
                    address,
                    {"sessionid": session, "Content-Type": "application/json"},
                    ACTIVATION,
                )
            )
        finally:
            conn.close()
        if status != 200:
            raise RuntimeError(f"POST {INSTANCES}: {status} {body[:300]!r}")
        path = f"{INSTANCES}/{json.loads(body)['instance_id']}"
        _, captured = wait_running(address, path, session)
        capture.write_bytes(captured)
        request = request_bytes("GET", path, address, {"sessionid": session})
        figures = measure_get(server, request, len(captured), seconds, warmup, connections, depth)
        figures["path"] = path
        figures["server_peak_rss_mb"] = server.peak_rss_mb()
    return figures


def side_get_bare(
    seconds: float, warmup: float, connections: int, depth: int, body_file: Path, path: str
) -> dict:
    body = body_file.read_bytes()
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--serve-bare",
        "--body",
        str(body_file),
        "--path",
        path,
    ]
    with ServerProcess(command) as server:
        # The same request bytes as ours (the header is read, not checked).
        request = request_bytes("GET", path, server.address, {"sessionid": "0" * 32})
        figures = measure_get(server, request, len(body), seconds, warmup, connections, depth)
        figures["path"] = path
        figures["server_peak_rss_mb"] = server.peak_rss_mb()
    return figures


def serve_bare(body_file: Path, path: str) -> int:
    """The baseline server: psa_sim.api.serve.serve() itself (its socket, GC tuning and
    uvicorn settings), its app replaced by one route answering a constant JSON body and
    its driver by a stub that does nothing."""
    use_simulator()
    from fastapi import FastAPI
    from starlette.responses import Response

    import psa_sim.api.serve as serve_module
    from psa_sim.api.responses import JSON

    body = body_file.read_bytes()
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get(path)
    async def instance():
        return Response(content=body, media_type=JSON)

    class StubDriver:
        @classmethod
        def from_options(cls, **options) -> StubDriver:
            return cls()

        def base_info(self) -> dict:
            # The keys serve() prints (psa_sim.api.serve.BaseInfo).
            return {
                "clock": "instant",
                "seed": 0,
                "users_file": "(none: bare endpoint)",
                "demo_user": None,
            }

        async def host(self) -> None:
            pass

        def stop(self) -> None:
            pass

    for name in ("SimDriver", "create_app", "serve"):
        if not hasattr(serve_module, name):
            raise RuntimeError(f"psa_sim.api.serve has no {name}: update this benchmark")
    serve_module.SimDriver = StubDriver
    serve_module.create_app = lambda driver, limits=None: app
    args = argparse.Namespace(
        host="127.0.0.1",
        port=0,
        db=None,
        clock="instant",
        speed=1.0,
        seed=None,
        nodes=None,
        catalog=None,
        users=None,
    )
    return serve_module.serve(args)


# --- target 2: GET the list of N instances -----------------------------------------------
def side_list(instances: int, gets: int, warmup: int, connections: int) -> dict:
    command = [
        sys.executable,
        "-m",
        "psa_sim",
        "serve",
        "--port",
        "0",
        "--clock",
        "instant",
        "--nodes",
        str(instances),
    ]
    with ServerProcess(command) as server:
        address = server.address
        session = login(address)
        started = time.perf_counter()
        post = request_bytes(
            "POST",
            INSTANCES,
            address,
            {"sessionid": session, "Content-Type": "application/json"},
            ACTIVATION,
        )
        created = closed_loop(address, post, connections, count=instances)
        if created["errors"] or len(created["latencies"]) != instances:
            raise RuntimeError(
                f"POST {INSTANCES}: {created['errors']} errors of "
                f"{len(created['latencies'])}, e.g. {created['first_error']}"
            )
        post_seconds = time.perf_counter() - started
        _, body = wait_running(address, INSTANCES, session, expected=instances)
        setup_seconds = time.perf_counter() - started
        log(
            f"  list: {instances:,} activations POSTed in {post_seconds:.1f} s "
            f"({instances / post_seconds:,.0f}/s), all RUNNING after {setup_seconds:.1f} s; "
            f"the list is {len(body):,} bytes"
        )

        request = request_bytes("GET", INSTANCES, address, {"sessionid": session})
        conn = Connection(address)
        latencies = []
        try:
            for i in range(warmup + gets):
                status, answer, seconds = conn.call(request)
                if status != 200 or len(answer) != len(body):
                    raise RuntimeError(
                        f"GET {INSTANCES}: {status}, {len(answer):,} bytes ({len(body):,} expected)"
                    )
                if i >= warmup:
                    latencies.append(seconds)
        finally:
            conn.close()
        rss = server.peak_rss_mb()
    return {
        "instances": instances,
        "body_bytes": len(body),
        "gets": gets,
        "p50_ms": ms(statistics.median(latencies)),
        "p95_ms": ms(percentile(latencies, 0.95)),
        "min_ms": ms(min(latencies)),
        "max_ms": ms(max(latencies)),
        "latencies_ms": [ms(s) for s in latencies],
        "post_seconds": round(post_seconds, 2),
        "posts_per_second": round(instances / post_seconds, 1),
        "setup_seconds": round(setup_seconds, 2),
        "server_peak_rss_mb": rss,
    }


# --- both --------------------------------------------------------------------------------
def median_run(runs: list[dict]) -> dict:
    """The median run by requests/s, with every run's figure kept."""
    ordered = sorted(runs, key=lambda r: r["requests_per_second"])
    median = dict(ordered[(len(ordered) - 1) // 2])
    median["runs_requests_per_second"] = [r["requests_per_second"] for r in runs]
    return median


def compare(
    seconds: float,
    warmup: float,
    connections: int,
    depth: int,
    repeat: int,
    instances: int,
    gets: int,
) -> dict:
    script = Path(__file__).resolve()
    timing = [
        "--seconds",
        repr(seconds),
        "--warmup",
        repr(warmup),
        "--connections",
        str(connections),
        "--depth",
        str(depth),
    ]
    log(
        f"{NAME}: GET one instance, ours vs a bare FastAPI endpoint, {connections} "
        f"connections then one, {seconds:g} s each (after {warmup:g} s of warm-up), "
        f"sides alternating x{repeat}; GET the list of {instances:,} instances x{gets}"
    )
    ours_runs, bare_runs = [], []
    with tempfile.TemporaryDirectory(prefix="psa-sim-bench-") as tmp:
        body_file = Path(tmp) / "instance.json"
        for _ in range(max(1, repeat)):
            ours_runs.append(
                run_side(script, ["--side", "get-ours", *timing, "--capture", str(body_file)])
            )
            bare_runs.append(
                run_side(
                    script,
                    [
                        "--side",
                        "get-bare",
                        *timing,
                        "--body",
                        str(body_file),
                        "--path",
                        ours_runs[-1]["path"],
                    ],
                )
            )
    listing = run_side(
        script,
        [
            "--side",
            "list",
            "--instances",
            str(instances),
            "--gets",
            str(gets),
            "--connections",
            str(connections),
        ],
    )
    ours, bare = median_run(ours_runs), median_run(bare_runs)

    ratio = ours["requests_per_second"] / bare["requests_per_second"]
    throughput_ok = ratio >= THROUGHPUT_RATIO_MIN
    list_ratio = listing["p50_ms"] / LIST_P50_MS_MAX
    list_ok = list_ratio <= 1.0
    context = "(context)"
    rows = [
        {
            "metric": f"GET instance req/s, {connections} conns, ours vs bare FastAPI",
            "measured": ours["requests_per_second"],
            "baseline": bare["requests_per_second"],
            "unit": "/s",
            "ratio": round(ratio, 4),
            "target": f"ratio >= {THROUGHPUT_RATIO_MIN:g}",
            "passed": throughput_ok,
        },
        {
            "metric": f"GET instance p99 ms, {connections} conns, ours vs bare",
            "measured": ours["loaded_p99_ms"],
            "baseline": bare["loaded_p99_ms"],
            "unit": "ms",
            "ratio": round(ours["loaded_p99_ms"] / bare["loaded_p99_ms"], 4),
            "target": context,
            "passed": None,
        },
        {
            "metric": f"GET instance server CPU us/request, {connections} conns",
            "measured": ours["server_cpu_us_per_request"],
            "baseline": bare["server_cpu_us_per_request"],
            "unit": "us",
            "ratio": (
                round(ours["server_cpu_us_per_request"] / bare["server_cpu_us_per_request"], 4)
                if ours["server_cpu_us_per_request"] and bare["server_cpu_us_per_request"]
                else None
            ),
            "target": context,
            "passed": None,
        },
        {
            "metric": "GET instance p50 ms, one at a time, ours vs bare",
            "measured": ours["single_p50_ms"],
            "baseline": bare["single_p50_ms"],
            "unit": "ms",
            "ratio": round(ours["single_p50_ms"] / bare["single_p50_ms"], 4),
            "target": context,
            "passed": None,
        },
        {
            "metric": "GET instance p99 ms, one at a time, ours vs bare",
            "measured": ours["single_p99_ms"],
            "baseline": bare["single_p99_ms"],
            "unit": "ms",
            "ratio": round(ours["single_p99_ms"] / bare["single_p99_ms"], 4),
            "target": context,
            "passed": None,
        },
        {
            "metric": f"GET list of {instances:,} p50 ms ({listing['body_bytes'] / 1e6:.1f} MB)",
            "measured": listing["p50_ms"],
            "baseline": LIST_P50_MS_MAX,
            "unit": "ms",
            "ratio": round(list_ratio, 4),
            "target": f"<= {LIST_P50_MS_MAX:g} ms",
            "passed": list_ok,
        },
        {
            "metric": f"GET list of {instances:,} p95 ms",
            "measured": listing["p95_ms"],
            "baseline": None,
            "unit": "ms",
            "ratio": None,
            "target": context,
            "passed": None,
        },
    ]
    return {
        "name": NAME,
        "params": {
            "seconds": seconds,
            "warmup_seconds": warmup,
            "connections": connections,
            "depth": depth,
            "repeat": repeat,
            "list_instances": instances,
            "list_gets": gets,
            "client": "one thread, raw sockets, persistent HTTP/1.1 connections",
        },
        "figures": {
            "ours": ours,
            "bare": bare,
            "list": listing,
            "ours_runs": ours_runs,
            "bare_runs": bare_runs,
            "throughput_ratio_ours_over_bare": round(ratio, 4),
            # each ours run over the bare run right after it: the spread of the ratio
            "paired_throughput_ratios": [
                round(o["requests_per_second"] / b["requests_per_second"], 4)
                for o, b in zip(ours_runs, bare_runs)
            ],
            "list_p50_ratio_to_target": round(list_ratio, 4),
        },
        "target": {
            "throughput_ratio_min": THROUGHPUT_RATIO_MIN,
            "list_p50_ms_max": LIST_P50_MS_MAX,
        },
        "rows": rows,
        "passed": throughput_ok and list_ok,
    }


def report(result: dict) -> None:
    figures = result["figures"]
    for side in ("ours", "bare"):
        f = figures[side]
        log(
            f"  {side}: {f['requests_per_second']:,} req/s (runs "
            f"{f['runs_requests_per_second']}), p50 {f['loaded_p50_ms']} ms, p99 "
            f"{f['loaded_p99_ms']} ms loaded; one at a time p50 {f['single_p50_ms']} ms, p99 "
            f"{f['single_p99_ms']} ms; server CPU {f['server_cpu_us_per_request']} us/request, "
            f"{f['server_cpu_share']} of a core, client {f['client_cpu_share']}; "
            f"{f['body_bytes']:,} bytes"
        )
    log(f"  ours/bare req/s, each pair of runs: {figures['paired_throughput_ratios']}")
    f = figures["list"]
    log(
        f"  list of {f['instances']:,}: p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms "
        f"(min {f['min_ms']}, max {f['max_ms']}) for {f['body_bytes']:,} bytes; server "
        f"peak RSS {f['server_peak_rss_mb']} MB"
    )
    log_rows(result["rows"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds",
        type=float,
        default=3.0,
        help="measured seconds of each GET-instance phase (default 3)",
    )
    parser.add_argument(
        "--warmup", type=float, default=1.0, help="seconds of GETs before measuring (default 1)"
    )
    parser.add_argument(
        "--connections", type=int, default=4, help="connections of the throughput phase (default 4)"
    )
    parser.add_argument(
        "--depth",
        type=int,
        default=1,
        help="requests in flight per connection (pipelined; default 1)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each GET-instance side, alternating; the median counts",
    )
    parser.add_argument(
        "--instances",
        type=int,
        default=10_000,
        help="instances in the listed server (default 10,000)",
    )
    parser.add_argument("--gets", type=int, default=30, help="timed GETs of the list")
    parser.add_argument(
        "--side",
        choices=("get-ours", "get-bare", "list"),
        help="run one side only, in this process (what the harness spawns)",
    )
    parser.add_argument("--capture", type=Path, help="get-ours: write the instance JSON here")
    parser.add_argument("--body", type=Path, help="get-bare: the JSON body to serve")
    parser.add_argument("--path", help="get-bare: the path to serve it on")
    parser.add_argument(
        "--serve-bare",
        action="store_true",
        help="be the bare server (--body, --path); what get-bare spawns",
    )
    parser.add_argument(
        "--json", action="store_true", help="end with a BENCH_RESULT line for benchmarks/run.py"
    )
    args = parser.parse_args(argv)
    if (
        args.seconds <= 0
        or args.warmup < 0
        or args.connections < 1
        or args.instances < 1
        or args.gets < 1
        or args.depth < 1
    ):
        parser.error("need seconds > 0, warmup >= 0, connections, instances and gets >= 1")

    # A side stopped by SIGTERM still stops its server (the `with` blocks unwind).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if args.serve_bare:
        if not (args.body and args.path):
            parser.error("--serve-bare needs --body and --path")
        return serve_bare(args.body, args.path)
    if args.side == "get-ours":
        if not args.capture:
            parser.error("--side get-ours needs --capture")
        emit(side_get_ours(args.seconds, args.warmup, args.connections, args.depth, args.capture))
        return 0
    if args.side == "get-bare":
        if not (args.body and args.path):
            parser.error("--side get-bare needs --body and --path")
        emit(
            side_get_bare(
                args.seconds, args.warmup, args.connections, args.depth, args.body, args.path
            )
        )
        return 0
    if args.side == "list":
        emit(side_list(args.instances, args.gets, 3, args.connections))
        return 0
    result = compare(
        args.seconds,
        args.warmup,
        args.connections,
        args.depth,
        args.repeat,
        args.instances,
        args.gets,
    )
    report(result)
    if args.json:
        emit(result)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
