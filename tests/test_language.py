"""parsers.language: the one language detector, for HTML pages and text dumps."""

import pytest

from parsers import extract_article
from parsers.language import detect_language, language_and_source
from parsers.text import extract_text

GERMAN = "Der Stadtrat hat am Montag den Haushalt für das kommende Jahr beschlossen und die Schulen gestärkt."
ENGLISH = "The council approved the budget for the coming year on Monday, and it said that schools will gain."


@pytest.mark.parametrize("text, declared, language, source", [
    ("跑好第一棒 冲刺开门红", None, "zh", "text"),
    ("跑好第一棒 冲刺开门红", "en", "zh", "text"),            # the script outvotes a wrong declaration
    ("東京都は月曜日、新しい予算を発表しました。", "zh-CN", "ja", "text"),
    ("서울시는 월요일 새 예산을 발표했다", None, "ko", "text"),
    (ENGLISH, None, "en", "text"),
    (ENGLISH, "en-GB", "en", "html[lang]"),
    (GERMAN, "de-DE", "de", "html[lang]"),
    (GERMAN, None, None, "text"),                             # Latin text, no declaration, not English: unknown
    (GERMAN, "zh-CN", None, "text"),                           # a non-Latin declaration says nothing of Latin text
    ("Городской совет утвердил бюджет на следующий год.", "uk", "uk", "html[lang]"),
    ("Городской совет утвердил бюджет на следующий год.", None, None, "text"),
    ("Το δημοτικό συμβούλιο ενέκρινε τον προϋπολογισμό.", None, "el", "text"),
    ("1234 5678", "de_AT", "de", "html[lang]"),               # no letters: the declaration
    ("1234", None, None, "html[lang]"),
])
def test_detect_language(text, declared, language, source):
    assert detect_language(text, declared) == language
    assert language_and_source(text, declared) == (language, source)


def test_html_pages_and_text_dumps_use_the_same_detector():
    paragraphs = "".join(f"<p>{GERMAN}</p>" for _ in range(4))
    page = f'<html lang="de"><head><title>Haushalt</title></head><body><article><h1>Haushalt</h1>{paragraphs}' \
           "</article></body></html>"
    record = extract_article(page.encode(), url="https://example.de/haushalt.html")
    assert (record.language, record.provenance["language"]) == ("de", "html[lang]")
    dump = extract_text("Haushalt\n\n" + "\n\n".join([GERMAN] * 4))
    assert dump.language is None and "language" not in dump.provenance  # no value, no provenance
    dump = extract_text("跑好第一棒\n\n" + "\n\n".join(["辽宁省委召开会议，部署全年工作任务，推动高质量发展。"] * 3))
    assert (dump.language, dump.provenance["language"]) == ("zh", "text")


_SCRIPT_RANGES = {"han": r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]", "kana": r"[\u3040-\u30ff]",
                  "hangul": r"[\uac00-\ud7af]", "latin": r"[A-Za-z\u00c0-\u024f]", "cyrillic": r"[\u0400-\u04ff]",
                  "greek": r"[\u0370-\u03ff]", "arabic": r"[\u0600-\u06ff]", "hebrew": r"[\u0590-\u05ff]",
                  "devanagari": r"[\u0900-\u097f]", "thai": r"[\u0e00-\u0e7f]"}


@pytest.mark.parametrize("text", [
    ENGLISH, GERMAN, "“Quoted,” she said — naïve café – 1234", "", "1234 !?", "Zürich 跑好第一棒 東京 서울 Город",
    "Ελλάδα عربي עברית हिन्दी ไทย ÀÖØöøɏ\u0250 z{A@[`", "\x00\x7f\x80\xff\u0100\U0001f600 Ab",
])
def test_script_counts_are_every_scripts_character_count(text):
    import re

    from parsers.language import _script_counts

    # counted without reading the ASCII text ten times, and still each script's characters
    expected = {script: len(re.findall(chars, text)) for script, chars in _SCRIPT_RANGES.items()}
    assert _script_counts(text) == expected
    assert list(_script_counts(text)) == list(_SCRIPT_RANGES)  # the order max() breaks ties by


@pytest.mark.parametrize("text, declared", [(ENGLISH, None), (GERMAN, "de"), ("跑好第一棒", "en"), ("1234", "fr")])
def test_detect_language_is_the_first_answer_of_language_and_source(text, declared):
    assert language_and_source(text, declared)[0] == detect_language(text, declared)
