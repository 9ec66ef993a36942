# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Plain pytest (tox -e unit) runs these tests the way ansible-test units would.

ansible-test installs Ansible's collection loader before the tests run; plain pytest
does not, and without it ansible's plugin loaders (inventory_loader.get of a
collection's plugin, its doc fragments) find nothing. The collections path comes from
ANSIBLE_COLLECTIONS_PATH, as tox sets it. It must be in place before the first test
module imports the collection, hence pytest_configure.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os


def pytest_configure():
    from ansible.utils.collection_loader import AnsibleCollectionConfig
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    if AnsibleCollectionConfig.collection_finder is not None:
        return  # ansible-test's own pytest plugin did it
    paths = [p for p in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep) if p]
    _AnsibleCollectionFinder(paths=paths)._install()  # pylint: disable=protected-access
