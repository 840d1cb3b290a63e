"""Article photos with their caption and credit."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from bs4 import Tag

from parsers.bylines import parse_byline_credits, split_photo_credit
from parsers.metalines import parse_meta_line
from parsers.urls import resolve_url
from parsers.records import Author, Image
from parsers.vocab import BYLINE_CLASS_WORDS
from parsers.html.blocks import is_section_heading
from parsers.html.page import Page, norm
from parsers.html.tree import BLOCK_TAGS, TextBlock, class_id

MAX_FIGURE_TEXT_CHARS = 200       # caption + credit around one image
_IMAGE_JUNK_RE = re.compile(
    r"(?<![a-z])(?:logo|icon|avatar|qrcode|qr-code|erweima|ewm|spacer|blank|pixel|loading|lazyload\.|"
    r"placeholder|share|btn|button|arrow|dot\.|bullet|pdf\.|banner|ads?/|badge|emoji|face/|gongan|beian|dzjg)",
    re.I)
# A writer's portrait: an image in a small box whose class or id names the writer (`author-by-line-image`,
# `post-hero__author__image`, `byline-avatar`, `gravatar`) or that is marked `itemprop=author`. The text in
# that box is the byline (and a bio), not a caption.
_PORTRAIT_BOX_RE = re.compile("|".join(BYLINE_CLASS_WORDS + ("avatar", "contributor", r"bio\b")), re.I)
MAX_PORTRAIT_LEVELS = 3           # boxes above the image looked at
MAX_PORTRAIT_BOX_CHARS = 300      # an author box holds a name, a role, a line of bio
_LAZY_SRC_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-original-src", "data-url",
                   "data-echo", "data-lazy", "file", "src")
_CAPTION_START_RE = re.compile(r"^[（(【\[]?\s*(?:图为|图片说明|图注|上图|下图|左图|右图|图\s*[:：])")


def _figure_container(page: Page, img_pos: int, img: Tag, stop: list[Tag]) -> Tag | None:
    """The largest block-level ancestor of an image that holds only it and a short caption."""
    index = page.index
    best = None
    node = img.parent
    while isinstance(node, Tag) and node is not page.root and node.name not in ("body", "html", "[document]"):
        if node.name == "blockquote" or any(node is s or index.encloses(node, s) for s in stop):
            break  # a quote that shows a photo is still a quote
        if index.images_in(node) > 1 or index.chars_in(node) > MAX_FIGURE_TEXT_CHARS:
            break
        # an <hN>, or a bold line above the photo, is a subheading, not a caption; a labelled info line
        # (`2024-05-13 09:16 来源：<a>…</a><img>`) is the story's metadata beside an icon
        if any(b.heading or (b.pos < img_pos and is_section_heading(b)) or parse_meta_line(b.text) is not None
               for b in index.blocks_in(node)):
            break
        if node.name in BLOCK_TAGS:
            best = node  # an inline wrapper (a <span> holding the photo and the first sentence) is no figure
        node = node.parent
    return best


def _image_src(img: Tag, base: str | None) -> str | None:
    for attr in _LAZY_SRC_ATTRS:
        value = img.get(attr)
        if isinstance(value, str) and value.strip() and not value.strip().startswith("data:"):
            return resolve_url(value.strip(), base)
    return None


def _is_junk_image(img: Tag, src: str) -> bool:
    if img.get("usemap") is not None or img.get("ismap") is not None:
        return True  # an e-paper page map / scan
    hints = f"{src} {class_id(img) if img.attrs else ''}"
    if _IMAGE_JUNK_RE.search(hints):
        return True
    for attr in ("width", "height"):
        value = img.get(attr)
        if isinstance(value, str):
            digits = value.strip().removesuffix("px")
            if digits.isdigit() and int(digits) < 60:
                return True
    parent = img.parent
    for _ in range(6):  # a thumbnail's link is a near ancestor
        if not isinstance(parent, Tag) or parent.name in ("body", "html"):
            break
        if parent.name == "a":
            href = parent.get("href")
            if isinstance(href, str) and href.strip() and not re.search(r"\.(?:jpe?g|png|gif|webp|bmp)(?:\?|$)", href, re.I):
                return True  # a thumbnail linking to another page
            break
        parent = parent.parent
    return False


def _portrait_box(img: Tag) -> Tag | None:
    """The writer's box an image sits in, when it is a writer's portrait: the largest of the image's
    MAX_PORTRAIT_LEVELS nearest ancestors (or the image itself) whose class or id names the writer
    (`_PORTRAIT_BOX_RE`) or that is marked `itemprop=author`, holding at most MAX_PORTRAIT_BOX_CHARS of
    text (a name, a role, a line of bio). None for any other image, and for one whose nearest such
    ancestor holds more text than that (a page-wide wrapper named after its author is no portrait box)."""
    box = None
    node: Tag | None = img
    for _ in range(MAX_PORTRAIT_LEVELS + 1):
        if not isinstance(node, Tag) or node.name in ("body", "html", "article", "main"):
            break
        if node.attrs and (_PORTRAIT_BOX_RE.search(class_id(node)) or "author" in str(node.get("itemprop") or "")):
            if len(node.get_text(" ", strip=True)) > MAX_PORTRAIT_BOX_CHARS:
                break
            box = node
        node = node.parent
    return box


@dataclass
class Figure:
    image: Image
    photographers: list[Author]


def extract_images(page: Page, title_pos: int, containers: list[Tag],
                   stop: list[Tag]) -> tuple[list[Figure], set[int], set[int]]:
    """Article photos (header zone and body), with caption and credit; the caption blocks used; the blocks
    beside a writer's portrait (`_portrait_box`: the writer's name, role, bio), which are no caption and no
    body, and still name the writer."""
    index = page.index
    end = max((index.span(c) or (0, 0))[1] for c in containers) if containers else -1
    figures: list[Figure] = []
    used_blocks: set[int] = set()
    portrait_blocks: set[int] = set()
    seen: set[str] = set()
    for pos, img in index.images:
        if not (title_pos < pos <= end):
            continue
        src = _image_src(img, page.base)
        portrait = _portrait_box(img)
        if portrait is not None:
            portrait_blocks.update(range(*index.block_range(portrait)))
            continue
        if not src or src in seen or _is_junk_image(img, src):
            continue
        seen.add(src)
        container = _figure_container(page, pos, img, stop)
        caption = credit = None
        people: list[Author] = []
        if container is not None:
            lo, hi = index.block_range(container)
            if _is_bylined_portrait(img, index.blocks[lo:hi]):
                portrait_blocks.update(range(lo, hi))
                continue
            used_blocks.update(range(lo, hi))
            caption, credit, people = caption_and_credit(index.blocks[lo:hi])
        if not caption and not credit:
            following = _caption_line_after(page, pos)
            if following is not None:
                used_blocks.add(following)
                caption, credit, people = caption_and_credit([index.blocks[following]])
        if not caption:
            alt = img.get("alt") or img.get("title")
            if isinstance(alt, str) and norm(alt) and not _IMAGE_JUNK_RE.search(alt):
                caption = norm(alt)
        figures.append(Figure(Image(src=src, caption=caption or None, credit=credit), people))
    return figures, used_blocks, portrait_blocks


def _is_bylined_portrait(img: Tag, blocks: list[TextBlock]) -> bool:
    """The image's `alt` is the name a byline beside it credits (`<img alt="Jane Doe">` … `By Jane Doe`):
    the writer's portrait, whatever its box's classes say."""
    alt = img.get("alt")
    if not isinstance(alt, str) or not (alt := norm(alt)):
        return False
    return any(a.name == alt for b in blocks[:3] if b.chars <= MAX_PORTRAIT_BOX_CHARS
               for a, _ in parse_byline_credits(b.text) or [])


def _caption_line_after(page: Page, img_pos: int) -> int | None:
    """`<p><img></p><p>说明文字。 刘思源 摄</p>`: the line right after a bare image, when it
    carries a photo credit or starts like a caption (图为…)."""
    index = page.index
    i = bisect_right(index.block_pos, img_pos)
    if i >= len(index.blocks):
        return None
    b = index.blocks[i]
    if b.chars > 120 or b.heading or b.link_chars:
        return None
    j = bisect_right(index.image_pos, img_pos)
    if j < len(index.image_pos) and index.image_pos[j] < b.pos:
        return None  # another image comes first
    if _CAPTION_START_RE.match(b.text) or split_photo_credit(b.text)[1]:
        return i
    return None


def caption_and_credit(blocks: list[TextBlock]) -> tuple[str | None, str | None, list[Author]]:
    if not blocks:
        return None, None, []
    full = " ".join(b.text for b in blocks)
    caption, credit, people = split_photo_credit(full)
    if credit is None:
        parts = [p for b in blocks for p in b.parts]
        if len(parts) > 1:
            cap2, credit2, people2 = split_photo_credit(parts[-1])
            if credit2 and not cap2:
                cut = full.rfind(parts[-1])
                return norm(full[:cut]) or None, credit2, people2
    return (caption or None), credit, people
