"""sources.toml: the sites and e-papers `newsduck crawl` follows, read into typed, validated dataclasses.

    [[source]]
    name = "fxnews"
    start_urls = [
      { url = "https://www.fxnews.cn/list/index.html", kind = "list" },
      { url = "https://www.fxnews.cn/rss.xml", kind = "feed" },
    ]
    include = ["/content/*/content_*.html"]
    schedule = "0 */2 * * *"
    rate = 1                     # requests per second to one host (or min_delay = 1.0)

    [[source]]
    name = "fxrb-epaper"
    kind = "epaper"
    edition_url = "https://epaper.fxrb.cn/html/{yyyy}-{mm}/{dd}/node_1.htm"

A mistake anywhere in the file stops everything with one `SourcesError` naming the source and the field,
so a typo never silently drops a source or crawls with a default the user did not mean.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from parsers.urls import canonicalize_url

from .settings import DEFAULT_TIMEZONE

DEFAULT_SOURCES_FILE = "sources.toml"
SOURCES_ENV = "NEWSDUCK_SOURCES"
DEFAULT_MAX_LIST_PAGES = 20

SITE, EPAPER = "site", "epaper"
SOURCE_KINDS = (SITE, EPAPER)
START_KINDS = ("list", "feed", "sitemap")

_NAME_RE = re.compile(r"^[\w][\w.:\-]*$")  # \w is Unicode: 阜新日报 is a fine name; ':' for host:port
_HOST_RE = re.compile(r"^(\*\.)?[a-z0-9\-_.]+(:\d{1,5})?$")
_DAY_TOKENS = ("{dd}", "{d}", "{yyyymmdd}")

# The fields of one [[source]] table and what each may hold (checked in this order).
SOURCE_FIELDS = (
    "name", "kind", "start_urls", "edition_url", "include", "exclude", "allowed_hosts", "max_pages",
    "max_list_pages", "schedule", "timezone", "rate", "min_delay", "concurrency", "use_robots_sitemaps",
    "allow_private_hosts",
)
START_URL_FIELDS = ("url", "kind")


class SourcesError(ValueError):
    """A sources.toml that cannot be used; the message names the file, the source and the field."""


@dataclass(frozen=True)
class StartUrl:
    url: str
    kind: str  # list | feed | sitemap


@dataclass(frozen=True)
class Source:
    name: str
    kind: str = SITE                              # site | epaper
    start_urls: tuple[StartUrl, ...] = ()
    edition_url: str | None = None                # e-paper: first page of the edition, {yyyy}-{mm}/{dd} tokens
    include: tuple[str, ...] = ()                 # article URL patterns (parsers.urls.matches_patterns)
    exclude: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()           # hosts besides the start URLs' whose links are followed
    max_pages: int | None = None                  # article fetches per run; None: no limit
    max_list_pages: int = DEFAULT_MAX_LIST_PAGES  # pagination depth followed from each list start URL
    schedule: str | None = None                   # cron, for deployments
    timezone: str = DEFAULT_TIMEZONE              # of the schedule and of "today's edition"
    min_delay: float | None = None                # seconds between requests to one host (rate = 1 / min_delay)
    concurrency: int | None = None                # requests in flight to one host (default: the fetcher's)
    use_robots_sitemaps: bool = True
    allow_private_hosts: bool = False             # links and redirects may reach loopback/private addresses

    @property
    def is_epaper(self) -> bool:
        return self.kind == EPAPER

    @property
    def hosts(self) -> tuple[str, ...]:
        """Hosts whose pages belong to the source: the start URLs', the edition's, and allowed_hosts."""
        found: list[str] = []
        urls = [s.url for s in self.start_urls]
        if self.edition_url:
            urls.append(self.edition_url)
        for url in urls:
            host = urlsplit(url).hostname
            if host and host.lower() not in found:
                found.append(host.lower())
        for host in self.allowed_hosts:
            if host not in found:
                found.append(host)
        return tuple(found)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form (a Prefect flow parameter); `source_from_dict` reads it back."""
        data = asdict(self)
        data["start_urls"] = [asdict(s) for s in self.start_urls]
        for name in ("include", "exclude", "allowed_hosts"):
            data[name] = list(data[name])
        return data


def source_from_dict(data: dict[str, Any]) -> Source:
    """The inverse of `Source.to_dict` (validated like a [[source]] table, min_delay accepted)."""
    return _parse_source({k: v for k, v in data.items() if v is not None}, index=1, origin="source parameter")


def sources_path(cli_value: str | None = None) -> Path:
    """--sources, else $NEWSDUCK_SOURCES, else ./sources.toml."""
    return Path(cli_value or os.environ.get(SOURCES_ENV) or DEFAULT_SOURCES_FILE)


def load_sources(path: str | Path) -> list[Source]:
    """Read and validate a sources file; raises SourcesError with one clear message for the first mistake."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourcesError(f"{path}: no such file (give --sources PATH or set ${SOURCES_ENV}; "
                           f"see sources.example.toml)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: cannot read it: {exc}") from None
    return parse_sources(text, origin=str(path))


def parse_sources(text: str, *, origin: str = DEFAULT_SOURCES_FILE) -> list[Source]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{origin}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per level of nesting
        raise SourcesError(f"{origin}: not valid TOML: nested too deeply") from None
    unknown = [key for key in document if key != "source"]
    if unknown:
        raise SourcesError(f'{origin}: unknown top-level key "{unknown[0]}" (sources are [[source]] tables)')
    tables = document.get("source", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise SourcesError(f"{origin}: `source` must be an array of tables: write each source as [[source]]")
    if not tables:
        raise SourcesError(f"{origin}: no sources: add at least one [[source]] table")
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for index, table in enumerate(tables, 1):
        source = _parse_source(table, index=index, origin=origin)
        if source.name in seen:
            raise SourcesError(f'{origin}: source "{source.name}" ([[source]] #{index}): field "name": '
                               f'duplicate name, already used by [[source]] #{seen[source.name]}')
        seen[source.name] = index
        sources.append(source)
    return sources


def find_source(sources: list[Source], name: str) -> Source:
    for source in sources:
        if source.name == name:
            return source
    names = ", ".join(s.name for s in sources)
    raise SourcesError(f'no source named "{name}" (sources: {names})')


def adhoc_source(url: str) -> Source:
    """A source for a bare `newsduck crawl URL`: that URL's host, one start URL of a guessed kind."""
    canonical = canonicalize_url(url)
    if canonical is None:
        raise SourcesError(f"not an http(s) URL: {url!r}")
    netloc = urlsplit(canonical).netloc
    return Source(name=netloc, start_urls=(StartUrl(canonical, guess_start_kind(canonical)),))


def guess_start_kind(url: str) -> str:
    """`sitemap` for XML-looking URLs (the crawl then tells a feed from a sitemap by its content), else `list`."""
    path = urlsplit(url).path.lower()
    leaf = path.rsplit("/", 1)[-1]
    if path.endswith((".xml", ".xml.gz", ".rss", ".atom", ".rdf")) or leaf in ("rss", "feed", "atom", "sitemap"):
        return "sitemap"
    return "list"


# ----------------------------------------------------------------------------------------------- validation


class _Where:
    """Formats errors as `<file>: source "<name>" ([[source]] #<n>): field "<field>": <problem>`."""

    def __init__(self, origin: str, index: int, name: str | None) -> None:
        self.origin = origin
        self.index = index
        self.name = name

    def error(self, field_name: str, problem: str) -> SourcesError:
        who = f'source "{self.name}" ([[source]] #{self.index})' if self.name else f"[[source]] #{self.index} (no name yet)"
        return SourcesError(f'{self.origin}: {who}: field "{field_name}": {problem}')


def _parse_source(table: dict[str, Any], *, index: int, origin: str) -> Source:
    raw_name = table.get("name")
    where = _Where(origin, index, raw_name if isinstance(raw_name, str) and raw_name.strip() else None)
    for key in table:
        if key not in SOURCE_FIELDS:
            raise where.error(key, f"unknown field (known fields: {', '.join(SOURCE_FIELDS)})")
    if "name" not in table:
        raise where.error("name", "missing (every source needs a name)")
    name = _string(table, "name", where)
    if not _NAME_RE.match(name):
        raise where.error("name", f"{name!r} may hold only letters, digits, '.', ':', '-' and '_'")
    kind = _string(table, "kind", where, default=SITE)
    if kind not in SOURCE_KINDS:
        raise where.error("kind", f"{kind!r} is not one of {', '.join(SOURCE_KINDS)}")

    start_urls = _start_urls(table, where)
    edition = table.get("edition_url")
    if kind == EPAPER:
        if edition is None:
            raise where.error("edition_url", 'missing: an e-paper source needs the URL template of its first page, '
                                             'e.g. "https://host/html/{yyyy}-{mm}/{dd}/node_1.htm"')
        edition = _edition_template(table, where)
        if start_urls:
            raise where.error("start_urls", "an e-paper source is crawled from edition_url; remove start_urls")
    else:
        if edition is not None:
            raise where.error("edition_url", 'only for kind = "epaper" sources')
        if not start_urls:
            raise where.error("start_urls", 'missing: give at least one { url = "...", kind = "list" | "feed" | "sitemap" }')

    include = _patterns(table, "include", where)
    exclude = _patterns(table, "exclude", where)
    allowed_hosts = tuple(_host(value, where) for value in _string_list(table, "allowed_hosts", where))
    max_pages = _positive_int(table, "max_pages", where)
    max_list_pages = _positive_int(table, "max_list_pages", where) or DEFAULT_MAX_LIST_PAGES
    schedule = _cron(table, where)
    timezone = _timezone(table, where)
    min_delay = _delay(table, where)
    concurrency = _positive_int(table, "concurrency", where)
    use_robots_sitemaps = _bool(table, "use_robots_sitemaps", where, default=True)
    allow_private_hosts = _bool(table, "allow_private_hosts", where, default=False)
    return Source(
        name=name, kind=kind, start_urls=start_urls, edition_url=edition, include=include, exclude=exclude,
        allowed_hosts=allowed_hosts, max_pages=max_pages, max_list_pages=max_list_pages, schedule=schedule,
        timezone=timezone, min_delay=min_delay, concurrency=concurrency, use_robots_sitemaps=use_robots_sitemaps,
        allow_private_hosts=allow_private_hosts,
    )


def _type_name(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "an array",
            dict: "a table"}.get(type(value), type(value).__name__)


def _string(table: dict[str, Any], key: str, where: _Where, default: str | None = None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise where.error(key, f"expected a string, got {_type_name(value)}")
    value = value.strip()
    if not value:
        raise where.error(key, "must not be empty")
    return value


def _string_list(table: dict[str, Any], key: str, where: _Where) -> list[str]:
    value = table.get(key, [])
    if isinstance(value, str):
        raise where.error(key, f'expected an array of strings, like {key} = ["{value}"]')
    if not isinstance(value, list):
        raise where.error(key, f"expected an array of strings, got {_type_name(value)}")
    for i, item in enumerate(value, 1):
        if not isinstance(item, str) or not item.strip():
            raise where.error(key, f"item {i} must be a non-empty string, got {_type_name(item)}")
    return [item.strip() for item in value]


def _bool(table: dict[str, Any], key: str, where: _Where, *, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise where.error(key, f"expected true or false, got {_type_name(value)}")
    return value


def _positive_int(table: dict[str, Any], key: str, where: _Where) -> int | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.error(key, f"expected a whole number, got {_type_name(value)}")
    if value < 1:
        raise where.error(key, f"must be at least 1, got {value}")
    return value


def _number(table: dict[str, Any], key: str, where: _Where) -> float | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise where.error(key, f"expected a number, got {_type_name(value)}")
    return float(value)


def _http_url(value: str, key: str, where: _Where) -> str:
    parts = urlsplit(value)
    try:
        parts.port
    except ValueError:
        raise where.error(key, f"{value!r} has a bad port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        raise where.error(key, f"{value!r} is not an http(s) URL (expected something like https://example.com/news/)")
    canonical = canonicalize_url(value)
    if canonical is None:
        raise where.error(key, f"{value!r} is not a usable http(s) URL")
    return canonical


def _start_urls(table: dict[str, Any], where: _Where) -> tuple[StartUrl, ...]:
    value = table.get("start_urls", [])
    if not isinstance(value, list):
        raise where.error("start_urls", 'expected an array of tables like [{ url = "https://...", kind = "list" }]')
    found: list[StartUrl] = []
    for i, item in enumerate(value, 1):
        key = f"start_urls[{i}]"
        if isinstance(item, str):
            raise where.error(key, f'give the kind too: {{ url = "{item}", kind = "list" | "feed" | "sitemap" }}')
        if not isinstance(item, dict):
            raise where.error(key, f"expected a table {{ url = ..., kind = ... }}, got {_type_name(item)}")
        for sub in item:
            if sub not in START_URL_FIELDS:
                raise where.error(f"{key}.{sub}", "unknown field (a start URL has url and kind)")
        if "url" not in item:
            raise where.error(f"{key}.url", "missing")
        if "kind" not in item:
            raise where.error(f"{key}.kind", 'missing: one of "list", "feed", "sitemap"')
        url = _http_url(_string(item, "url", _Sub(where, key)), f"{key}.url", where)
        kind = _string(item, "kind", _Sub(where, key))
        if kind not in START_KINDS:
            hint = ' (e-paper sources are kind = "epaper" with edition_url)' if kind == EPAPER else ""
            raise where.error(f"{key}.kind", f"{kind!r} is not one of {', '.join(START_KINDS)}{hint}")
        found.append(StartUrl(url, kind))
    return tuple(found)


class _Sub(_Where):
    """Errors of a nested table's fields, named `start_urls[2].kind`."""

    def __init__(self, parent: _Where, prefix: str) -> None:
        super().__init__(parent.origin, parent.index, parent.name)
        self.prefix = prefix

    def error(self, field_name: str, problem: str) -> SourcesError:
        return super().error(f"{self.prefix}.{field_name}", problem)


def _edition_template(table: dict[str, Any], where: _Where) -> str:
    from parsers.epaper import edition_url

    template = _string(table, "edition_url", where)
    if not any(token in template.lower() for token in _DAY_TOKENS):
        raise where.error("edition_url", f"{template!r} has no day token ({{dd}}, {{d}} or {{yyyymmdd}}), "
                                         "so every date would give the same edition")
    try:
        example = edition_url(template, date(2024, 3, 5))
    except ValueError as exc:
        raise where.error("edition_url", str(exc)) from None
    _http_url(example, "edition_url", where)
    return template


def _patterns(table: dict[str, Any], key: str, where: _Where) -> tuple[str, ...]:
    patterns = _string_list(table, key, where)
    for pattern in patterns:
        if pattern.startswith("re:"):
            try:
                re.compile(pattern[3:])
            except re.error as exc:
                raise where.error(key, f"{pattern!r} is not a valid regular expression: {exc}") from None
    return tuple(patterns)


def _host(value: str, where: _Where) -> str:
    host = value.strip().lower().rstrip(".")
    if "://" in host or "/" in host:
        raise where.error("allowed_hosts", f"{value!r}: give a host name like news.example.com, not a URL")
    if not _HOST_RE.match(host) or host.startswith((".", "-")):
        raise where.error("allowed_hosts", f"{value!r} is not a host name")
    return host.split(":", 1)[0]


def _timezone(table: dict[str, Any], where: _Where) -> str:
    if "timezone" not in table:
        return DEFAULT_TIMEZONE
    name = _string(table, "timezone", where)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise where.error("timezone", f"{name!r} is not an IANA time zone (e.g. Asia/Shanghai)") from None
    return name


MAX_DELAY_SECONDS = 600.0  # one request per 10 minutes to a host: beyond it a crawl of a site never ends


def _delay(table: dict[str, Any], where: _Where) -> float | None:
    rate = _number(table, "rate", where)
    min_delay = _number(table, "min_delay", where)
    if rate is not None and min_delay is not None:
        raise where.error("rate", "give rate (requests per second) or min_delay (seconds), not both")
    if rate is not None:
        if rate <= 0:
            raise where.error("rate", f"must be more than 0 requests per second, got {rate:g}")
        if 1.0 / rate > MAX_DELAY_SECONDS:
            raise where.error("rate", f"{rate:g} requests per second is less than one per {MAX_DELAY_SECONDS:g} s: "
                              "a crawl would never end")
        return 1.0 / rate
    if min_delay is not None and min_delay < 0:
        raise where.error("min_delay", f"must be 0 or more seconds, got {min_delay:g}")
    if min_delay is not None and min_delay > MAX_DELAY_SECONDS:
        raise where.error("min_delay", f"{min_delay:g} s between requests is over {MAX_DELAY_SECONDS:g} s: "
                          "a crawl would never end")
    return min_delay


def _cron(table: dict[str, Any], where: _Where) -> str | None:
    if "schedule" not in table:
        return None
    expression = " ".join(_string(table, "schedule", where).split())
    problem = cron_problem(expression)
    if problem:
        raise where.error("schedule", f"{expression!r} is not a valid cron expression: {problem}")
    return expression


# ---------------------------------------------------------------------------------------------------- cron

_CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7))
_CRON_NAMES = {
    3: {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)},
    4: {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))},
}
_CRON_MACROS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})


def cron_problem(expression: str) -> str | None:
    """Why `expression` is not a cron schedule Prefect accepts, or None when it is fine.

    Checked with the croniter that Prefect vendors (the parser its schedules use) when it can be imported,
    then with a small five-field validator (which alone covers the standard syntax when Prefect is absent).
    """
    problem = _basic_cron_problem(expression)
    if problem:
        return problem
    try:
        from prefect._vendor.croniter import croniter
    except ImportError:  # pragma: no cover - Prefect is a dependency, but the check must not need it
        return None
    if not croniter.is_valid(expression):
        return "rejected by Prefect's cron parser"
    return None


def _basic_cron_problem(expression: str) -> str | None:
    if expression.lower() in _CRON_MACROS:
        return None
    fields = expression.split()
    if len(fields) != 5:
        return f"expected 5 fields (minute hour day-of-month month day-of-week), got {len(fields)}"
    for position, (text, (label, low, high)) in enumerate(zip(fields, _CRON_FIELDS)):
        for part in text.split(","):
            problem = _cron_part_problem(part.lower(), low, high, _CRON_NAMES.get(position, {}))
            if problem:
                return f"{label} field {text!r}: {problem}"
    return None


def _cron_part_problem(part: str, low: int, high: int, names: dict[str, int]) -> str | None:
    if not part:
        return "empty list item"
    body, _, step = part.partition("/")
    if step and (not step.isdigit() or int(step) < 1):
        return f"bad step {step!r}"
    if body == "*":
        return None
    start, dash, end = body.partition("-")
    for value in (start, end) if dash else (start,):
        number = names.get(value, int(value) if value.isdigit() else None)
        if number is None:
            return f"{value!r} is not a number"
        if not low <= number <= high:
            return f"{number} is outside {low}-{high}"
    return None
