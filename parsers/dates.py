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

__all__ = ["parse_datetime", "find_labeled_datetime", "find_labeled_datetime_with_label", "date_from_url", "script_publish_time", "parse_with_format",
           "valid_date_format"]

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
# 2024 11/03 10:55:33: the year and the day in separate elements of an info line (Xinhua style).
_YEAR_SPACED_RE = re.compile(
    r"(?<![\d/.-])(?P<year>(?:19|20)\d{2})\s+(?P<month>\d{1,2})\s*/\s*(?P<day>\d{1,2})(?![\d/])" + _TIME
)
_PATTERNS = (_NUMERIC_RE, _CJK_RE, _ENGLISH_MDY_RE, _ENGLISH_DMY_RE, _YEAR_SPACED_RE)
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
                label = re.sub(r"[\s:：]+$", "", m.group(0)).strip()
                return found, label
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


# --- dates outside visible text ---------------------------------------------------------

# /2024-11/03/, /2024/11/03/, /20241103/, /2024-11-03/, /2024/1103/, gov-site t20241103_ file names.
_URL_DATE_RES = (
    re.compile(r"/((?:19|20)\d{2})-(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})-(\d{2})-(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})/(\d{2})(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})/(\d{2})/"),
    re.compile(r"[/_]t((?:19|20)\d{2})(\d{2})(\d{2})_"),
)


def date_from_url(url: str | None, now: datetime | None = None) -> str | None:
    """The day a URL's path names (`/2024-11/03/`, `/20241103/`, `/2024/1103/` …), as `YYYY-MM-DD`."""
    if not url:
        return None
    path = url.split("?", 1)[0]
    for pattern in _URL_DATE_RES:
        m = pattern.search(path)
        if m:
            found = _build(int(m.group(1)), int(m.group(2)), int(m.group(3)), None, None, None, None, "+08:00", now)
            if found:
                return found
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
