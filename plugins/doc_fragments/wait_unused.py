# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The wait options, for a module of the group that never waits."""

    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Accepted, and ignored, so that one C(module_defaults) block for the group
        C(group/proactive.psa.psa) can set the wait options of the modules that wait;
        this module does not wait for anything.
    type: bool
    default: true
  wait_timeout:
    description:
      - Accepted and ignored, as O(wait).
    type: int
    default: 600
  wait_sleep:
    description:
      - Accepted and ignored, as O(wait).
    type: float
    default: 2
"""
