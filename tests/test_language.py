"""parsers.language: the one language detector, for HTML pages and text dumps."""

import pytest

from parsers import extract_article
from parsers.language import detect_language, language_source
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
    assert language_source(text, declared) == source


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
