"""newsduck's flows record their parameters as Prefect's serializer would, without importing FastAPI for plain JSON."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from enum import Enum

from prefect import Flow

from flows.crawl import crawl, crawl_sources
from flows.ingest import ingest
from flows.prefect_flow import JsonParametersFlow, is_plain_json, newsduck_flow
from flows.reparse import reparse

from conftest import REPO


class Colour(str, Enum):
    RED = "red"


def test_every_run_flow_is_a_json_parameters_flow():
    for run_flow in (ingest, reparse, crawl, crawl_sources):
        assert isinstance(run_flow, JsonParametersFlow) and isinstance(run_flow, Flow)
    assert ingest.name == "ingest" and ingest.log_prints


def test_plain_json_parameters_are_recorded_as_prefects_serializer_records_them():
    parameters = {"inputs": ["a.html", "https://example.com/ü"], "db_path": "x.duckdb", "batch_size": 200,
                  "ratio": 0.5, "quiet": False, "lock_wait": None, "file_urls": {"a.html": "https://example.com/a"},
                  "nested": [{"k": [1, 2.5, None, True]}]}
    assert ingest.serialize_parameters(parameters) == Flow.serialize_parameters(ingest, parameters) == parameters


def test_other_values_go_through_prefects_serializer():
    since = datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc)
    parameters = {"db_path": "x.duckdb", "since": since, "pair": (1, 2), "colour": Colour.RED}
    serialized = reparse.serialize_parameters(parameters)
    assert serialized == Flow.serialize_parameters(reparse, parameters)
    assert serialized["since"] == since.isoformat() and serialized["pair"] == [1, 2] and serialized["colour"] == "red"
    assert [is_plain_json(v) for v in (since, (1, 2), Colour.RED, {1: "a"}, [set()], True, 1.5)] == \
        [False, False, False, False, False, True, True]


def test_the_decorator_passes_prefects_options():
    @newsduck_flow(name="example", log_prints=True, retries=2)
    def example(x: int) -> int:
        return x + 1

    assert isinstance(example, JsonParametersFlow)
    assert (example.name, example.log_prints, example.retries) == ("example", True, 2)
    assert example.fn(1) == 2


def test_recording_plain_parameters_does_not_import_fastapi():
    """Its import costs a tenth of a one-page ingest; an ingest's parameters never need it."""
    script = """
import sys
from flows.ingest import ingest
assert "fastapi" not in sys.modules
ingest.serialize_parameters({"inputs": ["a.html"], "db_path": "x.duckdb", "batch_size": 200, "file_urls": None})
print("fastapi" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False"]
