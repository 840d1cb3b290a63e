"""bench.batch_memory runs end to end on a tiny warehouse and refuses bad arguments with one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="reads /proc (Linux)")


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench.batch_memory", *args], cwd=PROJECT, capture_output=True,
                          text=True, timeout=300)


def test_the_batch_memory_bench_prints_a_line_per_window_and_the_change_between_the_first_and_the_last():
    done = _run("--articles", "400", "--every", "200")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("# bench.batch_memory")
    assert lines[1].split()[:3] == ["articles", "stored", "batch"]
    rows = [line.split() for line in lines[2:4]]
    assert [row[0] for row in rows] == ["200", "400"]
    for _, peak, between, _ in rows:
        assert int(peak) >= int(between) > 0
    assert lines[4].startswith("batch peak 200 -> 400 articles: ")


def test_the_batch_memory_bench_refuses_a_count_below_one():
    done = _run("--articles", "0")
    assert done.returncode == 2
    assert "--articles and --every must be 1 or more" in done.stderr
    assert "Traceback" not in done.stderr
