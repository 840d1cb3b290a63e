"""WeChat public-account articles (`mp.weixin.qq.com`): the platform's own markup for who published
and wrote a page.

Every WeChat article is served from one template family, whatever the account, so these are the rules
of a publishing platform, not of a site. A page is recognised by its markup as well as by its URL (saved
pages keep the markup and lose the URL):

- the account that publishes the article: `#js_name` (2019 on), `#post-user` (earlier), or the script's
  `var nickname`; it is the page's site name and, when the content credits no 来源, its source; never an
  author;
- the writer: `#js_author_name`, or (older template) the unlabelled `em.rich_media_meta_text` of the
  header line that is neither the date, nor the account, nor the IP province;
- the publish time: the script's `var ct` (see parsers/dates.script_publish_time); the visible
  `#publish_time` is filled in by that script.

The article container `#js_content` is `visibility: hidden` until the script lays it out; the generic
scripted-reveal rule (parsers/html/tree.reveal_scripted_content) shows it.
"""

from __future__ import annotations

import re

from bs4 import Tag

from parsers.dates import parse_datetime
from parsers.html.page import Page, norm

_WECHAT_MARKERS = ("js_content", "rich_media_content", "activity-name", "mp.weixin.qq.com")
_WECHAT_RE = re.compile("|".join(map(re.escape, _WECHAT_MARKERS)), re.I)
_WECHAT_MARKER_BYTES = tuple(marker.encode("ascii") for marker in _WECHAT_MARKERS)
# The only non-ASCII characters that re.IGNORECASE matches to a marker's letters (İ ı to i, ſ to s),
# in UTF-8. (The Kelvin sign, the other one that lowers to ASCII, folds to k: no marker has one.)
_FOLDS_TO_MARKER_LETTERS = tuple(char.encode("utf-8") for char in ("\u0130", "\u0131", "\u017f"))
# their first bytes: a page without them (one memchr each) has none of those characters
_FOLD_LEAD_BYTES = tuple(sorted({char[:1] for char in _FOLDS_TO_MARKER_LETTERS}))
_NICKNAME_RE = re.compile(r"""\bvar\s+nickname\s*=\s*(?:htmlDecode\()?\s*["']([^"'\n]{1,40})["']""")
_ACCOUNT_IDS = ("js_name", "post-user")
MAX_ACCOUNT_CHARS = 40
MAX_WRITER_CHARS = 20


def is_wechat(page: Page) -> bool:
    """A WeChat article, by its URL or its markup (read once per page)."""
    if "is_wechat" not in page.memo:
        page.memo["is_wechat"] = _wechat_markup(page)
    return page.memo["is_wechat"]


def _wechat_markup(page: Page) -> bool:
    if page.url and "mp.weixin.qq.com" in page.url:
        return True
    head = page.html[:200_000]
    # Same answer as _WECHAT_RE.search(head), which costs ~10 ms on a long page: a case-insensitive
    # alternation gets no fast literal scan, while lowering + `in` does. The markers are ASCII, so
    # lowering the ASCII letters of the UTF-8 bytes finds the same ones as str.lower(), except where
    # a non-ASCII character folds to a marker letter: those pages go to the regex.
    if head.isascii():
        lowered = head.lower()
        return any(marker in lowered for marker in _WECHAT_MARKERS)
    data = head.encode("utf-8", "surrogatepass")
    if (any(lead in data for lead in _FOLD_LEAD_BYTES)
            and any(char in data for char in _FOLDS_TO_MARKER_LETTERS)):
        return bool(_WECHAT_RE.search(head))
    lowered = data.lower()
    return any(marker in lowered for marker in _WECHAT_MARKER_BYTES)


def _text(node: Tag | None) -> str:
    return norm(" ".join(node.stripped_strings)) if isinstance(node, Tag) else ""


def wechat_account(page: Page) -> str | None:
    """The account that published the page (`#js_name`, `#post-user`, `var nickname`)."""
    if "wechat_account" not in page.memo:
        page.memo["wechat_account"] = _find_account(page)
    return page.memo["wechat_account"]


def _find_account(page: Page) -> str | None:
    if "js_name" not in page.html and "post-user" not in page.html and "nickname" not in page.html:
        return None
    for ident in _ACCOUNT_IDS:
        if ident in page.html:
            text = _text(page.soup.find(id=ident))
            if text and len(text) <= MAX_ACCOUNT_CHARS:
                return text
    m = _NICKNAME_RE.search(page.html)
    return (norm(m.group(1)) or None) if m else None


def wechat_writer(page: Page) -> str | None:
    """The writer WeChat's header line names (`#js_author_name`; in the older template the unlabelled
    `em.rich_media_meta_text` that is not the date, the account or the IP province)."""
    if not is_wechat(page):
        return None
    name = _text(page.soup.find(id="js_author_name"))
    if not name:
        header = page.soup.find(id="meta_content")
        if not isinstance(header, Tag):
            return None
        account = wechat_account(page)
        for em in header.find_all("em"):
            classes = em.get("class") or []
            if "rich_media_meta_text" not in classes or em.get("id") in ("publish_time", "post-date") \
                    or em.find(id="js_ip_wording") is not None:
                continue
            text = _text(em)
            if text and text != account and parse_datetime(text) is None:
                name = text
                break
    if not name or len(name) > MAX_WRITER_CHARS or re.search(r"\d|https?:|www\.", name):
        return None
    return name  # the platform's author field: a pen name (闲云野鹤) is the writer's name too
