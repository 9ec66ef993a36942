"""The psa_instances inventory of 1,000 instances: how long it takes to build.

    python benchmarks/inventory_build.py [--instances 1000] [--repeat 5] [--json]

Against a fresh `psa-sim serve` (instant clock, a node per instance) holding N RUNNING
MongoDB instances (proxyfied endpoints, a PA:HIDDEN password each), two inventory sources
describe the same N hosts:

* **Ours**: a `bench.psa.yml` for `proactive.psa.psa_instances` (the connection only; the
  cache off, so every build lists the instances and the catalog over HTTP); and the same
  with a `keyed_groups` (by ENGINE) and a `compose` entry (the service port), reported
  apart: ansible-core compiles each such expression once per host (about 1 ms each), a
  cost of Constructable, not of the listing;
* **Baseline**: a static YAML inventory holding exactly the hosts, groups and host
  variables ours built (dumped from our first build): what ansible-core itself costs to
  load an inventory of that size, with no server involved.

Each build runs in a fresh interpreter (`--side`), timed around
`InventoryManager(loader, sources=[file])` (the plugin loader initialised before the
clock starts), the median of `--repeat` runs kept. Rows: ours against the 2 s budget
(target <= 1, the issue's "builds in under 2 s"; the wall includes importing the plugins,
which every ansible command pays once), the CPU time of that build (reported: on a
shared, loaded machine the wall time says more about the load than about the code), ours
against the static baseline (reported, no target: the cost of listing the server and
masking), and the build with keyed_groups and compose (reported). The 1-minute load
average at the end is recorded with the figures. Prints a report on stderr; with --json, ends with a `BENCH_RESULT <json>` line for benchmarks/run.py. Exit 0
when the target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import collection_tree
from collection_noop import log, python_env

NAME = "inventory_build"
RESULT_PREFIX = "BENCH_RESULT "
BUDGET_SECONDS = 2.0
INSTANCES = "/cloud-automation-service/serviceInstances"


# --- one build, in a fresh interpreter -------------------------------------------------


def side(source: str, collections: str) -> None:
    """Build the inventory `source` once; print BENCH_RESULT {wall_seconds, hosts}."""
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.loader import init_plugin_loader

    init_plugin_loader([collections])
    loader = DataLoader()
    started, cpu_started = time.perf_counter(), time.process_time()
    inventory = InventoryManager(loader=loader, sources=[source])
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    hosts = inventory.get_hosts()
    result = {"wall_seconds": round(wall, 4), "cpu_seconds": round(cpu, 4), "hosts": len(hosts)}
    if os.environ.get("INVENTORY_BUILD_DUMP"):
        dump = {"all": {"hosts": {}, "children": {}}}
        for host in hosts:
            dump["all"]["hosts"][host.name] = dict(host.vars)
        for name, group in inventory.groups.items():
            if name in ("all", "ungrouped"):
                continue
            dump["all"]["children"][name] = {"hosts": {h.name: None for h in group.hosts}}
        with open(os.environ["INVENTORY_BUILD_DUMP"], "w", encoding="utf-8") as handle:
            json.dump(dump, handle)  # JSON is YAML: a static inventory
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def build(source: Path, collections: Path, env: dict, dump: Path | None = None) -> dict:
    run_env = dict(env, ANSIBLE_COLLECTIONS_PATH=str(collections))
    if dump is not None:
        run_env["INVENTORY_BUILD_DUMP"] = str(dump)
    command = [sys.executable, __file__, "--side", str(source), "--collections", str(collections)]
    proc = subprocess.run(command, env=run_env, capture_output=True, text=True, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"building {source.name} failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(lines[-1][len(RESULT_PREFIX) :])


def median_build(source: Path, collections: Path, env: dict, repeat: int) -> dict:
    runs = [build(source, collections, env) for _ in range(max(1, repeat))]
    walls = sorted(r["wall_seconds"] for r in runs)
    cpus = sorted(r["cpu_seconds"] for r in runs)
    return {
        "wall_seconds": statistics.median(walls),
        "cpu_seconds": statistics.median(cpus),
        "runs": walls,
        "hosts": runs[0]["hosts"],
    }


# --- the comparison ------------------------------------------------------------------------


def populate(url: str, count: int) -> None:
    import requests

    session = requests.Session()
    answer = session.post(
        url + "/rest/common/login", data={"username": "admin", "password": "admin"}, timeout=30
    )
    answer.raise_for_status()
    session.headers["sessionid"] = answer.text.strip()
    for index in range(count):
        body = {
            "bucket_name": "service-automation",
            "workflow_name": "MongoDB",
            "variables": {
                "INSTANCE_NAME": "db-%04d" % index,
                "PASSWORD": "secret-%d" % index,
                "PROXYFIED": "true",
            },
        }
        session.post(url + INSTANCES, json=body, timeout=30).raise_for_status()
    states = [i["instance_status"] for i in session.get(url + INSTANCES, timeout=60).json()]
    if states.count("RUNNING") != count:
        raise SystemExit(f"expected {count} RUNNING instances, the server lists {states[:5]}...")


def compare(count: int, repeat: int) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="inventory-build-"))
    env = python_env()
    sys.path[:0] = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    from psa_sim.launch import ServedSimulator, ServerStartError

    try:
        server = ServedSimulator(
            ["--clock", "instant", "--nodes", str(count)],
            log_path=workdir / "psa-sim.log",
            env=env,
        )
    except ServerStartError as exc:
        raise SystemExit(str(exc)) from None
    try:
        log(f"  psa-sim serving on {server.url}; starting {count} MongoDB instances")
        started = time.perf_counter()
        populate(server.url, count)
        log(f"  {count} instances RUNNING in {time.perf_counter() - started:.1f} s")
        collections = workdir / "collections"
        collection_tree.place(str(collections), copy=False)
        connection = f"url: {server.url}\nusername: admin\npassword: admin\n"
        ours = workdir / "bench.psa.yml"
        ours.write_text("plugin: proactive.psa.psa_instances\n" + connection, encoding="utf-8")
        constructed = workdir / "constructed.psa.yml"
        constructed.write_text(
            "plugin: proactive.psa.psa_instances\n"
            + connection
            + "keyed_groups:\n  - key: psa_variables.ENGINE\n    prefix: engine\n"
            "compose:\n  service_port: psa_variables.SERVICE_PORT\n",
            encoding="utf-8",
        )
        static = workdir / "static.yml"
        first = build(ours, collections, env, dump=static)
        if first["hosts"] != count:
            raise SystemExit(f"the inventory holds {first['hosts']} hosts, not {count}")
        log(f"  ours, first build: {first['wall_seconds']} s for {first['hosts']} hosts")
        ours_runs = median_build(ours, collections, env, repeat)
        constructed_runs = median_build(constructed, collections, env, repeat)
        static_runs = median_build(static, collections, env, repeat)
        log(
            f"  ours: {ours_runs['runs']} s; with keyed_groups and compose: "
            f"{constructed_runs['runs']} s; static YAML: {static_runs['runs']} s"
        )
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    ratio = round(ours_runs["wall_seconds"] / BUDGET_SECONDS, 3)
    rows = [
        {
            "metric": f"psa_instances inventory of {count:,} instances: build wall vs the budget",
            "measured": ours_runs["wall_seconds"],
            "baseline": BUDGET_SECONDS,
            "unit": "s",
            "ratio": ratio,
            "target": "<= 1 (2 s)",
            "passed": ratio <= 1,
        },
        {
            "metric": "the same build: CPU time of the building process vs the budget",
            "measured": ours_runs["cpu_seconds"],
            "baseline": BUDGET_SECONDS,
            "unit": "s",
            "ratio": round(ours_runs["cpu_seconds"] / BUDGET_SECONDS, 3),
            "target": "-",
            "passed": None,
        },
        {
            "metric": "the same hosts as a static YAML inventory (no server): build wall",
            "measured": ours_runs["wall_seconds"],
            "baseline": static_runs["wall_seconds"],
            "unit": "s",
            "ratio": round(ours_runs["wall_seconds"] / static_runs["wall_seconds"], 2),
            "target": "-",
            "passed": None,
        },
        {
            "metric": "with a keyed_groups and a compose entry: build wall vs the budget",
            "measured": constructed_runs["wall_seconds"],
            "baseline": BUDGET_SECONDS,
            "unit": "s",
            "ratio": round(constructed_runs["wall_seconds"] / BUDGET_SECONDS, 3),
            "target": "-",
            "passed": None,
        },
    ]
    return {
        "name": NAME,
        "passed": rows[0]["passed"],
        "instances": count,
        "repeat": repeat,
        "ours_runs_seconds": ours_runs["runs"],
        "ours_cpu_seconds": ours_runs["cpu_seconds"],
        "constructed_runs_seconds": constructed_runs["runs"],
        "constructed_cpu_seconds": constructed_runs["cpu_seconds"],
        "static_runs_seconds": static_runs["runs"],
        "load_average_1min": load,
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5, help="builds per side (median)")
    parser.add_argument("--json", action="store_true", help="end with a BENCH_RESULT line")
    parser.add_argument("--side", help=argparse.SUPPRESS)
    parser.add_argument("--collections", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side:
        side(args.side, args.collections)
        return 0
    log(f"{NAME}: {args.instances} instances, {args.repeat} builds per side")
    result = compare(args.instances, args.repeat)
    for row in result["rows"]:
        verdict = "-" if row["passed"] is None else ("pass" if row["passed"] else "FAIL")
        log(
            f"  {row['metric']}: {row['measured']} s vs {row['baseline']} s "
            f"(ratio {row['ratio']}, target {row['target']}): {verdict}"
        )
    if args.json:
        print(RESULT_PREFIX + json.dumps(result, sort_keys=True), flush=True)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
