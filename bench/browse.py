"""`newsduck browse` at scale: the home, article and search pages timed over N synthetic articles.

    python -m bench.browse [--articles 100000] [--repeats 20] [--db PATH] [--json]

Builds a warehouse of N articles with bench/warehouse.py's generator (`Corpus`: the same seeded corpus, loaded
with `prepare_pages` + `load_batch` and indexed for search, as its load phase does), or reuses the file given
with --db when it exists (it is built there otherwise). Then it serves the app in-process (starlette's
TestClient, so the figures are the app's own: routing, warehouse queries and templates, no network) and times
each page `--repeats` times after one untimed request: home (`/`), article (`/article/{id}` for different
articles) and search (`/search?q=…` with bench/warehouse.py's queries). It prints the median and p95 of each
against the targets of issue 20 (home and article < 100 ms, search < 200 ms, medians) and PASS or FAIL,
with the median CPU time the process spent on a request (all threads; on a busy machine the wall time is
mostly waiting for a core) and the load average; the exit code is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import quote

if __package__ in (None, ""):  # run as `python bench/browse.py`: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.warehouse import Corpus, load_average, p95
from warehouse.db import connect
from warehouse.load import load_batch
from warehouse.prepare import prepare_pages
from warehouse.runs import finish_run, start_run
from warehouse.search import refresh_search_index

TARGETS_MS = {"home": 100.0, "article": 100.0, "search": 200.0}  # medians, issue 20


@dataclass
class PageTimes:
    name: str
    ms: list[float] = field(default_factory=list)  # wall time of each request
    cpu_ms: list[float] = field(default_factory=list)  # the process's CPU time (all threads) during it

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_ms)

    @property
    def median(self) -> float:
        return statistics.median(self.ms)

    @property
    def p95(self) -> float:
        return p95(self.ms)

    @property
    def passed(self) -> bool:
        return self.median < TARGETS_MS[self.name]


def build_database(path: Path, articles: int, *, batch_size: int = 2000, seed: int = 1,
                   progress: Callable[[str], None] = lambda _: None) -> None:
    """Load bench/warehouse.py's corpus of `articles` into a new warehouse at `path` and index it for search."""
    from warehouse.models import LoadCounts

    corpus = Corpus(articles, seed)
    con = connect(path)
    try:
        run_id = start_run(con, flow_run_id=None, command="bench.browse", inputs=articles)
        counts = LoadCounts()
        for done, batch in enumerate(corpus.batches(batch_size), 1):
            counts.add(load_batch(con, run_id, prepare_pages(batch)))
            progress(f"loaded {min(done * batch_size, articles):,} of {articles:,} articles")
        finish_run(con, run_id, counts, "completed")
        progress("refreshing the search index")
        refresh_search_index(con, compact=True)
    finally:
        con.close()


def time_pages(db_path: Path, repeats: int, seed: int = 1) -> list[PageTimes]:
    from starlette.testclient import TestClient

    from flows.browse.app import create_app

    corpus = Corpus(1, seed)
    queries = corpus.queries(repeats)
    with TestClient(create_app(str(db_path))) as client:
        article_ids = [row["article_id"] for row in client.get("/articles?format=json").json()]
        targets = {
            "home": ["/"] * repeats,
            "article": [f"/article/{article_ids[k % len(article_ids)]}" for k in range(repeats)],
            "search": [f"/search?q={quote(queries[k % len(queries)])}" for k in range(repeats)],
        }
        results = []
        for name, urls in targets.items():
            times = PageTimes(name)
            check(client.get(urls[0]))  # untimed: first use of the templates, jieba's dictionary, DuckDB's caches
            for url in urls:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.ms.append((time.perf_counter() - started) * 1000)
                times.cpu_ms.append((time.process_time() - cpu_started) * 1000)
                check(response)
            results.append(times)
    return results


def check(response) -> None:
    if response.status_code != 200:
        raise SystemExit(f"GET {response.url} answered {response.status_code}: {response.text[:200]}")


def format_table(results: list[PageTimes], articles: int, load: tuple[float | None, float | None] = (None, None)) -> str:
    lines = [f"{'page':10} {'median':>10} {'p95':>10} {'CPU median':>11} {'target':>10}  verdict   "
             f"({articles:,} articles, {len(results[0].ms)} requests each; load average {load[0]} at start, "
             f"{load[1]} at end)"]
    for r in results:
        lines.append(f"{r.name:10} {r.median:>7.1f} ms {r.p95:>7.1f} ms {r.cpu_median:>8.1f} ms "
                     f"{'< %g ms' % TARGETS_MS[r.name]:>10}  {'PASS' if r.passed else 'FAIL'}")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.browse",
                                     description="Time newsduck browse's home, article and search pages.")
    parser.add_argument("--articles", type=int, default=100_000, help="synthetic articles (default 100000)")
    parser.add_argument("--repeats", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--db", type=Path, help="the warehouse to time: reused when it exists, else built there "
                        "(default: a temporary file, removed afterwards)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.articles < 1 or args.repeats < 1:
        raise SystemExit("--articles and --repeats must be at least 1")

    def progress(message: str) -> None:
        print(f"[bench] {message}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="newsduck-bench-browse-") as scratch:
        db_path = args.db or Path(scratch) / "newsduck.duckdb"
        if not db_path.exists():
            build_database(db_path, args.articles, seed=args.seed, progress=progress)
        con = connect(db_path, read_only=True)
        try:
            articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        finally:
            con.close()
        load_start = load_average()
        results = time_pages(db_path, args.repeats, args.seed)
        load = (load_start, load_average())
    if args.json:
        print(json.dumps({"articles": articles, "load_average": load, "pages": {r.name: {"median_ms": round(r.median, 2),
                          "p95_ms": round(r.p95, 2), "cpu_median_ms": round(r.cpu_median, 2), "target_ms": TARGETS_MS[r.name], "passed": r.passed}
                          for r in results}}, indent=2))
    else:
        print(format_table(results, articles, load))
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
