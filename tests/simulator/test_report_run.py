"""`psa-sim run --out DIR`: the report files, what they hold, and that they change nothing."""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from psa_sim.cli import main
from psa_sim.loadtest.recorder import NODE_COLUMNS, Recorder
from psa_sim.loadtest.report import CHARTS, FILES, format_threshold, write_run_report
from psa_sim.loadtest.runner import run_scenario
from psa_sim.loadtest.scenario import parse_scenario

ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

SMALL = """
seed: 5
duration: 6h
cluster:
  node_sources:
    - {name: LocalNodes, nodes: 5}
    - {name: Cloud, nodes: 0, max_nodes: 4, provisioning_delay: 2m}
workloads:
  - service: MongoDB
    name: databases
    arrivals_per_hour: 6
    lifetime: 1h
    actions: [{action: Pause_MongoDB, after: 10m}, {action: Resume_MongoDB, after: 20m}]
  - service: Kafka
    arrivals_per_hour: 1
    count: 2
    lifetime: 2h
    variables: {INSTANCE_NAME: kafka-$PA_JOB_ID}
faults:
  container_crash_per_hour: 0.05
  action_failure_probability: 0.05
  node_failures: [{at: 3h, node_source: LocalNodes, count: 2, repair_after: 30m}]
thresholds:
  p95_time_to_running: 1h
  error_rate: 0.5
  max_node_utilization: 1
"""

# Five instances that stay up for a month: the simulation skips its idle health-check
# ticks then, which a timer counted in its counters would prevent.
IDLE = """
seed: 3
duration: 30d
cluster:
  node_sources: [{name: LocalNodes, nodes: 4}]
workloads:
  - {service: MongoDB, arrivals_per_hour: 10, count: 5}
"""


def write(tmp_path: Path, text: str, name: str = "small.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """One CLI run with --out (and --json): its exit code, stdout and folder."""
    folder = tmp_path_factory.mktemp("report")
    scenario = write(folder, SMALL)
    out = folder / "out"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["run", str(scenario), "--json", "--out", str(out)])
    return code, stdout.getvalue(), stderr.getvalue(), out, json.loads(stdout.getvalue())


def test_the_report_folder_holds_every_file(report):
    code, _, stderr, out, _ = report
    assert code == 0, stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert len(CHARTS) >= 4


def test_summary_json_is_exactly_the_stdout_summary(report):
    _, stdout, _, out, _ = report
    assert (out / "summary.json").read_text() == stdout


def test_instances_csv_has_a_row_per_instance_matching_the_summary(report):
    *_, out, summary = report
    rows = read_csv(out / "instances.csv")
    assert len(rows) == summary["instances"]["created"]
    assert Counter(r["final_state"] for r in rows) == summary["instances"]["by_state"]
    assert [int(r["instance_id"]) for r in rows] == list(range(1, len(rows) + 1))
    running = [r for r in rows if r["running"]]
    assert len(running) == summary["time_to_running_s"]["count"]
    assert max(float(r["time_to_running"]) for r in running) == pytest.approx(
        summary["time_to_running_s"]["max"], abs=2e-3
    )
    errors = Counter(r["error_cause"] for r in rows if r["final_state"] == "ERROR")
    assert sum(errors.values()) == summary["instances"]["by_state"].get("ERROR", 0)
    assert {r["workload"] for r in rows} == {"databases", "Kafka", "Kafka (dependency)"}
    assert {r["service"] for r in rows if r["workload"] == "Kafka (dependency)"} == {"Zookeeper"}
    for row in rows:
        created = float(row["created"])
        times = [float(t.split(":", 1)[0]) for t in row["transitions"].split(";") if t]
        assert times == sorted(times) and all(t >= created for t in times)
        if row["running"]:
            assert row["transitions"].split(";")[0] == f"{row['running']}:VOID->RUNNING"
        if row["final_state"] in ("FINISHED", "ERROR"):
            assert row["transitions"].endswith("->" + row["final_state"])
        if row["finished"]:
            assert f"{row['finished']}:" in row["transitions"]


def test_timeseries_covers_the_whole_run(report):
    *_, out, summary = report
    rows = read_csv(out / "timeseries.csv")
    times = [float(r["time"]) for r in rows]
    assert times[0] == 0 and times[-1] == summary["simulated_seconds"] == 6 * 3600
    assert times == sorted(set(times))
    columns = list(rows[0])
    assert columns[-len(NODE_COLUMNS) :] == list(NODE_COLUMNS)
    states = columns[1 : -len(NODE_COLUMNS)]
    assert set(summary["instances"]["by_state"]) <= set(states)
    last = rows[-1]
    assert {s: int(last[s]) for s in states if int(last[s])} == summary["instances"]["by_state"]
    total_nodes = summary["nodes"]["total"]
    assert (
        int(last["nodes_busy"]) + int(last["nodes_free"]) + int(last["nodes_down"]) == total_nodes
    )
    assert int(last["nodes_holding_tokens"]) == summary["nodes"]["holding_tokens"]
    assert int(last["queued_jobs"]) == summary["queued_jobs_at_end"]
    # The failure of two nodes at 3h shows, and is repaired half an hour later.
    down = {float(r["time"]): int(r["nodes_down"]) for r in rows}
    assert down[3 * 3600 + 60] == 2 and down[4 * 3600] == 0
    # Instances only appear: at each sample, the states add up to those created so far.
    totals = [sum(int(r[s]) for s in states) for r in rows]
    assert totals == sorted(totals) and totals[-1] == summary["instances"]["created"]


def test_charts_are_png_files(report):
    *_, out, _ = report
    for name, _ in CHARTS:
        data = (out / name).read_bytes()
        assert data.startswith(PNG_SIGNATURE), name
        assert len(data) > 1024, name


def test_html_embeds_every_chart_and_shows_every_threshold(report):
    *_, out, summary = report
    html = (out / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>")
    for name, _caption in CHARTS:
        png = (out / name).read_bytes()
        assert f"data:image/png;base64,{base64.b64encode(png).decode()}" in html
        assert f'href="{name}"' in html
    for threshold in summary["thresholds"]:
        assert threshold["name"] in html
        assert format_threshold(threshold["name"], threshold["measured"]) in html
    for name in FILES:
        assert f'href="{name}"' in html
    assert "node_failures" in html and "Pause_MongoDB" in html  # the scenario
    assert "p95 time to running" in html  # the headline
    assert 'src="http' not in html  # self-contained


def test_recording_and_progress_change_no_summary(catalog):
    class Bar:
        def __init__(self):
            self.seen, self.finished = [], False

        def update(self, simulated, events):
            self.seen.append((simulated, events))

        def finish(self):
            self.finished = True

    for text in (SMALL, IDLE):
        scenario = parse_scenario(text, "s.yaml")
        plain = run_scenario(scenario, catalog).summary
        bar = Bar()
        recorded = run_scenario(scenario, catalog, record=True, progress=bar)
        assert json.dumps(recorded.summary) == json.dumps(plain)
        assert bar.finished and bar.seen[-1][0] == scenario.duration
        assert [t for t, _ in bar.seen] == sorted(t for t, _ in bar.seen)
        counts = {s: n for s, n in recorded.metrics.counts.items() if n}
        assert counts == plain["instances"]["by_state"]


def test_the_idle_month_keeps_its_skipped_ticks_out_of_the_events(catalog, tmp_path):
    scenario = parse_scenario(IDLE, "idle.yaml")
    result = run_scenario(scenario, catalog, record=True)
    # A handful of events for a month of five healthy instances: the ticks were skipped...
    assert result.summary["events"]["scheduled"] < 100
    # ...while the report still has its samples up to the end.
    samples = result.metrics.samples
    assert samples[0][0] == 0 and samples[-1][0] == scenario.duration
    assert 1000 < len(samples) <= 2001
    files = write_run_report(result, scenario, tmp_path / "idle")
    assert {p.name for p in files} == set(FILES)


def test_probe_samples_at_the_end_when_the_period_does_not_divide_it(catalog):
    scenario = parse_scenario(IDLE.replace("duration: 30d", "duration: 1h30s"), "s.yaml")
    result = run_scenario(scenario, catalog, record=True)
    times = [t for t, _, _ in result.metrics.samples]
    assert isinstance(result.metrics, Recorder)
    assert times[0] == 0 and times[-1] == 3630 and times[-2] == 3600


def test_text_output_prints_a_threshold_table_and_exits_by_it(tmp_path, capsys):
    passing = write(tmp_path, SMALL)
    assert main(["run", str(passing)]) == 0
    out = capsys.readouterr().out
    table = [line for line in out.splitlines() if line.startswith("threshold")]
    assert table[0].split() == ["threshold", "name", "limit", "measured"]
    assert [line.split()[1] for line in table[1:]] == ["ok", "ok", "ok"]
    assert re.search(r"threshold ok   p95_time_to_running\s+1h \(3600 s\)\s+\S", out)
    assert out.rstrip().endswith("PASSED")

    failing = write(tmp_path, SMALL.replace("error_rate: 0.5", "error_rate: 0.0001"), "f.yaml")
    assert main(["run", str(failing), "--out", str(tmp_path / "f")]) == 1
    out = capsys.readouterr().out
    assert re.search(r"threshold FAIL error_rate\s+0.0001\s+0\.\d+", out)
    assert "FAILED" in out and "report: " in out
    html = (tmp_path / "f" / "report.html").read_text()
    assert 'class="fail"' in html and "error_rate" in html


def test_cli_exit_codes_and_byte_identical_json_with_and_without_out(tmp_path):
    scenario = write(tmp_path, SMALL.replace("error_rate: 0.5", "error_rate: 0.0001"))

    def run(*extra):
        return subprocess.run(
            [sys.executable, "-m", "psa_sim", "run", str(scenario), "--json", *extra],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )

    plain, reported = run(), run("--out", str(tmp_path / "r"))
    assert plain.returncode == reported.returncode == 1
    assert plain.stdout == reported.stdout == (tmp_path / "r" / "summary.json").read_text()
    # Off a terminal, the report adds nothing to stderr: the performance line only.
    for result in (plain, reported):
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("performance: "), result.stderr


def test_an_out_path_that_is_a_file_is_a_usage_error(tmp_path, capsys):
    scenario = write(tmp_path, SMALL)
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["run", str(scenario), "--out", str(blocker / "sub")]) == 2
    captured = capsys.readouterr()
    assert "--out" in captured.err and captured.out == ""
