"""What a command costs before and after its work: imports frozen out of the collector's reach (flows/settings.py),
each in a new interpreter, as a user's command runs."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import FIXTURES, REPO

PAGE = FIXTURES / "pages" / "fanfu-repost-51919.html"


def python(script: str, timeout: float = 60) -> str:
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_import_frozen_freezes_what_the_import_built_and_never_garbage():
    out = python("""
import gc, weakref
from flows.settings import import_frozen

class Node:
    pass

cycle = Node()
cycle.me = cycle
gone = weakref.ref(cycle)
del cycle  # garbage, only the collector can free it
module = import_frozen("http.client")
print(module.__name__, gc.isenabled(), gone() is None, gc.get_freeze_count() > 1000)
frozen = gc.get_freeze_count()
import_frozen("http.client")  # already imported: nothing more is frozen
print(gc.get_freeze_count() == frozen)
""")
    assert out.split() == ["http.client", "True", "True", "True", "True"]


def test_ingest_imports_prefect_and_the_parsers_frozen(tmp_path):
    """Loss of import_frozen in the ingest command would leave the objects of those imports to every collection."""
    out = python(f"""
import gc
import flows.cli
code = flows.cli.main(["ingest", {str(PAGE)!r}, "--db", {str(tmp_path / "news.duckdb")!r}, "--quiet"])
print(code, gc.get_freeze_count() > 100_000, gc.isenabled())
""", timeout=300)
    assert out.split()[-3:] == ["0", "True", "True"]
