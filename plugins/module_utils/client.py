# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTP client for a ProActive server: sessions, retries and readable errors.

Only the confirmed parts of the wire contract are used (docs/wire-contract.md). Rules:

* log in with ``POST /rest/common/login`` (form fields) and send the session id in the
  ``sessionid`` header; on a 401, log in again once and replay the request;
* retry reads (GET) on connection errors and on 502/503/504, with exponential backoff;
  never retry anything else: a POST or PUT may have launched a job already;
* every failure is a PsaApiError naming the method, URL, status and server message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time
import traceback

try:
    from urllib.parse import quote
except ImportError:  # Python 2
    from urllib import quote  # type: ignore

try:
    import requests

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # reported by the module (missing_required_lib); never used then
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

LOGIN_PATH = "/rest/common/login"
LOGOUT_PATH = "/rest/common/logout"
SESSION_HEADER = "sessionid"
# Statuses meaning "try again later": only reads are retried on them.
RETRYABLE_STATUSES = frozenset([502, 503, 504])
# Long server answers (an HTML error page) are cut in messages.
MAX_MESSAGE_LENGTH = 500
MAX_BACKOFF = 30.0
# A URL copied from a browser or another client often ends with a service's prefix.
SERVICE_PREFIXES = ("/rest", "/cloud-automation-service", "/catalog")


class PsaApiError(Exception):
    """A request that failed; the message names the method, URL, status and server message."""

    def __init__(self, method, url, status=None, server_message=None, reason=None):
        self.method = method
        self.url = url
        self.status = status
        self.server_message = server_message
        self.reason = reason
        message = "%s %s failed" % (method, url)
        if status is not None:
            message += ": HTTP %s" % status
        if server_message:
            message += ": %s" % server_message
        elif reason:
            message += ": %s" % reason
        super(PsaApiError, self).__init__(message)


def base_url_of(url):
    """The server's base URL: ``https://host:8443/rest/`` -> ``https://host:8443``."""
    base = url.strip().rstrip("/")
    for prefix in SERVICE_PREFIXES:
        if base.endswith(prefix):
            return base[: -len(prefix)]
    return base


def quote_segment(value):
    """One URL path segment: workflow and bucket names may hold spaces or slashes."""
    return quote(str(value), safe="")


def server_message(response):
    """What the server said: errorMessage of a PSA/catalog JSON error, or the body text."""
    text = response.text or ""
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("errorMessage", "message", "error"):
            if body.get(key):
                return str(body[key])
    text = text.strip()
    if len(text) > MAX_MESSAGE_LENGTH:
        text = text[:MAX_MESSAGE_LENGTH] + "..."
    return text or getattr(response, "reason", None) or None


class PsaClient:
    """A session with one ProActive server (scheduler REST, PSA, catalog on one base URL)."""

    def __init__(
        self,
        url,
        username=None,
        password=None,
        session_id=None,
        validate_certs=True,
        ca_path=None,
        timeout=30,
        retries=3,
        backoff=1.0,
        http=None,
        sleep=time.sleep,
    ):
        if not url:
            raise ValueError("url: the ProActive server URL is required (or set PSA_URL)")
        if not session_id and not (username and password):
            raise ValueError(
                "username and password are required to log in "
                "(or give session_id to reuse a session)"
            )
        self.base_url = base_url_of(url)
        self.username = username
        self.password = password
        self.session_id = session_id
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self._sleep = sleep
        self._logged_in_here = False
        if http is None:
            if not HAS_REQUESTS:
                raise ImportError("the requests library is required")
            http = requests.Session()
        self.http = http
        # requests takes the CA bundle (a file, or a c_rehash'ed directory) in ``verify``.
        self.http.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)

    def set_concurrency(self, workers):
        """Let ``workers`` threads share this client, each with a pooled connection."""
        if HAS_REQUESTS and isinstance(self.http, requests.Session):
            adapter = requests.adapters.HTTPAdapter(pool_connections=2, pool_maxsize=workers)
            self.http.mount("http://", adapter)
            self.http.mount("https://", adapter)

    # --- sessions ---------------------------------------------------------------------

    @property
    def can_login(self):
        return bool(self.username and self.password)

    def login(self):
        url = self.base_url + LOGIN_PATH
        response = self._send(
            "POST",
            url,
            data={"username": self.username, "password": self.password},
            with_session=False,
        )
        if response.status_code >= 400:
            raise PsaApiError("POST", url, response.status_code, server_message(response))
        session_id = (response.text or "").strip().strip('"')
        if not session_id:
            raise PsaApiError(
                "POST", url, response.status_code, reason="the server answered no session id"
            )
        self.session_id = session_id
        self._logged_in_here = True
        return session_id

    def logout(self):
        """End the session if this client opened it; a session given by the user stays."""
        if not (self._logged_in_here and self.session_id):
            return
        try:
            self._send("PUT", self.base_url + LOGOUT_PATH)
        except PsaApiError:
            pass  # best effort: the server expires sessions by itself
        self.session_id = None
        self._logged_in_here = False

    # --- requests ---------------------------------------------------------------------

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def allowed_methods(self, path):
        """The methods the server allows on ``path``, from the Allow header of a
        successful answer to OPTIONS (Spring MVC, which serves PSA, answers OPTIONS
        itself), or None when it does not say. A refused OPTIONS (405) says nothing
        reliable: some frameworks list only one route's methods there. Changes nothing:
        safe in check mode."""
        if not self.session_id:
            self.login()
        try:
            response = self._send("OPTIONS", self.base_url + path)
        except PsaApiError:
            return None
        allow = (response.headers or {}).get("Allow")
        if not 200 <= response.status_code < 300 or not allow:
            return None
        return frozenset(m.strip().upper() for m in allow.split(",") if m.strip())

    def request(self, method, path, params=None, json_body=None, data=None, files=None, raw=False):
        """Send a request and return the decoded JSON (or the text when ``raw``).

        None is returned for an empty body (204). Raises PsaApiError on any failure.
        """
        url = self.base_url + path
        if not self.session_id:
            self.login()
        response = self._send(
            method, url, params=params, json_body=json_body, data=data, files=files
        )
        if response.status_code == 401:
            if not self.can_login:
                raise PsaApiError(
                    method, url, 401, server_message(response), reason="the session is not valid"
                )
            # The session expired (or was never valid): log in again, once.
            self.login()
            response = self._send(
                method, url, params=params, json_body=json_body, data=data, files=files
            )
        if response.status_code >= 400:
            raise PsaApiError(method, url, response.status_code, server_message(response))
        if raw:
            return response.text
        return self._decode(method, url, response)

    def _send(
        self, method, url, params=None, json_body=None, data=None, files=None, with_session=True
    ):
        headers = {"Accept": "application/json"}
        if with_session and self.session_id:
            headers[SESSION_HEADER] = self.session_id
        # Only reads are retried: a POST or PUT may have launched a job before failing.
        attempts = self.retries + 1 if method == "GET" else 1
        for attempt in range(attempts):
            last_attempt = attempt == attempts - 1
            try:
                response = self.http.request(
                    method,
                    url,
                    params=params,
                    json=json_body,
                    data=data,
                    files=files,
                    headers=headers,
                    timeout=self.timeout,
                )
            except Exception as error:  # pylint: disable=broad-except
                if _is_certificate_error(error):
                    raise PsaApiError(
                        method,
                        url,
                        reason=(
                            "the server certificate was not accepted (%s); give the CA bundle "
                            "that signed it in ca_path, or set validate_certs to false for a "
                            "self-signed test server" % error
                        ),
                    )
                if not _is_connection_error(error):
                    raise PsaApiError(method, url, reason="%s: %s" % (type(error).__name__, error))
                if last_attempt:
                    raise PsaApiError(method, url, reason=_connection_reason(error, attempts))
                self._wait_before_retry(attempt)
                continue
            if response.status_code in RETRYABLE_STATUSES and not last_attempt:
                self._wait_before_retry(attempt)
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait_before_retry(self, attempt):
        self._sleep(min(MAX_BACKOFF, self.backoff * (2**attempt)))

    @staticmethod
    def _decode(method, url, response):
        text = response.text
        if response.status_code == 204 or not text or not text.strip():
            return None
        try:
            return json.loads(text)
        except ValueError:
            content_type = response.headers.get("Content-Type", "") if response.headers else ""
            if "json" in content_type:
                raise PsaApiError(
                    method,
                    url,
                    response.status_code,
                    reason="the answer is not valid JSON: %s" % text[:200],
                )
            return text


def _is_certificate_error(error):
    return HAS_REQUESTS and isinstance(error, requests.exceptions.SSLError)


def _is_connection_error(error):
    if HAS_REQUESTS:
        return isinstance(error, (requests.exceptions.ConnectionError, requests.exceptions.Timeout))
    return False


def _connection_reason(error, attempts):
    kind = (
        "timed out"
        if HAS_REQUESTS and isinstance(error, requests.exceptions.Timeout)
        else "cannot connect"
    )
    tries = " (tried %d times)" % attempts if attempts > 1 else ""
    return "%s%s: %s" % (kind, tries, error)
