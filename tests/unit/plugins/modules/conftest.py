# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.proactive.psa.tests.unit.plugins.modules.module_runner import (
    ModuleRunner,
)


@pytest.fixture
def runner(monkeypatch, capsys):
    """Runs a module's main() with arguments, against an in-memory server."""
    return ModuleRunner(monkeypatch, capsys)
