"""The collection's overhead, measured in one playbook run against `psa-sim serve`.

    python benchmarks/collection_noop.py [--repeat 15] [--converge 5] [--json]

1. No-op: a `proactive.psa.psa_instance` task whose instance is already RUNNING (it logs
   in, reads the catalog and the instances, changes nothing, logs out) against an
   `ansible.builtin.uri` task GETting that instance from the same server with a session
   opened beforehand — the cheapest useful task Ansible can run against the API. The two
   alternate, `--repeat` times each, in the same playbook run; the first of each is a
   warm-up. Target: median no-op / median uri <= 1.3.
2. Convergence: `psa_instance` bringing a new instance from absent to RUNNING on the
   instant clock, with the module's default wait options, `--converge` times. Target:
   median task wall <= 1.5 s. The same with `wait_sleep: 0.1` is shown for context.

Task times are wall times from the task's start to its result, taken by a small
aggregate callback (ansible-core has no profile_tasks of its own), so they include what
Ansible adds to every task (templating, forking, shipping the module, starting Python).
Needs ansible-core next to this interpreter and psa-sim importable (installed, or this
tree's simulator/). Prints a report on stderr; with --json, ends with a `BENCH_RESULT
<json>` line for benchmarks/run.py. Exit 0 when both targets are met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
NAME = "collection_noop"
RESULT_PREFIX = "BENCH_RESULT "
NOOP_RATIO_MAX = 1.3
CONVERGE_SECONDS_MAX = 1.5
# Every RUNNING instance keeps a node (its token): room for all the convergences.
NODES = 64

TIMING_CALLBACK = '''
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = """
    name: bench_timing
    type: aggregate
    short_description: wall time of every task, written as JSON to $BENCH_TIMING_FILE
    description: [wall time of every task, written as JSON to $BENCH_TIMING_FILE]
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timing"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display)
        self.tasks = []
        self.started = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.started = time.perf_counter()
        self.tasks.append({"name": task.get_name()})

    def _done(self, result, status):
        task = self.tasks[-1]
        task["seconds"] = time.perf_counter() - self.started
        task["status"] = status
        task["changed"] = bool(result._result.get("changed"))
        task["module_elapsed"] = result._result.get("elapsed")

    def v2_runner_on_ok(self, result):
        self._done(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._done(result, "failed")

    def v2_playbook_on_stats(self, stats):
        with open(os.environ["BENCH_TIMING_FILE"], "w") as handle:
            json.dump(self.tasks, handle)
'''


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"collection_noop.py: {name} not found (pip install ansible-core)")
    return found


def python_env() -> dict[str, str]:
    """psa_sim importable: the installed package, else this tree's simulator/."""
    env = dict(os.environ)
    try:
        import psa_sim  # noqa: F401  pylint: disable=unused-import,import-outside-toplevel
    except ImportError:
        paths = [str(REPO_DIR / "simulator")] + [
            p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p
        ]
        env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def start_server(workdir: Path):
    """`psa-sim serve --port 0 --clock instant --nodes 64`, ready to answer."""
    env = python_env()
    sys.path[:0] = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    from psa_sim.launch import ServedSimulator, ServerStartError

    try:
        return ServedSimulator(
            ["--clock", "instant", "--nodes", str(NODES)], log_path=workdir / "psa-sim.log", env=env
        )
    except ServerStartError as exc:
        raise SystemExit(str(exc)) from None


def playbook(url: str, repeat: int, converge: int) -> str:
    """The measured playbook: alternating no-op / uri tasks, then convergences."""
    lines = [
        f"""
- hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/proactive.psa.psa: {{url: "{url}", username: admin, password: admin}}
  tasks:
    - name: setup instance
      proactive.psa.psa_instance: {{service_id: MongoDB, name: bench-noop, wait_sleep: 0.05}}
      register: setup
    - name: setup session
      ansible.builtin.uri:
        url: "{url}/rest/common/login"
        method: POST
        body_format: form-urlencoded
        body: {{username: admin, password: admin}}
        return_content: true
      register: login
"""
    ]
    for i in range(repeat):
        lines.append(f"""
    - name: noop {i}
      proactive.psa.psa_instance: {{service_id: MongoDB, name: bench-noop}}
    - name: uri {i}
      ansible.builtin.uri:
        url: "{url}/cloud-automation-service/serviceInstances/{{{{ setup.instance.instance_id }}}}"
        headers: {{sessionid: "{{{{ login.content | trim }}}}"}}
        return_content: true
""")
    for i in range(converge):
        lines.append(f"""
    - name: converge {i}
      proactive.psa.psa_instance: {{service_id: MongoDB, name: bench-converge-{i}}}
    - name: converge-fast-poll {i}
      proactive.psa.psa_instance: {{service_id: MongoDB, name: bench-fast-{i}, wait_sleep: 0.1}}
""")
    return "".join(lines)


def run_playbook(workdir: Path, url: str, repeat: int, converge: int) -> list[dict]:
    return run_timed_playbook(workdir, playbook(url, repeat, converge))


def run_timed_playbook(workdir: Path, text: str) -> list[dict]:
    """Run the playbook ``text`` with this collection (linked into ``workdir``) and the
    timing callback; return each task's timing. Exits when the playbook fails."""
    tree = workdir / "collections" / "ansible_collections" / "proactive"
    tree.mkdir(parents=True)
    (tree / "psa").symlink_to(REPO_DIR, target_is_directory=True)
    callbacks = workdir / "callbacks"
    callbacks.mkdir()
    (callbacks / "bench_timing.py").write_text(TIMING_CALLBACK)
    book = workdir / "bench.yml"
    book.write_text(text)
    timing = workdir / "timing.json"
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(workdir / "collections"),
        ANSIBLE_CALLBACK_PLUGINS=str(callbacks),
        ANSIBLE_CALLBACKS_ENABLED="bench_timing",
        BENCH_TIMING_FILE=str(timing),
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_NOCOLOR="true",
    )
    for name in ("PSA_URL", "PSA_USERNAME", "PSA_PASSWORD", "ANSIBLE_CONFIG"):
        env.pop(name, None)
    proc = subprocess.run(
        [tool("ansible-playbook"), str(book)],
        env=env,
        cwd=str(workdir),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0 or not timing.exists():
        raise SystemExit(
            "the benchmark playbook failed (exit %d):\n%s\n%s"
            % (proc.returncode, proc.stdout[-5000:], proc.stderr[-3000:])
        )
    return json.loads(timing.read_text())


def seconds(tasks: list[dict], prefix: str, skip_first: bool) -> list[float]:
    found = [t["seconds"] for t in tasks if t["name"].startswith(prefix + " ")]
    return found[1:] if skip_first and len(found) > 1 else found


def measure(repeat: int, converge: int) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="bench-collection-"))
    server = start_server(workdir)
    try:
        log(
            f"  psa-sim on {server.url}; {repeat} no-op + {repeat} uri tasks, "
            f"{converge} convergences"
        )
        started = time.perf_counter()
        tasks = run_playbook(workdir, server.url, repeat, converge)
        playbook_wall = time.perf_counter() - started
    finally:
        server.stop()
    shutil.rmtree(workdir, ignore_errors=True)
    noop = seconds(tasks, "noop", True)
    uri = seconds(tasks, "uri", True)
    conv = seconds(tasks, "converge", False)
    fast = seconds(tasks, "converge-fast-poll", False)
    noop_changed = [t for t in tasks if t["name"].startswith("noop ") and t["changed"]]
    conv_unchanged = [t for t in tasks if t["name"].startswith("converge") and not t["changed"]]
    if noop_changed or conv_unchanged:
        raise SystemExit(
            "collection_noop.py: a no-op task changed something, or a "
            "convergence did not: %s" % (noop_changed or conv_unchanged)
        )
    noop_module = [
        t["module_elapsed"]
        for t in tasks
        if t["name"].startswith("noop ") and t["module_elapsed"] is not None
    ]
    return {
        "playbook_wall_seconds": round(playbook_wall, 3),
        "noop_task_seconds": [round(s, 4) for s in noop],
        "uri_task_seconds": [round(s, 4) for s in uri],
        "noop_median_seconds": round(statistics.median(noop), 4),
        "uri_median_seconds": round(statistics.median(uri), 4),
        "noop_module_elapsed_median_seconds": (
            round(statistics.median(noop_module), 4) if noop_module else None
        ),
        "converge_task_seconds": [round(s, 4) for s in conv],
        "converge_median_seconds": round(statistics.median(conv), 4),
        "converge_max_seconds": round(max(conv), 4),
        "converge_fast_poll_task_seconds": [round(s, 4) for s in fast],
        "converge_fast_poll_median_seconds": round(statistics.median(fast), 4),
    }


def compare(repeat: int, converge: int) -> dict:
    figures = measure(repeat, converge)
    ratio = figures["noop_median_seconds"] / figures["uri_median_seconds"]
    noop_ok = ratio <= NOOP_RATIO_MAX
    converge_ok = figures["converge_median_seconds"] <= CONVERGE_SECONDS_MAX
    figures["noop_ratio"] = round(ratio, 4)
    rows = [
        {
            "metric": "no-op psa_instance task vs uri GET, median task wall",
            "measured": figures["noop_median_seconds"],
            "baseline": figures["uri_median_seconds"],
            "unit": "s",
            "ratio": round(ratio, 4),
            "target": f"ratio <= {NOOP_RATIO_MAX:g}",
            "passed": noop_ok,
        },
        {
            "metric": "psa_instance absent -> RUNNING, instant clock, default wait, median",
            "measured": figures["converge_median_seconds"],
            "baseline": CONVERGE_SECONDS_MAX,
            "unit": "s",
            "ratio": round(figures["converge_median_seconds"] / CONVERGE_SECONDS_MAX, 4),
            "target": f"<= {CONVERGE_SECONDS_MAX:g} s",
            "passed": converge_ok,
        },
        {
            "metric": "psa_instance absent -> RUNNING, wait_sleep 0.1, median",
            "measured": figures["converge_fast_poll_median_seconds"],
            "baseline": None,
            "unit": "s",
            "ratio": None,
            "target": "(context)",
            "passed": None,
        },
    ]
    return {
        "name": NAME,
        "params": {
            "repeat": repeat,
            "converge": converge,
            "clock": "instant",
            "warmup_tasks_skipped": 1,
        },
        "figures": figures,
        "target": {"noop_ratio_max": NOOP_RATIO_MAX, "converge_seconds_max": CONVERGE_SECONDS_MAX},
        "rows": rows,
        "passed": noop_ok and converge_ok,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "--repeat",
        type=int,
        default=15,
        help="no-op and uri tasks each (the first of each is a warm-up)",
    )
    parser.add_argument(
        "--converge", type=int, default=5, help="absent -> RUNNING convergences measured"
    )
    parser.add_argument(
        "--json", action="store_true", help="end with a BENCH_RESULT line for benchmarks/run.py"
    )
    args = parser.parse_args(argv)
    if args.repeat < 2 or args.converge < 1:
        parser.error("need --repeat >= 2 and --converge >= 1")
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    result = compare(args.repeat, args.converge)
    for row in result["rows"]:
        verdict = "-" if row["passed"] is None else ("pass" if row["passed"] else "FAIL")
        log(
            f"  {row['metric']}: {row['measured']} {row['unit']} (baseline "
            f"{row['baseline']}, ratio {row['ratio']}, target {row['target']}): {verdict}"
        )
    summary = {
        key: result["figures"][key]
        for key in (
            "noop_median_seconds",
            "uri_median_seconds",
            "noop_ratio",
            "converge_median_seconds",
            "converge_max_seconds",
            "converge_fast_poll_median_seconds",
        )
    }
    print(json.dumps(dict(summary, passed=result["passed"]), sort_keys=True), flush=True)
    if args.json:
        print(RESULT_PREFIX + json.dumps(result, sort_keys=True), flush=True)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
