#!/usr/bin/env python3
"""Run a command against a fresh `psa-sim serve`, then stop the server, whatever happens.

    python tools/with_psa_sim.py [--clock instant] [--db FILE] [--users FILE]
                                 [--username admin --password admin] -- CMD [ARG...]

The server listens on an ephemeral port (`--port 0`); once it prints its
`psa-sim serving on URL` line, CMD runs with PSA_URL, PSA_USERNAME and PSA_PASSWORD
in its environment. The server is stopped (SIGTERM, then SIGKILL after a grace
period) when CMD ends, fails, or this script is interrupted; the exit status is
CMD's. The server's own output goes to a log file (printed if it fails to start).

The playbooks of playbooks/ default `psa_url`, `psa_username` and `psa_password` to
these variables, so `... -- ansible-playbook playbooks/demo.yml` needs no extra vars.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile

from psa_sim.launch import ServedSimulator, ServerStartError

STOP_GRACE = 10.0


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    if "--" not in argv:
        raise SystemExit("usage: with_psa_sim.py [options] -- CMD [ARG...]")
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="with_psa_sim.py")
    parser.add_argument("--clock", default="instant", choices=("instant", "realtime", "manual"))
    parser.add_argument("--speed", help="simulated seconds per wall second (realtime)")
    parser.add_argument("--db", help="SQLite journal of the server (default: memory)")
    parser.add_argument("--users", help="YAML users file given to the server")
    parser.add_argument("--nodes", help="nodes of the LocalNodes source")
    parser.add_argument("--seed", help="random seed of the server")
    parser.add_argument("--username", default="admin", help="exported as PSA_USERNAME")
    parser.add_argument("--password", default="admin", help="exported as PSA_PASSWORD")
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="interpreter with psa_sim installed (default: this one)",
    )
    args = parser.parse_args(argv[:split])
    command = argv[split + 1 :]
    if not command:
        parser.error("no command after --")
    return args, command


def server_options(args: argparse.Namespace) -> list[str]:
    options = ["--clock", args.clock]
    for option in ("speed", "db", "users", "nodes", "seed"):
        value = getattr(args, option)
        if value is not None:
            options += ["--" + option, str(value)]
    return options


def main(argv: list[str]) -> int:
    args, command = parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="with-psa-sim-")
    log_path = os.path.join(workdir, "psa-sim.log")
    try:
        server = ServedSimulator(
            server_options(args), log_path=log_path, python=args.python, stop_grace=STOP_GRACE
        )
    except ServerStartError as exc:
        raise SystemExit(f"with_psa_sim.py: {exc}") from None
    url = server.url
    print(
        "with_psa_sim.py: psa-sim serving on %s (pid %d, log %s)"
        % (url, server.proc.pid, log_path),
        flush=True,
    )
    env = dict(os.environ, PSA_URL=url, PSA_USERNAME=args.username, PSA_PASSWORD=args.password)
    # SIGTERM (tox's interrupt, CI cancellation) must still stop the server.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    status = 1
    try:
        status = subprocess.call(command, env=env)
    except KeyboardInterrupt:
        status = 130
    finally:
        print(f"with_psa_sim.py: psa-sim stopped (exit {server.stop()})", flush=True)
        if status == 0:
            shutil.rmtree(workdir, ignore_errors=True)  # keep the log when something failed
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
