"""The development corpora of `../shared/benchmarks/`, read in place, as one list of pages with gold.

Each corpus has its own layout and gold; `load_corpus` turns every one into `BenchPage`s with the
same gold keys (absent keys: no gold for that field on that corpus):

| key | meaning |
| --- | --- |
| `body` | the article's main text (shingle F1) |
| `title` | the headline as displayed (also WCXB's pages in web-body) |
| `date` | the publish day, `YYYY-MM-DD`; None where the page shows none (zh-news-dev); WCXB's where it gives one; fundus' as corrected (`date_corrected`) where Fundus swapped day and month |
| `authors` | names of the writers (zh-news-dev: reporter/author/correspondent; fundus: its bylines; WCXB: its `authors_byline`, split by `byline_names`) |
| `source` | the 来源 the page credits, None where it credits none |
| `is_article` | one story (True) or a list/channel/other page (False); WCXB: article/forum vs listing/collection |
| `first`, `last`, `snippets`, `boilerplate` | zh-news-dev's clean-body gold |

Splits are by site, with a fixed seed: a site's pages are all in `study` (read page by page while
developing) or all in `validation` (only scored). The site is the page's registrable domain, so
news.163.com and money.163.com (one template family) never straddle the split, and a publisher that
sits in two corpora (fundus pages are also in dates/) is on the same side in both.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

DEFAULT_ROOT = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks"
CORPORA = ("zh-news-dev", "web-body", "dates", "fundus", "scrapinghub")
SPLITS = ("study", "validation", "all")
SPLIT_SEED = "newsduck-split-v1"
VALIDATION_PERCENT = 30
# Quick mode's fixed sample (the same pages every run): pages per corpus, or per dataset for web-body,
# whose six datasets follow different gold conventions and are reported one by one.
QUICK_PAGES = {"zh-news-dev": 66, "web-body": 25, "dates": 80, "fundus": 60, "scrapinghub": 40}
QUICK_PER_DATASET = frozenset({"web-body"})

# Second-level labels under which a registrable domain has three labels (news.bbc.co.uk -> bbc.co.uk).
_SECOND_LEVEL = frozenset(
    "com.cn net.cn org.cn gov.cn edu.cn ac.cn com.tw org.tw gov.tw edu.tw net.tw idv.tw com.hk org.hk gov.hk "
    "edu.hk co.uk org.uk ac.uk gov.uk co.jp or.jp ne.jp ac.jp go.jp co.kr or.kr go.kr com.au net.au org.au "
    "gov.au co.nz org.nz co.za org.za gov.za com.br com.mx com.ar com.sg com.my co.in gov.in co.il com.tr "
    "com.ua com.vn co.id com.pl".split())
_CANONICAL_RE = re.compile(
    rb"""<link[^>]+rel=["']?canonical["']?[^>]*href=["']([^"']+)["']|"""
    rb"""<link[^>]+href=["']([^"']+)["'][^>]*rel=["']?canonical|"""
    rb"""<meta[^>]+property=["']og:url["'][^>]*content=["']([^"']+)["']""", re.I)


@dataclass
class BenchPage:
    corpus: str
    dataset: str          # the corpus' own subdivision (web-body's six datasets, zh-news-dev's kinds …)
    id: str
    site: str
    url: str | None
    path: Path
    gold: dict[str, Any] = field(default_factory=dict)
    lang: str | None = None

    @property
    def key(self) -> str:
        return f"{self.corpus}/{self.id}"

    @property
    def split(self) -> str:
        return split_of(self.site)

    def html(self) -> bytes:
        data = self.path.read_bytes()
        return gzip.decompress(data) if self.path.suffix == ".gz" else data


def registrable_domain(url: str | None) -> str | None:
    """`news.163.com` -> `163.com`, `www.bbc.co.uk` -> `bbc.co.uk`; None without a host."""
    if not url:
        return None
    try:
        host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    labels = host.split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def split_of(site: str) -> str:
    digest = hashlib.sha1(f"{SPLIT_SEED}:{site}".encode()).digest()
    return "validation" if int.from_bytes(digest[:4], "big") % 100 < VALIDATION_PERCENT else "study"


def _sniff_url(html: bytes) -> str | None:
    m = _CANONICAL_RE.search(html[:200_000])
    if not m:
        return None
    raw = next(g for g in m.groups() if g)
    url = raw.decode("utf-8", "replace").strip()
    return url if url.startswith(("http://", "https://", "//")) else None


def _site(url: str | None, fallback: str, html_path: Path | None = None) -> str:
    site = registrable_domain(url)
    if site is None and html_path is not None:
        data = html_path.read_bytes()
        site = registrable_domain(_sniff_url(gzip.decompress(data) if html_path.suffix == ".gz" else data))
    return site or fallback


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _zh_news_dev(root: Path) -> list[BenchPage]:
    base = root / "zh-news-dev"
    pages = []
    for g in json.loads((base / "gold.json").read_text(encoding="utf-8")):
        gold: dict[str, Any] = {
            "is_article": g["is_article"],
            "title": g["title"],
            "kicker": g.get("kicker"),
            "subtitle": g.get("subtitle"),
            "date": (g["published_at"] or "")[:10] or None,
            "source": g.get("source_name"),
        }
        if g["is_article"]:
            gold["authors"] = [a["name"] for a in g.get("authors") or []
                               if a["role"] in ("reporter", "author", "correspondent")]
            gold["people"] = [(a["name"], a["role"]) for a in g.get("authors") or []]
            for key, gold_key in (("first_paragraph", "first"), ("last_paragraph", "last"),
                                  ("body_snippets", "snippets"), ("boilerplate_snippets", "boilerplate")):
                gold[gold_key] = g.get(key)
        page_id = g["page"].rsplit(".", 1)[0]
        site = registrable_domain(g.get("url")) or registrable_domain("http://" + g["site"]) or g["site"]
        pages.append(BenchPage("zh-news-dev", g["kind"], page_id, site, g.get("url"), base / "pages" / g["page"],
                               gold, "zh"))
    return pages


_BYLINE_SPLIT_RE = re.compile(r"\s*(?:[,;|&]|\band\b)\s*")
_BYLINE_NOTE_RE = re.compile(r"\s*\([^()]*\)")


def byline_names(byline: str) -> list[str]:
    """The names of a WCXB byline as written (`Dylan Bailey, MS, RD, FAND`, `Jane Doe and John Roe`,
    `Jean-Luc Aufranc (CNXSoft)`): split at commas, semicolons, `|`, `&` and `and`; a bracketed note
    dropped; a part that is a post-nominal (no lower-case letter and at most six characters, `MS`,
    `Ph.D.`) or holds a digit (`E-RYT 200`) is no name, unless the byline has no other part (`JWU`).
    The rule is the benchmark's own and reads every tool's output alike."""
    parts = [p.strip(" .") for p in _BYLINE_SPLIT_RE.split(_BYLINE_NOTE_RE.sub("", " ".join(byline.split())))]
    parts = [p for p in parts if p]
    names = [p for p in parts if not re.search(r"\d", p)
             and not (len(p) <= 6 and (not re.search(r"[a-z]", p) or "." in p))]
    return names or parts[:1]


def _web_body(root: Path) -> list[BenchPage]:
    base = root / "web-body"
    pages = []
    for row in _jsonl(base / "manifest.jsonl"):
        html_path = base / row["html"]
        gold: dict[str, Any] = {"body": (base / row["gold"]).read_text(encoding="utf-8")}
        if row.get("page_type"):
            gold["page_type"] = row["page_type"]
            # WCXB's page types: an article or forum thread is one story; a listing or collection is a
            # list page; service, product and documentation pages are left unjudged
            if row["page_type"] in ("article", "forum", "listing", "collection"):
                gold["is_article"] = row["page_type"] in ("article", "forum")
        if row.get("title"):
            gold["title"] = row["title"]
        if row.get("date"):
            gold["date"] = row["date"]
        if row["dataset"] == "wcxb" and row.get("authors_byline"):
            gold["authors"] = byline_names(row["authors_byline"])
        pages.append(BenchPage("web-body", row["dataset"], f"{row['dataset']}/{row['id']}",
                               _site(row.get("url"), f"{row['dataset']}/{row['id']}", html_path),
                               row.get("url"), html_path, gold, row.get("lang")))
    return pages


def _dates(root: Path) -> list[BenchPage]:
    base = root / "dates"
    return [BenchPage("dates", row["source"], row["id"], _site(row.get("url"), row["id"]), row.get("url"),
                      base / row["html"], {"date": row["date"]}, row.get("lang"))
            for row in _jsonl(base / "manifest.jsonl")]


def _fundus(root: Path) -> list[BenchPage]:
    base = root / "fundus"
    pages = []
    for row in _jsonl(base / "manifest.jsonl"):
        body = "\n\n".join([*(row.get("body_summary") or []), *(row.get("body_paragraphs") or [])])
        # the manifest corrects Fundus' day/month swaps to the day the page shows (`date_note`), as dates/ does
        gold = {"title": row.get("title"), "authors": list(row.get("authors") or []),
                "date": row.get("date_corrected") or row.get("date"), "body": body}
        pages.append(BenchPage("fundus", row.get("lang") or "?", row["id"], _site(row.get("url"), row["id"]),
                               row.get("url"), base / row["html"], gold, row.get("lang")))
    return pages


def _scrapinghub(root: Path) -> list[BenchPage]:
    base = root / "scrapinghub"
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    return [BenchPage("scrapinghub", "scrapinghub", page_id, _site(item.get("url"), page_id), item.get("url"),
                      base / "html" / f"{page_id}.html.gz", {"body": item.get("articleBody") or ""}, "en")
            for page_id, item in sorted(truth.items())]


_LOADERS = {"zh-news-dev": _zh_news_dev, "web-body": _web_body, "dates": _dates, "fundus": _fundus,
            "scrapinghub": _scrapinghub}


def load_corpus(name: str, root: Path = DEFAULT_ROOT, split: str = "all") -> list[BenchPage]:
    """The pages of one corpus in `split` ('study', 'validation' or 'all'), in manifest order."""
    if name not in _LOADERS:
        raise ValueError(f"unknown corpus {name!r} (known: {', '.join(CORPORA)})")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} (known: {', '.join(SPLITS)})")
    pages = _LOADERS[name](root)
    return pages if split == "all" else [p for p in pages if p.split == split]


def quick_sample(pages: list[BenchPage], corpus: str) -> list[BenchPage]:
    """Quick mode's fixed sample of a corpus: the first pages by a hash of the page key, per corpus
    or per dataset (QUICK_PAGES, QUICK_PER_DATASET), in their original order."""
    per_dataset = QUICK_PAGES[corpus]
    by_dataset: dict[str, list[BenchPage]] = {}
    for page in pages:
        by_dataset.setdefault(page.dataset if corpus in QUICK_PER_DATASET else corpus, []).append(page)
    out = []
    for group in by_dataset.values():
        group = sorted(group, key=lambda p: hashlib.sha1(p.key.encode()).hexdigest())
        out.extend(group[:per_dataset])
    chosen = set(map(id, out))
    return [p for p in pages if id(p) in chosen]
