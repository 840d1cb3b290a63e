"""Every bench/ script that measures the pipeline runs end to end at a tiny size, so a change cannot break one
unseen (the figures themselves are in bench/README.md and docs/; these runs only show the scripts work).
bench/quality.py, bench/extraction.py, bench/scale.py and bench/batch_memory.py have their own tests; bench/train_body.py
needs the benchmark corpora and is exercised through the model it writes (tests/test_body_model.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]

# script: (arguments, a line the output must hold). Exit 1 means a target was missed, which at a tiny size some
# ratios are (bench/warehouse.py's load ratio); only bench/reliability.py must pass its checks here.
SMOKE_RUNS = {
    "cli": (["--repeat", "1", "--pages", "5"], "one-page ingest"),
    "crawl": (["--pages", "20", "--hosts", "2", "--latency", "0.01"], "N=20"),
    "warehouse": (["--articles", "300", "--batch-size", "100"], "300"),
    "reliability": (["--sections", "kill-ingest", "writers", "bad-input", "--trials", "1", "--pages", "30",
                     "--bad-input-sample", "12"], "failures: 0"),
}


@pytest.mark.parametrize("script", sorted(SMOKE_RUNS))
def test_the_bench_script_runs_at_a_tiny_size(script, tmp_path):
    args, expected = SMOKE_RUNS[script]
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env.update(HOME=str(tmp_path), PYTHONPATH=str(PROJECT), NEWSDUCK_HOME=str(tmp_path / ".newsduck"),
               PREFECT_HOME=str(tmp_path / "prefect"))
    done = subprocess.run([sys.executable, "-m", f"bench.{script}", *args], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode in ((0,) if script == "reliability" else (0, 1)), done.stdout[-2000:] + done.stderr[-2000:]
    assert expected in done.stdout, done.stdout[-2000:]
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
