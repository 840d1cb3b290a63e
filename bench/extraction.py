"""newsduck's article extractor vs trafilatura on the ScrapingHub benchmark, in one run.

    python -m bench.extraction /work/shared/benchmarks/scrapinghub [--limit N] [--jobs N] [--json]

For the same pages it measures (1) quality: the benchmark's shingle F1 / precision / recall,
(2) per-page speed in this process pinned to one core, with BeautifulSoup(html, "lxml") alone as
the floor, and (3) whole-process throughput: `newsduck extract --jobs N` (N worker processes,
default one per CPU) over the pages as a subprocess vs one process running trafilatura over the
same files (its normal use), start-up included, against the target of 1.5x trafilatura's pages/s.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

if __package__ in (None, ""):  # run as `python bench/extraction.py`: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.metrics import PageScore, Summary, bootstrap_std, f1_score, score_page, summarize

NEWSDUCK = "newsduck"
TRAFILATURA = "trafilatura"
FLOOR = "bs4_floor"
# The throughput target: `newsduck extract` on every core vs trafilatura in one process.
TARGET_PAGES_PER_SECOND_RATIO = 1.5

# (html bytes, url) -> extracted text; None or "" means nothing was extracted.
Extractor = Callable[[bytes, "str | None"], "str | None"]


@dataclass
class Page:
    id: str
    url: str | None
    html: bytes  # as served: the extractors decode it themselves
    gold: str


def load_pages(dataset_dir: Path, limit: int | None = None) -> list[Page]:
    """Pages of a benchmark directory (html/<id>.html.gz + ground-truth.json), sorted by id."""
    truth = json.loads((dataset_dir / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)
    if limit is not None:
        ids = ids[:limit]
    pages = []
    for page_id in ids:
        html = gzip.decompress((dataset_dir / "html" / f"{page_id}.html.gz").read_bytes())
        item = truth[page_id]
        pages.append(Page(page_id, item.get("url"), html, item.get("articleBody") or ""))
    return pages


# --- extractors ---------------------------------------------------------------------------------

def trafilatura_options(defaults: bool) -> dict[str, Any]:
    """Keyword arguments for trafilatura.extract: comments off (its best setting here) unless defaults."""
    return {} if defaults else {"include_comments": False}


def make_trafilatura_extractor(defaults: bool = False) -> Extractor:
    import trafilatura

    options = trafilatura_options(defaults)

    def extract(html: bytes, url: str | None) -> str | None:
        return trafilatura.extract(html, url=url, **options)

    return extract


def make_newsduck_extractor() -> Extractor:
    from parsers import extract_article

    def extract(html: bytes, url: str | None) -> str | None:
        return extract_article(html, url=url).text

    return extract


def parse_with_bs4_only(html: bytes, url: str | None) -> None:
    """The floor of any BeautifulSoup extractor: UTF-8 decode (the benchmark's pages are UTF-8) + lxml parse."""
    from bs4 import BeautifulSoup

    BeautifulSoup(html.decode("utf-8", errors="replace"), "lxml")
    return None


# --- in-process pass: quality and per-page time ---------------------------------------------------

@dataclass
class ExtractorRun:
    texts: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # wall time of each call
    cpu_seconds: list[float] = field(default_factory=list)  # CPU time of this process during each call
    errors: list[str] = field(default_factory=list)  # "page id: ExceptionType: message"


def run_extractors(pages: list[Page], extractors: dict[str, Extractor], rounds: int = 1) -> dict[str, ExtractorRun]:
    """Run each extractor over all pages in its own pass, timing each call; an exception counts as empty output.

    Separate passes (not interleaved per page) so one library's garbage and cache footprint are not
    billed to the other. Each pass starts with a full garbage collection and an untimed warm-up call
    on the first page (imports, lazy tables, caches). With `rounds` > 1 the passes are repeated in turn
    (floor, newsduck, trafilatura, floor, …) and each call's time is its fastest round: a shared machine's
    drift and interruptions land on one round of one tool, not on the comparison.
    """
    runs: dict[str, ExtractorRun] = {}
    for round_no in range(max(1, rounds)):
        for name, extract in extractors.items():
            run = runs.setdefault(name, ExtractorRun())
            gc.collect()
            if pages:
                try:
                    extract(pages[0].html, pages[0].url)
                except Exception:
                    pass
            for k, page in enumerate(pages):
                start, cpu_start = time.perf_counter(), time.process_time()
                try:
                    text = extract(page.html, page.url) or ""
                    error = None
                except Exception as exc:  # a crash on one page must not end the benchmark
                    text = ""
                    error = f"{page.id}: {type(exc).__name__}: {str(exc)[:200]}"
                cpu, wall = time.process_time() - cpu_start, time.perf_counter() - start
                if round_no == 0:
                    run.cpu_seconds.append(cpu)
                    run.seconds.append(wall)
                    run.texts.append(text)
                    if error:
                        run.errors.append(error)
                else:
                    run.cpu_seconds[k] = min(run.cpu_seconds[k], cpu)
                    run.seconds[k] = min(run.seconds[k], wall)
    return runs


def run_on_one_core(function: Callable[[], Any]) -> tuple[Any, int | None]:
    """Run `function` with this process pinned to one CPU; returns (result, cpu or None if not pinnable)."""
    if not hasattr(os, "sched_setaffinity"):
        return function(), None
    allowed = os.sched_getaffinity(0)
    cpu = min(allowed)
    os.sched_setaffinity(0, {cpu})
    try:
        return function(), cpu
    finally:
        os.sched_setaffinity(0, allowed)


def score_texts(pages: list[Page], texts: list[str]) -> list[PageScore]:
    return [score_page(page.gold, text) for page, text in zip(pages, texts)]


# --- whole-process throughput ---------------------------------------------------------------------

# Runs trafilatura over files the way a user script would (its normal use): one process, bytes in,
# JSON lines out.
TRAFILATURA_SCRIPT = r"""
import json, sys
import trafilatura

options = json.loads(sys.argv[1])
urls = {}
with open(sys.argv[2], encoding="utf-8") as lines:
    for line in lines:
        item = json.loads(line)
        urls[item["path"]] = item["url"]

for path in sys.argv[3:]:
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = trafilatura.extract(data, url=urls.get(path), **options)
    except Exception as exc:
        text = None
        print(f"{path}: {type(exc).__name__}: {exc}", file=sys.stderr)
    print(json.dumps({"path": path, "url": urls.get(path), "text": text}, ensure_ascii=False))
"""


@dataclass
class ProcessRun:
    command: str
    runs_seconds: list[float]  # wall time of each repetition
    runs_cpu_seconds: list[float]  # user + system CPU time of the process and its workers, each repetition
    returncode: int  # of the last repetition
    records: int  # JSON lines the last repetition wrote
    pages: int
    jobs: int  # worker processes asked for (trafilatura: always 1)
    stderr_tail: str
    load_averages: list[float] = field(default_factory=list)  # 1-minute load average before each repetition

    @property
    def seconds(self) -> float:
        return statistics.median(self.runs_seconds)

    @property
    def cpu_seconds(self) -> float:
        return statistics.median(self.runs_cpu_seconds)

    @property
    def complete(self) -> bool:
        return self.records == self.pages

    @property
    def pages_per_second(self) -> float | None:
        return self.pages / self.seconds if self.complete and self.seconds > 0 else None

    def figures(self) -> dict[str, Any]:
        return {**asdict(self), "seconds": self.seconds, "cpu_seconds": self.cpu_seconds, "pages_per_second": self.pages_per_second}


def write_pages(pages: list[Page], directory: Path) -> tuple[list[str], Path]:
    """Decompressed pages as <id>.html plus a --urls JSON lines file giving each its URL."""
    paths = []
    for page in pages:
        path = directory / f"{page.id}.html"
        path.write_bytes(page.html)
        paths.append(str(path))
    urls_file = directory / "urls.jsonl"
    with urls_file.open("w", encoding="utf-8") as out:
        for page, path in zip(pages, paths):
            out.write(json.dumps({"path": path, "url": page.url}) + "\n")
    return paths, urls_file


def newsduck_cli() -> list[str]:
    """The `newsduck` console script next to this interpreter, else the module."""
    script = Path(sys.executable).parent / "newsduck"
    return [str(script)] if script.exists() else [sys.executable, "-m", "flows.cli"]


def default_jobs() -> int:
    return os.cpu_count() or 1


def newsduck_extract_has_jobs() -> bool:
    help_text = subprocess.run(newsduck_cli() + ["extract", "--help"], capture_output=True, text=True).stdout
    return "--jobs" in help_text


def _shown(command: list[str]) -> str:
    shown = ["<inline script>" if "\n" in part else part for part in command[:6]]
    return " ".join(shown) + (f" ... ({len(command)} args)" if len(command) > 6 else "")


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# Both tools run as installed, with their modules' bytecode (an installed wheel has it; trafilatura's is in the
# venv): PYTHONDONTWRITEBYTECODE would make every newsduck run compile its own source again (~0.1 s). The first
# run writes what is missing.
PROCESS_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def time_process(command: list[str], output: Path) -> tuple[float, float, int, int, str]:
    """Wall and CPU time of one subprocess from spawn to exit, its stdout written to `output`.

    CPU time counts the worker processes it waited for too. Returns
    (wall seconds, CPU seconds, exit code, JSON lines written, end of stderr).
    """
    with output.open("wb") as out:
        cpu_start = _children_cpu_seconds()
        start = time.perf_counter()
        done = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, env=PROCESS_ENV)
        seconds = time.perf_counter() - start
        cpu_seconds = _children_cpu_seconds() - cpu_start
    records = sum(1 for line in output.read_bytes().splitlines() if line.strip())
    return seconds, cpu_seconds, done.returncode, records, done.stderr.decode("utf-8", errors="replace")[-500:]


def run_whole_process(pages: list[Page], jobs: int, trafilatura_defaults: bool, with_newsduck: bool,
                      repeat: int = 3) -> tuple[dict[str, ProcessRun], list[str]]:
    """Time `newsduck extract --jobs <jobs>` and a one-process trafilatura script over the same files,
    `repeat` times each, alternating (newsduck first in each pair)."""
    notes = []
    has_jobs = with_newsduck and newsduck_extract_has_jobs()
    if with_newsduck and not has_jobs:
        notes.append(f"`newsduck extract` has no --jobs option: it ran with its own default, not {jobs} job(s)")
    commands: dict[str, list[str]] = {}
    process_jobs = {NEWSDUCK: jobs if has_jobs else 1, TRAFILATURA: 1}
    results: dict[str, ProcessRun] = {}
    with tempfile.TemporaryDirectory(prefix="newsduck-bench-") as tmp:
        directory = Path(tmp)
        paths, urls_file = write_pages(pages, directory)
        if with_newsduck:
            command = newsduck_cli() + ["extract", "--urls", str(urls_file)]
            if has_jobs:  # always explicit, so the table says what ran
                command += ["--jobs", str(jobs)]
            commands[NEWSDUCK] = command + paths
        options = json.dumps(trafilatura_options(trafilatura_defaults))
        commands[TRAFILATURA] = [sys.executable, "-c", TRAFILATURA_SCRIPT, options, str(urls_file)] + paths
        for _ in range(max(1, repeat)):
            for name, command in commands.items():
                load = round(os.getloadavg()[0], 2)
                seconds, cpu_seconds, code, records, stderr = time_process(command, directory / f"{name}.jsonl")
                if name not in results:
                    results[name] = ProcessRun(_shown(command), [], [], code, records, len(pages),
                                               process_jobs[name], stderr)
                run = results[name]
                run.runs_seconds.append(seconds)
                run.runs_cpu_seconds.append(cpu_seconds)
                run.load_averages.append(load)
                run.returncode, run.records, run.stderr_tail = code, records, stderr
    for name, run in results.items():
        if not run.complete:
            notes.append(f"{name} whole-process run wrote {run.records} of {run.pages} records "
                         f"(exit code {run.returncode}): {run.stderr_tail.strip()[-200:]}")
    return results, notes


# --- report ---------------------------------------------------------------------------------------

@dataclass
class Report:
    date: str
    dataset: str
    pages: int
    trafilatura_version: str
    trafilatura_options: dict[str, Any]
    cpu_pinned: int | None
    load_average: list[float]  # 1-minute load average at start and at end: others' work skews wall times
    quality: dict[str, dict[str, Any]]  # name -> Summary fields + bootstrap std + error count
    per_page_ms: dict[str, dict[str, float]]  # name -> median, mean
    floor_overhead_pct: dict[str, float]  # name -> (median - floor median) / floor median * 100
    whole_process: dict[str, dict[str, Any]]
    notes: list[str]
    worst_pages: list[dict[str, Any]] = field(default_factory=list)  # where newsduck trails trafilatura most
    target: dict[str, Any] = field(default_factory=dict)  # throughput_target(): the 1.5x pages/s check


def throughput_target(processes: dict[str, ProcessRun]) -> dict[str, Any]:
    """newsduck's pages/s over trafilatura's (medians of the runs) against TARGET_PAGES_PER_SECOND_RATIO,
    with the ratio of each alternating pair of runs to show the spread; {} when either is missing."""
    ours, theirs = processes.get(NEWSDUCK), processes.get(TRAFILATURA)
    if ours is None or theirs is None:
        return {}
    ratio = None
    if ours.pages_per_second is not None and theirs.pages_per_second is not None:
        ratio = ours.pages_per_second / theirs.pages_per_second
    pairs = [t / n for n, t in zip(ours.runs_seconds, theirs.runs_seconds) if n > 0]
    return {"required": TARGET_PAGES_PER_SECOND_RATIO, "ratio": ratio, "passed": ratio is not None and
            ratio >= TARGET_PAGES_PER_SECOND_RATIO, "pair_ratios": pairs, "newsduck_jobs": ours.jobs}


def per_page_milliseconds(run: ExtractorRun) -> dict[str, float]:
    """median and mean of CPU time per call (what the table shows: robust to other load on the
    machine), and the same of wall time."""
    if not run.seconds:
        return {key: float("nan") for key in ("median", "mean", "wall_median", "wall_mean")}
    return {
        "median": statistics.median(run.cpu_seconds) * 1000,
        "mean": statistics.fmean(run.cpu_seconds) * 1000,
        "wall_median": statistics.median(run.seconds) * 1000,
        "wall_mean": statistics.fmean(run.seconds) * 1000,
    }


def quality_figures(summary: Summary, scores: list[PageScore], errors: list[str]) -> dict[str, Any]:
    figures = asdict(summary)
    figures["std"] = bootstrap_std(scores)
    figures["errors"] = len(errors)
    figures["error_examples"] = errors[:5]
    return figures


def _page_f1(score: PageScore) -> float:
    return f1_score(score.precision or 0.0, score.recall or 0.0)


def worst_pages(pages: list[Page], ours: list[PageScore], theirs: list[PageScore], count: int) -> list[dict[str, Any]]:
    """The `count` pages where newsduck's page F1 is furthest below trafilatura's."""
    rows = []
    for page, nd, tr in zip(pages, ours, theirs):
        rows.append({
            "id": page.id, "url": page.url, "f1_gap": _page_f1(nd) - _page_f1(tr),
            NEWSDUCK: {"precision": nd.precision, "recall": nd.recall},
            TRAFILATURA: {"precision": tr.precision, "recall": tr.recall},
        })
    rows.sort(key=lambda row: row["f1_gap"])
    return [row for row in rows[:count] if row["f1_gap"] < 0]


def benchmark(dataset_dir: Path, limit: int | None = None, jobs: int | None = None, trafilatura_defaults: bool = False,
              whole_process: bool = True, repeat: int = 3, worst: int = 0, rounds: int = 3) -> Report:
    import trafilatura

    load_start = os.getloadavg()[0]
    pages = load_pages(dataset_dir, limit)
    notes: list[str] = []
    extractors: dict[str, Extractor] = {}
    try:
        extractors[NEWSDUCK] = make_newsduck_extractor()
    except ImportError as exc:
        notes.append(f"newsduck extractor not available ({exc}): trafilatura only")
    extractors[TRAFILATURA] = make_trafilatura_extractor(trafilatura_defaults)
    extractors[FLOOR] = parse_with_bs4_only

    runs, cpu = run_on_one_core(lambda: run_extractors(pages, extractors, rounds))

    quality = {}
    per_page_ms = {}
    scores: dict[str, list[PageScore]] = {}
    for name, run in runs.items():
        per_page_ms[name] = per_page_milliseconds(run)
        if name == FLOOR:
            continue
        scores[name] = score_texts(pages, run.texts)
        quality[name] = quality_figures(summarize(scores[name]), scores[name], run.errors)
        if run.errors:
            notes.append(f"{name} raised on {len(run.errors)} page(s), scored as empty output; "
                         f"first: {run.errors[0]}")
    floor = per_page_ms[FLOOR]["median"]
    overhead = {name: (per_page_ms[name]["median"] - floor) / floor * 100
                for name in quality if floor > 0}

    processes: dict[str, ProcessRun] = {}
    if whole_process:
        processes, process_notes = run_whole_process(pages, jobs or default_jobs(), trafilatura_defaults,
                                                     NEWSDUCK in extractors, repeat)
        notes.extend(process_notes)

    return Report(
        date=time.strftime("%Y-%m-%d %H:%M %Z"),
        dataset=str(dataset_dir),
        pages=len(pages),
        trafilatura_version=trafilatura.__version__,
        trafilatura_options=trafilatura_options(trafilatura_defaults),
        cpu_pinned=cpu,
        load_average=[round(load_start, 2), round(os.getloadavg()[0], 2)],
        quality=quality,
        per_page_ms=per_page_ms,
        floor_overhead_pct=overhead,
        whole_process={name: run.figures() for name, run in processes.items()},
        notes=notes,
        worst_pages=worst_pages(pages, scores[NEWSDUCK], scores[TRAFILATURA], worst) if NEWSDUCK in scores else [],
        target=throughput_target(processes),
    )


def _cell(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _ratio_text(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:.2f}x"


def _ratio(a: float | None, b: float | None) -> str:
    return "" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


def format_table(report: Report) -> str:
    def figure(section: dict[str, dict[str, Any]], name: str, key: str) -> float | None:
        return section.get(name, {}).get(key)

    rows: list[tuple[str, str, str, str]] = []

    def add(label: str, key_of: Callable[[str], float | None], digits: int, with_ratio: bool = False) -> None:
        nd, tr = key_of(NEWSDUCK), key_of(TRAFILATURA)
        rows.append((label, _cell(nd, digits), _cell(tr, digits), _ratio(nd, tr) if with_ratio else ""))

    q = report.quality
    add("F1", lambda n: figure(q, n, "f1"), 3)
    add("  ± (bootstrap std)", lambda n: q[n]["std"]["f1"] if n in q else None, 3)
    add("precision", lambda n: figure(q, n, "precision"), 3)
    add("recall", lambda n: figure(q, n, "recall"), 3)
    add("accuracy (exact token match)", lambda n: figure(q, n, "accuracy"), 3)
    add("pages with empty output", lambda n: figure(q, n, "empty_predictions"), 0)
    add("pages where it raised", lambda n: figure(q, n, "errors"), 0)
    ms = report.per_page_ms
    add("median CPU ms/page (1 core)", lambda n: figure(ms, n, "median"), 2, with_ratio=True)
    add("mean CPU ms/page (1 core)", lambda n: figure(ms, n, "mean"), 2, with_ratio=True)
    floor = ms[FLOOR]
    rows.append(("floor: BeautifulSoup(html, 'lxml') median ms", f"{floor['median']:.2f}", "", ""))
    rows.append(("floor: BeautifulSoup(html, 'lxml') mean ms", f"{floor['mean']:.2f}", "", ""))
    add("median over the floor, %", lambda n: report.floor_overhead_pct.get(n), 0)
    wp = report.whole_process
    add("pages/s (whole process)", lambda n: figure(wp, n, "pages_per_second"), 1, with_ratio=True)
    add("  processes (newsduck: --jobs)", lambda n: figure(wp, n, "jobs"), 0)
    add("whole-process wall s (median of runs)", lambda n: figure(wp, n, "seconds"), 2, with_ratio=True)
    add("whole-process CPU s (median of runs)", lambda n: figure(wp, n, "cpu_seconds"), 2, with_ratio=True)

    width = max(len(row[0]) for row in rows) + 2
    lines = [f"{'':<{width}}{NEWSDUCK:>14}{TRAFILATURA:>14}{'ratio':>9}"]
    lines += [f"{label:<{width}}{nd:>14}{tr:>14}{ratio:>9}".rstrip() for label, nd, tr, ratio in rows]
    target = report.target
    if target:
        verdict = "PASS" if target["passed"] else "FAIL"
        pairs = target["pair_ratios"]
        spread = f" (run by run {min(pairs):.2f}x to {max(pairs):.2f}x)" if pairs else ""
        lines.append("")
        lines.append(f"target: `newsduck extract --jobs {target['newsduck_jobs']}` pages/s >= "
                     f"{target['required']}x trafilatura's (one process): {_ratio_text(target['ratio'])}{spread} "
                     f"{verdict}")
    first_run = next(iter(wp.values()), {})
    repeats = len(first_run.get("runs_seconds", []))
    loads = [load for run in wp.values() for load in run.get("load_averages", [])]
    during = f" (load average {min(loads)}-{max(loads)} before them)" if loads else ""
    lines.append("")
    lines.append(f"{report.pages} pages from {report.dataset}, {report.date}; trafilatura {report.trafilatura_version} "
                 f"extract(**{report.trafilatura_options}); per-page timing pinned to CPU {report.cpu_pinned}; "
                 f"whole-process: median of {repeats} alternating run(s) each, start-up included{during}; "
                 f"load average {report.load_average[0]} at start, {report.load_average[1]} at end "
                 f"on {os.cpu_count()} CPUs; ratio = newsduck / trafilatura")
    lines += [f"note: {note}" for note in report.notes]
    if report.worst_pages:
        lines.append("")
        lines.append("pages where newsduck trails trafilatura most (page F1 gap; precision/recall of each):")
        for row in report.worst_pages:
            nd, tr = row[NEWSDUCK], row[TRAFILATURA]
            lines.append(f"  {row['f1_gap']:+.2f}  {row['id'][:12]}  newsduck {_cell(nd['precision'], 2)}/"
                         f"{_cell(nd['recall'], 2)}  trafilatura {_cell(tr['precision'], 2)}/"
                         f"{_cell(tr['recall'], 2)}  {row['url']}")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.extraction",
        description="newsduck's article extractor vs trafilatura on the ScrapingHub benchmark: quality, per-page speed, throughput.")
    parser.add_argument("dataset_dir", type=Path, help="directory with html/<id>.html.gz and ground-truth.json")
    parser.add_argument("--limit", type=int, help="only the first N pages (sorted by id)")
    parser.add_argument("--jobs", type=int, default=default_jobs(),
                        help="worker processes for `newsduck extract --jobs` in the whole-process runs (default: "
                             "the number of CPUs, here %(default)s); trafilatura always runs in one process")
    parser.add_argument("--trafilatura-defaults", action="store_true",
                        help="call trafilatura.extract with its defaults (comments on) instead of include_comments=False")
    parser.add_argument("--repeat", type=int, default=3,
                        help="whole-process runs per tool; the median wall time is reported (default 3)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="per-page timing passes per tool, in turn; each call counts its fastest round (default 3)")
    parser.add_argument("--no-whole-process", action="store_true", help="skip the subprocess throughput runs")
    parser.add_argument("--worst", type=int, default=0, metavar="N",
                        help="also list the N pages where newsduck's F1 trails trafilatura's most")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not (args.dataset_dir / "ground-truth.json").is_file():
        print(f"bench: {args.dataset_dir} has no ground-truth.json", file=sys.stderr)
        return 2
    report = benchmark(args.dataset_dir, limit=args.limit, jobs=max(1, args.jobs),
                       trafilatura_defaults=args.trafilatura_defaults, whole_process=not args.no_whole_process,
                       repeat=args.repeat, worst=max(0, args.worst), rounds=max(1, args.rounds))
    print(json.dumps(asdict(report), indent=2, ensure_ascii=False) if args.json else format_table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
