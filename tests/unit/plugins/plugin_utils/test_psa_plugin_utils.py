# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The plugins' client from their connection options."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.proactive.psa.plugins.plugin_utils.psa import PsaPluginError, connect

LOGIN = dict(url="https://psa.example.com:8443/rest/", username="u", password="p")


def test_a_ca_bundle_is_what_certificates_are_verified_with(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    client = connect(dict(LOGIN, ca_path=str(bundle)))
    assert client.http.verify == str(bundle)
    assert client.base_url == "https://psa.example.com:8443"
    assert connect(dict(LOGIN, ca_path=str(bundle), validate_certs=False)).http.verify is False
    assert connect(dict(LOGIN, validate_certs="yes")).http.verify is True


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(ca_path="/no/such/ca.pem"), "ca_path: /no/such/ca.pem is not a file nor a directory"),
        (dict(url=None), "url: the ProActive server URL is required"),
        (dict(url="psa.example.com"), "url: 'psa.example.com' is not an http:// or https:// URL"),
        (dict(timeout=0), "timeout: must be a positive number of seconds, got 0"),
        (dict(validate_certs="maybe"), "validate_certs: 'maybe' is not a boolean"),
        (dict(password=None), "username and password are required"),
    ],
)
def test_bad_options_are_named(options, message):
    with pytest.raises(PsaPluginError, match=message):
        connect(dict(LOGIN, **options))
