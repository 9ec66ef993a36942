# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start `psa-sim serve` detached from the caller, or stop it; print one JSON object.

    psa_sim_launch.py start [--host H] [--port 0] [--clock C] [--db F] [--users F]
                            [--log FILE] [--timeout S] [--psa-sim EXE]
    psa_sim_launch.py stop --pid PID [--timeout S]

start: the server runs in its own session with its output in a log file (nothing holds
the caller's pipes, so Ansible does not wait for it). Once it prints
`psa-sim serving on URL`, prints {"url", "pid", "log", "command"} and exits 0. If it
exits or stays silent for --timeout seconds: {"failed": true, "msg"} with its output,
exit 1, and the server is stopped.

stop: SIGTERM, then SIGKILL after --timeout seconds. Only a process whose command line
names psa_sim / psa-sim is signalled. Prints {"changed", "pid", "msg"}; a process that is
already gone is not an error (changed false).

By default the server is `<this interpreter> -m psa_sim`; --psa-sim names an executable.
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

READY = re.compile(r"psa-sim serving on (\S+)")


def emit(result, status=0):
    print(json.dumps(result, sort_keys=True))
    return status


def read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except IOError:
        return ""


def start(args):
    if args.psa_sim:
        command = [args.psa_sim, "serve"]
    else:
        command = [sys.executable, "-m", "psa_sim", "serve"]
    command += ["--host", args.host, "--port", str(args.port), "--clock", args.clock]
    for option in ("db", "users", "nodes", "seed", "speed"):
        value = getattr(args, option)
        if value not in (None, ""):
            command += ["--" + option, str(value)]
    if args.log:
        log_path = os.path.abspath(args.log)
    else:
        handle, log_path = tempfile.mkstemp(prefix="psa-sim-", suffix=".log")
        os.close(handle)
    with open(log_path, "wb") as log, open(os.devnull, "rb") as devnull:
        proc = subprocess.Popen(
            command,
            stdin=devnull,
            stdout=log,
            stderr=subprocess.STDOUT,
            close_fds=True,
            start_new_session=True,
        )
    deadline = time.time() + args.timeout
    while time.time() < deadline:
        match = READY.search(read(log_path))
        if match:
            return emit(
                {"url": match.group(1), "pid": proc.pid, "log": log_path, "command": command}
            )
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    if proc.poll() is None:
        proc.kill()
        proc.wait()
        reason = "did not report 'psa-sim serving on' within %s s" % args.timeout
    else:
        reason = "exited with status %s" % proc.returncode
    return emit(
        {
            "failed": True,
            "log": log_path,
            "command": command,
            "msg": "psa-sim serve %s: %s" % (reason, read(log_path).strip() or "(no output)"),
        },
        1,
    )


def alive(pid):
    """True while pid runs (a zombie waiting for its parent counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = read("/proc/%d/stat" % pid)
    return not (stat and stat.rsplit(")", 1)[-1].split()[:1] == ["Z"])


def is_psa_sim(pid):
    cmdline = read("/proc/%d/cmdline" % pid)
    if not os.path.isdir("/proc/%d" % pid) and not cmdline:
        return True  # no /proc on this system: trust the caller's pid
    return "psa_sim" in cmdline or "psa-sim" in cmdline


def stop(args):
    pid = args.pid
    if not alive(pid):
        return emit({"changed": False, "pid": pid, "msg": "psa-sim (pid %d) is not running" % pid})
    if not is_psa_sim(pid):
        return emit(
            {
                "failed": True,
                "changed": False,
                "pid": pid,
                "msg": "pid %d is not a psa-sim server: not signalled" % pid,
            },
            1,
        )
    os.kill(pid, signal.SIGTERM)
    deadline = time.time() + args.timeout
    while time.time() < deadline:
        if not alive(pid):
            return emit({"changed": True, "pid": pid, "msg": "psa-sim (pid %d) stopped" % pid})
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    return emit(
        {
            "changed": True,
            "pid": pid,
            "msg": "psa-sim (pid %d) killed after %s s" % (pid, args.timeout),
        }
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description="start or stop psa-sim serve")
    commands = parser.add_subparsers(dest="action")
    commands.required = True
    starting = commands.add_parser("start")
    starting.add_argument("--host", default="127.0.0.1")
    starting.add_argument("--port", type=int, default=0)
    starting.add_argument("--clock", default="instant")
    starting.add_argument("--db")
    starting.add_argument("--users")
    starting.add_argument("--nodes")
    starting.add_argument("--seed")
    starting.add_argument("--speed")
    starting.add_argument("--log")
    starting.add_argument("--psa-sim", dest="psa_sim")
    starting.add_argument("--timeout", type=float, default=60.0)
    stopping = commands.add_parser("stop")
    stopping.add_argument("--pid", type=int, required=True)
    stopping.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args(argv)
    return start(args) if args.action == "start" else stop(args)


if __name__ == "__main__":
    sys.exit(main())
