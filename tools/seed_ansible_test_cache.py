#!/usr/bin/env python3
"""Seed ansible-test's pip bootstrap cache so that `ansible-test sanity` runs offline.

ansible-test creates one virtual environment per sanity test, without pip
(`python -m venv --without-pip`), then bootstraps pip in it by running a `get-pip.py`
downloaded from https://ci-files.testing.ansible.com/ansible-test/get-pip-<VERSION>.py
(see ansible_test/_util/target/setup/requirements.py, `bootstrap()`). Only the package
registries are reachable from CI here, so that download fails. But ansible-test first
looks for the script in its cache,

    ~/.ansible/test/cache/get_pip_<VERSION with dots as underscores>.py

and uses it as it is: the cache is not verified (no hash, no signature), only the pip
version in the file name must match the one ansible-test pins
(`get_venv_packages()` in ansible_test/_internal/python_requirements.py, e.g. pip 24.2
for ansible-core 2.19). ansible-test runs the script as `__main__` (via runpy) with the
venv's interpreter and get-pip's arguments, e.g.

    --disable-pip-version-check pip==24.2 --no-setuptools --no-wheel

This tool writes, for each pip version the installed ansible-test pins, a replacement
that does what get-pip does with the standard library's `ensurepip` (the pip wheel
bundled with Python) and then `pip install` of the exact packages asked for, from the
package registry. It never touches a cached file it did not write, unless `--force`.

    python tools/seed_ansible_test_cache.py [--home DIR] [--force]

Run it with the interpreter that has ansible-core installed (the one running
ansible-test), with the same HOME as ansible-test.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import types

MARKER = "# written by proactive.psa tools/seed_ansible_test_cache.py"

GET_PIP = '''\
"""get-pip.py replacement for ansible-test's offline bootstrap cache.

It installs pip from the wheel bundled with this Python (ensurepip), then runs
`pip install --upgrade` with get-pip's own arguments (the pinned pip version),
dropping get-pip's --no-setuptools / --no-wheel flags and honouring them afterwards.
"""
%(marker)s
import subprocess
import sys
from importlib import metadata

GET_PIP_ONLY = ("--no-setuptools", "--no-wheel", "--no-pip")


def run(*args):
    status = subprocess.call([sys.executable] + list(args))
    if status:
        sys.exit(status)


def installed(name):
    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def main():
    argv = sys.argv[1:]
    pip_args = [arg for arg in argv if arg not in GET_PIP_ONLY]
    run("-m", "ensurepip", "--upgrade", "--default-pip")
    if any(not arg.startswith("-") for arg in pip_args):
        run("-m", "pip", "install", "--upgrade", *pip_args)
    unwanted = [name for name in ("setuptools", "wheel")
                if "--no-" + name in argv and installed(name)]
    if unwanted:
        # ensurepip of Python < 3.12 installs setuptools: remove what get-pip would not add
        run("-m", "pip", "uninstall", "--yes", "--quiet", *unwanted)


if __name__ == "__main__":
    main()
'''

PYTHON_VERSIONS = (
    "2.7",
    "3.6",
    "3.7",
    "3.8",
    "3.9",
    "3.10",
    "3.11",
    "3.12",
    "3.13",
    "3.14",
    "3.15",
)


def pinned_pip_versions() -> set[str]:
    """The pip versions the installed ansible-test bootstraps, for any Python version."""
    try:
        from ansible_test._internal.python_requirements import get_venv_packages
    except ImportError:
        get_venv_packages = None
    versions = set()
    if get_venv_packages is not None:
        for python in PYTHON_VERSIONS:
            try:
                versions.add(get_venv_packages(types.SimpleNamespace(version=python))["pip"])
            except (KeyError, TypeError, AttributeError):
                continue
    if not versions:
        versions = pinned_pip_versions_from_source()
    return versions


def pinned_pip_versions_from_source() -> set[str]:
    """Fallback: read `pip='X.Y'` pins from ansible-test's source."""
    try:
        import ansible_test  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise SystemExit(
            "seed_ansible_test_cache.py: ansible-test is not installed for "
            + sys.executable
            + " (pip install ansible-core)"
        ) from None
    path = os.path.join(
        os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py"
    )
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    versions = set(re.findall(r"""pip\s*=\s*['"]([0-9][0-9.]*)['"]""", source))
    if not versions:
        raise SystemExit(
            "seed_ansible_test_cache.py: cannot find the pip version pinned "
            "by ansible-test in " + path
        )
    return versions


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "--home",
        default=os.path.expanduser("~"),
        help="the HOME ansible-test will run with (default: $HOME)",
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite cached scripts this tool did not write"
    )
    args = parser.parse_args(argv)

    cache = os.path.join(args.home, ".ansible", "test", "cache")
    os.makedirs(cache, exist_ok=True)
    content = GET_PIP % {"marker": MARKER}
    for version in sorted(pinned_pip_versions()):
        path = os.path.join(cache, "get_pip_%s.py" % version.replace(".", "_"))
        if os.path.exists(path) and not args.force:
            with open(path, encoding="utf-8", errors="replace") as handle:
                if MARKER not in handle.read():
                    print("kept %s (not written by this tool; --force replaces it)" % path)
                    continue
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(content)
        print("seeded %s (pip %s via ensurepip)" % (path, version))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
