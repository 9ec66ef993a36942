"""Many instances in one task: psa_instance `instances` vs a loop of uri POSTs.

    python benchmarks/collection_fleet.py [--instances 100] [--parallel 10] [--json]

A user provisioning a fleet of N MongoDB instances, two ways, each in its own playbook
run against its own fresh `psa-sim serve` (instant clock), one after the other:

* **Baseline**: what a user writes without the collection - log in with
  `ansible.builtin.uri`, then a `loop` of N `ansible.builtin.uri` POSTs to
  `/cloud-automation-service/serviceInstances` (each only submits the activation; it
  does not even wait for RUNNING). Ansible runs every loop item as a task of its own.
* **Ours**: one `proactive.psa.psa_instance` task with `instances:` (N entries) and
  `parallel:`, which brings every instance to RUNNING and waits for it. Checked: every
  entry of `results` is RUNNING and changed.

Measured: the wall time of the loop task against that of the `instances` task, taken by
the same timing callback as collection_noop.py (task start to result). Target: ours /
baseline <= 0.1. Prints a report on stderr; with --json, ends with a `BENCH_RESULT
<json>` line for benchmarks/run.py. Exit 0 when the target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from collection_noop import log, python_env, run_timed_playbook

NAME = "collection_fleet"
RESULT_PREFIX = "BENCH_RESULT "
RATIO_MAX = 0.1


def start_server(workdir: Path, nodes: int):
    """`psa-sim serve --clock instant`, with a node for every RUNNING instance."""
    env = python_env()
    sys.path[:0] = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    from psa_sim.launch import ServedSimulator, ServerStartError

    try:
        return ServedSimulator(
            ["--clock", "instant", "--nodes", str(nodes)],
            log_path=workdir / "psa-sim.log",
            env=env,
        )
    except ServerStartError as exc:
        raise SystemExit(str(exc)) from None


def uri_loop_playbook(url: str, count: int) -> str:
    return f"""
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: setup session
      ansible.builtin.uri:
        url: "{url}/rest/common/login"
        method: POST
        body_format: form-urlencoded
        body: {{username: admin, password: admin}}
        return_content: true
      register: login
    - name: fleet uri loop
      ansible.builtin.uri:
        url: "{url}/cloud-automation-service/serviceInstances"
        method: POST
        headers: {{sessionid: "{{{{ login.content | trim }}}}"}}
        body_format: json
        body:
          bucket_name: service-automation
          workflow_name: MongoDB
          variables: {{INSTANCE_NAME: "fleet-{{{{ item }}}}"}}
        status_code: [200, 201]
      loop: "{{{{ range({count}) | list }}}}"
"""


def instances_playbook(url: str, count: int, parallel: int) -> str:
    entries = json.dumps([{"service_id": "MongoDB", "name": f"fleet-{i}"} for i in range(count)])
    return f"""
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: fleet instances
      proactive.psa.psa_instance:
        url: "{url}"
        username: admin
        password: admin
        instances: {entries}
        parallel: {parallel}
      register: fleet
    - name: check fleet
      ansible.builtin.assert:
        that:
          - fleet.results | length == {count}
          - fleet.results | selectattr('state', 'equalto', 'RUNNING') | list | length == {count}
          - fleet.results | selectattr('changed') | list | length == {count}
"""


def run_side(label: str, book_text_for, nodes: int) -> tuple[list[dict], float]:
    """One side: its own server, its playbook; (task timings, playbook wall seconds)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-fleet-{label}-"))
    server = start_server(workdir, nodes)
    try:
        started = time.perf_counter()
        tasks = run_timed_playbook(workdir, book_text_for(server.url))
        return tasks, time.perf_counter() - started
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def task_seconds(tasks: list[dict], name: str) -> float:
    found = [t["seconds"] for t in tasks if t["name"] == name]
    if len(found) != 1:
        raise SystemExit(f"collection_fleet.py: expected one task {name!r}, got {found}")
    return found[0]


def compare(count: int, parallel: int) -> dict:
    nodes = count + 16
    log(f"  baseline: a loop of {count} ansible.builtin.uri POSTs")
    uri_tasks, uri_wall = run_side("uri", lambda url: uri_loop_playbook(url, count), nodes)
    log(f"  ours: one psa_instance task, {count} instances to RUNNING, parallel {parallel}")
    ours_tasks, ours_wall = run_side(
        "instances", lambda url: instances_playbook(url, count, parallel), nodes
    )
    uri_seconds = task_seconds(uri_tasks, "fleet uri loop")
    ours_seconds = task_seconds(ours_tasks, "fleet instances")
    ratio = ours_seconds / uri_seconds
    passed = ratio <= RATIO_MAX
    figures = {
        "uri_loop_task_seconds": round(uri_seconds, 3),
        "instances_task_seconds": round(ours_seconds, 3),
        "uri_loop_per_item_seconds": round(uri_seconds / count, 4),
        "uri_playbook_wall_seconds": round(uri_wall, 3),
        "instances_playbook_wall_seconds": round(ours_wall, 3),
        "ratio": round(ratio, 4),
    }
    rows = [
        {
            "metric": f"{count} instances: psa_instance instances (to RUNNING) vs uri POST loop",
            "measured": figures["instances_task_seconds"],
            "baseline": figures["uri_loop_task_seconds"],
            "unit": "s",
            "ratio": figures["ratio"],
            "target": f"ratio <= {RATIO_MAX:g}",
            "passed": passed,
        }
    ]
    return {
        "name": NAME,
        "params": {"instances": count, "parallel": parallel, "clock": "instant"},
        "figures": figures,
        "target": {"ratio_max": RATIO_MAX},
        "rows": rows,
        "passed": passed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--instances", type=int, default=100, help="instances in the fleet")
    parser.add_argument("--parallel", type=int, default=10, help="psa_instance's parallel")
    parser.add_argument(
        "--json", action="store_true", help="end with a BENCH_RESULT line for benchmarks/run.py"
    )
    args = parser.parse_args(argv)
    if args.instances < 1 or args.parallel < 1:
        parser.error("need --instances >= 1 and --parallel >= 1")
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    result = compare(args.instances, args.parallel)
    for row in result["rows"]:
        verdict = "pass" if row["passed"] else "FAIL"
        log(
            f"  {row['metric']}: {row['measured']} s vs {row['baseline']} s, "
            f"ratio {row['ratio']} ({row['target']}): {verdict}"
        )
    if args.json:
        print(RESULT_PREFIX + json.dumps(result), flush=True)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
