"""robots.txt per RFC 9309: our own parser and matcher, plus a per-origin cache.

Why not urllib.robotparser: it matches the first rule in file order instead of the longest match, knows no `*`/`$`
wildcards, reads only the first group for an agent, and treats Allow/Disallow ties wrongly.

Outcome by status (RFC 9309 section 2.3.1): 2xx → parse; 4xx → allow all; 5xx, 429 and network failure ("unreachable")
→ disallow all, asked again after `robots_unreachable_ttl`; more than 5 redirects → allow all (as unavailable).

The fetcher's robots policy is `RobotsPolicy`. Protocol: `await RobotsPolicy.check(url, config)` before each
request (first URL and every redirect hop) raises RobotsDisallowed for a URL the host's robots.txt forbids; with
`config.respect_robots` off it passes everything and robots.txt is never fetched. The rules of an origin are read
once (`RobotsCache`), through the loader the fetcher gives it; `rules_from_answer` turns its answer into rules.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Awaitable, Callable
from urllib.parse import quote, urljoin, urlsplit

from .errors import RobotsDisallowed

if TYPE_CHECKING:
    from .config import FetchConfig

ALLOW_ALL = "allow_all"
DISALLOW_ALL = "disallow_all"
PARSED = "parsed"

_UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")


def agent_token(user_agent: str) -> str:
    """The product token robots groups are matched against: 'newsduck' from 'newsduck/0.1 (+https://...)'."""
    token = re.split(r"[/\s]", user_agent.strip(), maxsplit=1)[0]
    return token.lower()


def origin_of(url: str) -> str:
    """scheme://host[:port] in lower case; robots.txt applies per origin."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def normalize_path(path: str) -> str:
    """Percent-encode non-ASCII as UTF-8, decode %XX of unreserved characters, upper-case the remaining %xx."""
    encoded = quote(path, safe="".join(chr(c) for c in range(0x21, 0x7F)))

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _PERCENT.sub(fix, encoded)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return normalize_path(path)


@dataclass(frozen=True)
class Rule:
    allow: bool
    pattern: str  # normalized; may contain '*' and end with '$'

    def matches(self, path: str) -> bool:
        return pattern_matches(self.pattern, path)


def pattern_matches(pattern: str, path: str) -> bool:
    """robots pattern match (a prefix match; '*' any run of characters; trailing '$' anchors the end).

    Leftmost placement of each '*'-separated piece is optimal for this pattern language, so no backtracking
    is needed (a regex could blow up on many '*').
    """
    anchored = pattern.endswith("$")
    if anchored:
        pattern = pattern[:-1]
    pieces = pattern.split("*")
    if not path.startswith(pieces[0]):
        return False
    pos = len(pieces[0])
    if len(pieces) == 1:
        return not anchored or pos == len(path)
    for piece in pieces[1:-1]:
        found = path.find(piece, pos)
        if found < 0:
            return False
        pos = found + len(piece)
    last = pieces[-1]
    if anchored:
        return path.endswith(last) and len(path) - len(last) >= pos
    return path.find(last, pos) >= 0


@dataclass
class RobotsRules:
    """What one origin's robots.txt says to our user agent."""

    mode: str = ALLOW_ALL               # parsed | allow_all | disallow_all
    rules: list[Rule] = field(default_factory=list)
    crawl_delay: float | None = None
    sitemaps: list[str] = field(default_factory=list)
    robots_url: str | None = None
    status: int | None = None           # HTTP status of robots.txt; None when unreachable
    reason: str = ""                    # why allow_all / disallow_all
    unreachable: bool = False

    def allows(self, url: str) -> bool:
        if self.mode == ALLOW_ALL:
            return True
        if urlsplit(url).path == "/robots.txt":
            return True
        if self.mode == DISALLOW_ALL:
            return False
        return self.allows_path(path_of(url))

    def allows_path(self, path: str) -> bool:
        """Longest matching pattern wins; on a tie Allow wins; nothing matches → allowed."""
        best: Rule | None = None
        for rule in self.rules:
            if not rule.matches(path):
                continue
            if best is None or len(rule.pattern) > len(best.pattern) or (
                len(rule.pattern) == len(best.pattern) and rule.allow and not best.allow
            ):
                best = rule
        return best is None or best.allow


@dataclass
class _Group:
    agents: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    crawl_delay: float | None = None


def _parse_lines(text: str) -> tuple[list[_Group], list[str]]:
    groups: list[_Group] = []
    sitemaps: list[str] = []
    current: _Group | None = None
    last_was_agent = False
    for raw_line in text.splitlines():
        line = raw_line.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key = key.lower().replace(" ", "").replace("_", "-")
        if key in ("user-agent", "useragent"):
            if current is None or not last_was_agent:
                current = _Group()
                groups.append(current)
            current.agents.append(value.lower())
            last_was_agent = True
            continue
        if key == "sitemap":  # not part of any group, and does not end a run of user-agent lines
            if value:
                sitemaps.append(value)
            continue
        if key in ("allow", "disallow", "crawl-delay"):
            last_was_agent = False
        if current is None:
            continue  # rules before any user-agent line belong to no group
        if key in ("allow", "disallow"):
            if value:  # an empty Disallow means nothing is disallowed
                current.rules.append(Rule(allow=key == "allow", pattern=normalize_path(value)))
        elif key == "crawl-delay":
            try:
                delay = float(value)
            except ValueError:
                continue
            if delay >= 0 and current.crawl_delay is None:
                current.crawl_delay = delay
    return groups, sitemaps


def _agent_matches(group_agent: str, token: str) -> bool:
    return agent_token(group_agent) == token if group_agent else False


def parse_robots(text: str, *, user_agent: str, robots_url: str, status: int | None = 200) -> RobotsRules:
    """Parse robots.txt text into the rules for `user_agent`'s product token (falling back to the `*` groups).

    All groups naming our token are merged (RFC 9309 2.2.1); Sitemap lines are resolved against `robots_url`.
    """
    groups, sitemap_values = _parse_lines(text.lstrip("\ufeff"))
    token = agent_token(user_agent)
    chosen = [g for g in groups if any(_agent_matches(a, token) for a in g.agents)]
    if not chosen:
        chosen = [g for g in groups if "*" in g.agents]
    rules = [rule for g in chosen for rule in g.rules]
    delays = [g.crawl_delay for g in chosen if g.crawl_delay is not None]
    sitemaps: list[str] = []
    for value in sitemap_values:
        absolute = urljoin(robots_url, value)
        if absolute not in sitemaps:
            sitemaps.append(absolute)
    return RobotsRules(
        mode=PARSED,
        rules=rules,
        crawl_delay=delays[0] if delays else None,
        sitemaps=sitemaps,
        robots_url=robots_url,
        status=status,
    )


RobotsLoader = Callable[[str], Awaitable[RobotsRules]]


@dataclass
class _Entry:
    rules: RobotsRules
    expires_at: float


class RobotsCache:
    """robots.txt rules per origin, each fetched once (concurrent callers wait for the same fetch)."""

    def __init__(self, loader: RobotsLoader, *, ttl: float, unreachable_ttl: float) -> None:
        self._loader = loader
        self._ttl = ttl
        self._unreachable_ttl = unreachable_ttl
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def cached(self, url_or_origin: str) -> RobotsRules | None:
        entry = self._entries.get(origin_of(_as_url(url_or_origin)))
        return entry.rules if entry else None

    async def rules_for(self, url: str) -> RobotsRules:
        origin = origin_of(_as_url(url))
        entry = self._entries.get(origin)
        if entry and entry.expires_at > time.monotonic():
            return entry.rules
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            entry = self._entries.get(origin)
            if entry and entry.expires_at > time.monotonic():
                return entry.rules
            rules = await self._loader(origin + "/robots.txt")
            ttl = self._unreachable_ttl if rules.unreachable else self._ttl
            self._entries[origin] = _Entry(rules, time.monotonic() + ttl)
            return rules

    async def allows(self, url: str) -> bool:
        return (await self.rules_for(url)).allows(url)

    async def sitemaps(self, host: str) -> list[str]:
        """Absolute Sitemap URLs declared in the robots.txt of `host` (a URL, an origin, or a bare host → https)."""
        return list((await self.rules_for(host)).sitemaps)


def _as_url(value: str) -> str:
    return value if "://" in value else "https://" + value


def rules_from_answer(robots_url: str, final_url: str, status: int, body: bytes | None, *,
                      user_agent: str) -> RobotsRules:
    """The rules an origin's robots.txt gives by its final (not redirected) answer, per RFC 9309 2.3.1."""
    if 200 <= status < 300:
        text = (body or b"").decode("utf-8", errors="replace")
        return parse_robots(text, user_agent=user_agent, robots_url=final_url, status=status)
    if status == 429 or status >= 500:
        return RobotsRules(
            mode=DISALLOW_ALL, robots_url=robots_url, status=status, unreachable=True,
            reason=f"robots.txt answered HTTP {status}: treated as disallow-all (RFC 9309)",
        )
    return RobotsRules(
        mode=ALLOW_ALL, robots_url=robots_url, status=status,
        reason=f"robots.txt answered HTTP {status}: allow all",
    )


class RobotsPolicy:
    """Obeys robots.txt for the requests of one Fetcher (see the protocol in the module docstring)."""

    def __init__(self, cache: RobotsCache) -> None:
        self.cache = cache

    async def check(self, url: str, config: FetchConfig) -> None:
        if not config.respect_robots:
            return
        rules = await self.cache.rules_for(url)
        if not rules.allows(url):
            why = f" ({rules.reason})" if rules.reason else ""
            raise RobotsDisallowed(f"robots.txt disallows {url}{why}; not requested", url=url)
