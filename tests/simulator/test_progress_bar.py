"""The progress bar: shown on a terminal, silent otherwise or with --quiet."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from psa_sim.loadtest.progress import RunProgress, SweepProgress, terminal_console

ROOT = Path(__file__).resolve().parents[2]
QUICK_DEMO = ROOT / "scenarios" / "quick-demo.yaml"


def psa_sim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "psa_sim", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def under_a_terminal(*args: str) -> tuple[int, str, str]:
    """Run psa-sim with stderr on a pseudo-terminal: (exit code, stdout, terminal text)."""
    pty = pytest.importorskip("pty", reason="needs pseudo-terminals (POSIX)")
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "160", "TERM": "xterm-256color"}
    env.pop("FORCE_COLOR", None)
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "psa_sim", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    stdout = proc.stdout.read().decode()
    proc.stdout.close()
    return proc.wait(timeout=120), stdout, b"".join(chunks).decode(errors="replace")


def test_no_bar_when_stderr_is_not_a_terminal_nor_with_quiet():
    for args in ((), ("--quiet",), ("-q",)):
        result = psa_sim("run", str(QUICK_DEMO), "--json", *args)
        assert result.returncode == 0, result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("performance: "), result.stderr
        json.loads(result.stdout)


def test_the_bar_shows_on_a_terminal_and_leaves_stdout_alone():
    code, stdout, terminal = under_a_terminal("run", str(QUICK_DEMO), "--json")
    assert code == 0
    assert "simulated" in terminal and "events/s" in terminal and "ETA" in terminal
    assert "2h / 2h simulated" in terminal  # it ends at the run's end
    assert "performance: " in terminal
    assert stdout == psa_sim("run", str(QUICK_DEMO), "--json").stdout


def test_quiet_silences_the_bar_on_a_terminal():
    code, _, terminal = under_a_terminal("run", str(QUICK_DEMO), "--json", "--quiet")
    assert code == 0
    assert "events/s" not in terminal and "ETA" not in terminal
    assert terminal.strip().startswith("performance: ")


def test_terminal_console_only_for_a_terminal():
    assert terminal_console(False, io.StringIO()) is None
    assert terminal_console(True, io.StringIO()) is None
    closed = io.StringIO()
    closed.close()
    assert terminal_console(False, closed) is None


def test_run_progress_renders_time_rate_and_eta():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=140, color_system=None)
    bar = RunProgress(console, duration=7200)
    for second in range(0, 7201, 600):
        bar.update(second, events=second * 10)
    bar.finish()
    text = out.getvalue()
    assert "2h / 2h simulated" in text
    assert "events/s" in text and "ETA" in text and "━" in text


def test_sweep_progress_counts_runs():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=140, color_system=None)
    bar = SweepProgress(console, runs=3)
    for _ in range(3):
        bar.advance()
    bar.finish()
    text = out.getvalue()
    assert "3/3" in text and "runs/s" in text and "ETA" in text


def test_a_sweep_off_a_terminal_prints_only_its_performance_line(tmp_path):
    result = psa_sim("sweep", str(QUICK_DEMO), "--seeds", "1..2", "--workers", "1", "--json")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("performance: ")
    assert len(json.loads(result.stdout)) == 2
