"""Extraction quality: newsduck and its rivals side by side on every development corpus.

    python -m bench.quality [--split validation] [--quick] [--corpus zh-news-dev ...] [--worst N] [--json]

For each corpus of ../shared/benchmarks (bench/corpora.py) it runs newsduck and the rivals
(bench/rivals.py: trafilatura with comments off, readability-lxml, GNE, newspaper4k) over the same
pages and prints, per corpus and per dataset: body F1 (the ScrapingHub shingle metric, CJK characters
as tokens), title exact, publish day, authors exact (writers only on zh-news-dev), 来源 exact, clean
body (zh-news-dev), page classification, and each tool's pages/s (CPU time, one core); then the
issue's targets with PASS/FAIL. See bench/README.md ("Quality").
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/quality.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import CORPORA, DEFAULT_ROOT, SPLITS, BenchPage, load_corpus, quick_sample
from bench.metrics import PageScore, summarize
from bench.rivals import NEWSDUCK, REPORTS, RIVALS, Extraction, RivalCache, cache_dir, run_one, version_of
from bench.scoring import CLEAN_BODY_PARTS, check_page

# (corpus, metric, dataset or None for the whole corpus, rule, bound): rule "min" is an absolute floor,
# "best" means at least the best rival's figure, "above" strictly above the named rival's (or the best's).
TARGETS: list[tuple[str, str, str | None, str, Any]] = [
    ("zh-news-dev", "title", None, "min", 0.95),
    ("zh-news-dev", "date", None, "min", 0.97),
    ("zh-news-dev", "authors", None, "min", 0.70),
    ("zh-news-dev", "source", None, "min", 0.85),
    ("zh-news-dev", "clean_body", None, "min", 0.90),
    ("zh-news-dev", "is_article", None, "min", 0.97),
    ("web-body", "body_f1", "*", "best", None),
    ("web-body", "body_f1", None, "above", None),
    ("dates", "date", None, "min", 0.95),
    ("dates", "date", None, "above", "trafilatura"),
    ("fundus", "title", None, "min", 0.95),
    ("fundus", "authors", None, "above", "trafilatura"),
    ("fundus", "date", None, "above", "trafilatura"),
    ("scrapinghub", "body_f1", None, "min", 0.965),
]
METRIC_LABELS = {
    "body_f1": "body F1", "body_precision": "  precision", "body_recall": "  recall",
    "title": "title exact", "date": "publish day", "authors": "authors exact", "source": "来源 exact",
    "clean_body": "clean body", **{f"clean_{part}": f"  {part.replace('_', ' ')}" for part in CLEAN_BODY_PARTS},
    "is_article": "page classification", "pages_per_second": "pages/s (CPU, 1 core)",
}
ZH_LABELS = {"authors": "writers exact"}
# Rows broken down by dataset in the table (all of them are in --json).
BREAKDOWN = {"web-body": ("body_f1",), "dates": ("date",), "zh-news-dev": ("clean_body", "date", "authors")}


@dataclass
class PageResult:
    page: BenchPage
    found: dict[str, Extraction]
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)


# --- running --------------------------------------------------------------------------------------

def _work(task: tuple[BenchPage, list[str]]) -> tuple[str, dict[str, Extraction]]:
    page, tools = task
    html = page.html()
    return page.key, {name: run_one(name, html, page.url, page.lang) for name in tools}


def run_tools(pages: list[BenchPage], tools: list[str], jobs: int, use_cache: bool,
              progress: bool = False) -> dict[str, dict[str, Extraction]]:
    """{page key: {tool: Extraction}}: newsduck always runs; a rival's cached output is reused."""
    directory = cache_dir() if use_cache else None
    caches = {name: RivalCache(directory, name, version_of(name) or "?") for name in tools if name != NEWSDUCK}
    found: dict[str, dict[str, Extraction]] = {p.key: {} for p in pages}
    cache_keys: dict[str, str] = {}
    tasks = []
    for page in pages:
        missing = []
        for name in tools:
            if name == NEWSDUCK:
                missing.append(name)
                continue
            key = cache_keys.setdefault(page.key, RivalCache.key(page.key, page.path.read_bytes(), page.url, page.lang))
            cached = caches[name].get(key)
            if cached is None:
                missing.append(name)
            else:
                found[page.key][name] = cached
        if missing:
            tasks.append((page, missing))
    fresh: dict[str, list[tuple[str, Extraction]]] = defaultdict(list)
    if jobs > 1 and len(tasks) > 8:
        context = multiprocessing.get_context("fork")
        with context.Pool(jobs) as pool:
            results = pool.imap_unordered(_work, tasks, chunksize=4)
            for done, (key, by_tool) in enumerate(results, 1):
                _collect(found, fresh, cache_keys, key, by_tool)
                if done % 200 == 0:
                    _flush(caches, fresh)  # a killed run keeps what it computed
                    if progress:
                        print(f"  {done}/{len(tasks)} pages", file=sys.stderr)
    else:
        for page, missing in tasks:
            key, by_tool = _work((page, missing))
            _collect(found, fresh, cache_keys, key, by_tool)
    _flush(caches, fresh)
    return found


def _flush(caches: dict[str, RivalCache], fresh: dict[str, list[tuple[str, Extraction]]]) -> None:
    for name, items in fresh.items():
        caches[name].put_many(items)
        items.clear()


def _collect(found, fresh, cache_keys, key, by_tool) -> None:
    for name, extraction in by_tool.items():
        found[key][name] = extraction
        if name != NEWSDUCK:
            fresh[name].append((cache_keys[key], extraction))


# --- figures --------------------------------------------------------------------------------------

def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def figures(results: list[PageResult], tools: list[str]) -> dict[str, dict[str, Any]]:
    """{tool: {metric: value, "n_<metric>": pages scored}} over `results`."""
    out: dict[str, dict[str, Any]] = {}
    for name in tools:
        values: dict[str, list[float]] = defaultdict(list)
        bodies: list[PageScore] = []
        seconds = 0.0
        for r in results:
            checks = r.checks.get(name, {})
            seconds += r.found[name].seconds if name in r.found else 0.0
            for key, value in checks.items():
                if key == "body":
                    bodies.append(value)
                elif key == "clean_parts":
                    for part, v in value.items():
                        values[f"clean_{part}"].append(v)
                elif value is not None:
                    values[key].append(float(value))
        row: dict[str, Any] = {}
        if bodies:
            summary = summarize(bodies)
            row.update(body_f1=summary.f1, body_precision=summary.precision, body_recall=summary.recall,
                       n_body_f1=len(bodies))
        for key, vals in values.items():
            row[key] = _mean(vals)
            row[f"n_{key}"] = len(vals)
        row["pages_per_second"] = len(results) / seconds if seconds > 0 else None
        out[name] = row
    return out


def evaluate_targets(corpus: str, overall: dict[str, dict[str, Any]],
                     by_dataset: dict[str, dict[str, dict[str, Any]]], tools: list[str]) -> list[dict[str, Any]]:
    rows = []
    rivals = [t for t in tools if t != NEWSDUCK]
    for target_corpus, metric, dataset, rule, bound in TARGETS:
        if target_corpus != corpus:
            continue
        scopes = [(None, overall)] if dataset is None else sorted(by_dataset.items())
        for scope, table in scopes:
            ours = table.get(NEWSDUCK, {}).get(metric)
            if rule == "min":
                required, strict, against = bound, False, None
            else:
                names = [bound] if isinstance(bound, str) else rivals
                best = max(((table.get(n, {}).get(metric), n) for n in names
                            if table.get(n, {}).get(metric) is not None), default=(None, None))
                required, against = best
                strict = rule == "above"
            passed = ours is not None and required is not None and (ours > required if strict else ours >= required)
            label = METRIC_LABELS.get(metric, metric).strip()
            if corpus == "zh-news-dev":
                label = ZH_LABELS.get(metric, label)
            rows.append({"corpus": corpus, "dataset": scope, "metric": metric, "label": label, "value": ours,
                         "rule": rule, "required": required, "against": against, "passed": passed})
    return rows


# --- report ---------------------------------------------------------------------------------------

def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}" if value >= 10 else f"{value:.3f}"
    return str(value)


def format_corpus(corpus: str, results: list[PageResult], overall, by_dataset, tools, split: str) -> list[str]:
    articles = sum(1 for r in results if r.page.gold.get("is_article", True))
    head = f"## {corpus} ({split}, {len(results)} pages"
    head += f", {articles} articles)" if articles != len(results) else ")"
    width = max(28, *(len(d) + 16 for d in by_dataset)) if by_dataset else 28
    lines = [head, f"{'':<{width}}" + "".join(f"{t:>13}" for t in tools)]
    metrics = [m for m in METRIC_LABELS if any(overall.get(t, {}).get(m) is not None for t in tools)]
    for metric in metrics:
        label = METRIC_LABELS[metric]
        if corpus == "zh-news-dev":
            label = ZH_LABELS.get(metric, label)
        n = overall.get(NEWSDUCK, {}).get(f"n_{metric}")
        label = f"{label} (n={n})" if n and metric != "pages_per_second" and not label.startswith("  ") else label
        lines.append(f"{label:<{width}}" + "".join(f"{_fmt(overall.get(t, {}).get(metric)):>13}" for t in tools))
        if metric in BREAKDOWN.get(corpus, ()):
            for dataset, table in sorted(by_dataset.items()):
                n = table.get(NEWSDUCK, {}).get(f"n_{metric}")
                if not n:
                    continue
                sub = f"  · {dataset} (n={n})"
                lines.append(f"{sub:<{width}}" + "".join(f"{_fmt(table.get(t, {}).get(metric)):>13}" for t in tools))
    return lines


def format_targets(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["## targets (newsduck)"]
    for row in rows:
        scope = f"{row['corpus']}" + (f" · {row['dataset']}" if row["dataset"] else "")
        if row["rule"] == "min":
            need = f">= {row['required']}"
        else:
            need = f"{'>' if row['rule'] == 'above' else '>='} {row['against'] or 'rival'} {_fmt(row['required'])}"
        lines.append(f"{'PASS' if row['passed'] else 'FAIL'}  {scope:<34} {row['label']:<20} "
                     f"{_fmt(row['value']):>7}  {need}")
    passed = sum(r["passed"] for r in rows)
    lines.append(f"{passed} of {len(rows)} targets met")
    return lines


def worst_pages(results: list[PageResult], tools: list[str], n: int) -> list[dict[str, Any]]:
    """Pages where newsduck trails the best rival most: body F1 gap plus one per field that a rival
    got right and newsduck wrong."""
    rows = []
    rivals = [t for t in tools if t != NEWSDUCK]
    for r in results:
        if r.page.split == "validation":
            continue  # validation pages are only scored, never read page by page
        ours = r.checks.get(NEWSDUCK, {})
        gap = 0.0
        notes = []
        if "body" in ours and rivals:
            mine = _page_f1(ours["body"])
            best_name = max(rivals, key=lambda t: _page_f1(r.checks.get(t, {}).get("body")))
            best = _page_f1(r.checks.get(best_name, {}).get("body"))
            if best - mine > 0.05:
                gap += best - mine
                notes.append(f"body F1 {mine:.2f} vs {best_name} {best:.2f}")
        for key in ("title", "date", "authors", "source", "clean_body", "is_article"):
            if key not in ours:
                continue
            mine = float(ours[key]) if ours[key] is not None else 0.0
            better = [t for t in rivals if r.checks.get(t, {}).get(key) is not None
                      and float(r.checks[t][key]) > mine + 1e-9]
            if mine < 1.0 and (better or not rivals or key in ("source", "is_article", "clean_body")):
                gap += 1.0 - mine if not better else float(r.checks[better[0]][key]) - mine
                shown = _shown_value(r, key)
                notes.append(f"{key}: {shown}" + (f" ({', '.join(better)} right)" if better else ""))
        if gap > 0:
            rows.append({"page": r.page.key, "site": r.page.site, "gap": round(gap, 3), "notes": notes})
    rows.sort(key=lambda row: -row["gap"])
    return rows[:n]


def _page_f1(score: PageScore | None) -> float:
    if score is None:
        return 0.0
    p, rcl = score.precision or 0.0, score.recall or 0.0
    return 2 * p * rcl / (p + rcl) if p + rcl else 0.0


def _shown_value(r: PageResult, key: str) -> str:
    found = r.found.get(NEWSDUCK)
    gold = r.page.gold
    if key == "clean_body":
        parts = r.checks[NEWSDUCK].get("clean_parts", {})
        return " ".join(f"{k}={v:.2g}" for k, v in parts.items() if v < 1)
    attr = {"title": "title", "date": "date", "authors": "authors", "source": "source", "is_article": "is_article"}[key]
    gold_value = gold.get(attr)
    return f"newsduck {getattr(found, attr)!r} / gold {gold_value!r}"


# --- main -----------------------------------------------------------------------------------------

def benchmark(corpora: list[str], split: str, quick: bool, tools: list[str], jobs: int, use_cache: bool,
              root: Path = DEFAULT_ROOT, only: str | None = None, worst: int = 0,
              progress: bool = False) -> dict[str, Any]:
    report: dict[str, Any] = {"split": split, "quick": quick, "tools": {t: version_of(t) for t in tools},
                              "corpora": {}, "targets": []}
    for corpus in corpora:
        pages = load_corpus(corpus, root, split)
        if quick:
            pages = quick_sample(pages, corpus)
        if only:
            pages = [p for p in pages if only in p.key]
        if not pages:
            continue
        start = time.perf_counter()
        found = run_tools(pages, tools, jobs, use_cache, progress)
        results = []
        for page in pages:
            r = PageResult(page, found[page.key])
            for name in tools:
                if name in r.found:
                    r.checks[name] = check_page(page.gold, r.found[name], REPORTS[name])
            results.append(r)
        overall = figures(results, tools)
        datasets: dict[str, list[PageResult]] = defaultdict(list)
        for r in results:
            datasets[r.page.dataset].append(r)
        by_dataset = {d: figures(rs, tools) for d, rs in datasets.items()} if len(datasets) > 1 else {}
        targets = evaluate_targets(corpus, overall, by_dataset, tools) if not only else []
        report["targets"].extend(targets)
        report["corpora"][corpus] = {
            "pages": len(results), "seconds": time.perf_counter() - start, "overall": overall,
            "by_dataset": by_dataset, "worst": worst_pages(results, tools, worst) if worst else [],
            "_results": results,
        }
    return report


def format_report(report: dict[str, Any]) -> str:
    tools = list(report["tools"])
    lines = [f"# bench.quality  {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  split {report['split']}"
             f"{'  quick sample' if report['quick'] else ''}  "
             + "  ".join(f"{t} {v}" for t, v in report["tools"].items())]
    for corpus, data in report["corpora"].items():
        lines.append("")
        lines += format_corpus(corpus, data["_results"], data["overall"], data["by_dataset"], tools,
                               report["split"])
        if data["worst"]:
            lines.append(f"worst pages for newsduck ({corpus}):")
            for row in data["worst"]:
                lines.append(f"  {row['gap']:5.2f}  {row['page']}  " + "; ".join(row["notes"]))
    if report["targets"]:
        lines.append("")
        lines += format_targets(report["targets"])
    return "\n".join(lines)


def to_json(report: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in report.items() if k != "corpora"}
    out["corpora"] = {}
    for corpus, data in report["corpora"].items():
        pages = []
        for r in data["_results"]:
            pages.append({"page": r.page.key, "site": r.page.site, "dataset": r.page.dataset, "split": r.page.split,
                          "checks": {t: _plain(c) for t, c in r.checks.items()},
                          "newsduck": {k: v for k, v in r.found[NEWSDUCK].to_json().items() if k != "body"}
                          if NEWSDUCK in r.found else None})
        out["corpora"][corpus] = {k: v for k, v in data.items() if k != "_results"} | {"pages_detail": pages}
    return out


def _plain(checks: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in checks.items():
        if isinstance(value, PageScore):
            out[key] = {"precision": value.precision, "recall": value.recall, "f1": _page_f1(value)}
        else:
            out[key] = value
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", choices=CORPORA, help="a corpus to run (repeatable; default all)")
    parser.add_argument("--split", choices=SPLITS, default="validation",
                        help="validation (default: the pages only scored), study (the pages read while developing) or all")
    parser.add_argument("--quick", action="store_true", help="a fixed sample of each corpus (under two minutes)")
    parser.add_argument("--tools", default=",".join((NEWSDUCK, *RIVALS)),
                        help="comma-separated tools (default: newsduck and every rival installed)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: CPUs)")
    parser.add_argument("--no-cache", action="store_true", help="run the rivals afresh instead of reusing their cached outputs")
    parser.add_argument("--only", metavar="TEXT", help="only pages whose key contains TEXT (no targets)")
    parser.add_argument("--worst", type=int, default=0, metavar="N",
                        help="list the N study pages of each corpus where newsduck trails the best rival most "
                             "(validation pages are never listed)")
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="the benchmarks folder (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print every figure and per-page check as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.root.is_dir():
        print(f"bench.quality: no benchmarks folder at {args.root}", file=sys.stderr)
        return 2
    tools, notes = [], []
    for name in [t.strip() for t in args.tools.split(",") if t.strip()]:
        if name not in (NEWSDUCK, *RIVALS):
            print(f"bench.quality: unknown tool {name!r} (known: {', '.join((NEWSDUCK, *RIVALS))})", file=sys.stderr)
            return 2
        if version_of(name) is None:
            notes.append(f"{name} is not installed: left out (pip install -e '.[bench]')")
            continue
        tools.append(name)
    report = benchmark(args.corpus or list(CORPORA), args.split, args.quick, tools, max(1, args.jobs),
                       not args.no_cache, args.root, args.only, max(0, args.worst), progress=not args.json)
    report["notes"] = notes
    if args.json:
        print(json.dumps(to_json(report), ensure_ascii=False, indent=1, default=str))
    else:
        print(format_report(report))
        for note in notes:
            print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
