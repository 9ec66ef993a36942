#!/usr/bin/env python3
"""`ansible-test integration` on a copy of the collection, against a psa-sim server.

    python tools/ansible_test_integration.py --dest DIR [ANSIBLE-TEST INTEGRATION OPTIONS...]

1. starts `psa-sim serve` on a free port (psa_sim.launch.ServedSimulator: instant clock,
   32 nodes, since every RUNNING instance of the targets holds a node);
2. copies the collection's own files to DIR/ansible_collections/proactive/psa, as
   tools/ansible_test_sanity.py does (with a `git init` of its own, or a temporary
   directory outside any repository when git is missing);
3. writes tests/integration/integration_config.yml in the copy: ansible-test gives that
   file to every target as extra vars, so the targets read the server as `psa_url`,
   `psa_username` and `psa_password`;
4. seeds ansible-test's pip bootstrap cache (tools/seed_ansible_test_cache.py), in case
   ansible-test bootstraps pip (it downloads get-pip.py from a host CI cannot reach);
5. runs `ansible-test integration --local --color no` in the copy: the targets run with
   this interpreter, which has ansible-core and requests (no container, no virtual
   environment to provision). Extra options are passed on (target names, `-v`...);

then stops the server, whatever happened. The exit status is ansible-test's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import collection_tree
import seed_ansible_test_cache
from ansible_test_sanity import ansible_test_command, inside_git_work_tree

from psa_sim.launch import ServedSimulator, ServerStartError

USERNAME = PASSWORD = "admin"  # the demo user of psa-sim serve


def integration_config(url: str) -> str:
    # JSON is YAML: no quoting question for the URL.
    return '{"psa_url": "%s", "psa_username": "%s", "psa_password": "%s"}\n' % (
        url,
        USERNAME,
        PASSWORD,
    )


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "--dest":
        raise SystemExit("usage: ansible_test_integration.py --dest DIR [ansible-test options]")
    dest, extra = argv[1], argv[2:]
    git = shutil.which("git")
    if not git and inside_git_work_tree(dest):
        dest = tempfile.mkdtemp(prefix="psa-integration-")
    os.makedirs(dest, exist_ok=True)
    target = collection_tree.place(dest, copy=True)
    if git:
        subprocess.run([git, "init", "--quiet", target], check=True)
    seed_ansible_test_cache.main([])
    try:
        server = ServedSimulator(["--nodes", "32"], log_path=os.path.join(dest, "psa-sim.log"))
    except ServerStartError as error:
        raise SystemExit(f"ansible_test_integration.py: {error}") from None
    try:
        print(f"psa-sim serving on {server.url} (log {server.log_path})", flush=True)
        config = os.path.join(target, "tests", "integration", "integration_config.yml")
        with open(config, "w", encoding="utf-8") as handle:
            handle.write(integration_config(server.url))
        command = [*ansible_test_command(), "integration", "--local", "--color", "no", *extra]
        print("in {}: {}".format(target, " ".join(command)), flush=True)
        return subprocess.call(command, cwd=target)
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
