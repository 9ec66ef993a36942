"""The portal's files as served by `psa-sim serve` (the browser tests are in tests/portal).

Checked without a browser: `/` leads to the Service Automation view, every file the
pages load is served from the package with its media type, and nothing points outside
the server (the portal works offline).
"""

from __future__ import annotations

import re

import requests

from psa_sim.portal import HOME, STATIC_DIR

pytest_plugins = ["api_fixtures"]

IMPORT = re.compile(r"""from\s+["'](\./[\w.-]+\.js)["']""")
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//|@import|url\(\s*["']?https?:""")


def test_root_and_bare_path_lead_to_service_automation(shared_server):
    for path in ("/", "/automation-dashboard"):
        answer = requests.get(shared_server.url + path, allow_redirects=False, timeout=10)
        assert answer.status_code == 307
        assert (
            answer.headers["location"]
            == HOME
            == "/automation-dashboard/#/portal/service-automation"
        )


def test_index_and_every_module_it_loads_are_served(shared_server):
    base = shared_server.url + "/automation-dashboard/"
    index = requests.get(base, timeout=10)
    assert index.status_code == 200
    assert index.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="js/main.js">' in index.text
    css = requests.get(base + "style.css", timeout=10)
    assert css.headers["content-type"].startswith("text/css")
    pending, seen = ["main.js"], set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        module = requests.get(base + "js/" + name, timeout=10)
        assert module.status_code == 200, name
        assert "javascript" in module.headers["content-type"], name
        pending += [found[2:] for found in IMPORT.findall(module.text)]
    shipped = {path.name for path in (STATIC_DIR / "js").glob("*.js")}
    assert seen == shipped  # every shipped module is used, every import resolves


def test_nothing_is_fetched_from_elsewhere():
    for path in STATIC_DIR.rglob("*"):
        if path.is_file():
            assert not EXTERNAL.search(path.read_text(encoding="utf-8")), path


def test_portal_is_not_part_of_the_api_document(shared_server):
    paths = requests.get(shared_server.url + "/openapi.json", timeout=10).json()["paths"]
    assert not [p for p in paths if p == "/" or p.startswith("/automation-dashboard")]


def test_unknown_portal_file_is_a_json_404(shared_server):
    answer = requests.get(shared_server.url + "/automation-dashboard/nope.js", timeout=10)
    assert answer.status_code == 404
    assert answer.json()["httpErrorCode"] == 404
