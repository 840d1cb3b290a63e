"""Turn command-line inputs (files, directories, URLs) into targets, refusing bad ones up front; which files
are pages, and the page a file holds. `ingest` and `extract` share these rules; `ingest` also reads WARC files
(flows/warc.py), each response record a target of its own."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from parsers.saved import HEAD_BYTES, SavedPage, gunzip_page, looks_like_html, read_mhtml, saved_from_url

from .warc import is_archive_name, list_responses, sniff_archive

# Pages by name: saved HTML (also as server scripts named it) and plain-text dumps.
PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".shtm", ".xhtml", ".jsp", ".asp", ".aspx", ".php", ".txt")
MHTML_SUFFIXES = (".mhtml", ".mht")
GZIP_SUFFIX = ".gz"  # a compressed page: `.html.gz`, `.shtml.gz`, `.mhtml.gz` ...
ACCEPTED = (", ".join(PAGE_SUFFIXES) + " files (also gzip-compressed: .html.gz ...), MHTML archives (.mhtml, .mht) "
            "and HTML files without an extension")
ARCHIVES = "WARC files (.warc, .warc.gz) and ARC files (.arc, .arc.gz)"


class InputError(ValueError):
    """A command-line input that cannot be used at all (the run does not start)."""


@dataclass(frozen=True)
class Target:
    """One page to ingest: a URL to fetch, a file to read, or the response record at byte `offset` of the WARC
    file `path` (`error`: the WARC data there is corrupt, and says how)."""
    input: str
    url: str | None = None
    path: str | None = None
    offset: int | None = None
    error: str | None = None

    @property
    def is_url(self) -> bool:
        return self.path is None


def looks_like_url(text: str) -> bool:
    return "://" in text or text.lower().startswith(("http:", "https:", "www."))


def check_url(text: str) -> str:
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise InputError(f"Not a valid http(s) URL: {text!r}.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in text:
        raise InputError(f"Not a valid http(s) URL: {text!r} (expected something like https://example.com/news/1.html).")
    try:
        parts.port  # raises ValueError for a port like :99999 or :abc
    except ValueError:
        raise InputError(f"Not a valid http(s) URL: {text!r} (bad port).") from None
    return text


def saved_name(name: str) -> str:
    """A file name as page rules read it: lower case, without the query string a saved URL left in it
    (`show.php?id=7` is a `.php` page)."""
    return name.split("?", 1)[0].lower()


def is_page_name(name: str) -> bool:
    """Whether a file of this name is a page by its name alone (never true for a name without an extension)."""
    name = saved_name(name)
    while name.endswith(GZIP_SUFFIX):
        name = name[: -len(GZIP_SUFFIX)]
    return name.endswith(PAGE_SUFFIXES + MHTML_SUFFIXES)


def is_page_file(path: Path) -> bool:
    """A page by its name, or a regular file without an extension whose first bytes are HTML (unreadable: not a
    page). A FIFO, socket or device is never opened to look (opening a FIFO waits for a writer)."""
    if is_page_name(path.name):
        return True
    if Path(saved_name(path.name)).suffix:
        return False
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return False
        with open(path, "rb") as file:
            return looks_like_html(file.read(HEAD_BYTES))
    except OSError:
        return False


def is_archive_file(path: Path) -> bool:
    """A WARC or ARC file by its name, or a file without an extension whose first bytes are a WARC or ARC
    record."""
    if is_archive_name(path.name):
        return True
    return not Path(saved_name(path.name)).suffix and sniff_archive(path)


def iter_page_files(directory: Path, archives: bool = False) -> Iterator[Path]:
    """Page files (and with `archives`, WARC and ARC files) below `directory`, in a stable (sorted) order, hidden
    entries skipped."""
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            if not name.startswith(".") and (is_page_file(path) or archives and is_archive_file(path)):
                yield path


def read_page(path: str | Path, max_bytes: int, url: str | None = None) -> SavedPage:
    """The page a file holds, unpacked (gzip, MHTML) to at most `max_bytes`. Its URL is `url` when one was
    given, else the one the file names (MHTML Content-Location, the browser's "saved from" comment).
    Raises OSError when the file cannot be read or is too big, ParseError when it cannot be unpacked."""
    path = Path(path)
    mode = path.stat().st_mode  # follows symlinks: a link to /dev/zero is a device
    if not stat.S_ISREG(mode):
        raise OSError(f"not a regular file ({_file_kind(mode)}); not read")
    size = path.stat().st_size
    if size > max_bytes:
        raise OSError(f"file is {size} bytes, over the {max_bytes}-byte limit")
    with open(path, "rb") as file:
        data = file.read(max_bytes + 1)  # a size that changed since stat() is bounded too
    if len(data) > max_bytes:
        raise OSError(f"file is over the {max_bytes}-byte limit")
    name = saved_name(path.name)
    while name.endswith(GZIP_SUFFIX):
        data, name = gunzip_page(data, max_bytes), name[: -len(GZIP_SUFFIX)]
    page = read_mhtml(data) if name.endswith(MHTML_SUFFIXES) else SavedPage(data, saved_from_url(data))
    return replace(page, url=url or page.url)


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a directory")):
        if test(mode):
            return kind
    return "not a regular file"


def absolute(name: str) -> str:
    """The absolute, resolved path; a symlink loop (which cannot be resolved) keeps its absolute name."""
    try:
        return str(Path(name).resolve())
    except (OSError, RuntimeError):
        return os.path.abspath(name)


def check_path(item: str, command: str, archives: bool = False) -> None:
    """Raise InputError unless `item` is a directory or a page file (with `archives`, or a WARC or ARC file: one
    named like one must start like one)."""
    path = Path(item)
    if not path.exists():
        raise InputError(f"No such file or directory: {item}")
    if path.is_dir() or is_page_file(path):
        return
    if archives and is_archive_file(path):
        if not sniff_archive(path):
            raise InputError(f"Cannot {command} {item}: it is named like a WARC or ARC file but does not start "
                             "with a WARC or ARC record (plain or gzip-compressed).")
        return
    accepted = f"{ACCEPTED}, {ARCHIVES}" if archives else ACCEPTED
    raise InputError(f"Cannot {command} {item}: newsduck reads {accepted} (or directories of them).")


def check_inputs(inputs: Iterable[str]) -> list[str]:
    """Validate every input before anything runs; returns them unchanged. Raises InputError for the first bad one."""
    checked = []
    for item in inputs:
        if looks_like_url(item):
            check_url(item)
        else:
            check_path(item, "ingest", archives=True)
        checked.append(item)
    if not checked:
        raise InputError("Nothing to ingest: give at least one file, directory or URL.")
    return checked


def expand_inputs(inputs: Iterable[str], file_urls: dict[str, str] | None = None) -> Iterator[Target]:
    """Yield targets lazily (a directory of a million files is never listed into memory at once), each once.

    `file_urls` gives saved files the URL they were fetched from (keys: the path as given or absolute).
    """
    seen: set[str] = set()
    for item in inputs:
        if looks_like_url(item):
            if item not in seen:
                seen.add(item)
                yield Target(input=item, url=item)
        else:
            yield from expand_files([item], file_urls, seen, archives=True)


def expand_files(inputs: Iterable[str], file_urls: dict[str, str] | None = None,
                 seen: set[str] | None = None, archives: bool = False) -> Iterator[Target]:
    """File targets for files and directories (their page files, recursively), each file once: `seen` holds the
    absolute paths yielded so far. A file named on the command line keeps its name as given as its input.
    With `archives`, WARC and ARC files are read too: a target for each response record (`archive_targets`)."""
    file_urls = file_urls or {}
    seen = set() if seen is None else seen
    for item in inputs:
        path = Path(item)
        names = (str(file) for file in iter_page_files(path, archives)) if path.is_dir() else [item]
        for name in names:
            key = absolute(name)
            if key in seen:
                continue
            seen.add(key)
            if archives and not is_page_file(Path(name)) and is_archive_file(Path(name)):
                yield from archive_targets(name, key)
            else:
                yield Target(input=name, path=key, url=file_urls.get(name) or file_urls.get(key))


def archive_targets(name: str, path: str) -> Iterator[Target]:
    """A target per response record of the WARC or ARC file `path` (`name`: as given), and per corrupt stretch.
    A record is known by its URL; one without, and a corrupt stretch, by the file and the offset. A file that cannot be
    opened is one target that fails when read."""
    try:
        for listed in list_responses(path):
            where = f"{name} at byte {listed.offset}"
            yield Target(input=listed.url or where, url=listed.url, path=path, offset=listed.offset, error=listed.error)
    except OSError as exc:
        yield Target(input=name, path=path, offset=0, error=f"cannot read {name}: {exc.strerror or exc}")
