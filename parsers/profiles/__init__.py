"""Per-site extraction profiles: one small TOML file per site in this folder.

A profile is optional. It names, with CSS selectors, the nodes the generic HTML extractor should
use for a site instead of the ones it would choose itself; a selector that matches nothing leaves
the generic choice in place. The file `lndj.gov.cn.toml` applies to every host that is
`lndj.gov.cn` or ends with `.lndj.gov.cn` (the longest matching name wins); `hosts` adds more
host names. Keys (all optional, all strings unless said otherwise):

| key | node |
| --- | --- |
| `title`, `kicker`, `subtitle` | the headline, 引题, 副题 (their text) |
| `body` | the element holding the body paragraphs |
| `date` | the publication date: its `datetime`/`content` attribute, else its text |
| `date_format` | strptime format for `date` (`%Y年%m月%d日 %H:%M`); without it the generic date reader |
| `authors` | the byline element (bylines, editor lines in it are read) |
| `source` | the 来源 element (a `来源：…` line, or just the name; `alt`/`content` of an empty element) |
| `images` | the element holding the article photos |
| `remove` | list of selectors whose elements are dropped before anything is extracted |
| `hosts` | list of further host names the profile applies to |
| `description` | free text for people |

Profiles are read once per process (`default_profiles()` is cached); a profile's selectors are
compiled the first time a page of its site uses them, because soupsieve's first compile costs about
0.1 s of CPU, which a process that extracts no page of a profiled site should not pay at start-up.
`load_profile` checks a file completely, selectors included: a bad file raises ProfileError naming
the file and the key. `load_profiles` checks everything but the selectors' syntax when it reads a
file, and a bad selector raises that ProfileError when its profile is first used.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import soupsieve
from bs4 import Tag

from parsers.dates import valid_date_format

__all__ = ["Profile", "ProfileSet", "ProfileError", "PROFILES_DIR", "load_profile", "read_profile", "load_profiles",
           "default_profiles", "profile_for_url"]

PROFILES_DIR = Path(__file__).resolve().parent
NODE_KEYS = ("title", "kicker", "subtitle", "body", "date", "authors", "source", "images")
LIST_KEYS = ("remove", "hosts")
TEXT_KEYS = ("date_format", "description")
KNOWN_KEYS = frozenset(NODE_KEYS + LIST_KEYS + TEXT_KEYS)


class ProfileError(ValueError):
    """A profile file that cannot be used: bad TOML, an unknown key, a bad selector or value."""


@dataclass(frozen=True)
class Profile:
    name: str                                   # the file's stem: lndj.gov.cn
    path: Path
    hosts: tuple[str, ...]                      # host names it applies to (and their subdomains)
    selectors: dict[str, str] = field(default_factory=dict)   # NODE_KEYS present in the file
    remove: tuple[str, ...] = ()
    date_format: str | None = None
    description: str | None = None

    @property
    def provenance(self) -> str:
        return f"profile:{self.name}"

    @cached_property
    def compiled(self) -> tuple[dict[str, soupsieve.SoupSieve], tuple[soupsieve.SoupSieve, ...]]:
        """The node selectors by key and the `remove` selectors, compiled on first use (ProfileError
        names the file and the key of a bad one)."""
        return ({key: _compile(self.path, key, selector) for key, selector in self.selectors.items()},
                tuple(_compile(self.path, "remove", selector) for selector in self.remove))

    def select_one(self, key: str, root: Tag) -> Tag | None:
        """The first node the `key` selector matches under `root`, or None (no selector, no match)."""
        pattern = self.compiled[0].get(key)
        if pattern is None:
            return None
        found = pattern.select_one(root)
        return found if isinstance(found, Tag) else None

    def nodes_to_remove(self, root: Tag) -> list[Tag]:
        return [node for pattern in self.compiled[1] for node in pattern.select(root)]

    def matches_host(self, host: str) -> int:
        """Length of the longest profile host that `host` is or is a subdomain of; 0 if none."""
        host = host.lower().rstrip(".")
        return max((len(h) for h in self.hosts if host == h or host.endswith("." + h)), default=0)


@dataclass(frozen=True)
class ProfileSet:
    profiles: tuple[Profile, ...] = ()

    def for_url(self, url: str | None) -> Profile | None:
        """The profile whose host name is the longest suffix of the URL's host."""
        if not url or not self.profiles:
            return None
        try:
            host = urlsplit(url).hostname
        except ValueError:
            return None
        if not host:
            return None
        best, best_len = None, 0
        for profile in self.profiles:
            n = profile.matches_host(host)
            if n > best_len:
                best, best_len = profile, n
        return best

    def __len__(self) -> int:
        return len(self.profiles)


def _fail(path: Path, key: str | None, message: str) -> ProfileError:
    where = f"{path.name}: key '{key}'" if key else path.name
    return ProfileError(f"site profile {where}: {message}")


def _selector(path: Path, key: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, key, f"expected a CSS selector string, got {value!r}")
    return value.strip()


def _compile(path: Path, key: str, selector: str) -> soupsieve.SoupSieve:
    try:
        return soupsieve.compile(selector)
    except soupsieve.SelectorSyntaxError as exc:
        first = str(exc).strip().splitlines()[0]
        raise _fail(path, key, f"bad CSS selector {selector!r}: {first}") from exc


def load_profile(path: Path | str) -> Profile:
    """Read and validate one profile file, its selectors' syntax included."""
    profile = read_profile(path)
    _ = profile.compiled
    return profile


def read_profile(path: Path | str) -> Profile:
    """Read and validate one profile file; its selectors are compiled when the profile is first used."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, None, f"not valid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(path, None, f"cannot be read: {exc}") from exc
    for key in data:
        if key not in KNOWN_KEYS:
            raise _fail(path, key, f"unknown key (known keys: {', '.join(sorted(KNOWN_KEYS))})")
    selectors = {key: _selector(path, key, data[key]) for key in NODE_KEYS if key in data}
    lists: dict[str, tuple[str, ...]] = {}
    for key in LIST_KEYS:
        value = data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise _fail(path, key, f"expected a list of strings, got {value!r}")
        lists[key] = tuple(v.strip() for v in value)
    for key in TEXT_KEYS:
        if key in data and not isinstance(data[key], str):
            raise _fail(path, key, f"expected a string, got {data[key]!r}")
    date_format = data.get("date_format")
    if date_format is not None:
        if "date" not in data:
            raise _fail(path, "date_format", "needs a `date` selector")
        if not valid_date_format(date_format):
            raise _fail(path, "date_format", f"{date_format!r} is not a strptime format with %Y, %m (or %b) and %d")
    name = path.name.removesuffix(".toml")
    hosts = tuple(dict.fromkeys(h.lower().rstrip(".") for h in (name, *lists["hosts"])))
    return Profile(name=name, path=path, hosts=hosts, selectors=selectors, remove=lists["remove"],
                   date_format=date_format, description=data.get("description"))


@lru_cache(maxsize=8)
def load_profiles(directory: Path | str = PROFILES_DIR) -> ProfileSet:
    """Every `*.toml` profile of `directory`, read by `read_profile` (cached per directory: once per process)."""
    paths = sorted(Path(directory).glob("*.toml"))
    return ProfileSet(tuple(read_profile(p) for p in paths))


def default_profiles() -> ProfileSet:
    """The profiles shipped in parsers/profiles/."""
    return load_profiles(PROFILES_DIR)


def profile_for_url(url: str | None, profiles: ProfileSet | None = None) -> Profile | None:
    return (profiles if profiles is not None else default_profiles()).for_url(url)
