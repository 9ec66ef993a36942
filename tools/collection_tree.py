#!/usr/bin/env python3
"""Place the proactive.psa collection where Ansible and ansible-test look for it.

    python tools/collection_tree.py DEST [--copy]

Creates DEST/ansible_collections/proactive/psa and prints DEST (a collections path:
`ANSIBLE_COLLECTIONS_PATH=DEST`).

- default: a symlink to this repository, so edits show at once (playbooks, tests);
- `--copy`: a copy of the collection's own files only (what ansible-test sanity must
  see: no simulator, benchmarks, scenarios, .tox or caches), replacing any older copy.

The namespace and name are read from galaxy.yml when it exists.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# What belongs to the collection (anything missing is skipped).
COLLECTION_ENTRIES = (
    "galaxy.yml",
    "meta",
    "plugins",
    "extensions",
    "roles",
    "playbooks",
    "docs",
    "changelogs",
    "tests/unit",
    "tests/integration",
    "tests/sanity",
    "tests/config.yml",
    "README.md",
    "COPYING",
    "LICENSE",
)
IGNORED = shutil.ignore_patterns(
    "__pycache__", "*.pyc", "*.pyo", ".pytest_cache", ".hypothesis", "output", "*.retry"
)


def collection_name(root: str) -> tuple[str, str]:
    namespace, name = "proactive", "psa"
    galaxy = os.path.join(root, "galaxy.yml")
    if os.path.exists(galaxy):
        with open(galaxy, encoding="utf-8") as handle:
            text = handle.read()
        found = dict(re.findall(r"^(namespace|name):\s*['\"]?([A-Za-z0-9_]+)", text, re.M))
        namespace, name = found.get("namespace", namespace), found.get("name", name)
    return namespace, name


def remove(path: str) -> None:
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)


def place(dest: str, copy: bool, root: str = ROOT) -> str:
    namespace, name = collection_name(root)
    target = os.path.join(os.path.abspath(dest), "ansible_collections", namespace, name)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    remove(target)
    if not copy:
        os.symlink(root, target)
        return target
    os.makedirs(target)
    for entry in COLLECTION_ENTRIES:
        source = os.path.join(root, entry)
        if not os.path.exists(source):
            continue
        os.makedirs(os.path.dirname(os.path.join(target, entry)), exist_ok=True)
        if os.path.isdir(source):
            shutil.copytree(source, os.path.join(target, entry), ignore=IGNORED)
        else:
            shutil.copy2(source, os.path.join(target, entry))
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("dest", help="the collections path to create")
    parser.add_argument(
        "--copy",
        action="store_true",
        help="copy the collection's files instead of linking the repository",
    )
    args = parser.parse_args(argv)
    target = place(args.dest, args.copy)
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
