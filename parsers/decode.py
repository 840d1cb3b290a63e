"""Bytes → text for fetched pages and files.

Order of evidence (first that decodes cleanly wins):
BOM, charset in the HTTP Content-Type header, `<meta charset>` / `<meta http-equiv>` in the
first 4 KB, the XML declaration, then strict UTF-8 (validation is exact, detection only
guesses), then detection (charset_normalizer), then the declared/detected/UTF-8/GB18030
charsets with a few replacement characters tolerated (one broken byte must not lose a page).

The BOM is checked before the header (as browsers do, WHATWG "BOM sniffing"): a BOM cannot be
there by accident, while a wrong header charset is common.

Chinese legacy labels (gb2312, gbk, x-gbk, ...) are decoded as GB18030, a superset: pages that
declare gb2312 routinely contain GBK-only characters (蹚, 堃, U+2014).
A declared charset that fails strictly on the bytes is not forced (no mojibake): we fall back
to detection. A declared legacy charset is also overruled by bytes that are valid UTF-8 with
real multi-byte text, because such bytes are practically never GBK/Latin text by accident.
"""

from __future__ import annotations

import codecs
import re

from parsers.errors import BinaryInputError, DecodeError, EmptyInputError

PRESCAN_BYTES = 4096
DETECT_BYTES = 64 * 1024  # charset_normalizer gets a prefix: enough evidence, bounded time
# Replacement characters we tolerate from a declared charset when nothing decodes cleanly
# (one broken byte in an otherwise good page must not lose the page).
MAX_REPLACEMENT_RATIO = 0.005

_GB_LABELS = {
    "gb2312", "gb_2312", "gb_2312-80", "gbk", "x-gbk", "csgb2312", "cp936", "ms936",
    "windows-936", "euc-cn", "euccn", "x-euc-cn", "chinese", "iso-ir-58", "csiso58gb231280",
    "gb18030", "hz-gb-2312",
}
# Labels that browsers map to windows-1252, and that decode any byte string "successfully".
_LATIN_LABELS = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii",
                 "windows-1252", "cp1252", "x-cp1252", "iso_8859-1", "cp819", "ibm819"}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_MAGIC_NUMBERS = (
    b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"%PDF-", b"PK\x03\x04",
    b"PK\x05\x06", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07",
    b"\x7fELF", b"MZ", b"\xca\xfe\xba\xbe", b"\x00\x00\x01\x00", b"II*\x00", b"MM\x00*",
    b"OggS", b"fLaC", b"ID3", b"\x1aE\xdf\xa3", b"wOFF", b"wOF2", b"\x00asm", b"SQLite format 3",
    b"\xd0\xcf\x11\xe0",
)

_CHARSET_IN_CONTENT_TYPE = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.I)
_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.I)
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:\-]+)""", re.I)
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def decode_bytes(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode page bytes. Returns (text, charset used); the charset is a Python codec name."""
    if not data or not data.strip():
        raise EmptyInputError("empty input")
    for bom, charset in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(charset), charset.replace("-le", "").replace("-be", "")
            except UnicodeDecodeError:
                break  # a broken BOM file: let the rest of the evidence decide
    wide = _wide_charset_from_header(content_type)
    if wide:
        text = _try_decode(data, wide)
        if text is not None:
            return text, wide
    reject_binary(data)

    header = charset_from_content_type(content_type)
    in_document = [c for c in (charset_from_meta(data), charset_from_xml_declaration(data)) if c]
    if header == "cp1252" and in_document:
        # "iso-8859-1" is a common server default, weaker evidence than the page's own <meta>
        declared = in_document + [header]
    else:
        declared = ([header] if header else []) + in_document
    for charset in declared:
        text = _try_decode(data, charset)
        if text is None:
            continue
        if charset != "utf-8":
            utf8 = _utf8_if_real_multibyte(data)
            if utf8 is not None:
                return utf8, "utf-8"
        return text, charset

    # Strict UTF-8 validation is exact where detection guesses, so it goes first.
    text = _try_decode(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    detected = detect_charset(data)
    if detected:
        text = _try_decode(data, detected)
        if text is not None:
            return text, detected
    for charset in dict.fromkeys(declared + ([detected] if detected else []) + ["utf-8", "gb18030"]):
        text = data.decode(charset, errors="replace")
        if text.count("\ufffd") <= max(4, len(text) * MAX_REPLACEMENT_RATIO):
            return text, charset
    raise DecodeError("bytes do not decode with the declared, detected or UTF-8 charset")


def normalize_charset(label: str | None) -> str | None:
    """Map a charset label to a Python codec name; None for unknown labels."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _GB_LABELS:
        return "gb18030"
    if label in ("big5", "big5-hkscs", "cn-big5", "x-x-big5", "csbig5"):
        return "big5hkscs"  # superset of big5
    if label in _LATIN_LABELS:
        return "cp1252"
    if label in ("utf-16", "utf-16le", "utf-16be", "unicode"):
        return "utf-8"  # WHATWG: a meta claiming UTF-16 in an ASCII-compatible prescan means UTF-8
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in ("gbk", "gb2312"):
        return "gb18030"
    return name


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _CHARSET_IN_CONTENT_TYPE.search(content_type)
    return normalize_charset(m.group(1)) if m else None


def _wide_charset_from_header(content_type: str | None) -> str | None:
    """utf-16/utf-32 named by the HTTP header (BOM-less wide text has NUL bytes: check it first)."""
    m = _CHARSET_IN_CONTENT_TYPE.search(content_type or "")
    if not m:
        return None
    label = m.group(1).lower()
    return label if label in ("utf-16le", "utf-16be", "utf-32le", "utf-32be", "utf-16", "utf-32") else None


def charset_from_meta(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:PRESCAN_BYTES])
    return normalize_charset(m.group(1).decode("ascii", "ignore")) if m else None


def charset_from_xml_declaration(data: bytes) -> str | None:
    m = _XML_DECLARATION.match(data[:512])
    return normalize_charset(m.group(1).decode("ascii", "ignore")) if m else None


def detect_charset(data: bytes) -> str | None:
    """charset_normalizer's best guess for a bounded prefix, as a normalized codec name."""
    from charset_normalizer import from_bytes

    sample = data[:DETECT_BYTES]
    try:
        best = from_bytes(sample).best()
    except Exception:  # the detector is a heuristic: its failure is "no guess", not an error
        return None
    if best is None:
        return None
    return normalize_charset(best.encoding)


def reject_binary(data: bytes) -> None:
    """Raise BinaryInputError for images, archives, executables and other non-text bytes."""
    head = data[:16]
    for magic in _MAGIC_NUMBERS:
        if head.startswith(magic):
            raise BinaryInputError(f"binary input (magic number {magic[:8]!r})")
    if head[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        raise BinaryInputError("binary input (RIFF container)")
    if data[4:8] == b"ftyp":
        raise BinaryInputError("binary input (ISO media)")
    sample = data[:8192]
    if b"\x00" in sample:
        raise BinaryInputError("binary input (NUL bytes)")
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > len(sample) * 0.05:
        raise BinaryInputError("binary input (mostly control bytes)")


def _try_decode(data: bytes, charset: str) -> str | None:
    try:
        return data.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return None


def _utf8_if_real_multibyte(data: bytes, min_multibyte: int = 8) -> str | None:
    """The UTF-8 text when the bytes are valid UTF-8 holding at least `min_multibyte` non-ASCII chars."""
    if data.isascii():
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return text if non_ascii >= min_multibyte else None
