"""Turn command-line inputs (files, directories, URLs) into ingest targets, refusing bad ones up front."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import urlsplit

PAGE_SUFFIXES = (".html", ".htm", ".txt")


class InputError(ValueError):
    """A command-line input that cannot be used at all (the run does not start)."""


@dataclass(frozen=True)
class Target:
    """One page to ingest: either a URL to fetch or a file to read."""
    input: str
    url: str | None = None
    path: str | None = None

    @property
    def is_url(self) -> bool:
        return self.path is None


def looks_like_url(text: str) -> bool:
    return "://" in text or text.lower().startswith(("http:", "https:", "www."))


def check_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in text:
        raise InputError(f"Not a valid http(s) URL: {text!r} (expected something like https://example.com/news/1.html).")
    try:
        parts.port  # raises ValueError for a port like :99999 or :abc
    except ValueError:
        raise InputError(f"Not a valid http(s) URL: {text!r} (bad port).") from None
    return text


def iter_page_files(directory: Path) -> Iterator[Path]:
    """Files with a page suffix below `directory`, in a stable (sorted) order, hidden entries skipped."""
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.lower().endswith(PAGE_SUFFIXES) and not name.startswith("."):
                yield Path(root) / name


def check_inputs(inputs: Iterable[str]) -> list[str]:
    """Validate every input before anything runs; returns them unchanged. Raises InputError for the first bad one."""
    checked = []
    for item in inputs:
        if looks_like_url(item):
            check_url(item)
        else:
            path = Path(item)
            if not path.exists():
                raise InputError(f"No such file or directory: {item}")
            if path.is_file() and not item.lower().endswith(PAGE_SUFFIXES):
                raise InputError(
                    f"Cannot ingest {item}: newsduck reads .html, .htm and .txt files (or directories of them)."
                )
        checked.append(item)
    if not checked:
        raise InputError("Nothing to ingest: give at least one file, directory or URL.")
    return checked


def expand_inputs(inputs: Iterable[str], file_urls: dict[str, str] | None = None) -> Iterator[Target]:
    """Yield targets lazily (a directory of a million files is never listed into memory at once).

    `file_urls` gives saved files the URL they were fetched from (keys: the path as given or absolute).
    """
    file_urls = file_urls or {}
    seen: set[str] = set()
    for item in inputs:
        if looks_like_url(item):
            if item not in seen:
                seen.add(item)
                yield Target(input=item, url=item)
            continue
        path = Path(item)
        files = iter_page_files(path) if path.is_dir() else [path]
        for file in files:
            key = str(file.resolve())
            if key not in seen:
                seen.add(key)
                yield Target(input=str(file), path=key, url=file_urls.get(str(file)) or file_urls.get(key))
