"""The one language detector of newsduck: an ISO 639-1 code for an article from its text's script and the language
the page declares (`<html lang>`, `og:locale`, `Content-Language`), used for HTML pages and text dumps alike.

The text decides what its script decides: Han characters make "zh", kana "ja", hangul "ko"; a declaration never
overrides that (a Chinese article on a page declared `en` is "zh"). Within one script the declaration names the
language (`de-DE` on Latin text is "de", `uk` on Cyrillic text is "uk"); Latin text without a usable declaration is
"en" when English function words make up a share of its words, else None. Text without letters takes the
declaration. `language_and_source` gives the language and its provenance from one reading, so provenance always
matches the value; `detect_language` is its first answer.
"""

from __future__ import annotations

import re
import string

__all__ = ["detect_language", "language_and_source", "SAMPLE_CHARS"]

SAMPLE_CHARS = 5000  # the script mix of an article's first 5,000 characters decides; the rest never changes it

_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA_RE = re.compile(r"[\u3040-\u30ff]")
_HANGUL_RE = re.compile(r"[\uac00-\ud7af]")
_LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_GREEK_RE = re.compile(r"[\u0370-\u03ff]")
_ARABIC_RE = re.compile(r"[\u0600-\u06ff]")
_HEBREW_RE = re.compile(r"[\u0590-\u05ff]")
_DEVANAGARI_RE = re.compile(r"[\u0900-\u097f]")
_THAI_RE = re.compile(r"[\u0e00-\u0e7f]")
_WORD_RE = re.compile(r"[A-Za-z]+")

# Languages written in a script other than Latin: a declaration of one of them says nothing about Latin text.
_NON_LATIN = {"zh", "ja", "ko", "ru", "uk", "bg", "sr", "mk", "be", "kk", "ky", "mn", "el", "ar", "fa", "ur", "ps",
              "he", "yi", "hi", "mr", "ne", "th"}
# The script each non-Latin, non-CJK language is written in; the script's one language when nothing is declared.
_SCRIPT_LANGUAGES = {"cyrillic": {"ru", "uk", "bg", "sr", "mk", "be", "kk", "ky", "mn"},
                     "greek": {"el"}, "arabic": {"ar", "fa", "ur", "ps"}, "hebrew": {"he", "yi"},
                     "devanagari": {"hi", "mr", "ne"}, "thai": {"th"}}
_SCRIPT_DEFAULT = {"greek": "el", "hebrew": "he", "thai": "th"}
_ENGLISH_WORDS = frozenset("the of and to in is that for on with was as by at from it are be has have this said "
                           "his her their an not were which will but or".split())
_ENGLISH_SHARE = 0.08  # English prose: ~25 % of words are these; other Latin-script languages stay under 3 %


# Every byte that is not an ASCII letter: deleting them from ASCII text leaves its letters to count.
_ASCII_NON_LETTERS = bytes(b for b in range(256) if chr(b) not in string.ascii_letters)
_NON_ASCII_RUN_RE = re.compile(r"[^\x00-\x7f]+")


def _script_counts(sample: str) -> dict[str, int]:
    # Every script but Latin lies outside ASCII: the regexes read only the non-ASCII characters, and
    # the ASCII letters are counted by deleting every other byte.
    ascii_letters = len(sample.encode("ascii", "ignore").translate(None, _ASCII_NON_LETTERS))
    non_ascii = "".join(_NON_ASCII_RUN_RE.findall(sample)) if not sample.isascii() else ""
    return {"han": len(_HAN_RE.findall(non_ascii)), "kana": len(_KANA_RE.findall(non_ascii)),
            "hangul": len(_HANGUL_RE.findall(non_ascii)), "latin": ascii_letters + len(_LATIN_RE.findall(non_ascii)),
            "cyrillic": len(_CYRILLIC_RE.findall(non_ascii)), "greek": len(_GREEK_RE.findall(non_ascii)),
            "arabic": len(_ARABIC_RE.findall(non_ascii)), "hebrew": len(_HEBREW_RE.findall(non_ascii)),
            "devanagari": len(_DEVANAGARI_RE.findall(non_ascii)), "thai": len(_THAI_RE.findall(non_ascii))}


def _declared(tag: str | None) -> str | None:
    """The primary subtag of a language tag (`zh-Hans-CN`, `de_DE`, `EN`), lower case; None when there is none."""
    if not tag:
        return None
    primary = re.split(r"[-_\s,;]", tag.strip(), maxsplit=1)[0].lower()
    return primary if 2 <= len(primary) <= 3 and primary.isalpha() else None


def _decide(text: str, declared_tag: str | None) -> tuple[str | None, str]:
    sample = text[:SAMPLE_CHARS]
    declared = _declared(declared_tag)
    counts = _script_counts(sample)
    total = sum(counts.values())
    if total == 0:
        return declared, "html[lang]"
    han, kana, hangul = counts["han"], counts["kana"], counts["hangul"]
    if kana >= 0.05 * total and kana + han >= 0.3 * total:
        return "ja", "text"
    if hangul >= 0.3 * total:
        return "ko", "text"
    if han >= 0.3 * total:
        return "zh", "text"
    script = max(counts, key=counts.__getitem__)
    if script == "latin":
        if declared is not None and declared not in _NON_LATIN:
            return declared, "html[lang]"
        words = _WORD_RE.findall(sample)
        english = sum(1 for w in words if w.lower() in _ENGLISH_WORDS)
        return ("en", "text") if words and english >= _ENGLISH_SHARE * len(words) else (None, "text")
    if script in _SCRIPT_LANGUAGES:
        if declared in _SCRIPT_LANGUAGES[script]:
            return declared, "html[lang]"
        return _SCRIPT_DEFAULT.get(script), "text"
    return None, "text"  # CJK characters below every threshold: a mix too thin to name


def language_and_source(text: str, declared: str | None = None) -> tuple[str | None, str]:
    """(ISO 639-1 code of `text`, helped by the page's `declared` language tag, or None when neither can tell;
    its provenance: "text" when the script decided, else "html[lang]")."""
    return _decide(text, declared)


def detect_language(text: str, declared: str | None = None) -> str | None:
    """The language of `language_and_source(text, declared)`."""
    return _decide(text, declared)[0]
