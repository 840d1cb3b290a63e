"""Month names as news pages print them in dates, by language: data for `parsers.dates`.

Each entry lists the forms a date uses (the genitive where the language declines the month:
`16 грудня`, `10 listopada`, `5 Μαΐου`) and the usual abbreviations. Matching is case-insensitive;
a trailing dot after an abbreviation is allowed by the date patterns. A form that means different
months in two languages is left out (Croatian `listopad` is October, Czech/Polish November: the
Croatian names are not listed).
"""

from __future__ import annotations

# month number -> forms, one tuple per language
_BY_LANGUAGE: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
           ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"),
           ("october", "oct"), ("november", "nov"), ("december", "dec")),
    "de": (("januar", "jänner", "jän"), ("februar", "feber"), ("märz", "mär", "maerz"), ("april",),
           ("mai",), ("juni",), ("juli",), ("august",), ("september",), ("oktober", "okt"),
           ("november",), ("dezember", "dez")),
    "fr": (("janvier", "janv"), ("février", "fevrier", "févr", "fevr", "fév"), ("mars",), ("avril", "avr"),
           ("mai",), ("juin",), ("juillet", "juil"), ("août", "aout"), ("septembre",),
           ("octobre",), ("novembre",), ("décembre", "decembre", "déc")),
    "es": (("enero", "ene"), ("febrero",), ("marzo",), ("abril", "abr"), ("mayo",), ("junio",),
           ("julio",), ("agosto", "ago"), ("septiembre", "setiembre"), ("octubre",), ("noviembre",),
           ("diciembre", "dic")),
    "pt": (("janeiro",), ("fevereiro", "fev"), ("março", "marco"), ("abril",), ("maio",), ("junho",),
           ("julho",), ("agosto",), ("setembro", "set"), ("outubro", "out"), ("novembro",), ("dezembro",)),
    "it": (("gennaio", "gen"), ("febbraio",), ("marzo",), ("aprile",), ("maggio", "mag"), ("giugno", "giu"),
           ("luglio", "lug"), ("agosto",), ("settembre",), ("ottobre", "ott"), ("novembre",), ("dicembre",)),
    "ca": (("gener",), ("febrer",), ("març",), ("abril",), ("maig",), ("juny",), ("juliol",), ("agost",),
           ("setembre",), ("octubre",), ("novembre",), ("desembre",)),
    "nl": (("januari",), ("februari",), ("maart", "mrt"), ("april",), ("mei",), ("juni",), ("juli",),
           ("augustus",), ("september",), ("oktober",), ("november",), ("december",)),
    "sv-da-no": (("januar", "januari"), ("februar", "februari"), ("marts", "mars"), ("april",),
                 ("maj", "mai"), ("juni",), ("juli",), ("augusti", "august"), ("september",),
                 ("oktober",), ("november",), ("december", "desember")),
    "fi": (("tammikuuta",), ("helmikuuta",), ("maaliskuuta",), ("huhtikuuta",), ("toukokuuta",),
           ("kesäkuuta",), ("heinäkuuta",), ("elokuuta",), ("syyskuuta",), ("lokakuuta",),
           ("marraskuuta",), ("joulukuuta",)),
    "pl": (("stycznia",), ("lutego",), ("marca",), ("kwietnia",), ("maja",), ("czerwca",), ("lipca",),
           ("sierpnia",), ("września",), ("października",), ("listopada",), ("grudnia",)),
    "cs": (("ledna",), ("února",), ("března",), ("dubna",), ("května",), ("června",), ("července",),
           ("srpna",), ("září",), ("října",), ("listopadu",), ("prosince",)),
    "ro": (("ianuarie",), ("februarie",), ("martie",), ("aprilie",), ("mai",), ("iunie",), ("iulie",),
           ("august",), ("septembrie",), ("octombrie",), ("noiembrie",), ("decembrie",)),
    "hu": (("január",), ("február",), ("március",), ("április",), ("május",), ("június",), ("július",),
           ("augusztus",), ("szeptember",), ("október",), ("november",), ("december",)),
    "tr": (("ocak",), ("şubat",), ("mart",), ("nisan",), ("mayıs",), ("haziran",), ("temmuz",),
           ("ağustos",), ("eylül",), ("ekim",), ("kasım",), ("aralık",)),
    "id-ms": (("januari",), ("februari",), ("maret", "mac"), ("april",), ("mei",), ("juni", "jun"),
              ("juli", "julai"), ("agustus", "ogos"), ("september",), ("oktober",), ("november",),
              ("desember", "disember")),
    "ru": (("января",), ("февраля",), ("марта",), ("апреля",), ("мая",), ("июня",), ("июля",),
           ("августа",), ("сентября",), ("октября",), ("ноября",), ("декабря",)),
    "uk": (("січня",), ("лютого",), ("березня",), ("квітня",), ("травня",), ("червня",), ("липня",),
           ("серпня",), ("вересня",), ("жовтня",), ("листопада",), ("грудня",)),
    "bg": (("януари",), ("февруари",), ("март",), ("април",), ("май",), ("юни",), ("юли",),
           ("август",), ("септември",), ("октомври",), ("ноември",), ("декември",)),
    "el": (("ιανουαρίου",), ("φεβρουαρίου",), ("μαρτίου",), ("απριλίου",), ("μαΐου", "μαίου"),
           ("ιουνίου",), ("ιουλίου",), ("αυγούστου",), ("σεπτεμβρίου",), ("οκτωβρίου",),
           ("νοεμβρίου",), ("δεκεμβρίου",)),
    "lt": (("sausio",), ("vasario",), ("kovo",), ("balandžio",), ("gegužės",), ("birželio",), ("liepos",),
           ("rugpjūčio",), ("rugsėjo",), ("spalio",), ("lapkričio",), ("gruodžio",)),
    "et": (("jaanuar",), ("veebruar",), ("märts",), ("aprill",), ("mai",), ("juuni",), ("juuli",),
           ("august",), ("september",), ("oktoober",), ("november",), ("detsember",)),
    "ar": (("يناير", "كانون الثاني"), ("فبراير", "شباط"), ("مارس", "آذار"), ("أبريل", "ابريل", "نيسان"),
           ("مايو", "أيار"), ("يونيو", "حزيران"), ("يوليو", "تموز"), ("أغسطس", "آب"), ("سبتمبر", "أيلول"),
           ("أكتوبر", "اكتوبر", "تشرين الأول"), ("نوفمبر", "تشرين الثاني"), ("ديسمبر", "كانون الأول")),
}


def _build() -> dict[str, int]:
    names: dict[str, int] = {}
    for months in _BY_LANGUAGE.values():
        for number, forms in enumerate(months, start=1):
            for form in forms:
                known = names.setdefault(form.casefold(), number)
                if known != number:
                    raise ValueError(f"month name {form!r} means two months")
    return names


MONTH_NAMES: dict[str, int] = _build()
# English first-three-letter forms, for RFC 2822 and the English-only patterns.
ENGLISH_MONTHS = {forms[0][:3]: number for number, forms in enumerate(_BY_LANGUAGE["en"], start=1)}
