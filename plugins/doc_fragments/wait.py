# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Waiting for a service instance's transitions to end."""

    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Whether to wait until the last transition ends (the instance status has no
        C(FROM -> TO) any more) before returning.
      - Intermediate transitions of a chain of actions are always waited for, since PSA
        accepts no action while an instance is transitioning.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait in all, for the whole task. On timeout the module fails
        and reports the last instance seen.
    type: int
    default: 600
  wait_sleep:
    description:
      - The longest pause, in seconds, between two polls of the instance; fractions are
        allowed (V(0.2)). Polling starts 0.05 s after a submission and doubles its pause
        up to this value, so short transitions are seen at once.
    type: float
    default: 2
"""
