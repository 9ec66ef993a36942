"""The portal with 1,000 instances listed: how fast its pages answer.

A `psa-sim serve` subprocess holds INSTANCES RUNNING MongoDB instances, activated through
the API by a plain user (so the page polls only the PSA listing, as a user's page does).

1. HTTP, no browser: what opening the portal fetches, one request after another on one
   keep-alive connection: index.html, style.css, every JavaScript module, the catalog's
   workflows and the instance listing. Target: p50 <= 100 ms for the whole set. The
   listing's GET alone is the baseline (ratio: how much the portal adds to the API).
2. In headless Chromium (the Debian `chromium` and `chromium-driver`, through Selenium;
   skipped, and said so, when they are missing): switching to Activated Services (the
   1,000 instances listed, their first page of rows drawn with the pager, then two
   animation frames so layout and paint are in): target p50 <= 100 ms; and a refresh
   (the background poll: GET of the listing, parse, redraw, paint), for context. Baseline: the same tab's final HTML
   assigned to the same container (parse, layout and paint of identical markup: the
   floor for any page showing these rows).

    PYTHONPATH=simulator python benchmarks/portal_pages.py
    PYTHONPATH=simulator python benchmarks/portal_pages.py --instances 200 --repeat 5
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, log, log_rows, use_simulator

use_simulator()

from psa_sim.launch import ServedSimulator  # noqa: E402
from psa_sim.portal import STATIC_DIR  # noqa: E402

NAME = "portal_pages"
TARGET_MS = 100.0
USER, PASSWORD = "user", "user-pw"
USERS = f"- {{name: {USER}, password: {PASSWORD}, admin: false}}\n"
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync "
    "--disable-dev-shm-usage"
).split()


class Http:
    """One persistent HTTP/1.1 connection."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.headers: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, **headers: str) -> bytes:
        self.conn.request(method, path, body=body, headers={**self.headers, **headers})
        answer = self.conn.getresponse()
        data = answer.read()
        if answer.status >= 400:
            raise RuntimeError(f"{method} {path}: {answer.status} {data[:200]!r}")
        return data


def seed(url: str, instances: int) -> Http:
    client = Http(url)
    form = f"username={USER}&password={PASSWORD}".encode()
    sid = client.request(
        "POST", "/rest/common/login", form, **{"content-type": "application/x-www-form-urlencoded"}
    )
    client.headers["sessionid"] = sid.decode().strip()
    body = json.dumps(
        {"bucket_name": "service-automation", "workflow_name": "MongoDB", "variables": {}}
    ).encode()
    for _ in range(instances):
        client.request(
            "POST",
            "/cloud-automation-service/serviceInstances",
            body,
            **{"content-type": "application/json"},
        )
    listing = json.loads(client.request("GET", "/cloud-automation-service/serviceInstances"))
    running = sum(1 for i in listing if i["instance_status"] == "RUNNING")
    if running != instances:
        raise RuntimeError(f"{running} of {instances} instances RUNNING: cannot measure")
    return client


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def http_side(client: Http, repeat: int) -> dict:
    files = ["/automation-dashboard/", "/automation-dashboard/style.css"] + [
        f"/automation-dashboard/js/{p.name}" for p in sorted((STATIC_DIR / "js").glob("*.js"))
    ]
    api = [
        "/catalog/buckets/service-automation/resources?kind=workflow/psa",
        "/cloud-automation-service/serviceInstances",
    ]
    whole, listing, size = [], [], 0
    for _ in range(repeat + 2):  # two warm-ups
        started = time.perf_counter()
        size = sum(len(client.request("GET", path)) for path in files + api)
        whole.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        client.request("GET", api[-1])
        listing.append((time.perf_counter() - started) * 1000)
    whole, listing = whole[2:], listing[2:]
    return {
        "requests": len(files) + len(api),
        "bytes": size,
        "p50_ms": round(statistics.median(whole), 2),
        "p95_ms": round(percentile(whole, 0.95), 2),
        "listing_p50_ms": round(statistics.median(listing), 2),
    }


# Runs in the page: ours (tab switch, refresh) and the bare baseline, `repeat` times each.
MEASURE_JS = """
const [repeat, count, done] = arguments;
const main = await import("/automation-dashboard/js/main.js");
const { PAGE_SIZE } = await import("/automation-dashboard/js/views.js");
const expected = Math.min(count, PAGE_SIZE);
const pager = () => container.querySelector(".pager span")?.textContent || "";
const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
const container = document.getElementById("tab-activated");
const rows = () => container.querySelectorAll("tr[data-instance]").length;
const until = (test) => new Promise((r) => { const check = () => (test() ? r() : setTimeout(check, 0)); check(); });
const result = { tab: [], refresh: [], bare: [] };
for (let i = 0; i < repeat + 2; i++) {
  location.hash = "#/portal/service-automation/services";
  await until(() => container.hidden);
  await frames();
  const t0 = performance.now();
  location.hash = "#/portal/service-automation/activated";
  await until(() => !container.hidden && rows() === expected
    && (count <= PAGE_SIZE || pager().includes(` of ${count} `)));
  await frames();
  result.tab.push(performance.now() - t0);

  await main.poll();
  main.state.instancesText = "";  // forces the redraw a changed listing causes
  const t1 = performance.now();
  await main.poll();
  await frames();
  result.refresh.push(performance.now() - t1);

  const html = container.innerHTML;
  container.innerHTML = "";
  await frames();
  const t2 = performance.now();
  container.innerHTML = html;
  container.getBoundingClientRect();
  await frames();
  result.bare.push(performance.now() - t2);
}
for (const k of Object.keys(result)) result[k] = result[k].slice(2);
result.rows = rows();
result.expected = expected;
result.pager = pager();
done(result);
"""


def browser_side(url: str, instances: int, repeat: int) -> dict | None:
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
    except ImportError:
        return None
    if not (chromium and driver_path):
        return None
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='psa-bench-chrome-')}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False},
        )
        driver.set_script_timeout(600)
        driver.get(url + "/")
        deadline = time.monotonic() + 30
        while (
            not driver.find_elements(By.ID, "login-user")
            or not driver.find_element(By.ID, "login-user").is_displayed()
        ):
            if time.monotonic() > deadline:
                raise RuntimeError("the login form did not show")
            time.sleep(0.05)
        driver.find_element(By.ID, "login-user").send_keys(USER)
        driver.find_element(By.ID, "login-password").send_keys(PASSWORD + "\n")
        while "service-automation" not in driver.current_url:
            if time.monotonic() > deadline:
                raise RuntimeError("login did not complete")
            time.sleep(0.05)
        measured = driver.execute_async_script(
            "(async () => {" + MEASURE_JS + "})().catch((e) => arguments[2]({error: String(e)}));",
            repeat,
            instances,
        )
    finally:
        driver.quit()
    if "error" in measured or measured["rows"] != measured["expected"]:
        raise RuntimeError(f"the page did not list the {instances} instances: {measured}")
    figures = {"rows_drawn": measured["rows"], "pager": measured["pager"]}
    for key in ("tab", "refresh", "bare"):
        figures[f"{key}_p50_ms"] = round(statistics.median(measured[key]), 2)
        figures[f"{key}_p95_ms"] = round(percentile(measured[key], 0.95), 2)
        figures[f"{key}_runs_ms"] = [round(v, 2) for v in measured[key]]
    figures["chromium"] = chromium
    return figures


def row(metric: str, measured: float, baseline: float | None, target: bool | None) -> dict:
    return {
        "metric": metric,
        "measured": measured,
        "baseline": baseline,
        "unit": "ms",
        "ratio": round(measured / baseline, 4) if baseline else None,
        "target": f"<= {TARGET_MS:g} ms" if target is not None else "(context)",
        "passed": target,
    }


def measure(instances: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="psa-bench-portal-") as folder:
        users = Path(folder) / "users.yaml"
        users.write_text(USERS)
        options = ["--nodes", str(instances), "--users", str(users)]
        log(f"  psa-sim serve {' '.join(options)}; {instances:,} activations")
        with ServedSimulator(options, log_path=Path(folder) / "psa-sim.log") as server:
            client = seed(server.url, instances)
            http_figures = http_side(client, repeat * 3)
            browser = browser_side(server.url, instances, repeat)
    rows = [
        row(
            f"portal load over HTTP ({http_figures['requests']} requests, "
            f"{http_figures['bytes'] / 1e6:.1f} MB), {instances:,} instances: p50",
            http_figures["p50_ms"],
            TARGET_MS,
            http_figures["p50_ms"] <= TARGET_MS,
        ),
        row(
            "  of which the listing GET alone (the API's part): p50",
            http_figures["listing_p50_ms"],
            None,
            None,
        ),
    ]
    passed = http_figures["p50_ms"] <= TARGET_MS
    if browser is None:
        rows.append(
            {
                "metric": "browser: no chromium/chromedriver or selenium here, not measured",
                "measured": None,
                "baseline": None,
                "unit": "",
                "ratio": None,
                "target": "-",
                "passed": None,
            }
        )
    else:
        ok = browser["tab_p50_ms"] <= TARGET_MS
        passed = passed and ok
        rows.append(
            row(
                f"Chromium: switch to Activated Services, {instances:,} instances listed, "
                "p50 vs the bare markup",
                browser["tab_p50_ms"],
                browser["bare_p50_ms"],
                ok,
            )
        )
        # A refresh is the page's background poll (the listing's GET included), not an
        # answer to the user: recorded for context.
        rows.append(
            row(
                "Chromium: live refresh (listing GET, parse, redraw), p50 vs the bare markup",
                browser["refresh_p50_ms"],
                browser["bare_p50_ms"],
                None,
            )
        )
    return {
        "name": NAME,
        "params": {"instances": instances, "repeat": repeat},
        "figures": {"http": http_figures, "browser": browser},
        "target": {"p50_ms_max": TARGET_MS},
        "rows": rows,
        "passed": passed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15, help="browser measurements per side")
    parser.add_argument("--json", action="store_true", help="emit the BENCH_RESULT line")
    args = parser.parse_args(argv)
    result = measure(args.instances, args.repeat)
    log_rows(result["rows"])
    if args.json:
        emit(result)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
