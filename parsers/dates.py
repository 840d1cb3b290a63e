"""Dates and times in short strings, returned as ISO 8601.

Standard library only (dateparser is far too slow for the number of lines this sees):
a handful of compiled patterns, tried on one string, earliest match wins.

- date and time → `2024-11-03T10:55:33+08:00` (the page's own offset when it gives one,
  normalised to ±HH:MM; `tz` otherwise);
- date only → `2024-11-03`;
- impossible dates (2024-13-45) and dates after `now` + 1 day → None: a page never
  publishes in the future, and such strings are usually ids or typos.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_tz

__all__ = ["parse_datetime", "find_labeled_datetime"]

_TIME = (
    r"(?:,?[T\s\u3000\xa0]*(?:(?P<ampm>上午|下午|晚上|凌晨|早上|中午)\s*)?"
    r"(?P<hour>\d{1,2})\s*(?:[:：]|时|点)\s*(?P<minute>\d{1,2})\s*分?"
    r"(?:\s*(?:[:：])\s*(?P<second>\d{1,2})(?:\.\d{1,9})?\s*秒?|(?P<second_cn>\d{1,2})\s*秒)?"
    r"(?:\s*(?P<ampm_en>[AaPp]\.?[Mm]\.?)(?![A-Za-z]))?"
    r"(?:\s*(?P<offset>Z|[+-]\d{2}:?\d{2}|UTC|GMT)(?![\w]))?)?"
)
# Numeric dates with one separator used twice (2024-11-03, 2024/11/03, 2024.11.03).
_NUMERIC_RE = re.compile(
    r"(?<![\d.])(?P<year>(?:19|20)\d{2})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?![\d])"
    r"(?:\s*(?:星期|周)[一二三四五六日天])?" + _TIME
)
# 2024年11月3日 10:55
_CJK_RE = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d{2})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号]"
    r"(?:\s*[(（]?(?:星期|周)[一二三四五六日天][)）]?)?" + _TIME
)
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH_NAME = r"(?P<mname>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
# RFC 2822: Sun, 17 Nov 2024 10:05:00 +0800
_RFC2822_RE = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s+)?\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{4}"
    r"\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[+-]\d{4}|GMT|UT|UTC|Z|[ECMP][SD]T)?",
    re.I,
)
# November 17, 2024 [10:05]  /  17 November 2024
_ENGLISH_MDY_RE = re.compile(
    _MONTH_NAME + r"\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d{2})(?!\d)" + _TIME, re.I
)
_ENGLISH_DMY_RE = re.compile(
    r"(?<!\d)(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_NAME + r"\.?,?\s+(?P<year>(?:19|20)\d{2})(?!\d)" + _TIME, re.I
)
_PATTERNS = (_NUMERIC_RE, _CJK_RE, _ENGLISH_MDY_RE, _ENGLISH_DMY_RE)
_HAS_DIGIT_RUN_RE = re.compile(r"\d{4}")

_LABELS = (
    # (pattern, priority) – lower wins; 更新时间 only when nothing better is labelled.
    ("发布时间|发布日期|发表时间|发表日期|发稿时间|刊发时间|出版日期|刊登日期|发文日期|成文日期|来源时间|"
     "上传时间|录入时间|添加时间|时间|日期|Published|Posted|Date|Pubdate", 0),
    ("更新时间|更新日期|修改时间|最后更新|Updated|Modified", 1),
)
_LABEL_RES = tuple(
    (re.compile(rf"(?:^|(?<=[\s\u3000\xa0【\[|｜(（]))(?:{pattern})\s*(?:[:：]\s*)?(?=[\d(（A-Za-z])", re.I), prio)
    for pattern, prio in _LABELS
)


def _format_offset(raw: str | None, default: str) -> str:
    if raw is None:
        return default
    raw = raw.upper()
    if raw in ("Z", "UTC", "GMT"):
        return "+00:00"
    digits = raw[1:].replace(":", "")
    return f"{raw[0]}{digits[:2]}:{digits[2:4]}"


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
    moment = datetime(year, month, day, hour, minute or 0, second or 0, tzinfo=timezone(_offset_delta(off)))
    if moment > limit:
        return None
    return f"{d.isoformat()}T{hour:02d}:{minute or 0:02d}:{second or 0:02d}{off}"


def _from_match(m: re.Match, tz: str, now: datetime | None) -> str | None:
    g = m.groupdict()
    month = _MONTHS[g["mname"][:3].lower()] if g.get("mname") else int(g["month"])
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
    return _build(int(g["year"]), month, int(g["day"]), hour, minute, int(sec) if sec else None,
                  g.get("offset"), tz, now)


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


def parse_datetime(text: str, *, tz: str = "+08:00", now: datetime | None = None) -> str | None:
    """The first valid date(time) in `text` as ISO 8601, or None."""
    if not text or not _HAS_DIGIT_RUN_RE.search(text):
        return None
    candidates: list[tuple[int, int, object]] = []
    for i, pattern in enumerate(_PATTERNS):
        for m in pattern.finditer(text):
            candidates.append((m.start(), i, m))
    if any(c.isalpha() and c.isascii() for c in text):
        for m in _RFC2822_RE.finditer(text):
            candidates.append((m.start(), -1, m))  # RFC 2822 beats the English DMY reading of the same span
    for _, kind, m in sorted(candidates, key=lambda c: (c[0], c[1])):
        result = _from_rfc2822(m.group(0), tz, now) if kind == -1 else _from_match(m, tz, now)
        if result is not None:
            return result
    return None


def find_labeled_datetime(text: str, *, tz: str = "+08:00", now: datetime | None = None) -> str | None:
    """A date(time) that directly follows a label such as 发布时间 / 日期 / 更新时间.

    更新时间 and friends are used only when no publishing label gives a date.
    """
    if not text or not _HAS_DIGIT_RUN_RE.search(text):
        return None
    for label_re, _prio in _LABEL_RES:
        for m in label_re.finditer(text):
            value = text[m.end(): m.end() + 48]
            found = _parse_at_start(value, tz, now)
            if found is not None:
                return found
    return None


def _parse_at_start(value: str, tz: str, now: datetime | None) -> str | None:
    """parse_datetime, but only for a date that starts `value` (after brackets)."""
    value = value.lstrip("(（[【 \u3000\xa0")
    for pattern in _PATTERNS:
        m = pattern.match(value)
        if m:
            result = _from_match(m, tz, now)
            if result is not None:
                return result
    m = _RFC2822_RE.match(value)
    if m:
        return _from_rfc2822(m.group(0), tz, now)
    return None
