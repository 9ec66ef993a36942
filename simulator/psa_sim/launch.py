"""Start `psa-sim serve` in a subprocess and wait until it is ready: for CI scripts.

    with ServedSimulator(["--nodes", "32"], log_path="psa-sim.log") as server:
        run_my_playbooks(server.url)

The server listens on a free port (`--port 0`); `url` is read from the line it prints
once it accepts connections. Its output goes to `log_path`. `stop()` (or leaving the
`with` block) sends SIGTERM, then SIGKILL after a grace period.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from os import PathLike
from pathlib import Path

READY = re.compile(r"psa-sim serving on (\S+)")


class ServerStartError(RuntimeError):
    """The server exited or stayed silent; the message holds its output."""


class ServedSimulator:
    def __init__(
        self,
        options: Sequence[str] = (),
        *,
        log_path: str | PathLike[str],
        python: str = sys.executable,
        env: dict[str, str] | None = None,
        timeout: float = 60.0,
        stop_grace: float = 10.0,
    ) -> None:
        self.command = [python, "-m", "psa_sim", "serve", "--port", "0", *options]
        self.log_path = Path(log_path)
        self.stop_grace = stop_grace
        with open(self.log_path, "wb") as out:
            self.proc = subprocess.Popen(
                self.command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        self.url = self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = READY.search(self.log())
            if match:
                return match.group(1)
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise ServerStartError(
            f"psa-sim serve did not start ({' '.join(self.command)}):\n"
            + (self.log().strip() or "(no output)")
        )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int | None:
        """Stop the server; returns its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(self.stop_grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def __enter__(self) -> ServedSimulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
