# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run a module's ``main()`` as Ansible would: arguments through its real argument spec.

``set_module_args`` hands the arguments over the way ansible-core does (its own
``patch_module_args`` on 2.19+, the ``_ANSIBLE_ARGS`` buffer before), in the manner of
kubernetes.core's unit tests. ``ModuleRunner.run`` swaps the HTTP client for an
in-memory server, runs ``main()``, and returns the JSON the module printed, so what is
checked is what a user sees: defaults applied, ``required_one_of``/``mutually_exclusive``
enforced, no_log values masked, warnings, ``invocation``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as ansible_warnings
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.proactive.psa.plugins.module_utils import common

try:  # ansible-core 2.19+
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # 2.16 - 2.18
    patch_module_args = None

CONNECTION = {"url": "http://fake-psa", "username": "admin", "password": "admin-pw"}


@contextlib.contextmanager
def set_module_args(args):
    """AnsibleModule instances made inside this block read ``args``."""
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    saved = basic._ANSIBLE_ARGS
    basic._ANSIBLE_ARGS = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = saved


class ModuleFailed(Exception):
    """The module failed: ``str()`` is its msg, ``details`` the whole result."""

    def __init__(self, result):
        super(ModuleFailed, self).__init__(result.get("msg"))
        self.details = result


class ModuleRunner:
    """Runs modules against ``server`` (an object with PsaClient's interface)."""

    def __init__(self, monkeypatch, capsys):
        self.monkeypatch = monkeypatch
        self.capsys = capsys
        self.client_options = []  # what each PsaClient would have been built with
        self.logged = []  # what AnsibleModule.log was given (syslog / journal)

        def log(_module, msg, log_args=None):
            self.logged.append(msg)

        monkeypatch.setattr(basic.AnsibleModule, "log", log)
        # A module runs on a target. ansible-core 2.19 flags the process as the controller
        # once controller code is imported (the inventory and lookup tests load plugins),
        # and a module's warnings then go to the display instead of its result.
        try:
            from ansible.module_utils import _internal
        except ImportError:  # ansible-core before 2.19
            _internal = None
        if hasattr(_internal, "is_controller"):
            monkeypatch.setattr(_internal, "is_controller", False)

    def bind(self, main, defaults):
        """``run(server, check_mode=False, diff=True, **args)`` for one module: ``args``
        over ``defaults``, an argument given as None left out (the spec's default)."""

        def run(server, check_mode=False, diff=True, **args):
            full = dict(defaults)
            full.update(args)
            full = {k: v for k, v in full.items() if v is not None}
            return self.run(main, server, full, check_mode=check_mode, diff=diff)

        return run

    def run(self, main, server, args, check_mode=False, diff=False):
        """The module's result; ModuleFailed when it fails."""

        def client(url, **options):
            self.client_options.append(dict(options, url=url))
            return server

        self.monkeypatch.setattr(common, "PsaClient", client)
        _forget_warnings()
        full = dict(CONNECTION)
        full.update(args)
        full.update(
            _ansible_check_mode=check_mode,
            _ansible_diff=diff,
            _ansible_remote_tmp="/tmp",
            _ansible_keep_remote_files=False,
        )
        self.capsys.readouterr()
        with set_module_args(full):
            try:
                main()
            except SystemExit:
                pass
            else:
                raise AssertionError("the module returned without exit_json or fail_json")
        result = json.loads(self.capsys.readouterr().out)
        result["warnings"] = [_warning_text(w) for w in result.get("warnings") or []]
        if result.get("failed"):
            raise ModuleFailed(result)
        return result


def _forget_warnings():
    """ansible-core keeps warnings in a module-level store: start each run empty."""
    for name in ("_global_warnings", "_global_deprecations"):
        store = getattr(ansible_warnings, name, None)
        if store is not None:
            store.clear()


def _warning_text(warning):
    """A warning as text: 2.19+ reports a structured summary, older cores the text."""
    if isinstance(warning, dict):
        return (warning.get("event") or {}).get("msg") or warning.get("msg") or str(warning)
    return warning
