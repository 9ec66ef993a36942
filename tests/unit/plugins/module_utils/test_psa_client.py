# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The HTTP client: sessions, re-login on 401, retries on reads only, error messages."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import requests

from ansible_collections.proactive.psa.plugins.module_utils.client import (
    PsaApiError,
    PsaClient,
    base_url_of,
    quote_segment,
)

BASE = "http://psa.example:8080"


class FakeResponse:
    def __init__(self, status, body="", headers=None):
        self.status_code = status
        self.text = body if isinstance(body, str) else json.dumps(body)
        self.headers = headers or {}
        self.reason = "Reason"


class FakeHttp:
    """Stands for requests.Session: answers from a script, records every call."""

    def __init__(self, *script):
        self.script = list(script)
        self.calls = []
        self.verify = None

    def request(self, method, url, **kwargs):
        self.calls.append((method, url, kwargs))
        if not self.script:
            raise AssertionError("unexpected request %s %s" % (method, url))
        answer = self.script.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def paths(self):
        return ["%s %s" % (method, url[len(BASE) :]) for method, url, _kw in self.calls]


def login_ok(session="s1"):
    return FakeResponse(200, session)


def client_with(http, **kwargs):
    kwargs.setdefault("username", "admin")
    kwargs.setdefault("password", "secret")
    sleeps = []
    client = PsaClient(BASE, http=http, sleep=sleeps.append, **kwargs)
    client.sleeps = sleeps
    return client


def test_login_posts_the_form_and_sends_the_session_header():
    http = FakeHttp(login_ok("abc123"), FakeResponse(200, [{"instance_id": 1}]))
    client = client_with(http)
    assert client.get("/cloud-automation-service/serviceInstances") == [{"instance_id": 1}]
    assert http.paths() == [
        "POST /rest/common/login",
        "GET /cloud-automation-service/serviceInstances",
    ]
    login_kwargs = http.calls[0][2]
    assert login_kwargs["data"] == {"username": "admin", "password": "secret"}
    assert "sessionid" not in login_kwargs["headers"]
    assert http.calls[1][2]["headers"]["sessionid"] == "abc123"


def test_timeout_and_validate_certs_reach_requests():
    http = FakeHttp(login_ok(), FakeResponse(200, []))
    client = client_with(http, timeout=7.5, validate_certs=False)
    client.get("/x")
    assert http.verify is False
    assert all(kwargs["timeout"] == 7.5 for _m, _u, kwargs in http.calls)


def test_given_session_id_is_used_without_logging_in():
    http = FakeHttp(FakeResponse(200, {"ok": True}))
    client = client_with(http, username=None, password=None, session_id="given")
    assert client.get("/x") == {"ok": True}
    assert http.paths() == ["GET /x"]
    assert http.calls[0][2]["headers"]["sessionid"] == "given"


def test_relogin_once_on_401_then_replay():
    http = FakeHttp(
        FakeResponse(401, {"httpErrorCode": 401, "errorMessage": "expired"}),
        login_ok("fresh"),
        FakeResponse(200, {"ok": 1}),
    )
    client = client_with(http, session_id="stale")
    assert client.get("/x") == {"ok": 1}
    assert http.paths() == ["GET /x", "POST /rest/common/login", "GET /x"]
    assert http.calls[2][2]["headers"]["sessionid"] == "fresh"


def test_relogin_replays_a_post_refused_with_401():
    # A 401 means nothing was launched: replaying the POST once is safe.
    http = FakeHttp(FakeResponse(401, ""), login_ok("fresh"), FakeResponse(200, {"instance_id": 3}))
    client = client_with(http, session_id="stale")
    assert client.post("/cloud-automation-service/serviceInstances", json_body={}) == {
        "instance_id": 3
    }
    assert [p.split()[0] for p in http.paths()] == ["POST", "POST", "POST"]


def test_second_401_is_an_error_not_a_loop():
    http = FakeHttp(
        FakeResponse(401, ""),
        login_ok("fresh"),
        FakeResponse(401, {"httpErrorCode": 401, "errorMessage": "no rights"}),
    )
    client = client_with(http, session_id="stale")
    with pytest.raises(PsaApiError) as caught:
        client.get("/x")
    assert caught.value.status == 401
    assert "no rights" in str(caught.value)
    assert len(http.calls) == 3


def test_401_without_credentials_says_the_session_is_not_valid():
    http = FakeHttp(FakeResponse(401, {"httpErrorCode": 401, "errorMessage": "unknown session"}))
    client = client_with(http, username=None, password=None, session_id="stale")
    with pytest.raises(PsaApiError) as caught:
        client.get("/x")
    assert "unknown session" in str(caught.value)
    assert len(http.calls) == 1


def test_failed_login_names_url_status_and_message():
    http = FakeHttp(FakeResponse(401, {"httpErrorCode": 401, "errorMessage": "Bad credentials"}))
    client = client_with(http)
    with pytest.raises(PsaApiError) as caught:
        client.get("/x")
    message = str(caught.value)
    assert "POST %s/rest/common/login" % BASE in message
    assert "HTTP 401" in message and "Bad credentials" in message


def test_error_message_names_method_url_status_and_server_message():
    body = {"httpErrorCode": 409, "errorMessage": "action 'Resume_MongoDB' is not executable"}
    http = FakeHttp(login_ok(), FakeResponse(409, body))
    client = client_with(http)
    with pytest.raises(PsaApiError) as caught:
        client.put("/cloud-automation-service/serviceInstances/4/action", json_body={})
    error = caught.value
    assert error.status == 409
    assert error.server_message == "action 'Resume_MongoDB' is not executable"
    assert str(error) == (
        "PUT %s/cloud-automation-service/serviceInstances/4/action failed: "
        "HTTP 409: action 'Resume_MongoDB' is not executable" % BASE
    )


def test_error_without_json_uses_the_body_text():
    http = FakeHttp(login_ok(), FakeResponse(500, "<html>Internal error</html>"))
    with pytest.raises(PsaApiError) as caught:
        client_with(http).post("/x")
    assert "HTTP 500: <html>Internal error</html>" in str(caught.value)


def test_get_is_retried_on_connection_errors_with_backoff():
    http = FakeHttp(
        login_ok(),
        requests.exceptions.ConnectionError("refused"),
        requests.exceptions.ReadTimeout("slow"),
        FakeResponse(200, [1]),
    )
    client = client_with(http)
    assert client.get("/x") == [1]
    assert http.paths() == ["POST /rest/common/login", "GET /x", "GET /x", "GET /x"]
    assert client.sleeps == [1.0, 2.0]


def test_get_is_retried_on_503():
    http = FakeHttp(login_ok(), FakeResponse(503, "busy"), FakeResponse(200, [2]))
    client = client_with(http)
    assert client.get("/x") == [2]
    assert len(client.sleeps) == 1


def test_get_gives_up_after_the_retries():
    errors = [requests.exceptions.ConnectionError("refused %d" % i) for i in range(4)]
    http = FakeHttp(login_ok(), *errors)
    client = client_with(http)
    with pytest.raises(PsaApiError) as caught:
        client.get("/x")
    assert "GET %s/x failed: cannot connect (tried 4 times)" % BASE in str(caught.value)
    assert caught.value.status is None
    assert len(http.calls) == 5


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_non_get_is_never_retried_on_connection_errors(method):
    http = FakeHttp(login_ok(), requests.exceptions.ConnectionError("reset"))
    client = client_with(http)
    with pytest.raises(PsaApiError) as caught:
        client.request(method, "/cloud-automation-service/serviceInstances")
    assert "cannot connect: reset" in str(caught.value)
    assert len(http.calls) == 2
    assert client.sleeps == []


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_job_launching_requests_are_never_retried_on_503(method):
    http = FakeHttp(login_ok(), FakeResponse(503, {"errorMessage": "try later"}))
    client = client_with(http)
    with pytest.raises(PsaApiError) as caught:
        client.request(method, "/cloud-automation-service/serviceInstances/1/action")
    assert caught.value.status == 503
    assert len(http.calls) == 2


def test_read_timeout_on_post_is_not_retried():
    http = FakeHttp(login_ok(), requests.exceptions.ReadTimeout("read timed out"))
    client = client_with(http)
    with pytest.raises(PsaApiError) as caught:
        client.post("/cloud-automation-service/serviceInstances", json_body={})
    assert "timed out" in str(caught.value)
    assert len(http.calls) == 2


def test_login_is_not_retried():
    http = FakeHttp(requests.exceptions.ConnectionError("refused"))
    with pytest.raises(PsaApiError) as caught:
        client_with(http).get("/x")
    assert "/rest/common/login" in str(caught.value)
    assert len(http.calls) == 1


def test_certificate_error_is_explained_and_not_retried():
    http = FakeHttp(login_ok(), requests.exceptions.SSLError("CERTIFICATE_VERIFY_FAILED"))
    with pytest.raises(PsaApiError) as caught:
        client_with(http).get("/x")
    assert "validate_certs" in str(caught.value)
    assert len(http.calls) == 2


def test_raw_text_and_empty_bodies():
    http = FakeHttp(
        login_ok(),
        FakeResponse(200, "<job/>", {"Content-Type": "application/xml"}),
        FakeResponse(204, ""),
    )
    client = client_with(http)
    assert client.get("/raw", raw=True) == "<job/>"
    assert client.delete("/gone") is None


def test_logout_only_closes_sessions_it_opened():
    http = FakeHttp(login_ok("mine"), FakeResponse(200, []), FakeResponse(204, ""))
    client = client_with(http)
    client.get("/x")
    client.logout()
    assert http.paths()[-1] == "PUT /rest/common/logout"
    assert http.calls[-1][2]["headers"]["sessionid"] == "mine"

    http = FakeHttp(FakeResponse(200, []))
    client = client_with(http, session_id="theirs")
    client.get("/x")
    client.logout()
    assert http.paths() == ["GET /x"]


def test_credentials_or_session_are_required():
    with pytest.raises(ValueError):
        PsaClient(BASE, http=FakeHttp())
    with pytest.raises(ValueError):
        PsaClient("", username="a", password="b", http=FakeHttp())


@pytest.mark.parametrize(
    "url",
    [
        "https://h:8443",
        "https://h:8443/",
        "https://h:8443/rest",
        "https://h:8443/rest/",
        "https://h:8443/cloud-automation-service",
        "https://h:8443/catalog/",
    ],
)
def test_base_url(url):
    assert base_url_of(url) == "https://h:8443"


def test_names_are_quoted_as_one_path_segment():
    assert quote_segment("my bucket/x") == "my%20bucket%2Fx"


def test_ca_path_is_the_bundle_requests_verifies_with():
    assert client_with(FakeHttp(), ca_path="/etc/ssl/private-ca.pem").http.verify == (
        "/etc/ssl/private-ca.pem"
    )
    assert client_with(FakeHttp()).http.verify is True
    # validate_certs=false wins: nothing is verified
    unchecked = client_with(FakeHttp(), ca_path="/etc/ssl/private-ca.pem", validate_certs=False)
    assert unchecked.http.verify is False


def test_allowed_methods_read_the_allow_header_of_options():
    http = FakeHttp(
        login_ok(),
        FakeResponse(200, "", {"Allow": "GET, PUT"}),
        FakeResponse(200, "", {"Allow": "GET,PUT,DELETE,OPTIONS"}),
        FakeResponse(405, "", {"Allow": "GET"}),
        FakeResponse(404, "no such route"),
    )
    client = client_with(http)
    path = "/cloud-automation-service/serviceInstances/3"
    assert client.allowed_methods(path) == frozenset(["GET", "PUT"])
    assert "DELETE" in client.allowed_methods(path)
    # OPTIONS refused: its Allow may list one route's methods only; it says nothing
    assert client.allowed_methods(path) is None
    assert client.allowed_methods(path) is None
    assert http.paths()[1:] == ["OPTIONS " + path] * 4
