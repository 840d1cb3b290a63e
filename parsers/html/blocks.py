"""Body blocks: prose and section-heading predicates, body paragraphs, pull-quote removal,
e-paper sub-articles.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple


from parsers.bylines import parse_group_credit
from parsers.dates import parse_datetime
from parsers.metalines import MAX_CREDIT_LINE_CHARS, is_boilerplate_line, is_end_of_article_line, outlet_in_credit_line
from parsers.records import Author, Block, SubArticle
from parsers.html.facts import MAX_MARKED_BYLINE_CHARS, Facts, consume_meta, read_linked_byline, read_marked_byline
from parsers.html.page import Page
from parsers.html.title import declared_site_names
from parsers.html.tree import MAX_LINK_DENSITY_PROSE, TextBlock

MAX_SECTION_CHARS = 40            # a bold-only line longer than this is a paragraph
MIN_REPEAT_CHECK_CHARS = 40       # shorter paragraphs may repeat (recipes, spec lists)
MAX_CONTAINMENT_CHECK_CHARS = 200_000  # pull-quote check is quadratic-ish; skip on huge bodies
MAX_DATELINE_CHARS = 60           # "Published 10:02 AM EST Nov 19, 2019"
_PROSE_PUNCT_RE = re.compile("[，。！？；、,!?;]")
_DATE_DIGITS_RE = re.compile(r"\d{4}|\d{1,2}:\d{2}")
# a CJK date without the year, with or without a time: 11月5日, 11月5日 08:30, 11月5日（星期二）
_MONTH_DAY_RE = re.compile(
    r"\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]\s*(?:[(（]?(?:星期|周)[一二三四五六日天][)）]?)?\s*(?:\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?\s*")
# everything a dateline may hold besides the date: month and day names, am/pm, time zones, labels
_DATELINE_RE = re.compile(
    r"(?:\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?|\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|"
    r"\b[ap]\.?m\b\.?|\b(?:published|updated|posted|last|modified|on|at)\b|\b[a-z]{1,3}[sd]t\b|\b(?:utc|gmt)\b|"
    r"[\d\W_])+", re.I)
# the words a Chinese dateline holds besides the date: date characters, date labels, clock and zone names
# (`更新时间 2012年12月10日, 格林尼治标准时间10:41`, `發布時間：2024年3月1日 北京時間 10:41`)
CJK_DATELINE_WORDS = (
    "年", "月", "日", "号", "時", "时", "分", "秒", "上午", "下午", "凌晨", "晚上", "星期", "週", "周",
    "一", "二", "三", "四", "五", "六", "天", "发布", "發布", "更新", "时间", "時間", "日期",
    "格林尼治标准", "格林威治标准", "格林威治標準", "北京", "台北", "臺北", "香港", "UTC", "GMT",
    "首次", "最新", "最后", "最後", "修改", "發佈", "发表", "發表",
)
_CJK_DATELINE_RE = re.compile(r"(?:[\d\W_]|" + "|".join(map(re.escape, CJK_DATELINE_WORDS)) + ")+", re.I)
# a full date written with 年月日 or numerically (2020/01/01 00:30（最新更新：2020/01/01 01:05）)
_CJK_DATE_RE = re.compile(r"(?:19|20)\d{2}\s*(?:年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[-/.]\d{1,2}[-/.]\d{1,2})")
SENTENCE_END = tuple("。！？!?；;：:")
# the whole line is the label of an ad slot or a widget left in the body
_WIDGET_LABEL_RE = re.compile(
    r"^\W*(?:advert(?:isement)?s?|ads?|sponsored(?: content)?|story continues below(?: advertisement)?|"
    r"continue reading(?: below)?|\d* ?comments?|loading|广告|廣告|推广|推廣|正在加载|加载中|載入中|"
    r"(?:视频|視頻|图片|圖片)?\s*(?:正在)?(?:加载|加載|載入)中?\W*(?:请稍候|請稍候|请稍后|請稍後))\W*$", re.I)
_LEAD_LABELS = frozenset({"核心提示", "内容提要", "提要", "摘要", "导读", "核心阅读", "阅读提示", "编者按",
                          "内容摘要", "本文导读", "导语"})


def is_prose(b: TextBlock) -> bool:
    """A sentence-bearing body line (not a heading, byline, date or link list)."""
    if b.chars < 15 or b.heading or b.link_density >= MAX_LINK_DENSITY_PROSE:
        return False
    text = b.text
    if _PROSE_PUNCT_RE.search(text):
        return True
    # a plain sentence of words: "The discovery was announced in … Nature Astronomy."
    return text.endswith((".", ".”", '."')) and text.count(" ") >= 5


def is_dateline(text: str, now: datetime | None = None) -> bool:
    """A line that only dates the story: "Published 10:02 AM EST Nov 19, 2019", "NOVEMBER 20,
    2019 10:43", "11月5日 08:30", "更新时间 2012年12月10日, 格林尼治标准时间10:41" (the metadata scan reads
    labelled and Chinese date lines; these are what is left)."""
    if len(text) > MAX_DATELINE_CHARS:
        return False
    if _MONTH_DAY_RE.fullmatch(text):
        return True
    if not _DATE_DIGITS_RE.search(text):
        return False
    if _DATELINE_RE.fullmatch(text) is None and not (_CJK_DATE_RE.search(text) and _CJK_DATELINE_RE.fullmatch(text)):
        return False
    return parse_datetime(text, now=now) is not None


def is_linked_sentence(b: TextBlock) -> bool:
    """A sentence of words whose links cover most of it but not all: "Australian-born Assange
    faces <a>a charge of conspiracy to commit computer intrusion</a> in the US." (a menu item or
    a "Read more: <a>…</a>" line is not one)."""
    text = b.text
    return b.link_chars < b.chars * 0.9 and text.count(" ") >= 5 and text.endswith((".", ".”", '."', "!", "?"))


# A list item that opens with a link and leaves at least this share of its text unlinked says something
# of its own ("<a>Jane Doe</a> as <a>the mayor</a>", "<a>Report</a> (PDF, 2 pages)"): an item of the
# body's list, not a menu entry. One that opens with unlinked words is a story list's kicker and headline
# ("Energy: <a>Prices fall again</a>").
MIN_ITEM_OWN_TEXT_SHARE = 0.05
LIST_ITEM_TAGS = frozenset({"li", "dt", "dd"})


def is_annotated_list_item(b: TextBlock) -> bool:
    """A list item led by a link that holds words besides its links (see MIN_ITEM_OWN_TEXT_SHARE)."""
    return b.element.name in LIST_ITEM_TAGS and b.starts_with_link \
        and b.link_chars <= b.chars * (1 - MIN_ITEM_OWN_TEXT_SHARE)


def is_section_heading(b: TextBlock) -> bool:
    if b.link_chars:
        return False
    if b.heading >= 2 and b.chars <= 60:
        return True
    if b.bold_chars >= b.chars * 0.9 and 2 <= b.chars <= MAX_SECTION_CHARS \
            and not b.text.rstrip("”’\"')）)").endswith(SENTENCE_END):
        return True
    return False


class BodyText(NamedTuple):
    body: list[Block]        # the chosen blocks, as paragraphs and section headings
    lead: str | None         # the text after a 核心提示/内容提要 label
    rule_body: list[Block]   # the same reading of the layout's own candidates (what page classification weighs)


def extract_body_blocks(page: Page, indices: list[int], facts: Facts, trusted: set[int]) -> BodyText:
    """Paragraphs and section headings of the body blocks `indices`, the lead-box text, and the same
    reading of `trusted` (the layout's candidates: page classification weighs the layout's view, so a
    list page never becomes a story because the classifier reached into its list). Metadata lines are
    dropped from the body; those in `trusted`, whether or not they are body, are recorded in `facts`
    (and a line before the first paragraph that the page marks as its byline, while no writer is known:
    it leaves the body only if it is a metadata line, for the marked element may be a part of it),
    so an editor line the classifier left out still counts, and a byline or date from a sidebar the
    body reached into is never the article's. An end-of-article heading (相关阅读, Related) ends both."""
    index = page.index
    body: list[Block] = []
    rule_body: list[Block] = []
    lead = None
    expect_lead = False
    ignored = Facts()
    chosen = set(indices)
    for i in sorted(chosen | trusted):
        b = index.blocks[i]
        text = b.text
        label = text.strip("【】[]:： ")
        if label in _LEAD_LABELS and b.chars <= 8:
            expect_lead = expect_lead or i in chosen
            continue
        link_dense = b.link_density > MAX_LINK_DENSITY_PROSE and b.chars < 200 and not is_linked_sentence(b)
        if link_dense and not (i in chosen and is_annotated_list_item(b)):
            if i in trusted and not any(len(p.text) >= MIN_REPEAT_CHECK_CHARS for p in body):
                read_linked_byline(b, facts)  # a byline above the first paragraph, names linked
            continue
        if i in trusted and not rule_body and b.chars <= MAX_MARKED_BYLINE_CHARS and not facts.has_writer():
            read_marked_byline(b, facts)  # a line atop the article's text that the page marks as its byline
        if b.chars <= 200 and consume_meta(b, facts if i in trusted else ignored, record_date=False,
                                           by_parts=False, now=page.now):
            if i in trusted and not rule_body and b.chars <= MAX_CREDIT_LINE_CHARS:
                # a byline or date line atop the article's own text credits its outlet as one under
                # the headline does: `新頭殼newtalk2014.10.24 金名/高雄報導`
                outlet = outlet_in_credit_line(b.spaced, declared_site_names(page))
                if outlet:
                    facts.sources.append(outlet)
                    facts.sources_from.append("text:dateline")
            continue
        if b.chars <= 200 and is_boilerplate_line(text):
            continue
        if b.chars <= MAX_DATELINE_CHARS and (is_dateline(text, page.now) or _WIDGET_LABEL_RE.match(text)):
            continue
        if is_end_of_article_line(text):
            break
        block = Block("heading" if is_section_heading(b) else "paragraph", text)
        if i in trusted and not link_dense:
            rule_body.append(block)
        if i in chosen:
            if expect_lead and block.kind == "paragraph":
                lead = text
                expect_lead = False
            body.append(block)
    return BodyText(drop_contained_paragraphs(body), lead, drop_contained_paragraphs(rule_body))


# --- the body's edges -------------------------------------------------------------------------------
# What pages print right before the first paragraph or after the last one, inside the article's own
# container: a font-size widget, a wire title line, a standalone dateline credit; a print-edition
# credit, a bracketed note or caption, a marked note (◎照片來源), a desk line, a share prompt, a
# trailing heading. None of it is a paragraph of the story.
MAX_EDGE_SCRAP_CHARS = 30      # a line this short with no clause punctuation is not a paragraph
_CJK_TEXT_RE = re.compile(r"[\u3400-\u9fff]")
MAX_EDGE_TRIM = 6              # blocks trimmed at each end, at most
_CLAUSE_MARK_RE = re.compile(r"[，。！？；、,.!?;]")
_DECIMAL_RE = re.compile(r"(?<=\d)[.,](?=\d)")  # in a CJK line a decimal point is no clause mark: 上涨0.3%
_PRINT_CREDIT_RE = re.compile(r"《\s*[^《》]{1,20}\s*》\s*[（(][^（()）]{0,30}版\s*[）)]")  # 《人民日报》（2024年05月10日 04版）
_BRACKETED_NOTE_RE = re.compile(r"[（(【〔\[][^（()）【】〔〕\[\]]{1,40}[）)】〕\]]")     # （港台新聞片段截圖） （完）
_MARKED_NOTE_RE = re.compile(r"[◎※★☆▲△●■□◆◇▼▽►▶]")
_WIRE_TITLE_RE = re.compile(r"[^，。,]{0,30}(?:电|電|讯|訊)\s*题[:：]")                       # 新华社北京4月24日电 题：
_WIDGET_COLON_RE = re.compile(r".{1,8}[:：]")                                                   # 字級大小：
# … but a notice's salutation is its first paragraph: 各县区人民政府：, 市直各单位：, 尊敬的客户：
_ADDRESSEE_RE = re.compile(
    r"^(?:(?:各|全体|全體|尊敬的|亲爱的|親愛的)\S*|\S*(?:政府|单位|單位|部门|部門|机关|機關|机构|機構|公司|学校|學校|同志|同学|"
    r"同學|朋友|家长|家長|局|委|厅|廳|办|辦|院|会|會|们|們))\s*[:：]$")
# A short line that sends the reader to the site's app: 尽在新浪财经APP, 現在用APP看新聞, 下载澎湃新闻客户端.
MAX_APP_PROMO_CHARS = 60
_APP_PROMO_RE = re.compile(r"(?:下载|下載|尽在|盡在|打开|打開|安装|安裝|用|上)[^。！？!?]{0,20}?(?:APP|App|app|客户端|客戶端)")


def _is_scrap(text: str) -> bool:
    if len(text) > MAX_EDGE_SCRAP_CHARS:
        return False
    return not _CLAUSE_MARK_RE.search(_DECIMAL_RE.sub("", text) if _CJK_TEXT_RE.search(text) else text)


# A prompt to read on elsewhere (返回搜狐，查看更多; 打开凤凰新闻，查看更多高清图片; 更多精彩内容，请关注…公众号)
# and a platform's disclaimer (该文观点仅代表作者本人…仅提供信息存储空间服务; … only provides information storage
# services): the end of the body, never its last paragraph.
MAX_READ_ON_CHARS = 60
MAX_DISCLAIMER_CHARS = 300
_READ_ON_RE = re.compile(
    r"查看更多|阅读更多|閱讀更多|查看原文|阅读原文|閱讀原文|阅读全文|閱讀全文|展开全文|展開全文|更多精彩|欢迎关注|歡迎關注|"
    r"关注.{0,12}公众号|關注.{0,12}公眾號")
_PLATFORM_DISCLAIMER_RE = re.compile(
    r"仅代表作者|僅代表作者|仅提供信息存储|僅提供資訊儲存|僅提供信息存儲|only provides? information storage|"
    r"不构成投资建议|不構成投資建議|投资需谨慎|投資需謹慎", re.I)


# What opens a body before its first paragraph besides a byline: a photo's caption (▲图为…, 资料图：…,
# …新华社记者 X 摄, …视觉中国/图), a follow prompt (点击上方蓝字关注我们), the reading time (本文共3000字，阅读约需8分钟).
MAX_LEADING_NOTE_CHARS = 80
_CAPTION_START_RE = re.compile(
    r"^(?:[▲△↑]|图为|圖為|图片为|圖片為|资料图|資料圖|图片来源|圖片來源|图源|圖源|[（(]?\s*(?:图|圖|图片|圖片|照片)\s*[／/:：])")
_CAPTION_END_RE = re.compile(r"(?:\s摄|\s攝|[/／]\s*图|[/／]\s*圖|供图|供圖)[)）]?$")
_FOLLOW_PROMPT_RE = re.compile(r"点击上方|點擊上方|关注我们|關注我們|设为星标|設為星標|置顶公众号|置頂公眾號")
_READING_TIME_RE = re.compile(r"^本文共?\s*[\d,，]+\s*字|阅读(?:约|大约)?需?\s*\d+\s*分钟|閱讀(?:約|大約)?需?\s*\d+\s*分鐘")


# A helpline notice printed under stories of suicide (自殺防治諮詢安心專線：0800-788995, 請珍惜生命).
MAX_HELPLINE_NOTICE_CHARS = 60
_HELPLINE_NOTICE_RE = re.compile(
    r"(?:專線|专线|熱線|热线)\s*[:：]?\s*[\d\-－]{3,}|珍惜生命|自殺防治|自杀防治|自殺(?:不能|解決不了)|自杀(?:不能|解决不了)")


# The notes a body's edges hold that are none of its paragraphs: (the most characters such a line has, what it
# holds). At the end: app promotions, read-on prompts, platform disclaimers, helpline notices; at the start: app
# promotions, captions (each _CAPTION_START_RE alternative is anchored), follow prompts, reading times.
_TRAILING_NOTES = ((MAX_APP_PROMO_CHARS, _APP_PROMO_RE), (MAX_READ_ON_CHARS, _READ_ON_RE),
                   (MAX_DISCLAIMER_CHARS, _PLATFORM_DISCLAIMER_RE), (MAX_HELPLINE_NOTICE_CHARS, _HELPLINE_NOTICE_RE))
_LEADING_NOTES = ((MAX_APP_PROMO_CHARS, _APP_PROMO_RE), (MAX_LEADING_NOTE_CHARS, _CAPTION_START_RE),
                  (MAX_LEADING_NOTE_CHARS, _CAPTION_END_RE), (MAX_LEADING_NOTE_CHARS, _FOLLOW_PROMPT_RE),
                  (MAX_LEADING_NOTE_CHARS, _READING_TIME_RE))


def _is_short_note(text: str, notes: tuple[tuple[int, re.Pattern], ...]) -> bool:
    return any(len(text) <= most and pattern.search(text) is not None for most, pattern in notes)


def _trailing_furniture(b: Block) -> bool:
    text = b.text.strip()
    return (b.kind == "heading" or _is_scrap(text) or _PRINT_CREDIT_RE.fullmatch(text) is not None
            or _BRACKETED_NOTE_RE.fullmatch(text) is not None
            or (len(text) <= 60 and _MARKED_NOTE_RE.match(text) is not None) or _is_short_note(text, _TRAILING_NOTES))


def _leading_furniture(b: Block) -> bool:
    text = b.text.strip()
    if b.kind == "heading":
        # before any paragraph a CJK heading is the headline repeated, a label or a bold byline (`港聞`,
        # `xx市人民政府办公室`); a heading in other scripts may open the story's first section
        return _CJK_TEXT_RE.search(text) is not None
    if len(text) <= MAX_EDGE_SCRAP_CHARS and _ADDRESSEE_RE.search(text):
        return False
    return (_is_scrap(text) or _WIRE_TITLE_RE.match(text) is not None or _WIDGET_COLON_RE.fullmatch(text) is not None
            or _is_short_note(text, _LEADING_NOTES))


def _holds_a_story(body: list[Block]) -> bool:
    """Two prose paragraphs: what is left when the edges are trimmed."""
    return sum(1 for b in body if b.kind == "paragraph" and not _is_scrap(b.text.strip())) >= 2


def trim_edges(body: list[Block]) -> list[Block]:
    """The body without the furniture at its two ends (see above); a body with fewer than two prose
    paragraphs is left as it is."""
    if not _holds_a_story(body):
        return body
    start, end = 0, len(body)
    while start < min(end, MAX_EDGE_TRIM) and _leading_furniture(body[start]) and _holds_a_story(body[start + 1:end]):
        start += 1
    while end - start > 0 and len(body) - end < MAX_EDGE_TRIM and _trailing_furniture(body[end - 1]) \
            and _holds_a_story(body[start:end - 1]):
        end -= 1
    return body[start:end]


_SENTENCE_END_RE = re.compile(r"[.!?][\"'”’)]*(?:\s|$)|[。！？]")


def _is_one_sentence(text: str) -> bool:
    return len(_SENTENCE_END_RE.findall(text.rstrip())) <= 1


def repeated_paragraphs_to_drop(paragraphs: list[str]) -> set[int]:
    """Indexes of the long paragraphs (MIN_REPEAT_CHECK_CHARS) that repeat an earlier one and are not
    the text's own: a passage (or the whole story) printed a second time (the repeat stands next to a
    paragraph of other text that repeats an earlier one too), a lone sentence said again (a pull quote,
    a summary, a caption), or a notice put in place of each embed (three times or more, with text
    between). A paragraph of several sentences that repeats on its own (a refrain, a passage restated
    after a heading) stays; short lines (a recipe's "1 tsp salt") always do."""
    seen: dict[str, list[int]] = {}
    repeats = []
    for i, text in enumerate(paragraphs):
        repeats.append(text in seen)
        seen.setdefault(text, []).append(i)

    def scattered_notice(text: str) -> bool:
        at = seen[text]
        return len(at) >= 3 and at[-1] - at[0] >= len(at)

    return {i for i, text in enumerate(paragraphs) if repeats[i] and len(text) >= MIN_REPEAT_CHECK_CHARS and (
        _is_one_sentence(text) or scattered_notice(text)
        or any(0 <= j < len(paragraphs) and repeats[j] and paragraphs[j] != text for j in (i - 1, i + 1)))}


def drop_contained_paragraphs(body: list[Block]) -> list[Block]:
    """Pull quotes and copies: a paragraph contained in a longer paragraph is dropped, and so is a
    repeat that is not the text's own (`repeated_paragraphs_to_drop`; on a huge body, every exact repeat)."""
    paragraphs = [b.text for b in body if b.kind == "paragraph"]
    total = sum(len(p) for p in paragraphs)
    if len(paragraphs) < 2:
        return body
    if total > MAX_CONTAINMENT_CHECK_CHARS:
        seen: set[str] = set()
        out = []
        for b in body:
            if b.kind == "paragraph" and b.text in seen:
                continue
            seen.add(b.text)
            out.append(b)
        return out
    joined = "\n".join(paragraphs)  # paragraphs hold no newline: a hit never spans two
    dropped_repeats = repeated_paragraphs_to_drop(paragraphs)
    out = []
    paragraph_no = -1
    for i, b in enumerate(body):
        if b.kind == "paragraph":
            paragraph_no += 1
        if b.kind != "paragraph" or len(b.text) < 8:
            out.append(b)
            continue
        text = b.text
        if paragraph_no in dropped_repeats:
            continue  # a repeat that is not the text's own
        if len(text) >= MIN_REPEAT_CHECK_CHARS and joined.count(text) > 1 and any(
                len(o.text) > len(text) and text in o.text for j, o in enumerate(body) if j != i):
            continue  # a pull quote: contained in a longer paragraph
        out.append(b)
    return out


def extract_sub_articles(page: Page, start: int, stop: int, facts: Facts) -> tuple[list[SubArticle], set[int]]:
    """Titled short reports after the body: heading + prose paragraphs, at least two of them."""
    blocks = page.index.blocks
    subs: list[SubArticle] = []
    used: set[int] = set()
    current: SubArticle | None = None
    current_used: list[int] = []
    group_authors: list[Author] = []
    i = start
    while i < stop:
        b = blocks[i]
        if is_end_of_article_line(b.text) or (b.link_density > MAX_LINK_DENSITY_PROSE and current is not None):
            break
        credit = parse_group_credit(b.text)
        if credit is not None:
            group_authors.extend(credit)
            used.add(i)
            i += 1
            continue
        if is_section_heading(b) and not is_boilerplate_line(b.text):
            if current is not None and current.paragraphs:
                subs.append(current)
                used.update(current_used)
            current, current_used = SubArticle(title=b.text), [i]
        elif current is not None and b.punct >= 1 and b.chars >= 20 and b.link_density < 0.2:
            current.paragraphs.append(b.text)
            current_used.append(i)
        elif current is not None and current.paragraphs:
            subs.append(current)
            used.update(current_used)
            current, current_used = None, []
        i += 1
    if current is not None and current.paragraphs:
        subs.append(current)
        used.update(current_used)
    if len(subs) < 2:
        return [], set()
    for sub in subs:
        sub.authors = list(dict.fromkeys(group_authors))
    facts.add_authors(group_authors)
    return subs, used
