"""Labelled metadata lines and boilerplate lines of Chinese news pages and text dumps.

`parse_meta_line` reads lines made of label:value pairs (发布时间:… 作者:… 来源:…,
原文链接:…, 【责任编辑：张琳】). It is strict on purpose: the line must start with a known
label (or a bare date followed by labels), and every value must be short, so a body
sentence that merely contains a colon is never taken for metadata.

`is_boilerplate_line` recognises page furniture that leaks into extracted text: greetings,
breadcrumbs, disclaimers, copyright/ICP lines, share/print bars, prev/next links and
"related articles" headings. It matches the furniture's own wording, not topics, so a
sentence about 版权 stays body text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parsers.bylines import parse_byline_credits
from parsers.dates import parse_datetime
from parsers.records import Author

__all__ = [
    "MetaLine",
    "parse_meta_line",
    "is_boilerplate_line",
    "is_end_of_article_line",
    "is_source_label",
    "outlet_in_credit_line",
    "outlet_in_lead_credit",
    "starts_with_source_label",
    "site_name_from_greeting",
]

MAX_META_CHARS = 200
MAX_VALUE_CHARS = 50
MAX_TITLE_VALUE_CHARS = 100

_TIME_LABELS = (
    "Published", "Posted", "Date", "Updated",
    "发布时间", "发布日期", "发表时间", "发表日期", "发稿时间", "刊发时间", "更新时间", "上传时间",
    "录入时间", "添加时间", "来源时间", "时间", "日期",
    "發布時間", "發佈時間", "發布日期", "發佈日期", "發表時間", "發稿時間", "更新時間", "時間",
)
_SOURCE_LABELS = (
    "Source", "来源", "信息来源", "文章来源", "新闻来源", "稿件来源", "本文来源", "稿源", "出处", "来自", "供稿", "供稿单位",
    "资料来源", "消息来源", "内容来源", "來源", "信息來源", "文章來源", "新聞來源", "稿件來源", "本文來源", "資料來源",
    "消息來源", "內容來源", "出處",
)
# 来源 labels that may take a bar or a slash instead of a colon: 来源 | 南方都市报, 來源／中央社.
_BAR_SOURCE_LABELS = ("来源", "來源", "稿源", "出处", "出處", "Source")
# … or a space alone (`2014-12-12 08:12 来源 新京报`)
_SPACE_SOURCE_LABELS = ("来源", "來源", "稿源")
_URL_LABELS = ("原文链接", "原文地址", "原文网址", "原始链接", "原文")
_ORIGINAL_TITLE_LABELS = ("原标题", "原题")
_REPOST_LABELS = ("转载自", "本文转自", "转自", "本文来源于", "本文来自", "轉載自", "本文轉自", "轉自", "本文來源於", "本文來自")
_AUTHOR_LABELS = ("Author", "Authors","作者", "文章作者", "发布者", "发布人", "撰稿", "撰文", "文", "文/图", "文／图", "图/文")
_PERSON_LABELS = {
    "Editor": "editor",
    "责任编辑": "editor", "责编": "editor", "编辑": "editor", "值班编辑": "editor", "本版编辑": "editor",
    "网络编辑": "editor", "记者": "reporter", "本报记者": "reporter", "通讯员": "correspondent",
    "摄影": "photographer", "图": "photographer",
}
_IGNORED_LABELS = (
    "审核", "审校", "校对", "终审", "监制", "点击数", "点击量", "点击", "浏览次数", "浏览量", "浏览",
    "阅读量", "阅读数", "阅读", "访问量", "访问次数", "评论", "评论数", "字号", "栏目", "所属栏目", "分类",
    "关键词", "关键字", "标签", "人气", "热度", "字体", "分享到", "分享",
)
_ALL_LABELS = sorted(
    set(_TIME_LABELS) | set(_SOURCE_LABELS) | set(_URL_LABELS) | set(_AUTHOR_LABELS) | set(_PERSON_LABELS)
    | set(_IGNORED_LABELS) | set(_ORIGINAL_TITLE_LABELS),
    key=len,
    reverse=True,
)
_BOUNDARY = r"(?:^|(?<=[\s\u3000\xa0【】\[\]|｜()（）]))"
# label + colon; the repost labels may also run straight into their value (转载自人民网).
_LABEL_RE = re.compile(
    rf"{_BOUNDARY}(?P<label>{'|'.join(map(re.escape, _ALL_LABELS))})\s*[:：]\s*"
    rf"|{_BOUNDARY}(?P<repost>{'|'.join(map(re.escape, _REPOST_LABELS))})\s*[:：]?\s*"
    rf"|{_BOUNDARY}(?P<barsource>{'|'.join(map(re.escape, _BAR_SOURCE_LABELS))})\s*[|｜丨/／]\s*"
    rf"|{_BOUNDARY}(?P<spacesource>{'|'.join(map(re.escape, _SPACE_SOURCE_LABELS))})[\s\u3000\xa0]+(?=\S)",
    re.I,
)
_CANONICAL_LABEL = {label.lower(): label for label in _ALL_LABELS}
_UPDATE_LABELS = frozenset({"更新时间", "更新時間", "Updated"})
# English labels are read with the Chinese byline grammar.
_BYLINE_LABEL_ALIASES = {"Editor": "编辑"}
# What ends a person value even without a colon: a bar, a field word (作者：张三 来源 阜新日报), a
# posted-at date (作者：老王 发表于 2012-05-03).
_PEOPLE_STOP_RE = re.compile(
    r"[\s\u3000\xa0]{2,}|[\s\u3000\xa0]*[|｜丨][\s\u3000\xa0]*"
    r"|[\s\u3000\xa0]+(?=(?:作者|编辑|责任编辑|责编|时间|发布时间|点击|浏览|字号|阅读|记者|来源)(?:[\s:：]|$))"
    r"|[\s\u3000\xa0]*(?=(?:发表于|发布于|發表於|發布於|發佈於)[\s\u3000\xa0]*\d)"
)
# Where a 来源 value ends: two spaces, a bar, the next label (any short word before a colon, 选稿：…),
# a word that starts the next field even without a colon (作者 张三, 文/图 记者 孙悦, 举报), or a date,
# spaced or glued to the value (人民日报2024-05-13 08:49).
_VALUE_STOP_RE = re.compile(
    r"[\s\u3000\xa0]{2,}"
    r"|[\s\u3000\xa0]*[|｜丨]"
    r"|[\s\u3000\xa0]+(?=[\u4e00-\u9fff]{2,5}\s*[:：])"
    r"|[\s\u3000\xa0]+(?=(?:作者|编辑|責任編輯|责任编辑|责编|責編|編輯|时间|時間|发布时间|发布日期|發布時間|發佈時間|"
    r"点击|點擊|浏览|瀏覽|字号|字級|阅读|閱讀|举报|舉報|分享|收藏|打印|列印|评论|評論|留言|选稿|選稿|"
    r"[\u4e00-\u9fff]{0,6}?(?:记者|記者)|通讯员|通訊員|摄影|攝影|文\s*[/／]\s*图|图\s*[/／]\s*文|文图|图文|[文图])"
    r"(?:[\s:：/／]|$))"
    r"|[\s\u3000\xa0]*(?=(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
    r"|[\s\u3000\xa0]+(?=(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2})"
)
# Quotes around a whole 来源 value (《光明日报》 keeps its own inside 光明网-《光明日报》).
_QUOTE_PAIRS = {"《": "》", "“": "”", '"': '"', "'": "'", "「": "」"}
_URL_RE = re.compile(r"https?://[^\s\u3000\xa0<>\"'，。）)】\]]+")
_SENTENCE_RE = re.compile(r"[。！？!?；;]")
_CLAUSE_PUNCT_RE = re.compile(r"[。！？!?；;，,]")
_UNKNOWN_AUTHOR = frozenset({"佚名", "未知", "不详", "匿名", "本站", "本网", "admin", "管理员", "小编", "无", "暂无"})
_CHEAP_META_HINT_RE = re.compile(r"[:：]|转载自|本文转自|转自|本文来|轉載自|本文轉自|轉自|本文來|(?:来源|來源|稿源|出处|出處|Source)\s*[|｜丨/／]"
                                  r"|(?:来源|來源|稿源)[\s\u3000\xa0]")


@dataclass
class MetaLine:
    """What one metadata line says. Editors are in `authors` with role 'editor'.

    `sources` says which label gave each field (`published_at` → `text:发布时间`, `source_name` →
    `text:来源`, `original_url` → `text:原文链接`); `credits` which label named each person
    (`byline:记者`, `byline:责任编辑`, `credit:摄`).
    """
    published_at: str | None = None
    authors: list[Author] = field(default_factory=list)
    source_name: str | None = None
    original_url: str | None = None
    has_unknown_author: bool = False
    original_title: str | None = None  # 原标题：… (a note about the headline, never body text)
    # Provenance is not part of what the line says: equal lines compare equal whatever the labels.
    sources: dict[str, str] = field(default_factory=dict, compare=False)
    credits: dict[Author, str] = field(default_factory=dict, compare=False)

    def add_credit(self, person: Author, source: str) -> None:
        if person not in self.authors:
            self.authors.append(person)
            self.credits[person] = source


def parse_meta_line(text: str) -> MetaLine | None:
    """Parse a labelled metadata line; None when `text` is not one."""
    if not text or len(text) > MAX_META_CHARS or not _CHEAP_META_HINT_RE.search(text):
        return None
    line = text.strip().strip("【】[]").strip()
    if len(line) > 2 and line[0] in "（(" and line[-1] in "）)":
        line = line[1:-1].strip()  # （原标题：…） （来源：新华社）
    matches = list(_LABEL_RE.finditer(line))
    if not matches:
        return None
    meta = MetaLine()
    useful = False
    head = line[: matches[0].start()].strip()
    if head:
        # Only a bare date may precede the labels: '2024-11-01 08:40 来源：阜新日报'.
        published = parse_datetime(head)
        if published is None or len(re.sub(r"[\d\s:：\-/.年月日时分秒TZ+]", "", head)) > 4:
            # … or a byline without a colon: '中青报·中青网记者 魏其濛 来源：中国青年报'.
            credits = _head_byline(head)
            if not credits:
                return None
            for person, source in credits:
                meta.add_credit(person, source)
        else:
            meta.published_at = published
            meta.sources["published_at"] = "text:date-line"
        useful = True
    pairs = []
    for i, m in enumerate(matches):
        label = m.group("label") or m.group("repost") or m.group("barsource") or m.group("spacesource")
        label = _CANONICAL_LABEL.get(label.lower(), label)
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        value = line[m.end(): end].strip().strip("【】[]|｜").strip()
        pairs.append((label, value, m.group("repost") is not None))
    # 更新时间 is a fallback: read it after every publishing label of the line.
    pairs.sort(key=lambda p: p[0] in _UPDATE_LABELS)
    for label, value, is_repost in pairs:
        result = _apply_label(meta, label, value, is_repost=is_repost)
        if result is None:
            return None
        useful = useful or result
    return meta if useful else None


def _head_byline(head: str) -> list[tuple[Author, str]] | None:
    """People of a byline that opens a meta line before its first label (`记者 X 来源：…`); None
    unless the head is such a byline naming someone."""
    if len(head) > 40:
        return None
    return parse_byline_credits(head) or None


def _apply_label(meta: MetaLine, label: str, value: str, *, is_repost: bool) -> bool | None:
    """Record one label's value in `meta`. True if it told us something, False if
    ignorable, None if the value shows the line is not metadata."""
    if label in _ORIGINAL_TITLE_LABELS:
        if not value or len(value) > MAX_TITLE_VALUE_CHARS:
            return None
        meta.original_title = meta.original_title or value.strip("《》“”\"'")
        return True
    url = _URL_RE.search(value)
    if not url and (len(value) > MAX_VALUE_CHARS or (_SENTENCE_RE.search(value) and len(value) > 20)):
        return None
    if label in _TIME_LABELS:
        if not value:
            return False
        published = parse_datetime(value)
        if published is None:
            return None if re.search(r"[\u4e00-\u9fff]{6,}", value) else False
        if meta.published_at is None:
            meta.published_at = published
            meta.sources["published_at"] = f"text:{label}"
        return True
    if label in _URL_LABELS or (is_repost and url):
        if not url:
            return None if label in _URL_LABELS and value else bool(value) and _set_source(meta, value, label)
        _set_original_url(meta, url.group(0), label)
        return True
    if label in _SOURCE_LABELS or is_repost:
        if url:
            _set_original_url(meta, url.group(0), label)
            return True
        return _set_source(meta, value, label)
    if label in _AUTHOR_LABELS:
        return _add_people(meta, value, "作者")
    if label in _PERSON_LABELS:
        return _add_people(meta, value, _BYLINE_LABEL_ALIASES.get(label, label))
    return False  # 点击/浏览/字号…: allowed in a meta line, carries nothing


def _set_original_url(meta: MetaLine, url: str, label: str) -> None:
    if meta.original_url is None:
        meta.original_url = url.rstrip(".,;")
        meta.sources["original_url"] = f"text:{label}"


def _set_source(meta: MetaLine, value: str, label: str) -> bool:
    value, *rest = _VALUE_STOP_RE.split(value, maxsplit=1)
    value = value.strip()
    tail = rest[0].strip(" \u3000\xa0|｜") if rest else ""
    if tail:
        # 来源：阜新日报 文/图 记者 孙悦 — the tail is a byline without a colon, or the date.
        credits = parse_byline_credits(tail)
        for person, source in credits or []:
            meta.add_credit(person, source)
        if credits is None and meta.published_at is None:
            published = parse_datetime(tail)
            if published is not None and len(re.sub(r"[\d\s:：\-/.年月日时分秒TZ+]", "", tail)) <= 4:
                meta.published_at = published
                meta.sources["published_at"] = "text:date-line"
    value = _unquote(value.strip())
    if not value or len(value) > 40 or _SENTENCE_RE.search(value):
        return False
    if meta.source_name is None:
        meta.source_name = value
        meta.sources["source_name"] = f"text:{label}"
    return True


_ANY_SOURCE_LABEL = "|".join(map(re.escape, sorted(set(_SOURCE_LABELS) | set(_REPOST_LABELS), key=len, reverse=True)))
_SOURCE_LABEL_ONLY_RE = re.compile(rf"^\s*[【\[(（]?\s*(?:{_ANY_SOURCE_LABEL})\s*[:：|｜丨]?\s*$", re.I)


_SOURCE_LABEL_START_RE = re.compile(rf"^\s*[【\[(（]?\s*(?:{_ANY_SOURCE_LABEL})\s*[:：|｜丨]", re.I)


_SOURCE_LABEL_END_RE = re.compile(rf"[\s\u3000\xa0|｜丨](?:{_ANY_SOURCE_LABEL})\s*[:：|｜丨]?\s*$", re.I)


def ends_with_source_label(text: str) -> bool:
    """`2024-11-03 08:40　来源：`: a short text node whose last field is a 来源 label, its value in the nodes after."""
    return len(text) <= 40 and bool(_SOURCE_LABEL_END_RE.search(text))


def starts_with_source_label(text: str) -> bool:
    """`来源：…`, `來源 | …`: a line that opens with a 来源 label."""
    return bool(_SOURCE_LABEL_START_RE.match(text))


def is_source_label(text: str) -> bool:
    """A 来源 label standing alone (`来源：`), its value in the next element."""
    return len(text) <= 12 and bool(_SOURCE_LABEL_ONLY_RE.match(text))


# --- the outlet a byline or date line names without a label -------------------------------------

MAX_CREDIT_LINE_CHARS = 60
# Names of outlets end so: 聯合報, 北京新浪網, 中央社, TNW中文站, 央视新闻客户端, The Daily Post.
_OUTLET_SUFFIX_RE = re.compile(
    r"(?:報|报|網|网|社|台|站|新聞|新闻|客户端|客戶端|週刊|周刊|雜誌|杂志|電視|电视|廣播|广播|頻道|频道|媒體|媒体|"
    r"傳媒|传媒|通訊|通讯|News|Times|Post|Daily)$", re.I)
_NOT_OUTLETS = frozenset({"本报", "本報", "本台", "本刊", "本网", "本網", "本站", "本社", "电视台", "電視台", "报", "報"})
_CREDIT_DATE_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"(?:\s*(?:[(（]?\s*(?:星期|週|周)[一二三四五六日天]\s*[)）]?))?"
    r"(?:\s*\d{1,2}\s*[:：時时]\s*\d{2}(?:\s*[:：分]\s*\d{2})?\s*(?:秒|am|pm|AM|PM)?)?"
    r"|\d{1,2}月\d{1,2}日")
_REPORTER_RE = re.compile(r"記者|记者")
_CREDIT_SPLIT_RE = re.compile(r"[\s\u3000\xa0╱／/|｜丨·•,，、]+")
_CREDIT_BRACKETS_RE = re.compile(r"[【】\[\]()（）〔〕<>《》]")
_NEXT_FIELD_RE = re.compile(r"[|｜丨][\s\u3000\xa0]*[\u4e00-\u9fff]{2,5}\s*[:：]")  # a bar, then a labelled field


def outlet_in_credit_line(text: str, site_names: set[str] = frozenset()) -> str | None:
    """The outlet a byline or date line credits without a label: `【聯合晚報╱記者楊正海╱即時報導】`,
    `2019-03-18 23:59聯合報 記者陳嘉寧／桃園機場報導`, `北京新浪網 (2020-01-21 11:12)`,
    `新頭殼newtalk2014.10.24 金名/高雄報導`. The line must hold a date or a 記者 credit, and no label;
    the first word before the credit is the outlet when it ends like an outlet's name (…報, …網, …社,
    …台, …新聞) or is one of `site_names` (compacted, lower case). 本報/本台 name nobody."""
    if text:
        field = _NEXT_FIELD_RE.search(text)
        text = text[:field.start()] if field else text  # `2014-12-12 08:12 | 新京报 | 编辑：张三`: up to the next field
    if not text or len(text) > MAX_CREDIT_LINE_CHARS or "：" in text or ":" in _CREDIT_DATE_RE.sub("", text):
        return None
    reporter = _REPORTER_RE.search(text)
    dated = _CREDIT_DATE_RE.search(text)
    if not reporter and not dated:
        return None
    head = text[: reporter.start()] if reporter else text
    head = _CREDIT_BRACKETS_RE.sub(" ", _CREDIT_DATE_RE.sub(" ", head))
    words = [w for w in _CREDIT_SPLIT_RE.split(head) if w]
    if not words:
        return None
    word = words[0]
    return word if is_outlet_name(word, site_names) else None


# How a story's first paragraph credits its outlet: `（中央社記者王小明台北20日電）`, `【文匯報訊】記者…`,
# `【明報專訊】`, `新华社北京5月20日电（记者 X）`, `中新网12月11日电`.
_DISPATCH = r"(?:專|专|快|即時|即时)?[訊讯]"
_LEAD_CREDIT_RES = (
    re.compile(r"^[（(【\[〔]?\s*(?P<outlet>[^\s（()）【】\[\]〔〕，,。:：]{2,12}?)\s*(?:記者|记者)"),
    re.compile(rf"^[（(【\[〔]\s*(?P<outlet>[^\s（()）【】\[\]〔〕，,。:：]{{2,12}}?)\s*{_DISPATCH}\s*[）)】\]〕]"),
    re.compile(rf"^(?P<outlet>[^\s（()）【】\[\]〔〕，,。:：]{{2,12}}?){_DISPATCH}(?=[\s\u3000（(])"),
    re.compile(r"^(?P<outlet>[^\s（()）【】\[\]〔〕，,。:：]{1,8}?(?:社|网|網))\S{0,10}?\d{1,2}\s*月\s*\d{1,2}\s*日\s*[电電]"),
)


def outlet_in_lead_credit(text: str, site_names: set[str] = frozenset()) -> str | None:
    """The outlet a story's first paragraph credits in its dateline: `（中央社記者王小明台北20日電）` →
    中央社, `【文匯報訊】記者…` → 文匯報, `新华社北京5月20日电` → 新华社; 本報訊 names nobody."""
    head = (text or "")[:40]
    for pattern in _LEAD_CREDIT_RES:
        m = pattern.match(head)
        if m and is_outlet_name(m.group("outlet"), site_names):
            return m.group("outlet")
    return None


def is_outlet_name(word: str, site_names: set[str] = frozenset()) -> bool:
    """A word that names a news outlet: it ends like one (…報, …網, …社, …台, …新聞, News) or is one of
    `site_names`; never 本報/本台, a sentence or a bare number."""
    if not 2 <= len(word) <= 20 or word in _NOT_OUTLETS or _SENTENCE_RE.search(word) or word.isdigit():
        return False
    low = re.sub(r"\s+", "", word).lower()
    if any(len(name) >= 4 and (low.startswith(name) or low.endswith(name)) for name in site_names):
        return True
    return bool(_OUTLET_SUFFIX_RE.search(word))


def _unquote(value: str) -> str:
    """`《光明日报》` → `光明日报`; `光明网-《光明日报》` stays whole."""
    if len(value) >= 2 and _QUOTE_PAIRS.get(value[0]) == value[-1] and value[0] not in value[1:-1]:
        return value[1:-1].strip()
    return value


def _add_people(meta: MetaLine, value: str, label: str) -> bool:
    value = _PEOPLE_STOP_RE.split(value, maxsplit=1)[0].strip()
    if not value:
        return False
    if value in _UNKNOWN_AUTHOR or value.lower() in _UNKNOWN_AUTHOR:
        meta.has_unknown_author = True
        return True
    credits = parse_byline_credits(f"{label}：{value}")
    if credits is None:
        return False
    for person, source in credits:
        meta.add_credit(person, source)
    return True


# --- boilerplate ----------------------------------------------------------------------

_GREETING_RE = re.compile(r"^\s*(?:欢迎(?:您)?(?:来到|访问|光临|进入|登录)|welcome\s+to\b)", re.I)
_GREETING_SITE_RE = re.compile(
    r"^\s*欢迎(?:您)?(?:来到|访问|光临|进入)\s*(?P<site>[^\s!！。.,，~～]{2,30}?)\s*(?:官方网站|官网)?\s*[!！。.~～]*\s*$"
)
# Furniture recognised by how the line starts.
_BOILERPLATE_START_RE = re.compile(
    r"(?:当前(?:所在)?位置|当前所在|您(?:现在)?的位置|您所在的位置|所在位置|当前页面|位置)\s*[:：]"  # breadcrumbs
    r"|(?:首页|主页|网站首页)\s*(?:[>＞»›/→]|&gt;)"
    r"|[\[【(（]?\s*(?:免责(?:声明|申明)|版权声明|特别声明)\s*[\]】)）:：]"  # disclaimers
    r"|(?:分享到|分享至)|分享\s*(?:[:：]|$)"  # share / print / font size
    r"|[【\[]?\s*(?:打印|关闭|收藏|纠错|评论)\s*[】\]]?$"
    r"|[【\[]?\s*字号\s*[:：]"
    r"|(?:上一篇|下一篇|上一页|下一页|上一版|下一版|上一条|下一条|前一篇|后一篇)\s*(?:[:：]|$)"  # prev / next
    r"|(?:版面导航|往期回顾|本版标题|版面概览|本期导读|PDF下载|报纸检索)\s*(?:[:：]|$)"  # e-paper
    r"|今天是\s*[:：]"
    r"|(?:主办单位|承办单位|技术支持|新闻热线|电子邮箱|联系我们|网站地图)\s*[:：]",
    re.I,
)
# Furniture recognised by a phrase anywhere in a short line. Each pattern has a literal
# in _ANYWHERE_KEYWORDS, checked first with `in` (much cheaper than the regex search).
_BOILERPLATE_ANYWHERE_RE = re.compile(
    r"本站部分(?:信息|内容|文章|图片)?来源于(?:互联)?网络"
    r"|版权归原(?:作者|著作权人)所有"
    r"|如有侵权[，,]?\s*请(?:及时)?(?:与(?:本站|本网|我们))?联系"
    r"|(?:转载|轉載|引用).{0,8}注明(?:出处|出處|来源|來源)"
    r"|(?:识别|識別|扫描|掃描|长按|長按|扫一扫|掃一掃).{0,10}(?:二维码|二維碼)"
    r"|未经(?:书面)?(?:授权|许可).{0,12}(?:不得|禁止)(?:转载|复制|使用|建立镜像)|违者必究|違者必究"
    r"|Copyright|©"
    r"|ICP[备证]|公网安备|互联网新闻信息服务许可证|网站标识码|违法和不良信息举报|信息网络传播视听节目许可证"
    r"|打印本页|打印此页|打印文章|关闭窗口|关闭本页|收藏本页|加入收藏|设为首页|返回顶部|返回首页|返回首版|返回列表"
    r"|字号\s*[:：]?\s*[【\[]?\s*[大中小]\s*[】\]]?\s*[【\[]?\s*[大中小]",
    re.I,
)
_ANYWHERE_KEYWORDS = (
    "本站部分", "版权归原", "侵权", "注明", "二维码", "二維碼", "未经", "opyright", "OPYRIGHT", "©", "ICP", "公网安备", "许可证",
    "网站标识码", "举报", "打印", "关闭", "收藏", "设为首页", "返回", "字号", "必究",
)
# Prompts that are furniture only as short lines of their own (扫码支付已经普及 is prose).
_SHORT_BOILERPLATE_RE = re.compile(
    r"^(?:扫一扫|扫码(?:关注|下载|阅读|分享)|长按识别|点击(?:关注|下载|进入)|下载客户端|举报电话|联系电话)"
)
# Headings that end the article body: what follows is a list of other stories.
_END_HEADINGS_RE = re.compile(
    r"^[【\[]?\s*(?:相关(?:阅读|新闻|文章|链接|推荐|报道|稿件)|延伸阅读|热门(?:文章|新闻|推荐|排行|阅读)|推荐(?:阅读|文章|新闻)|"
    r"猜你喜欢|最新(?:文章|新闻|资讯)|阅读排行|点击排行|精彩推荐|更多(?:新闻|阅读|精彩)|往期(?:回顾|精彩)|"
    r"相關(?:閱讀|新聞|文章|連結|推薦|報導|報道)|延伸閱讀|熱門(?:文章|新聞|推薦|排行|閱讀)|推薦(?:閱讀|文章|新聞)|"
    r"猜你喜歡|(?:你|您)可能(?:也)?(?:喜欢|喜歡|感兴趣|感興趣)|全站(?:熱搜|热搜)|最新(?:文章|新聞|資訊)|閱讀排行|點擊排行|"
    r"精彩推薦|更多(?:新聞|閱讀|精彩)|往期(?:回顧|精彩)|"
    r"留言列表|發表留言|发表留言|发表评论|發表評論|(?:网友|網友|最新)(?:评论|評論)|(?:评论|評論)列表|"
    r"創作者介紹|创作者介绍|文章(?:標籤|标签)|"
    r"Related(?:\s+(?:articles|stories|news))?|Read\s+more|More\s+stories)\s*[】\]]?\s*[:：>»]?\s*$",
    re.I,
)
_BOILERPLATE_MAX_CHARS = 160
_NAV_SPLIT_RE = re.compile(r"[\s\u3000\xa0|｜·/]+")
_LONG_DISCLAIMER_RE = re.compile(r"[\[【(（]?\s*(?:免责(?:声明|申明)|版权声明)")
_NAV_WORDS = frozenset({
    "首页", "主页", "网站首页", "新闻", "要闻", "关于我们", "联系我们", "网站地图", "设为首页", "加入收藏",
    "返回顶部", "登录", "注册", "搜索", "更多", "English", "RSS", "上一版", "下一版", "上一篇", "下一篇",
    "打印", "关闭", "收藏", "分享", "下载客户端", "返回", "目录", "版面导航", "往期回顾", "返回首版",
})


def is_boilerplate_line(text: str) -> bool:
    """Page furniture (greeting, breadcrumb, disclaimer, copyright, share bar, prev/next…)."""
    if not text:
        return False
    line = text.strip()
    if not line:
        return False
    if len(line) > _BOILERPLATE_MAX_CHARS:
        # Only a long 免责声明 still counts; everything else this long is prose.
        return bool(_LONG_DISCLAIMER_RE.match(line))
    if _GREETING_RE.match(line) and len(line) <= 60:
        return True
    if _END_HEADINGS_RE.match(line):
        return True
    if ("版权所有" in line or "版權所有" in line) and len(line) <= 80 and not _CLAUSE_PUNCT_RE.search(line):
        return True
    if len(line) <= 40 and _SHORT_BOILERPLATE_RE.match(line):
        return True
    if _BOILERPLATE_START_RE.match(line):
        return True
    # A copyright sign or ICP number inside a long sentence is still prose.
    if len(line) <= 120 and any(k in line for k in _ANYWHERE_KEYWORDS) and _BOILERPLATE_ANYWHERE_RE.search(line):
        return True
    if len(line) > 40:
        return False
    tokens = _NAV_SPLIT_RE.split(line)
    return len(line) <= 40 and len(tokens) >= 2 and all(t in _NAV_WORDS for t in tokens if t)


def is_end_of_article_line(text: str) -> bool:
    """相关阅读 / 延伸阅读 / 热门文章 … : headings after which a page lists other stories."""
    return bool(text) and bool(_END_HEADINGS_RE.match(text.strip()))


def site_name_from_greeting(text: str) -> str | None:
    """'欢迎来到 反腐倡廉资讯网!!' → '反腐倡廉资讯网'."""
    m = _GREETING_SITE_RE.match(text or "")
    return m.group("site") if m else None
