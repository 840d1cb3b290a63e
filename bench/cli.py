"""Wall time of everyday `newsduck` commands, as a user runs them: a new home directory, no Prefect settings.

    .venv/bin/python -m bench.cli [--repeat 3] [--pages 1000] [--web-body DIR]

Times (median of --repeat runs, each a new process, start-up included): `newsduck sql "select 1"`, `newsduck
extract` of one page, `newsduck ingest` of one page with no Prefect server (Prefect starts a temporary one)
and with the shared server and warm runner `newsduck server start` keeps (and, for comparison, with the server
but in its own process: NEWSDUCK_RUNNER=off), `newsduck server start` itself, and one ingest of --pages real
pages (web-body, read in place) with the shared server. Target: a one-page ingest with the server at most 4x
the trivial sql call.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NEWSDUCK = str(Path(sys.executable).parent / "newsduck")
WEB_BODY = REPO.parent / "shared" / "benchmarks" / "web-body"
PAGE = REPO / "tests" / "fixtures" / "pages" / "fanfu-repost-51919.html"
TARGET = 4.0


def timed(env: dict, cwd: Path, *args: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([NEWSDUCK, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=1800)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"newsduck {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return elapsed


def median_of(repeat: int, env: dict, cwd: Path, *args: str) -> tuple[float, list[float]]:
    runs = [timed(env, cwd, *args) for _ in range(repeat)]
    return statistics.median(runs), runs


def web_body_pages(directory: Path, count: int, web_body: Path = WEB_BODY) -> int:
    """The first `count` pages of the web-body manifest, decompressed into `directory`."""
    directory.mkdir(parents=True)
    written = 0
    with open(web_body / "manifest.jsonl", encoding="utf-8") as manifest:
        for line in manifest:
            if written >= count:
                break
            item = json.loads(line)
            source = web_body / item["html"]
            if not source.exists():
                continue
            (directory / f"{written:05d}.html").write_bytes(gzip.decompress(source.read_bytes())
                                                           if source.suffix == ".gz" else source.read_bytes())
            written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--web-body", type=Path, default=WEB_BODY, metavar="DIR",
                        help=f"the web-body corpus the --pages come from (default {WEB_BODY})")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="newsduck-bench-cli-"))
    home = work / "home"
    home.mkdir()
    # PYTHONDONTWRITEBYTECODE too: an installed newsduck has its modules compiled; without their bytecode every
    # command would compile them again (0.1-0.3 s a command). The first run writes what is missing.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PREFECT_", "NEWSDUCK_")) and k != "PYTHONDONTWRITEBYTECODE"}
    env["HOME"] = str(home)
    db = str(work / "news.duckdb")
    rows: list[tuple[str, float, list[float]]] = []

    def measure(label: str, *command: str, extra_env: dict | None = None) -> float:
        median, runs = median_of(args.repeat, {**env, **(extra_env or {})}, work, *command)
        rows.append((label, median, runs))
        return median

    load_before = os.getloadavg()[0]
    cold = measure("newsduck ingest (1 page, temporary Prefect server)", "ingest", str(PAGE), "--db", db)
    sql = measure('newsduck sql "select 1"', "sql", "select 1", "--db", db)
    measure("newsduck extract (1 page)", "extract", str(PAGE))
    start = timed(env, work, "server", "start")
    rows.append(("newsduck server start", start, [start]))
    try:
        warm = measure("newsduck ingest (1 page, running server)", "ingest", str(PAGE), "--db", db)
        measure("  the same in its own process (NEWSDUCK_RUNNER=off)", "ingest", str(PAGE), "--db", db,
                extra_env={"NEWSDUCK_RUNNER": "off"})
        pages = many = None  # without the corpus, the many-page ingest is left out (and said so)
        if (args.web_body / "manifest.jsonl").is_file():
            pages = web_body_pages(work / "pages", args.pages, args.web_body)
            many = timed(env, work, "ingest", str(work / "pages"), "--db", db)
            rows.append((f"newsduck ingest ({pages} pages, running server)", many, [many]))
    finally:
        timed(env, work, "server", "stop")

    ratio = warm / sql
    if args.json:
        print(json.dumps({"rows": [{"command": c, "median_s": m, "runs_s": r} for c, m, r in rows],
                          "ingest_over_sql": ratio, "cold_over_sql": cold / sql, "target": TARGET,
                          "pages_per_s": pages / many if many else None}, indent=1))
        return 0
    width = max(len(c) for c, _, _ in rows)
    print(f"{'command':<{width}}  {'wall s':>7}  {'x sql':>6}  runs")
    for command, median, runs in rows:
        print(f"{command:<{width}}  {median:7.2f}  {median / sql:6.1f}  {' '.join(f'{r:.2f}' for r in runs)}")
    print(f"\n{pages} pages in {many:.1f} s: {pages / many:.1f} pages/s, start-up included" if many else
          f"\nno web-body corpus at {args.web_body}: the {args.pages}-page ingest is left out (--web-body DIR)")
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"target: one-page ingest with the running server <= {TARGET:.0f}x `newsduck sql \"select 1\"`: "
          f"{ratio:.1f}x {verdict}  (without the server: {cold / sql:.1f}x)")
    print(f"\n{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; median of {args.repeat} runs each, every run a new "
          f"process; load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
