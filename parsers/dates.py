"""Dates and times in short strings, returned as ISO 8601.

Standard library only (dateparser is far too slow for the number of lines this sees):
a handful of compiled patterns, tried on one string, earliest match wins.

- formats: year first (2024-11-03, 2024/11/03, 2024年11月3日, 2020년 7월 12일), day or month first
  with the year last (16.12.2012, 22/11/2014, 11-22-2014), Minguo years (民國103年12月12日), month
  names of parsers/month_names.py (November 17, 2024; 17. November 2024; 2020. június 4.), RFC 2822;
- date and time → `2024-11-03T10:55:33+08:00` (the page's own offset or zone name when it gives
  one, normalised to ±HH:MM; `tz` otherwise);
- date only → `2024-11-03`;
- impossible dates (2024-13-45) and dates after `now` + 1 day → None: a page never
  publishes in the future, and such strings are usually ids or typos.

Also here: labelled dates (发布时间：…, Published: …), the date that dates a short line, dates in
URLs and in WeChat's script variables.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_tz

from parsers.month_names import MONTH_NAMES

__all__ = [
    "parse_datetime", "dates_in", "publish_date_in_line", "dated_line", "is_update_label", "month_first_dates",
    "find_labeled_datetime", "find_labeled_datetime_with_label", "date_from_url", "script_publish_time",
    "parse_with_format", "valid_date_format",
]

# A time after the date: `10:55`, `10时55分`, `下午3:05`, `3:02 pm`, `14h30` (fr/pt), `(16:31)`,
# `| 00h23`, `um 12:30`, `at 3:02pm`, with seconds and an offset when given.
_TIME = (
    r"(?:(?:,?[T\s\u3000\xa0]*|\s*[|/@·,–-]\s*|,?\s+(?:at|um|à|às|a\s+las|alle|kl\.?|klo\.?)\s+)[(（]?"
    r"(?:(?P<ampm>上午|下午|晚上|凌晨|早上|中午)\s*)?"
    r"(?P<hour>\d{1,2})\s*(?:[:：]|时|点|h(?=\s*\d))\s*(?P<minute>\d{1,2})\s*分?"
    r"(?:\s*(?:[:：])\s*(?P<second>\d{1,2})(?:\.\d{1,9})?\s*秒?|(?P<second_cn>\d{1,2})\s*秒)?"
    r"(?:\s*(?P<ampm_en>[AaPp]\.?[Mm]\.?)(?![A-Za-z]))?"
    r"(?:\s*(?P<offset>Z|(?:UTC|GMT)?\s?[+-]\d{1,2}(?::?\d{2})?|UTC|GMT|[ECMP][SD]T|CES?T|BST|HKT|JST|KST|AE[SD]T)(?![\w]))?"
    r"[)）]?)?"
)
# The weekday some templates print after the day: 星期二, （周二）, 週五, (金) in Japanese.
_WEEKDAY = (r"(?:\s*[(（]?\s*(?:星期|周|週|礼拜|禮拜)[一二三四五六日天]\s*[)）]?"
            r"|\s*[(（][月火水木金土日](?:曜日?)?[)）])?")
# Numeric dates with one separator used twice (2024-11-03, 2024/11/03, 2024.11.03).
_NUMERIC_RE = re.compile(
    r"(?<![\d.])(?P<year>(?:19|20)\d{2})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?![\d])"
    + _WEEKDAY + _TIME
)
# Day (or month) first, year last: 16.12.2012, 16. 12. 2012, 22/11/2014, 11-22-2014. A dot means day
# first; with / or - a part above 12 decides, and an undecidable one is read day first (most of the
# world) unless the caller says the page writes the month first.
_NUMERIC_DMY_RE = re.compile(
    r"(?<![\d.:/-])(?P<day>\d{1,2})(?P<sep>[-/.])\s?(?P<month>\d{1,2})(?P=sep)\s?(?P<year>(?:19|20)\d{2})(?![\d])"
    + _TIME
)
# 2024年11月3日 10:55; 2020년 7월 12일 (Korean)
_CJK_RE = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d{2})\s*[年년]\s*(?P<month>\d{1,2})\s*[月월]\s*(?P<day>\d{1,2})\s*[日号號일]"
    + _WEEKDAY + _TIME
)
# Republic of China (Minguo) years, Taiwan: 民國103年12月12日, 103年12月12日 (a bare year 100-199),
# 民國103/12/12. Year + 1911.
_MINGUO_RE = re.compile(
    r"(?:(?:民國|民国)\s*(?P<roc>\d{2,3})|(?<![\d.])(?P<roc3>1\d{2}))\s*年\s*(?P<month>\d{1,2})\s*月\s*"
    r"(?P<day>\d{1,2})\s*日" + _WEEKDAY + _TIME
    + r"|(?:民國|民国)\s*(?P<rocn>\d{2,3})\s*(?P<sep>[-/.])\s*(?P<monthn>\d{1,2})\s*(?P=sep)\s*(?P<dayn>\d{1,2})(?!\d)"
)
_NAME_ALTERNATION = "|".join(re.escape(n) for n in sorted(MONTH_NAMES, key=len, reverse=True))
_MONTH_NAME = rf"(?<![^\W\d_])(?P<mname>{_NAME_ALTERNATION})(?![^\W\d_])\.?"
_ORDINAL = r"(?:st|nd|rd|th|er|º|°)?\.?"
# RFC 2822: Sun, 17 Nov 2024 10:05:00 +0800
_RFC2822_RE = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s+)?\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{4}"
    r"\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[+-]\d{4}|GMT|UT|UTC|Z|[ECMP][SD]T)?",
    re.I,
)
# Month names in any language of parsers/month_names.py:
# November 17, 2024 [10:05]  (month first)
_NAME_MDY_RE = re.compile(
    _MONTH_NAME + r"\s*(?P<day>\d{1,2})" + _ORDINAL + r",?\s+(?P<year>(?:19|20)\d{2})(?!\d)" + _TIME, re.I
)
# 17 November 2024, 16. Dezember 2012, 17 de febrero de 2020, 17 d'abril de 2020, 29 июня 2019 г.
_NAME_DMY_RE = re.compile(
    r"(?<!\d)(?P<day>\d{1,2})" + _ORDINAL + r"\s*(?:de\s+|d['’]\s*|of\s+)?" + _MONTH_NAME
    + rf"(?:\s*/\s*(?:{_NAME_ALTERNATION}))?"  # two names for one month: نيسان / أبريل
    + r",?\s*(?:de\s+|del\s+)?(?P<year>(?:19|20)\d{2})(?!\d)(?:\s*(?:г\.|р\.|m\.|yil|год[а]?))?" + _TIME, re.I
)
# 2020. június 4. (Hungarian), 2020 m. birželio 4 d. (Lithuanian), 2024 Nov 17
_NAME_YMD_RE = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d{2})\.?\s+(?:m\.\s+)?" + _MONTH_NAME + r"\s*(?P<day>\d{1,2})(?!\d)\.?(?:\s*d\.)?"
    + _TIME, re.I
)
# 2024 11/03 10:55:33: the year and the day in separate elements of an info line (Xinhua style).
_YEAR_SPACED_RE = re.compile(
    r"(?<![\d/.-])(?P<year>(?:19|20)\d{2})\s+(?P<month>\d{1,2})\s*/\s*(?P<day>\d{1,2})(?![\d/])" + _TIME
)
# Tried on every string, earliest match first; at one position the first pattern listed wins.
_PATTERNS = (_NUMERIC_RE, _CJK_RE, _MINGUO_RE, _NAME_MDY_RE, _NAME_DMY_RE, _NAME_YMD_RE, _YEAR_SPACED_RE,
             _NUMERIC_DMY_RE)
_NAME_PATTERNS = frozenset({_NAME_MDY_RE, _NAME_DMY_RE, _NAME_YMD_RE})
# Nothing to read without a four-digit year or a Minguo year before 年.
_HAS_DIGIT_RUN_RE = re.compile(r"\d{4}|\d\s*年|民[國国]")

_LABELS = (
    # (pattern, priority) – lower wins; 更新时间 only when nothing better is labelled.
    ("发布时间|发布日期|发表时间|发表日期|发稿时间|刊发时间|出版日期|刊登日期|发文日期|成文日期|来源时间|"
     "上传时间|录入时间|添加时间|时间|日期|发表于|发布于|发帖时间|"
     "發布時間|發佈時間|發布日期|發佈日期|發表時間|發表日期|發稿時間|刊出時間|刊登時間|出版時間|新聞時間|時間|"
     "發表於|發布於|發佈於|發帖時間|"
     "Published|Posted|Date|Pubdate|Publication date|Veröffentlicht|Erstellt|Datum|Publié|Date de publication|"
     "Publicado|Fecha|Pubblicato|Data|Gepubliceerd|Opublikowano|Publicerad|Publiceret|Publisert|Опубликовано|"
     "Yayınlanma|Diterbitkan", 0),
    ("更新时间|更新日期|修改时间|最后更新|更新時間|更新日期|修改時間|最後更新|Updated|Last updated|Modified|"
     "Aktualisiert|Letzte Aktualisierung|Aktualisierung|Stand|Mis à jour|Actualizado|Aggiornato|Atualizado|Bijgewerkt|Zaktualizowano|Обновлено", 1),
)
_LABEL_RES = tuple(
    (re.compile(rf"(?:^|(?<=[\s\u3000\xa0【\[|｜(（]))(?P<label>{pattern})\s*(?:[:：]\s*)?"
                rf"(?:(?:on|am|le|el|il|em|op|den|at)\s+)?(?=[\d(（A-Za-z])", re.I), prio)
    for pattern, prio in _LABELS
)


# Zone names pages print after a time (CST is left out: China and US Central both use it).
_ZONE_OFFSETS = {"Z": "+00:00", "UTC": "+00:00", "GMT": "+00:00", "EST": "-05:00", "EDT": "-04:00",
                 "CDT": "-05:00", "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00",
                 "CET": "+01:00", "CEST": "+02:00", "BST": "+01:00", "HKT": "+08:00", "JST": "+09:00",
                 "KST": "+09:00", "AEST": "+10:00", "AEDT": "+11:00"}
_US_ZONES = frozenset({"EST", "EDT", "CDT", "MST", "MDT", "PST", "PDT"})
_NUMERIC_OFFSET_RE = re.compile(r"(?:UTC|GMT)?\s?([+-])(\d{1,2}):?(\d{2})?$")


_MAX_ZONE_OFFSET = timedelta(hours=12)


def _format_offset(raw: str | None, default: str) -> str:
    """`Z`, `+0800`, `+08:00`, `GMT+0000`, `UTC+8`, `PDT` → ±HH:MM; `default` for none or an unknown name."""
    if raw is None:
        return default
    raw = raw.upper().strip()
    if raw in _ZONE_OFFSETS:
        return _ZONE_OFFSETS[raw]
    m = _NUMERIC_OFFSET_RE.match(raw)
    if not m or int(m.group(2)) > 14:
        return default
    return f"{m.group(1)}{int(m.group(2)):02d}:{m.group(3) or '00'}"


def _offset_delta(offset: str) -> timedelta:
    sign = -1 if offset[0] == "-" else 1
    return sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))


def _now_utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    return now if now.tzinfo else now.replace(tzinfo=timezone.utc)


def _build(year: int, month: int, day: int, hour: int | None, minute: int | None, second: int | None,
           offset: str | None, tz: str, now: datetime | None) -> str | None:
    try:
        d = date(year, month, day)
    except ValueError:
        return None
    limit = _now_utc(now) + timedelta(days=1)
    if hour is None or not (0 <= hour <= 23 and 0 <= (minute or 0) <= 59 and 0 <= (second or 0) <= 59):
        # An impossible time (25:61) is noise next to a good date: keep the date.
        return None if d > limit.date() else d.isoformat()
    off = _format_offset(offset, tz)
    # tz="" keeps a time without an offset as it is (a local clock, for comparisons): it is in the
    # future only if it is so in every zone.
    zone = timezone(_offset_delta(off)) if off else timezone(-_MAX_ZONE_OFFSET)
    moment = datetime(year, month, day, hour, minute or 0, second or 0, tzinfo=zone)
    if moment > limit:
        return None
    return f"{d.isoformat()}T{hour:02d}:{minute or 0:02d}:{second or 0:02d}{off}"


def _from_match(m: re.Match, tz: str, now: datetime | None, month_first: bool = False) -> str | None:
    g = m.groupdict()
    if g.get("mname"):
        month = MONTH_NAMES.get(g["mname"].casefold())
        if month is None:
            return None
        year, day = int(g["year"]), int(g["day"])
    elif g.get("rocn"):  # 民國103/12/12
        year, month, day = int(g["rocn"]) + 1911, int(g["monthn"]), int(g["dayn"])
    elif g.get("roc") or g.get("roc3"):
        year, month, day = int(g.get("roc") or g["roc3"]) + 1911, int(g["month"]), int(g["day"])
    else:
        year, month, day = int(g["year"]), int(g["month"]), int(g["day"])
        us_zone = (g.get("offset") or "").upper() in _US_ZONES
        if m.re is _NUMERIC_DMY_RE and g["sep"] != "." and (month > 12 or ((month_first or us_zone) and day <= 12)):
            month, day = day, month  # 11/22/2014; an undecidable 03/04/2020 on a month-first page or before PST
    hour = int(g["hour"]) if g.get("hour") else None
    if hour is not None and g.get("ampm") in ("下午", "晚上") and hour < 12:
        hour += 12
    ampm_en = (g.get("ampm_en") or "").lower().replace(".", "")
    if hour is not None and ampm_en == "pm" and hour < 12:
        hour += 12
    elif hour == 12 and ampm_en == "am":
        hour = 0
    minute = int(g["minute"]) if g.get("minute") else None
    sec = g.get("second") or g.get("second_cn")
    return _build(year, month, day, hour, minute, int(sec) if sec else None, g.get("offset"), tz, now)


def _from_rfc2822(text: str, tz: str, now: datetime | None) -> str | None:
    parsed = parsedate_tz(text)
    if not parsed:
        return None
    year, month, day, hour, minute, second = parsed[:6]
    off_seconds = parsed[9]
    if off_seconds is None:
        offset = None
    else:
        sign = "-" if off_seconds < 0 else "+"
        off_seconds = abs(off_seconds)
        offset = f"{sign}{off_seconds // 3600:02d}:{off_seconds % 3600 // 60:02d}"
    return _build(year, month, day, hour, minute, second, offset, tz, now)


# Whether undecidable numeric dates (03/04/2020) are read month first: set for a page by
# `month_first_dates` (US English pages), day first otherwise.
_MONTH_FIRST: ContextVar[bool] = ContextVar("month_first", default=False)


@contextmanager
def month_first_dates(month_first: bool):
    """Read undecidable numeric dates month first (or not) inside the block."""
    token = _MONTH_FIRST.set(month_first)
    try:
        yield
    finally:
        _MONTH_FIRST.reset(token)


def _has_month_word(text: str) -> bool:
    """A word of `text` starts a month name (a set lookup per word: cheaper than the name patterns)."""
    return any(word.casefold() in _MONTH_FIRST_WORDS for word in _WORD_RE.findall(text))


_WORD_RE = re.compile(r"[^\W\d_]+")
_MONTH_FIRST_WORDS = frozenset(name.split()[0] for name in MONTH_NAMES)
# Letters outside CJK: only then can a month name be in the text.
_NAME_LETTER_RE = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u06ff]")


def parse_datetime(text: str, *, tz: str = "+08:00", now: datetime | None = None,
                   month_first: bool | None = None) -> str | None:
    """The first valid date(time) in `text` as ISO 8601, or None. `tz`: the offset of a time that
    gives none ("" leaves it without one). `month_first`: read an undecidable `03/04/2020` as
    March 4 (US pages) instead of 3 April; None: as `month_first_dates` says (day first by default)."""
    for value, _start, _end in _dates(text, tz, now, month_first):
        return value
    return None


def dates_in(text: str, *, tz: str = "+08:00", now: datetime | None = None,
             month_first: bool | None = None) -> list[tuple[str, int, int]]:
    """Every valid date(time) in `text`, left to right and not overlapping: (ISO, start, end)."""
    found: list[tuple[str, int, int]] = []
    for value, start, end in _dates(text, tz, now, month_first):
        if not found or start >= found[-1][2]:
            found.append((value, start, end))
    return found


# A weekday between the day and the year, as a date printed part by part shows it
# (`<span>Dec</span> <span>13</span> <span>Sat</span> <span>2014</span>`): read without it.
_INNER_WEEKDAY_RE = re.compile(
    r"(?<=\d)\s+(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday|rsday)?\.?,?(?=\s+\d)", re.I)


def _dates(text: str, tz: str, now: datetime | None, month_first: bool | None):
    if not text or not _HAS_DIGIT_RUN_RE.search(text):
        return
    if month_first is None:
        month_first = _MONTH_FIRST.get()
    candidates: list[tuple[int, int, re.Match]] = []
    named = _NAME_LETTER_RE.search(text) is not None and _has_month_word(text)
    for i, pattern in enumerate(_PATTERNS):
        if not named and pattern in _NAME_PATTERNS:
            continue
        for m in pattern.finditer(text):
            candidates.append((m.start(), i, m))
    if named and any(c.isalpha() and c.isascii() for c in text):
        for m in _RFC2822_RE.finditer(text):
            candidates.append((m.start(), -1, m))  # RFC 2822 beats the day-first reading of the same span
    found = False
    for _, kind, m in sorted(candidates, key=lambda c: (c[0], c[1])):
        result = _from_rfc2822(m.group(0), tz, now) if kind == -1 else _from_match(m, tz, now, month_first)
        if result is not None:
            found = True
            yield result, m.start(), m.end()
    if not found and named and _INNER_WEEKDAY_RE.search(text):
        # blanked to spaces of the same length, so the places found stay the text's own
        yield from _dates(_INNER_WEEKDAY_RE.sub(lambda w: " " * len(w.group(0)), text), tz, now, month_first)


# Words that say the date after them is an update, not the publication.
_UPDATE_WORDS_RE = re.compile(
    r"(?:updated|update|modified|edited|aktualisiert|geändert|mis\s+à\s+jour|màj|actualizado|actualización|"
    r"aggiornato|aggiornamento|atualizado|atualização|bijgewerkt|opdateret|oppdatert|uppdaterad|päivitetty|"
    r"zaktualizowano|aktualizováno|aktualizace|обновлено|оновлено|güncellendi|güncelleme|更新|修改|編輯|编辑于)"
    r"[^\d]{0,24}$", re.I)


def publish_date_in_line(text: str, *, tz: str = "+08:00", now: datetime | None = None,
                         month_first: bool | None = None) -> tuple[str, int, int] | None:
    """The date in a short line that dates the story: the first one not announced as an update
    (`Published 8 Nov 2023, updated 9 Nov 2023`, `Aktualisiert: 29.04. | Erstellt: 28.04.2024`),
    else the first. (ISO, start, end) or None."""
    return _publish_date(text, dates_in(text, tz=tz, now=now, month_first=month_first))


def _publish_date(text: str, found: list[tuple[str, int, int]]) -> tuple[str, int, int] | None:
    for item in found:
        if not _UPDATE_WORDS_RE.search(text[max(0, item[1] - 40): item[1]]):
            return item
    return found[0] if found else None


def dated_line(text: str, *, max_chars: int, max_words: int, tz: str = "+08:00", now: datetime | None = None,
               month_first: bool | None = None) -> str | None:
    """The publish date of a short line that dates something among a few words: at most `max_chars`
    long, with at most `max_words` characters outside its dates (a sentence that mentions a date has
    more)."""
    if not text or len(text) > max_chars:
        return None
    found = dates_in(text, tz=tz, now=now, month_first=month_first)
    if not found:
        return None
    if len(text) - sum(end - start for _, start, end in found) > max_words and not _is_info_line(text, found):
        return None
    return _publish_date(text, found)[0]


# An info line: short fields between separators (`22/11/2020 - 04:30 - Fonte: Agência Brasil - Foto: X`).
_INFO_SEPARATOR_RE = re.compile(r"\s[|｜/·•–—-]\s|[|｜·•]")
MAX_INFO_FIELD_CHARS = 40


def _is_info_line(text: str, found: list[tuple[str, int, int]]) -> bool:
    rest, pos = [], 0
    for _, start, end in found:
        rest.append(text[pos:start])
        pos = end
    rest.append(text[pos:])
    fields = [f.strip() for f in _INFO_SEPARATOR_RE.split(" ¦ ".join(rest))]
    separators = len(_INFO_SEPARATOR_RE.findall(text))
    return separators >= 2 and all(len(f) <= MAX_INFO_FIELD_CHARS for f in fields)


def find_labeled_datetime(text: str, *, tz: str = "+08:00", now: datetime | None = None) -> str | None:
    """A date(time) that directly follows a label such as 发布时间 / 日期 / 更新时间.

    更新时间 and friends are used only when no publishing label gives a date.
    """
    found = find_labeled_datetime_with_label(text, tz=tz, now=now)
    return found[0] if found else None


def find_labeled_datetime_with_label(text: str, *, tz: str = "+08:00",
                                     now: datetime | None = None) -> tuple[str, str] | None:
    """`find_labeled_datetime` and the label as written (`发布时间`, `Published`)."""
    if not text or not _HAS_DIGIT_RUN_RE.search(text):
        return None
    for label_re, _prio in _LABEL_RES:
        for m in label_re.finditer(text):
            value = text[m.end(): m.end() + 48]
            found = _parse_at_start(value, tz, now)
            if found is not None:
                label = m.group("label")
                return found, label
    return None


def is_update_label(label: str) -> bool:
    """更新时间 / Updated / Modified …: a label whose date is an update, not the publication."""
    return bool(_UPDATE_LABEL_RE.fullmatch(label.strip()))


_UPDATE_LABEL_RE = re.compile(_LABELS[1][0], re.I)


def _parse_at_start(value: str, tz: str, now: datetime | None) -> str | None:
    """parse_datetime, but only for a date that starts `value` (after brackets)."""
    value = value.lstrip("(（[【 \u3000\xa0")
    for start in (value, _LEADING_WORD_RE.sub("", value, count=1)):
        for pattern in _PATTERNS:
            m = pattern.match(start)
            if m:
                result = _from_match(m, tz, now, _MONTH_FIRST.get())
                if result is not None:
                    return result
    m = _RFC2822_RE.match(value)
    if m:
        return _from_rfc2822(m.group(0), tz, now)
    return None


# A weekday between a label and its date: `Posted on Wednesday, July 4, 2012`, `Datum: Mi., 3.7.2019`.
_LEADING_WORD_RE = re.compile(r"^[^\W\d_]{2,12}\.?,?\s+")


# --- dates outside visible text ---------------------------------------------------------

# /2024-11/03/, /2024/11/03/, /20241103/, /2024-11-03/, /2024/1103/, gov-site t20241103_ file names,
# /2024-11-03-slug, /20141217a163245.asp (an eight-digit day that is the whole digit run).
_URL_DATE_RES = (
    re.compile(r"/((?:19|20)\d{2})-(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?:/|[-_.](?!\d))"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})-(\d{2})-(\d{2})(?!\d)"),
    re.compile(r"/((?:19|20)\d{2})/(\d{2})(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})/(\d{2})/"),
    re.compile(r"[/_]t((?:19|20)\d{2})(\d{2})(\d{2})_"),
    re.compile(r"(?<![\d.])((?:19|20)\d{2})(\d{2})(\d{2})(?![\d.])"),
)
# /11-22-2014/ (month or day first, year last)
_URL_DATE_YEAR_LAST_RE = re.compile(r"/(\d{1,2})[-_.](\d{1,2})[-_.]((?:19|20)\d{2})(?:/|$)")


def date_from_url(url: str | None, now: datetime | None = None) -> str | None:
    """The day a URL's path names (`/2024-11/03/`, `/20241103/`, `/2024/1103/` …), as `YYYY-MM-DD`."""
    if not url:
        return None
    path = url.split("?", 1)[0].split("#", 1)[0]
    for pattern in _URL_DATE_RES:
        for m in pattern.finditer(path):
            found = _build(int(m.group(1)), int(m.group(2)), int(m.group(3)), None, None, None, None, "+08:00", now)
            if found:
                return found
    m = _URL_DATE_YEAR_LAST_RE.search(path)
    if m:
        first, second = int(m.group(1)), int(m.group(2))
        month, day = (first, second) if second > 12 else (second, first)
        return _build(int(m.group(3)), month, day, None, None, None, None, "+08:00", now)
    return None


# WeChat articles fill the visible date from script variables: `var ct = "1700000000";`,
# `var publish_time = "2023-11-15" || "";`, `var create_time = "1700000000" * 1;`.
_SCRIPT_EPOCH_RE = re.compile(
    r"""\b(?P<name>ct|create_time|ori_create_time|publish_time)\s*[=:]\s*["']?(?P<epoch>1\d{9})["']?""")
_SCRIPT_TEXT_RE = re.compile(
    r"""\b(?P<name>publish_time|publishTime|pubtime|pubTime)\s*[=:]\s*["'](?P<text>(?:19|20)\d{2}[-/.年][^"']{3,30})["']""")


def script_publish_time(html: str, *, tz: str = "+08:00", now: datetime | None = None) -> tuple[str, str] | None:
    """(ISO datetime, variable name) of a publish time kept in a page script, WeChat style.

    A Unix time becomes local time at `tz` (China time for WeChat); a text date is parsed as is.
    Callers pass the raw HTML (scripts are stripped before parsing).
    """
    if not html:
        return None
    for m in _SCRIPT_EPOCH_RE.finditer(html):
        offset = _offset_delta(_format_offset(tz, "+08:00"))
        moment = datetime.fromtimestamp(int(m.group("epoch")), timezone(offset))
        found = _build(moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second,
                       tz, tz, now)
        if found:
            return found, m.group("name")
    for m in _SCRIPT_TEXT_RE.finditer(html):
        found = parse_datetime(m.group("text"), tz=tz, now=now)
        if found:
            return found, m.group("name")
    return None


def parse_with_format(text: str, fmt: str, *, tz: str = "+08:00", now: datetime | None = None) -> str | None:
    """`text` read with a strptime format (a site profile's `date_format`), searched for in `text`;
    ISO 8601 out, a bare date when the format has no hour."""
    if not text or not fmt:
        return None
    text = " ".join(text.split())
    pattern = _format_regex(fmt)
    m = pattern.search(text)
    if not m:
        return None
    try:
        parsed = datetime.strptime(m.group(0), fmt)
    except ValueError:
        return None
    has_time = any(d in fmt for d in ("%H", "%I"))
    offset = None
    if parsed.tzinfo is not None:
        delta = parsed.utcoffset() or timedelta(0)
        sign = "-" if delta < timedelta(0) else "+"
        minutes = abs(int(delta.total_seconds())) // 60
        offset = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    if not has_time:
        return _build(parsed.year, parsed.month, parsed.day, None, None, None, None, tz, now)
    return _build(parsed.year, parsed.month, parsed.day, parsed.hour, parsed.minute, parsed.second, offset, tz, now)


_FORMAT_PARTS = {
    "Y": r"\d{4}", "m": r"\d{1,2}", "d": r"\d{1,2}", "H": r"\d{1,2}", "I": r"\d{1,2}", "M": r"\d{1,2}",
    "S": r"\d{1,2}", "y": r"\d{2}", "b": r"[A-Za-z]{3}", "B": r"[A-Za-z]+", "p": r"[AaPp][Mm]",
    "z": r"[+-]\d{2}:?\d{2}|Z", "f": r"\d{1,6}", "a": r"[A-Za-z]{3}", "A": r"[A-Za-z]+", "%": "%",
}


def _format_regex(fmt: str) -> re.Pattern:
    out = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "%" and i + 1 < len(fmt):
            out.append(f"(?:{_FORMAT_PARTS.get(fmt[i + 1], '.+?')})")
            i += 2
            continue
        out.append(r"\s*" if ch.isspace() else re.escape(ch))
        i += 1
    return re.compile("".join(out))


def valid_date_format(fmt: str) -> bool:
    """A strptime format a profile may use: at least a year, month and day directive."""
    return isinstance(fmt, str) and "%Y" in fmt and ("%m" in fmt or "%b" in fmt or "%B" in fmt) and "%d" in fmt
