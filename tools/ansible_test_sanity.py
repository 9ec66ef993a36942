#!/usr/bin/env python3
"""`ansible-test sanity` on a clean copy of the collection, runnable offline.

    python tools/ansible_test_sanity.py --dest DIR [ANSIBLE-TEST SANITY OPTIONS...]

1. copies the collection's own files (tools/collection_tree.py --copy) to
   DIR/ansible_collections/proactive/psa: ansible-test must run from a directory laid out
   that way, and must not see the simulator, benchmarks, .tox or caches. ansible-test
   lists the files to test with git when a parent directory holds a .git: for a DIR
   inside this repository (.tox/ is git-ignored) it would find no file at all, so the
   copy gets a repository of its own (`git init`, nothing committed: ansible-test also
   lists untracked files). Without git, the copy goes to a temporary directory outside
   any repository instead;
2. seeds ansible-test's pip bootstrap cache under $HOME (tools/seed_ansible_test_cache.py:
   ansible-test would download get-pip.py from a host CI cannot reach);
3. runs `ansible-test sanity --color no --python X.Y` in the copy, X.Y being this
   interpreter's version (ansible-test then creates the sanity tests' virtual environments
   with it, under $HOME/.ansible/test/venv, and pip-installs their pinned requirements
   from the package registry). Extra options are passed on (e.g. `--test pylint`).

The exit status is ansible-test's. No ignore file is used: tests/sanity holds none.
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


def ansible_test_command() -> list[str]:
    script = os.path.join(os.path.dirname(sys.executable), "ansible-test")
    if os.path.exists(script):
        return [script]
    return [sys.executable, "-m", "ansible_test._util.target.cli.ansible_test_cli_stub"]


def inside_git_work_tree(path: str) -> bool:
    path = os.path.abspath(path)
    while True:
        if os.path.exists(os.path.join(path, ".git")):
            return True
        parent = os.path.dirname(path)
        if parent == path:
            return False
        path = parent


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "--dest":
        raise SystemExit("usage: ansible_test_sanity.py --dest DIR [ansible-test options]")
    dest, extra = argv[1], argv[2:]
    git = shutil.which("git")
    if not git and inside_git_work_tree(dest):
        dest = tempfile.mkdtemp(prefix="psa-sanity-")
    target = collection_tree.place(dest, copy=True)
    if git:
        subprocess.run([git, "init", "--quiet", target], check=True)
    seed_ansible_test_cache.main([])
    command = [*ansible_test_command(), "sanity", "--color", "no"]
    if "--python" not in extra:
        command += ["--python", "%d.%d" % sys.version_info[:2]]
    command += extra
    print("in {}: {}".format(target, " ".join(command)), flush=True)
    return subprocess.call(command, cwd=target)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
