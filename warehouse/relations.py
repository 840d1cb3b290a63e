"""Duplicates and reposts between stored articles: exact and near duplicates of the body, and repost_of.

`detect_relations(con, article_ids)` runs inside the loader's batch transaction for the batch's new and
updated top-level articles. It fingerprints each one (`article_fingerprints`: a hash of the normalized body,
a MinHash signature, URL keys), stores the signature's LSH band hashes (`article_minhash_bands`), and finds
the batch's relations to everything stored by joins on those keys, so nothing already stored is read or
hashed again. docs/schema.md explains the tables and the choices (thresholds, shingles, orientation).

MinHash here is one-permutation MinHash (one 64-bit hash per shingle, split into NUM_PERM bins, the minimum
kept per bin; empty bins filled by "optimal densification", Shrivastava 2017), vectorized with numpy: cost
grows with the number of shingles, not shingles x permutations. The fraction of equal bins of two
signatures estimates the Jaccard similarity of their shingle sets.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

import duckdb
import numpy as np
import pyarrow as pa

from .bulk import execute_in, id_table, insert_arrow, registered
from .runs import utc_now

__all__ = [
    "detect_relations", "backfill_relations", "normalized_text", "text_sha256", "url_key", "shingle_hashes",
    "minhash_signatures", "band_hashes", "estimated_similarity",
    "EXACT_DUPLICATE", "NEAR_DUPLICATE", "REPOST_OF", "NEAR_DUPLICATE_THRESHOLD",
]

EXACT_DUPLICATE, NEAR_DUPLICATE, REPOST_OF = "exact_duplicate", "near_duplicate", "repost_of"
METHOD_TEXT_HASH, METHOD_MINHASH, METHOD_ORIGINAL_URL, METHOD_SOURCE_NAME = (
    "text_sha256", "minhash", "original_url", "source_name")

NEAR_DUPLICATE_THRESHOLD = 0.8  # Jaccard of the shingle sets (MinHash estimate, exact when near the threshold)
VERIFY_FLOOR = 0.6              # LSH candidates estimated in [0.6, 0.8) are compared shingle by shingle
MIN_TEXT_CHARS = 50             # shorter bodies ("详见附件") are neither exact nor near duplicates of anything
NUM_PERM = 120                  # MinHash bins
BANDS, ROWS = 20, 6             # LSH: a pair is a candidate if all 6 bins of any of the 20 bands agree
CHAR_SHINGLE = 5                # CJK text: 5-grams of characters
WORD_SHINGLE = 3                # other text: 3-grams of words
CHUNK_ARTICLES = 2000           # signatures are computed this many articles at a time (bounds memory)
MIN_THREAD_CHUNK = 250          # smaller batches are fingerprinted in the calling thread
WORKERS = min(2, os.cpu_count() or 1)
assert BANDS * ROWS == NUM_PERM

_U64 = np.uint64
_MASK32 = _U64(0xFFFFFFFF)
_EMPTY = _U64(1 << 32)          # above every 32-bit bin value: marks an empty bin before densification
_POLY = _U64(0x100000001B3)     # multiplier of the polynomial that combines a shingle's tokens
_SEED = 0x6E657773647563B      # fixed forever: band hashes are stored, so every hash must be stable
_MAX_PROBES = 64

FINGERPRINT_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("text_sha256", pa.string()), ("text_chars", pa.int64()),
    ("shingles", pa.int64()), ("minhash", pa.binary()), ("url_key", pa.string()),
    ("canonical_url_key", pa.string()), ("original_url_key", pa.string()), ("computed_at", pa.timestamp("us", tz="UTC")),
])
# Fingerprint rows as prepared before the load (warehouse.prepare); the load adds when it stored them.
PREPARED_FINGERPRINT_SCHEMA = pa.schema([f for f in FINGERPRINT_SCHEMA if f.name != "computed_at"])
BAND_SCHEMA = pa.schema([("band", pa.int32()), ("band_hash", pa.int64()), ("article_id", pa.string())])
RELATION_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("related_article_id", pa.string()), ("relation", pa.string()),
    ("similarity", pa.float64()), ("method", pa.string()), ("detected_at", pa.timestamp("us", tz="UTC")),
])


# ---------------------------------------------------------------- text and URL keys

def normalized_text(body_text: str | None) -> str:
    """The body as whitespace-collapsed paragraphs, one per line (what the exact-duplicate hash covers)."""
    lines = (" ".join(line.split()) for line in (body_text or "").splitlines())
    return "\n".join(line for line in lines if line)


def text_sha256(body_text: str | None, *, normalized: bool = False) -> str | None:
    """SHA-256 of the normalized body; None for bodies under MIN_TEXT_CHARS (they are never duplicates)."""
    text = (body_text or "") if normalized else normalized_text(body_text)
    if len(text) < MIN_TEXT_CHARS:
        return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_DEFAULT_PORTS = {"http": 80, "https": 443}


def url_key(url: str | None) -> str | None:
    """The form two URLs are compared in: host lower-case, default port, fragment and scheme dropped.

    The scheme is dropped because reposts often cite http:// for a page served over https:// (or the
    reverse). Path and query are kept as they are; an empty path is '/'.
    """
    if not url or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    return urlunsplit(("", host, parts.path or "/", parts.query, ""))


# ---------------------------------------------------------------- shingles and MinHash

def _mix64(z: np.ndarray, *, in_place: bool = False) -> np.ndarray:
    """splitmix64's finalizer: a fast, stable 64-bit mixing of uint64 values."""
    z = z if in_place else z.copy()
    z ^= z >> _U64(30)
    z *= _U64(0xBF58476D1CE4E5B9)
    z ^= z >> _U64(27)
    z *= _U64(0x94D049BB133111EB)
    z ^= z >> _U64(31)
    return z


_CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
_TABLE_SIZE = 0x31350
_HANGUL_JAMO = (0x1100, 0x11FF)  # composed algorithmically (not in the decomposition data): never one-to-one


@dataclass(frozen=True)
class _CharTables:
    is_word: np.ndarray   # bool per code point: a word character (after folding)
    is_cjk: np.ndarray    # bool per code point
    folded: np.ndarray    # uint32 per code point: NFKC + casefold of the character alone, when that is one character
    simple: np.ndarray    # bool per code point: folding it alone is folding it in any text (see _fold_table)


_tables: _CharTables | None = None
# The tables as built for this module's Unicode version, shipped with it: building them takes 0.4-1 s of CPU,
# which every process that fingerprints an article would pay. `python -m warehouse.relations` writes the file.
CHAR_TABLES_FILE = Path(__file__).with_name("char_tables.npz")


def _char_tables() -> _CharTables:
    """Per code point below _TABLE_SIZE: word, CJK, folded value, one-to-one folding; read from CHAR_TABLES_FILE
    when it was built by this Python's Unicode database, else built (once per process)."""
    global _tables
    if _tables is None:
        _tables = read_char_tables(CHAR_TABLES_FILE) or build_char_tables()
    return _tables


def build_char_tables() -> _CharTables:
    is_word = np.frombuffer(bytes(chr(c).isalnum() for c in range(_TABLE_SIZE)), dtype=np.bool_).copy()
    folded, simple = _fold_table()
    return _CharTables(is_word, _cjk_table(), folded, simple)


def _cjk_table() -> np.ndarray:
    is_cjk = np.zeros(_TABLE_SIZE, dtype=np.bool_)
    for low, high in _CJK_RANGES:
        is_cjk[low:high + 1] = True
    return is_cjk


def write_char_tables(path: Path, tables: _CharTables) -> None:
    """Store `tables` for this Unicode version: bits for the flags, each folded value as its XOR with its code
    point (nearly all zero), compressed: about 40 KB."""
    code_points = np.arange(_TABLE_SIZE, dtype=np.uint32)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as out:
        np.savez_compressed(out, unicode_version=np.array(unicodedata.unidata_version),
                            is_word=np.packbits(tables.is_word), simple=np.packbits(tables.simple),
                            folded_xor=tables.folded ^ code_points)
    os.replace(tmp, path)


def read_char_tables(path: Path) -> _CharTables | None:
    """The tables stored at `path`, or None when there are none, they are unreadable, or they were built from
    another Unicode version than this Python's."""
    try:
        with np.load(path) as stored:
            if str(stored["unicode_version"]) != unicodedata.unidata_version:
                return None
            is_word = np.unpackbits(stored["is_word"], count=_TABLE_SIZE).astype(np.bool_)
            simple = np.unpackbits(stored["simple"], count=_TABLE_SIZE).astype(np.bool_)
            folded = stored["folded_xor"] ^ np.arange(_TABLE_SIZE, dtype=np.uint32)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    if folded.shape != (_TABLE_SIZE,) or folded.dtype != np.uint32:
        return None
    return _CharTables(is_word, _cjk_table(), folded, simple)


def _fold_table() -> tuple[np.ndarray, np.ndarray]:
    """The folding of _prepare as a per-character table, and where that table is exact.

    NFKC(text) is the concatenation of NFKC(c) over its characters when no character's compatibility
    decomposition holds a combining mark (nothing to reorder) or a character that composes with the one
    before it (nothing to compose across characters); casefold works character by character. A character
    is "simple" when that holds and it folds to exactly one character. Texts made only of simple characters
    (nearly all Chinese text) are folded with the table; any other text goes through _prepare itself.
    """
    composes_with_previous = set(range(_HANGUL_JAMO[0], _HANGUL_JAMO[1] + 1))
    for c in range(_TABLE_SIZE):
        decomposition = unicodedata.decomposition(chr(c)).split()
        if len(decomposition) == 2 and not decomposition[0].startswith("<"):
            composes_with_previous.add(int(decomposition[1], 16))
    folded = np.zeros(_TABLE_SIZE, dtype=np.uint32)
    simple = np.zeros(_TABLE_SIZE, dtype=np.bool_)
    for c in range(_TABLE_SIZE):
        char = chr(c)
        if 0xD800 <= c <= 0xDFFF:  # surrogates: not encodable, never in a str that reached here whole
            continue
        out = _prepare(char)
        parts = unicodedata.normalize("NFKD", char)
        if len(out) == 1 and all(unicodedata.combining(p) == 0 and ord(p) not in composes_with_previous
                                 for p in parts + out):
            folded[c] = ord(out)
            simple[c] = True
    return folded, simple


_WORD = re.compile(r"[^\W_]+")


def _prepare(text: str) -> str:
    """Case- and width-folded text (NFKC, casefold): full- and half-width variants shingle alike."""
    return unicodedata.normalize("NFKC", text).casefold()


def shingle_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of every shingle of every text, and the index of the text each one belongs to.

    A text that is mostly CJK is shingled as 5-grams of its word characters (punctuation and spaces
    dropped); other text as 3-grams of words. A text shorter than one shingle gives a single shingle.
    Texts are case- and width-folded first (_prepare).
    """
    tables = _char_tables()
    codes, owner, prepared = _folded_codes(texts, tables)
    looked_up = np.minimum(codes, _TABLE_SIZE - 1)
    word = tables.is_word[looked_up] | (codes >= _TABLE_SIZE)
    words_per_text = np.bincount(owner[word], minlength=len(texts))
    cjk_per_text = np.bincount(owner[word & tables.is_cjk[looked_up]], minlength=len(texts))
    char_mode = (words_per_text > 0) & (2 * cjk_per_text >= words_per_text)

    hashes, owners = [np.empty(0, dtype=np.uint64)], [np.empty(0, dtype=np.int64)]
    if char_mode.any():
        keep = word & char_mode[owner]
        hashes_, owners_ = _kgrams(codes[keep].astype(np.uint64), owner[keep], CHAR_SHINGLE, len(texts))
        hashes.append(hashes_)
        owners.append(owners_)
    word_docs = np.flatnonzero(~char_mode & (words_per_text > 0))
    if word_docs.size:
        hashes_, owners_ = _word_shingles([prepared(i) for i in word_docs])
        hashes.append(hashes_)
        owners.append(word_docs[owners_])
    return np.concatenate(hashes), np.concatenate(owners)


def _folded_codes(texts: Sequence[str], tables: _CharTables) -> tuple[np.ndarray, np.ndarray, Callable[[int], str]]:
    """Code points of every folded text, one after the other, with the index of the text of each; and a
    function giving folded text i as a str.

    One encode and table look-ups for all texts of simple characters; _prepare for the others (rare).
    """
    texts = [t or "" for t in texts]
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    owner = np.repeat(np.arange(len(texts), dtype=np.int64), [len(t) for t in texts])
    looked_up = np.minimum(codes, _TABLE_SIZE - 1)
    complex_texts = np.unique(owner[~tables.simple[looked_up] | (codes >= _TABLE_SIZE)])
    if complex_texts.size == 0:
        return tables.folded[codes], owner, lambda i: _prepare(texts[i])
    in_simple = np.ones(len(texts), dtype=np.bool_)
    in_simple[complex_texts] = False
    keep = in_simple[owner]
    slow = {int(i): _prepare(texts[i]) for i in complex_texts}
    slow_codes = np.frombuffer("".join(slow.values()).encode("utf-32-le"), dtype=np.uint32)
    slow_owner = np.repeat(np.fromiter(slow, dtype=np.int64, count=len(slow)), [len(t) for t in slow.values()])
    all_owner = np.concatenate([owner[keep], slow_owner])
    order = np.argsort(all_owner, kind="stable")  # back in text order, each text's code points in order
    return (np.concatenate([tables.folded[codes[keep]], slow_codes])[order], all_owner[order],
            lambda i: slow[i] if i in slow else _prepare(texts[i]))


def _word_shingles(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    token_ids: dict[str, int] = {}
    tokens: list[int] = []
    counts: list[int] = []
    for text in texts:
        words = _WORD.findall(text)
        counts.append(len(words))
        tokens.extend(token_ids.setdefault(w, len(token_ids)) for w in words)
    vocabulary = np.array(
        [int.from_bytes(hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest(), "little") for w in token_ids],
        dtype=np.uint64)
    values = vocabulary[np.asarray(tokens, dtype=np.int64)] if tokens else np.empty(0, dtype=np.uint64)
    owner = np.repeat(np.arange(len(texts), dtype=np.int64), counts)
    return _kgrams(values, owner, WORD_SHINGLE, len(texts))


def _kgrams(values: np.ndarray, owner: np.ndarray, k: int, n_texts: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of the k-token windows that lie within one text; a text of 1..k-1 tokens gives one shingle."""
    hashes, owners = [np.empty(0, dtype=np.uint64)], [np.empty(0, dtype=np.int64)]
    n = values.size
    if n >= k:
        h = values[: n - k + 1].copy()
        for j in range(1, k):
            h *= _POLY
            h += values[j: n - k + 1 + j]
        inside = owner[: n - k + 1] == owner[k - 1:]
        hashes.append(h[inside])
        owners.append(owner[: n - k + 1][inside])
    per_text = np.bincount(owner, minlength=n_texts)
    short = np.flatnonzero((per_text > 0) & (per_text < k))
    if short.size:  # rare (bodies this short are skipped anyway): one shingle of the whole text
        starts = np.searchsorted(owner, short)
        for text_index, start in zip(short, starts):
            h = 0
            for v in values[start: start + per_text[text_index]].tolist():
                h = (h * int(_POLY) + v) & 0xFFFFFFFFFFFFFFFF
            hashes.append(np.array([h], dtype=np.uint64))
            owners.append(np.array([text_index], dtype=np.int64))
    combined = np.concatenate(hashes)
    combined ^= _U64(_SEED)
    return _mix64(combined, in_place=True), np.concatenate(owners)


def _probe_table() -> np.ndarray:
    """For each bin, the fixed sequence of bins an empty bin borrows from (optimal densification)."""
    j = np.arange(NUM_PERM, dtype=np.uint64)[:, None]
    t = np.arange(_MAX_PROBES, dtype=np.uint64)[None, :]
    mixed = _mix64((j << _U64(32)) + t + _U64(_SEED))
    return ((mixed >> _U64(32)) * _U64(NUM_PERM) >> _U64(32)).astype(np.int64)


_PROBES = _probe_table()


def minhash_signatures(hashes: np.ndarray, owners: np.ndarray, n_texts: int) -> np.ndarray:
    """(n_texts, NUM_PERM) uint32 one-permutation MinHash signatures; a text without shingles gets zeros."""
    bins = ((hashes >> _U64(32)) * _U64(NUM_PERM) >> _U64(32)).astype(np.int64)
    flat = np.full(n_texts * NUM_PERM, _EMPTY, dtype=np.uint64)
    np.minimum.at(flat, owners * NUM_PERM + bins, hashes & _MASK32)
    signatures = flat.reshape(n_texts, NUM_PERM)
    _densify(signatures)
    signatures[signatures == _EMPTY] = 0
    return signatures.astype(np.uint32)


def _densify(signatures: np.ndarray) -> None:
    """Fill each empty bin from the first non-empty bin of its probe sequence (the same for every text)."""
    original = signatures.copy()
    for attempt in range(_MAX_PROBES):
        empty = signatures == _EMPTY
        if not empty.any():
            return
        borrowed = original[:, _PROBES[:, attempt]]
        fill = empty & (borrowed != _EMPTY)
        signatures[fill] = borrowed[fill]
    rows, cols = np.nonzero(signatures == _EMPTY)  # still empty after all probes: the next non-empty bin
    for row, col in zip(rows, cols):
        filled = np.flatnonzero(original[row] != _EMPTY)
        if filled.size:
            signatures[row, col] = original[row, filled[np.searchsorted(filled, col) % filled.size]]


def band_hashes(signatures: np.ndarray) -> np.ndarray:
    """(n, BANDS) uint64: each band's ROWS bins hashed together, salted with the band number.

    Stored as BIGINT (the same 64 bits, signed)."""
    values = signatures.astype(np.uint64)
    out = np.empty((values.shape[0], BANDS), dtype=np.uint64)
    for band in range(BANDS):
        h = np.full(values.shape[0], _U64(_SEED + band), dtype=np.uint64)
        for row in range(band * ROWS, (band + 1) * ROWS):
            h = _mix64(h * _POLY + values[:, row])
        out[:, band] = h
    return out


def estimated_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise share of equal bins of two (n, NUM_PERM) signature arrays: the estimated Jaccard."""
    return (a == b).mean(axis=1)


# ---------------------------------------------------------------- detection

@dataclass
class Fingerprint:
    article_id: str
    text_sha256: str | None
    text_chars: int
    signature: np.ndarray | None  # None when the body is under MIN_TEXT_CHARS
    url_key: str | None
    canonical_url_key: str | None
    original_url_key: str | None
    shingles: int = 0


@dataclass
class Relation:
    article_id: str
    related_article_id: str
    relation: str
    similarity: float | None
    method: str


@dataclass
class ArticleFacts:
    """What orienting a pair needs: who is earlier, and who credits whom."""
    published_at: datetime | None
    first_seen_at: datetime
    source_name: str | None
    site_name: str | None

    def order_key(self, article_id: str) -> tuple:
        return (self.published_at is None, self.published_at or self.first_seen_at, self.first_seen_at, article_id)


@dataclass
class Pair:
    """Two articles whose bodies match (similarity known) and/or one cites the other's URL."""
    similarity: float | None = None
    exact: bool = False
    cites: set[tuple[str, str]] = field(default_factory=set)  # (repost, original) by original_url


@dataclass
class FingerprintTables:
    """The article_fingerprints rows (without computed_at) and article_minhash_bands rows of some articles,
    built before the load (warehouse.prepare)."""
    fingerprints: pa.Table
    bands: pa.Table

    @classmethod
    def of(cls, fingerprints: list[Fingerprint]) -> "FingerprintTables":
        return cls(fingerprint_table(fingerprints), band_table(fingerprints))

    def covers_exactly(self, sorted_ids: list[str]) -> bool:
        return sorted(self.fingerprints["article_id"].to_pylist()) == sorted_ids


def detect_relations(con: duckdb.DuckDBPyConnection, article_ids: list[str],
                     articles: Sequence[tuple] | None = None,
                     fingerprints: Mapping[str, "Fingerprint"] | None = None, *,
                     tables: FingerprintTables | None = None) -> int:
    """Find the relations of these (new or changed) articles to every stored article, and store them.

    Runs in the caller's transaction. Sub-articles and unknown ids are ignored. Earlier fingerprints,
    bands and relations of the given articles are replaced, so calling it twice changes nothing.
    `articles`, when the caller has them at hand (the loader does), are the (article_id, body_text, url,
    canonical_url, original_url) of exactly these top-level articles, as stored: they are not read back.
    `fingerprints` are those of some of these articles computed beforehand (warehouse.prepare); the others are
    computed here. `tables` are those fingerprints' rows built beforehand too; they are used when they cover
    exactly these articles. Returns the number of relation rows written.
    """
    ids = sorted(set(article_ids))
    if not ids:
        return 0
    forget_articles(con, ids)
    rows = sorted(articles, key=lambda row: row[0]) if articles is not None else top_level_articles(con, ids)
    if not rows:
        return 0
    fingerprints = fingerprints_of(rows, fingerprints or {})
    if tables is None or not tables.covers_exactly([row[0] for row in rows]):
        tables = FingerprintTables.of(fingerprints)
    bands = tables.bands
    store_fingerprints(con, tables)

    pairs: dict[tuple[str, str], Pair] = {}
    signatures = {f.article_id: f.signature for f in fingerprints if f.signature is not None}
    for a, b in exact_duplicate_pairs(con, fingerprints):
        pairs.setdefault(pair_key(a, b), Pair()).exact = True
    candidates = sorted({pair_key(a, b) for a, b in band_candidates(con, bands)} - pairs.keys())
    citations = url_citations(con, fingerprints)
    for a, b in citations:
        pairs.setdefault(pair_key(a, b), Pair()).cites.add((a, b))
    signatures.update(stored_signatures(con, {x for key in [*candidates, *pairs] for x in key} - set(signatures)))
    estimates = similarities(candidates, signatures)
    borderline = [key for key, value in zip(candidates, estimates)
                  if value is not None and VERIFY_FLOOR <= value < NEAR_DUPLICATE_THRESHOLD]
    exact = exact_similarities(con, borderline, rows)
    for key, similarity in zip(candidates, estimates):
        similarity = exact.get(key, similarity)
        if similarity is not None and similarity >= NEAR_DUPLICATE_THRESHOLD:
            pairs.setdefault(key, Pair()).similarity = similarity
    for key, pair in pairs.items():
        if pair.exact:
            pair.similarity = 1.0
        elif pair.similarity is None:
            pair.similarity = next(iter(similarities([key], signatures)), None)

    involved = {x for key in pairs for x in key}
    facts = article_facts(con, involved)
    citers = {a for a, _ in citations} | stored_citers(con, involved)
    relations = [r for key, pair in pairs.items() for r in relations_of_pair(key, pair, facts, citers)]
    store_relations(con, relations)
    return len(relations)


def backfill_relations(con: duckdb.DuckDBPyConnection, chunk: int = 5000) -> int:
    """Fingerprint every stored top-level article and detect all relations (migration 002's Python step)."""
    ids = [row[0] for row in con.execute(
        "SELECT article_id FROM articles WHERE parent_article_id IS NULL ORDER BY first_seen_at, article_id").fetchall()]
    return sum(detect_relations(con, ids[i:i + chunk]) for i in range(0, len(ids), chunk))


def pair_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def forget_articles(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    """Delete what earlier detection stored for these articles (only those that have a fingerprint)."""
    known = [r[0] for r in execute_in(con, "SELECT article_id FROM article_fingerprints WHERE article_id IN ({values})",
                                     ids)]
    if not known:
        return
    with registered(con, "__relation_forget", id_table(known)) as view:
        con.execute(f"DELETE FROM article_relations WHERE article_id IN (SELECT id FROM {view}) "
                    f"OR related_article_id IN (SELECT id FROM {view})")
        con.execute(f"DELETE FROM article_minhash_bands WHERE article_id IN (SELECT id FROM {view})")
        con.execute(f"DELETE FROM article_fingerprints WHERE article_id IN (SELECT id FROM {view})")


def top_level_articles(con: duckdb.DuckDBPyConnection, ids: list[str]) -> list[tuple]:
    return sorted(execute_in(con, "SELECT article_id, body_text, url, canonical_url, original_url FROM articles "
                                 "WHERE article_id IN ({values}) AND parent_article_id IS NULL", ids))


def fingerprints_of(rows: list[tuple], known: Mapping[str, Fingerprint]) -> list[Fingerprint]:
    """The fingerprints of the rows, in row order: those in `known`, the others computed."""
    missing = [row for row in rows if row[0] not in known]
    computed = {f.article_id: f for f in fingerprint_articles(missing)} if missing else {}
    return [known.get(row[0]) or computed[row[0]] for row in rows]


def fingerprint_articles(rows: list[tuple]) -> list[Fingerprint]:
    """Fingerprints of (article_id, body_text, url, canonical_url, original_url) rows, in row order.

    Large batches are split over WORKERS threads: the numpy work releases the GIL.
    """
    _char_tables()  # built once, before any thread needs it
    size = min(CHUNK_ARTICLES, max(MIN_THREAD_CHUNK, -(-len(rows) // WORKERS)))
    chunks = [rows[i:i + size] for i in range(0, len(rows), size)]
    if len(chunks) == 1:
        return fingerprint_chunk(chunks[0])
    with ThreadPoolExecutor(WORKERS) as pool:
        return [f for part in pool.map(fingerprint_chunk, chunks) for f in part]


def fingerprint_chunk(rows: list[tuple]) -> list[Fingerprint]:
    texts = [normalized_text(body) for _, body, *_ in rows]
    hashable = [i for i, text in enumerate(texts) if len(text) >= MIN_TEXT_CHARS]
    hashes, owners = shingle_hashes([texts[i] for i in hashable])
    signatures = minhash_signatures(hashes, owners, len(hashable))
    shingle_counts = np.bincount(owners, minlength=len(hashable))
    signature_of = {index: (signatures[n], int(shingle_counts[n]))
                    for n, index in enumerate(hashable) if shingle_counts[n]}
    fingerprints = []
    for i, (article_id, _, url, canonical_url, original_url) in enumerate(rows):
        signature, shingles = signature_of.get(i, (None, 0))
        fingerprints.append(Fingerprint(
            article_id=article_id, text_sha256=text_sha256(texts[i], normalized=True), text_chars=len(texts[i]),
            signature=signature, url_key=url_key(url), canonical_url_key=url_key(canonical_url),
            original_url_key=url_key(original_url), shingles=shingles))
    return fingerprints


def band_table(fingerprints: list[Fingerprint]) -> pa.Table:
    """The article_minhash_bands rows of the fingerprints that have a signature."""
    signed = [f for f in fingerprints if f.signature is not None]
    hashes = band_hashes(np.stack([f.signature for f in signed])) if signed else np.empty((0, BANDS), dtype=np.uint64)
    return pa.table({
        "band": pa.array(np.tile(np.arange(BANDS, dtype=np.int32), len(signed))),
        # stored signed: DuckDB pushes join filters into Arrow scans, and pyarrow cannot take uint64 > 2**63 there
        "band_hash": pa.array(hashes.reshape(-1).view(np.int64)),
        "article_id": pa.array([f.article_id for f in signed for _ in range(BANDS)], type=pa.string()),
    }, schema=BAND_SCHEMA)


def fingerprint_table(fingerprints: list[Fingerprint]) -> pa.Table:
    """The article_fingerprints rows of the fingerprints, without computed_at."""
    return pa.table({
        "article_id": [f.article_id for f in fingerprints],
        "text_sha256": [f.text_sha256 for f in fingerprints],
        "text_chars": [f.text_chars for f in fingerprints],
        "shingles": [f.shingles for f in fingerprints],
        "minhash": [f.signature.astype("<u4").tobytes() if f.signature is not None else None for f in fingerprints],
        "url_key": [f.url_key for f in fingerprints],
        "canonical_url_key": [f.canonical_url_key for f in fingerprints],
        "original_url_key": [f.original_url_key for f in fingerprints],
    }, schema=PREPARED_FINGERPRINT_SCHEMA)


def store_fingerprints(con: duckdb.DuckDBPyConnection, tables: FingerprintTables) -> None:
    rows, computed_at = tables.fingerprints, FINGERPRINT_SCHEMA.field("computed_at")
    insert_arrow(con, "article_fingerprints", rows.append_column(
        computed_at, pa.array([utc_now()] * rows.num_rows, type=computed_at.type)))
    insert_arrow(con, "article_minhash_bands", tables.bands)


def exact_duplicate_pairs(con: duckdb.DuckDBPyConnection, fingerprints: list[Fingerprint]) -> list[tuple[str, str]]:
    """Pairs of a batch article and any other article with the same normalized body."""
    hashed = [f for f in fingerprints if f.text_sha256 is not None]
    if not hashed:
        return []
    batch = pa.table({"article_id": [f.article_id for f in hashed], "text_sha256": [f.text_sha256 for f in hashed]})
    with registered(con, "__relation_batch_text", batch) as view:
        return con.execute(f"""
            SELECT b.article_id, f.article_id
            FROM article_fingerprints f
            JOIN {view} b ON f.text_sha256 = b.text_sha256 AND f.article_id <> b.article_id
        """).fetchall()


def band_candidates(con: duckdb.DuckDBPyConnection, bands: pa.Table) -> list[tuple[str, str]]:
    """Pairs of a batch article and any other article that share at least one (band, band_hash)."""
    if bands.num_rows == 0:
        return []
    with registered(con, "__relation_batch_bands", bands) as view:
        return con.execute(f"""
            SELECT DISTINCT b.article_id, s.article_id
            FROM article_minhash_bands s
            JOIN {view} b ON s.band_hash = b.band_hash AND s.band = b.band AND s.article_id <> b.article_id
        """).fetchall()


def url_citations(con: duckdb.DuckDBPyConnection, fingerprints: list[Fingerprint]) -> list[tuple[str, str]]:
    """(repost, original) where the repost's original_url is the other's URL or canonical URL (as url_key).

    Either side may be in the batch: a repost can be loaded before its original.
    """
    keys = [(f.article_id, f.original_url_key, True) for f in fingerprints if f.original_url_key]
    keys += [(f.article_id, k, False) for f in fingerprints for k in {f.url_key, f.canonical_url_key} if k]
    if not keys:
        return []
    batch = pa.table({"article_id": [a for a, _, _ in keys], "k": [k for _, k, _ in keys],
                      "citing": [c for _, _, c in keys]})
    with registered(con, "__relation_url_keys", batch) as view:
        pairs = con.execute(f"""
            SELECT b.article_id, f.article_id FROM article_fingerprints f JOIN {view} b ON f.url_key = b.k
            WHERE b.citing
            UNION ALL
            SELECT b.article_id, f.article_id FROM article_fingerprints f JOIN {view} b ON f.canonical_url_key = b.k
            WHERE b.citing
            UNION ALL
            SELECT f.article_id, b.article_id FROM article_fingerprints f JOIN {view} b ON f.original_url_key = b.k
            WHERE NOT b.citing
        """).fetchall()
    return sorted({(a, b) for a, b in pairs if a != b})


def stored_signatures(con: duckdb.DuckDBPyConnection, ids: set[str]) -> dict[str, np.ndarray]:
    rows = execute_in(con, "SELECT article_id, minhash FROM article_fingerprints "
                          "WHERE article_id IN ({values}) AND minhash IS NOT NULL", sorted(ids))
    return {article_id: np.frombuffer(blob, dtype="<u4") for article_id, blob in rows}


def similarities(keys: list[tuple[str, str]], signatures: dict[str, np.ndarray]) -> list[float | None]:
    """Estimated Jaccard per pair; None when either side has no signature (body too short)."""
    known = [i for i, (a, b) in enumerate(keys) if a in signatures and b in signatures]
    out: list[float | None] = [None] * len(keys)
    if known:
        left = np.stack([signatures[keys[i][0]] for i in known])
        right = np.stack([signatures[keys[i][1]] for i in known])
        for i, value in zip(known, estimated_similarity(left, right)):
            out[i] = round(float(value), 4)
    return out


def exact_similarities(con: duckdb.DuckDBPyConnection, keys: list[tuple[str, str]],
                       batch: Sequence[tuple]) -> dict[tuple[str, str], float]:
    """The Jaccard similarity of the shingle sets themselves, for pairs whose MinHash estimate is close below the
    threshold: with 120 bins the estimate's standard error is up to ~0.045, so a true 0.83 can come out 0.73.
    Bodies of the batch's (article_id, body_text, …) rows are used as they are; others are read."""
    if not keys:
        return {}
    ids = {x for key in keys for x in key}
    texts = {row[0]: row[1] for row in batch if row[0] in ids}
    missing = sorted(ids - texts.keys())
    if missing:
        texts.update(execute_in(con, "SELECT article_id, body_text FROM articles WHERE article_id IN ({values})", missing))
    order = sorted(texts)
    hashes, owners = shingle_hashes([normalized_text(texts[i]) for i in order])
    shingles = {article_id: np.unique(hashes[owners == n]) for n, article_id in enumerate(order)}
    out = {}
    for a, b in keys:
        if a in shingles and b in shingles:
            shared = np.intersect1d(shingles[a], shingles[b], assume_unique=True).size
            union = shingles[a].size + shingles[b].size - shared
            out[(a, b)] = round(shared / union, 4) if union else 0.0
    return out


def article_facts(con: duckdb.DuckDBPyConnection, ids: set[str]) -> dict[str, ArticleFacts]:
    rows = execute_in(con, "SELECT article_id, published_at, first_seen_at, source_name, site_name "
                          "FROM articles WHERE article_id IN ({values})", sorted(ids))
    return {r[0]: ArticleFacts(*r[1:]) for r in rows}


def stored_citers(con: duckdb.DuckDBPyConnection, ids: set[str]) -> set[str]:
    """Which of these articles already have a repost_of found by their 原文链接."""
    if not ids:
        return set()
    with registered(con, "__relation_citer_ids", id_table(sorted(ids))) as view:
        return {r[0] for r in con.execute(
            f"SELECT DISTINCT r.article_id FROM article_relations r JOIN {view} i ON r.article_id = i.id "
            f"WHERE r.relation = '{REPOST_OF}' AND r.method = '{METHOD_ORIGINAL_URL}'").fetchall()}


def relations_of_pair(key: tuple[str, str], pair: Pair, facts: dict[str, ArticleFacts],
                      citers: set[str]) -> list[Relation]:
    """The rows one pair gives: its duplicate relation (later copy -> earlier), and repost_of when known.

    `citers` are the articles whose 原文链接 leads to a stored article: their original is known, so their
    来源 does not make them a repost of another copy as well.
    """
    a, b = key
    if a not in facts or b not in facts:
        return []
    later, earlier = (a, b) if facts[a].order_key(a) > facts[b].order_key(b) else (b, a)
    if len(pair.cites) == 1:  # a declared original orients the pair whatever the dates say
        later, earlier = next(iter(pair.cites))
    out = []
    is_duplicate = pair.exact or (pair.similarity is not None and pair.similarity >= NEAR_DUPLICATE_THRESHOLD)
    if is_duplicate:
        out.append(Relation(later, earlier, EXACT_DUPLICATE if pair.exact else NEAR_DUPLICATE,
                            pair.similarity, METHOD_TEXT_HASH if pair.exact else METHOD_MINHASH))
    for repost, original in sorted(pair.cites):
        out.append(Relation(repost, original, REPOST_OF, pair.similarity, METHOD_ORIGINAL_URL))
    if is_duplicate and not pair.cites and later not in citers and credits_the_other(facts[later], facts[earlier]):
        out.append(Relation(later, earlier, REPOST_OF, pair.similarity, METHOD_SOURCE_NAME))
    return out


def credits_the_other(later: ArticleFacts, earlier: ArticleFacts) -> bool:
    """The later copy's 来源 names the earlier one's site or source, and the earlier one is dated earlier."""
    if not later.source_name or later.published_at is None or earlier.published_at is None:
        return False
    if not earlier.published_at < later.published_at:
        return False
    credited = later.source_name.strip()
    return credited in {(earlier.site_name or "").strip(), (earlier.source_name or "").strip()}


def store_relations(con: duckdb.DuckDBPyConnection, relations: list[Relation]) -> None:
    now = utc_now()
    insert_arrow(con, "article_relations", pa.Table.from_pylist([
        {"article_id": r.article_id, "related_article_id": r.related_article_id, "relation": r.relation,
         "similarity": r.similarity, "method": r.method, "detected_at": now}
        for r in relations
    ], schema=RELATION_SCHEMA))


if __name__ == "__main__":  # rebuild the shipped tables (after a change to the folding, or for a new Unicode)
    write_char_tables(CHAR_TABLES_FILE, build_char_tables())
    print(f"wrote {CHAR_TABLES_FILE} (Unicode {unicodedata.unidata_version})")
