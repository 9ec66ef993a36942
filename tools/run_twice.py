#!/usr/bin/env python3
"""Run an ansible-playbook command twice; the second run must change nothing.

    python tools/run_twice.py -- ansible-playbook playbooks/demo.yml [ARG...]

Both runs' output is shown as it comes. Exit status: the first run's if it failed;
1 if the second run failed or its PLAY RECAP reports `changed` above 0 for any host
(the hosts and counts are printed); 0 otherwise.
"""

from __future__ import annotations

import re
import subprocess
import sys

RECAP_LINE = re.compile(
    r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+"
    r"failed=(\d+)",
    re.M,
)


def recap(output: str) -> dict[str, dict[str, int]]:
    """Per host: ok, changed, unreachable, failed, from the last PLAY RECAP of output."""
    start = output.rfind("PLAY RECAP")
    hosts = {}
    for match in RECAP_LINE.finditer(output[start:] if start >= 0 else ""):
        host, ok, changed, unreachable, failed = match.groups()
        hosts[host] = {
            "ok": int(ok),
            "changed": int(changed),
            "unreachable": int(unreachable),
            "failed": int(failed),
        }
    return hosts


def run(command: list[str], label: str) -> tuple[int, str]:
    print("=== {}: {}".format(label, " ".join(command)), flush=True)
    lines = []
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            sys.stdout.write(line)
            lines.append(line)
        status = proc.wait()
    sys.stdout.flush()
    return status, "".join(lines)


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "--" or len(argv) < 2:
        raise SystemExit("usage: run_twice.py -- COMMAND [ARG...]")
    command = argv[1:]
    status, _ = run(command, "first run")
    if status:
        print("run_twice.py: the first run failed (exit %d)" % status)
        return status
    status, output = run(command, "second run (must change nothing)")
    if status:
        print("run_twice.py: the second run failed (exit %d)" % status)
        return status or 1
    hosts = recap(output)
    if not hosts:
        print("run_twice.py: no PLAY RECAP in the second run's output")
        return 1
    changed = {host: counts["changed"] for host, counts in hosts.items() if counts["changed"]}
    if changed:
        print(
            "run_twice.py: NOT idempotent, the second run changed: {}".format(
                ", ".join("%s changed=%d" % item for item in sorted(changed.items()))
            )
        )
        return 1
    print(
        "run_twice.py: idempotent, the second run changed nothing ({})".format(
            ", ".join(f"{host} changed=0" for host in sorted(hosts))
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
