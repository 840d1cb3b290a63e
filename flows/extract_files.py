"""Parse many files on every core, for `newsduck extract` (no Prefect, no database)."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterator

from parsers import extract_article
from parsers.errors import ParseError

# Below this many files, starting worker processes costs more than it saves.
MIN_FILES_PER_WORKER = 8


def extract_one(item: tuple[str, str | None]) -> tuple[str, dict | None, str | None]:
    """(name, record as a dict, None) or (name, None, error message)."""
    name, url = item
    try:
        data = Path(name).read_bytes()
        return name, extract_article(data, url=url, path=name).to_dict(), None
    except (ParseError, OSError) as exc:
        return name, None, str(exc) or type(exc).__name__


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def extract_files(items: list[tuple[str, str | None]], jobs: int | None = None) -> Iterator[tuple[str, dict | None, str | None]]:
    """Results in input order; uses worker processes when there are enough files to pay for them."""
    jobs = min(jobs or default_jobs(), max(1, len(items) // MIN_FILES_PER_WORKER))
    if jobs <= 1:
        yield from map(extract_one, items)
        return
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        yield from pool.map(extract_one, items, chunksize=max(1, min(32, len(items) // (jobs * 4))))
