"""URLs in newsduck, in one module: resolving a page's links, canonicalisation, de-duplication keys, host
scoping and include/exclude patterns.

Pure functions, standard library plus `idna` (a dependency of httpx).

`resolve_url` only makes a link absolute (and drops its fragment): the URLs an article record keeps (links,
images, 原文链接, canonical URL) are the page's own, as printed. Identity is decided by normalising, at two levels,
on purpose:

- `canonicalize_url` is **conservative**: the result is still the URL to fetch. It never guesses
  about the server (it does not turn `/list/index.html` into `/list/`, which only most servers treat
  as the same resource).
- `dedup_key` goes one step further for the crawl frontier and for "have we seen this page":
  it also folds directory index files (`/list/index.html` → `/list/`). Never fetch a dedup key;
  fetch the canonical URL.

Tracking parameters removed by `canonicalize_url` (names compared case-insensitively):

- everywhere: every `utm_*`; `spm`, `scm` (Alibaba/UC); `fbclid`, `gclid`, `dclid`, `gbraid`,
  `wbraid`, `msclkid`, `yclid`, `igshid`; `mc_cid`, `mc_eid` (Mailchimp); `_hsenc`, `_hsmi`
  (HubSpot); `share_token`, `share_from`, `share_source`, `share_medium`, `share_plat`,
  `share_tag`; `isappinstalled`, `tt_from`, `vd_source`, `ivk_sa`;
- `from` only when its value has no digit (`from=timeline`, `from=singlemessage`, `from=wap`):
  a numeric `from=20` or `from=2024-01-01` is an offset or a date filter and is kept;
- on `mp.weixin.qq.com` only (these names mean content elsewhere): `scene`, `subscene`, `srcid`,
  every `sharer_*`, `clicktime`, `enterid`, `ascene`, `devicetype`, `version`, `nettype`, `lang`,
  `pass_ticket`, `exportkey`, `wx_header`, `key`, `uin`, `sessionid`.

`ref` and everything not listed is kept, in its original order (order can matter to servers).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable
from urllib.parse import urljoin, urlsplit, urlunsplit

try:  # UTS #46 mapping (IDNA 2008) when available; the stdlib codec (IDNA 2003) otherwise
    import idna as _idna
except ImportError:  # pragma: no cover - idna ships with httpx
    _idna = None

__all__ = [
    "TRACKING_PARAMS", "canonicalize_url", "dedup_key", "host_of", "same_site", "matches_patterns",
    "query_variant_extras", "without_params",
]

TRACKING_PARAMS = frozenset({
    "spm", "scm", "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid",
    "mc_cid", "mc_eid", "_hsenc", "_hsmi",
    "share_token", "share_from", "share_source", "share_medium", "share_plat", "share_tag",
    "isappinstalled", "tt_from", "vd_source", "ivk_sa",
})
TRACKING_PREFIXES = ("utm_",)
WECHAT_HOSTS = frozenset({"mp.weixin.qq.com"})
WECHAT_TRACKING_PARAMS = frozenset({
    "scene", "subscene", "srcid", "clicktime", "enterid", "ascene", "devicetype", "version",
    "nettype", "lang", "pass_ticket", "exportkey", "wx_header", "key", "uin", "sessionid",
})
WECHAT_TRACKING_PREFIXES = ("sharer_",)

DEFAULT_PORTS = {"http": 80, "https": 443}
DIRECTORY_INDEX_FILES = frozenset({
    "index.html", "index.htm", "index.shtml", "default.html", "default.htm",
})

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters left as they are (RFC 3986 reserved + unreserved + '%'); everything else is %-encoded.
_PATH_SAFE = _UNRESERVED | frozenset("!$&'()*+,;=:@/%")
_QUERY_SAFE = _PATH_SAFE | frozenset("?")
_PCT_RE = re.compile(r"%([0-9A-Fa-f]{2})")
_BAD_PCT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_STRIP_CHARS_RE = re.compile(r"[\t\n\r]")  # browsers drop these anywhere in a URL
_HOST_RE = re.compile(r"^[a-z0-9.\-_]+$")
_DIGIT_RE = re.compile(r"\d")


# Pure, so cached: list pages repeat the same nav and sidebar hrefs page after page. A few thousand entries hold
# those; article URLs are seen once or twice, so a larger cache only grows with the crawl (16,384 entries per cache:
# +10 MB after 16,000 article URLs).
@lru_cache(maxsize=4096)
def canonicalize_url(url: str, base: str | None = None) -> str | None:
    """The canonical absolute form of `url` (resolved against `base`), or None if it is not http(s).

    Lower-cases scheme and host, IDNA-encodes the host, drops default ports, the fragment and
    the tracking parameters listed in the module docstring, removes `.`/`..` path segments,
    upper-cases %-escapes, decodes %-escapes of unreserved characters and %-encodes (as UTF-8)
    characters that are not allowed raw. It keeps `//` in paths, the order of query parameters,
    and `index.html` file names (see `dedup_key` for the stronger form).
    """
    if not url:
        return None
    url = _STRIP_CHARS_RE.sub("", url.strip(" \t\n\r\f\v\u3000\xa0"))
    if not url:
        return None
    if base:
        try:
            url = urljoin(_STRIP_CHARS_RE.sub("", base.strip()), url)
        except ValueError:
            return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        return None
    host = _normalize_host(parts.hostname or "")
    if not host:
        return None
    netloc = host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    if userinfo:
        netloc = f"{_normalize_escapes(userinfo, _PATH_SAFE - {'@', '/'})}@{netloc}"
    path = _normalize_path(parts.path)
    query = _normalize_query(parts.query, host)
    return urlunsplit((scheme, netloc, path, query, ""))


@lru_cache(maxsize=4096)
def dedup_key(url: str, base: str | None = None, ignored_params: frozenset[str] = frozenset()) -> str | None:
    """The frontier / seen-set key: `canonicalize_url` plus `…/index.html` → `…/`, without `ignored_params`.

    Folds the directory index files in `DIRECTORY_INDEX_FILES` (case-insensitively) so that
    `/list/`, `/list/index.html` and `/list/index.htm` share one key, and leaves out the query parameters
    that the host's URL variants were found to add without changing the page (the warehouse learns them,
    see `query_variant_extras`). Use it to decide whether a page was already queued or fetched; fetch the
    canonical URL, never the key.
    """
    canonical = canonicalize_url(url, base)
    if canonical is None:
        return None
    parts = urlsplit(without_params(canonical, ignored_params))
    head, _, last = parts.path.rpartition("/")
    path = head + "/" if last.lower() in DIRECTORY_INDEX_FILES else parts.path
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def without_params(url: str, names: frozenset[str]) -> str:
    """`url` without the query parameters called `names` (the others keep their order)."""
    parts = urlsplit(url)
    if not names or not parts.query:
        return url
    query = "&".join(pair for pair in parts.query.split("&") if pair.partition("=")[0] not in names)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def query_variant_extras(variant: str, base: str) -> tuple[str, ...] | None:
    """The names of the query parameters `variant` adds to `base`, when `variant` is `base` (two canonical
    URLs) with more query parameters and nothing else changed (`content_3.html?div=-1` of
    `content_3.html`); else None."""
    v, b = urlsplit(variant), urlsplit(base)
    if (v.scheme, v.netloc, v.path) != (b.scheme, b.netloc, b.path) or not v.query or v.query == b.query:
        return None
    extra = [pair for pair in v.query.split("&") if pair]
    for pair in (pair for pair in b.query.split("&") if pair):
        if pair not in extra:
            return None
        extra.remove(pair)
    return tuple(dict.fromkeys(pair.partition("=")[0] for pair in extra)) or None


def host_of(url: str) -> str | None:
    """The normalised host (lower case, IDNA, no port, no trailing dot) of an http(s) URL."""
    canonical = canonicalize_url(url)
    if canonical is None:
        return None
    return urlsplit(canonical).hostname


def same_site(url: str, host_allowlist: Iterable[str]) -> bool:
    """Whether the host of `url` is one of the allowed hosts or a subdomain of one.

    Entries may be bare hosts (`fuxin.gov.cn`, `*.fuxin.gov.cn` is the same) or URLs; ports are
    ignored. `example.com` allows `example.com` and `www.example.com`, not `badexample.com`.
    """
    host = host_of(url)
    if host is None:
        return False
    for allowed in _normalized_allowlist(tuple(host_allowlist)):
        if host == allowed or host.endswith("." + allowed):
            return True
    return False


def matches_patterns(url: str, include: Iterable[str] | None = None,
                     exclude: Iterable[str] | None = None) -> bool:
    """Whether `url` is in scope: it matches some include pattern (or there are none) and no exclude.

    Pattern forms:

    - `re:<regex>`: a Python regular expression searched (`re.search`) in the full URL;
    - a glob where only `*` is special (any run of characters, `/` included); `?`, `.`, `[` are
      literal because URLs are full of them. A glob containing `://` must match the whole URL;
      otherwise it must match the whole path-plus-query (`/content/*/content_*.html`).

    The URL is canonicalised first, so patterns see lower-case hosts and no fragments.
    """
    canonical = canonicalize_url(url) or url
    parts = urlsplit(canonical)
    path_query = parts.path + (f"?{parts.query}" if parts.query else "")
    include = tuple(include or ())
    if include and not any(_compile_pattern(p).fullmatch_or_search(canonical, path_query) for p in include):
        return False
    return not any(_compile_pattern(p).fullmatch_or_search(canonical, path_query) for p in exclude or ())


class _Pattern:
    __slots__ = ("regex", "whole_url", "search")

    def __init__(self, regex: re.Pattern, whole_url: bool, search: bool) -> None:
        self.regex = regex
        self.whole_url = whole_url
        self.search = search

    def fullmatch_or_search(self, url: str, path_query: str) -> bool:
        if self.search:
            return self.regex.search(url) is not None
        return self.regex.fullmatch(url if self.whole_url else path_query) is not None


@lru_cache(maxsize=1024)
def _compile_pattern(pattern: str) -> _Pattern:
    if pattern.startswith("re:"):
        return _Pattern(re.compile(pattern[3:]), True, True)
    regex = ".*".join(re.escape(piece) for piece in pattern.split("*"))
    return _Pattern(re.compile(regex), "://" in pattern, False)


@lru_cache(maxsize=256)
def _normalized_allowlist(entries: tuple[str, ...]) -> tuple[str, ...]:
    hosts = []
    for entry in entries:
        entry = entry.strip()
        if entry.startswith("*."):
            entry = entry[2:]
        if "://" in entry:
            host = host_of(entry)
        else:
            host = host_of(f"http://{entry}")
        if host:
            hosts.append(host.lstrip("."))
    return tuple(hosts)


@lru_cache(maxsize=4096)
def _normalize_host(host: str) -> str | None:
    host = host.strip().rstrip(".").lower()
    if not host:
        return None
    if ":" in host:  # IPv6 literal (urlsplit strips the brackets)
        return f"[{host}]"
    if host.isascii():
        return host if _HOST_RE.match(host) else None
    try:
        if _idna is not None:
            return _idna.encode(host, uts46=True).decode("ascii")
        return host.encode("idna").decode("ascii")
    except (UnicodeError, ValueError):
        try:  # IDNA 2008 refuses some names browsers accept; fall back to IDNA 2003
            return host.encode("idna").decode("ascii")
        except UnicodeError:
            return None


def _normalize_path(path: str) -> str:
    if not path:
        return "/"
    path = _normalize_escapes(path, _PATH_SAFE)
    return _remove_dot_segments(path)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, keeping empty segments (`//`)."""
    if "." not in path:
        return path
    segments = path.split("/")
    out: list[str] = []
    for seg in segments[1:]:
        if seg == ".":
            continue
        if seg == "..":
            if out:
                out.pop()
            continue
        out.append(seg)
    if segments[-1] in (".", ".."):
        out.append("")
    return "/" + "/".join(out)


def _normalize_query(query: str, host: str) -> str:
    if not query:
        return ""
    wechat = host in WECHAT_HOSTS
    kept = []
    for param in query.split("&"):
        if not param:
            continue
        name, _, value = param.partition("=")
        if _is_tracking_param(_decode_name(name), value, wechat):
            continue
        kept.append(_normalize_escapes(param, _QUERY_SAFE))
    return "&".join(kept)


def _decode_name(name: str) -> str:
    return _PCT_RE.sub(lambda m: chr(int(m.group(1), 16)), name).replace("+", " ").strip().lower()


def _is_tracking_param(name: str, value: str, wechat: bool) -> bool:
    if name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES):
        return True
    if name == "from" and not _DIGIT_RE.search(value):
        return True
    return wechat and (name in WECHAT_TRACKING_PARAMS or name.startswith(WECHAT_TRACKING_PREFIXES))


def _normalize_escapes(text: str, safe: frozenset[str]) -> str:
    """Decode %-escapes of unreserved characters, upper-case the others, encode unsafe characters."""
    if "%" in text:
        text = _BAD_PCT_RE.sub("%25", text)
        text = _PCT_RE.sub(_fold_escape, text)
    if all(c in safe for c in text):
        return text
    out = []
    for char in text:
        if char in safe:
            out.append(char)
        else:
            out.extend(f"%{b:02X}" for b in char.encode("utf-8", "surrogatepass"))
    return "".join(out)


def _fold_escape(m: re.Match) -> str:
    char = chr(int(m.group(1), 16))
    return char if char in _UNRESERVED else f"%{m.group(1).upper()}"


_NON_WEB_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "sms:", "ftp:", "file:")


def is_web_href(href: str | None) -> bool:
    """A link to a page (not javascript:, mailto:, or a fragment of this page)."""
    if not href:
        return False
    href = href.strip()
    return bool(href) and not href.startswith("#") and not href[:11].lower().startswith(_NON_WEB_SCHEMES)


def resolve_url(href: str | None, base: str | None) -> str | None:
    """Absolute URL for href against base, without the fragment; None for non-web links."""
    if not is_web_href(href):
        return None
    href = href.strip()
    try:
        absolute = urljoin(base, href) if base else href
    except ValueError:
        return None
    return absolute.split("#", 1)[0] or None
