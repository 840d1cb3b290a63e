"""parsers.gunzip: the one bounded gunzip for untrusted data."""

from __future__ import annotations

import gzip
import zlib

import pytest

from parsers.errors import DecodeError
from parsers.gunzip import CORRUPT, NOT_GZIP, TOO_LARGE, TRUNCATED, GunzipError, gunzip


def test_one_member_and_several_members_and_trailing_bytes():
    assert gunzip(gzip.compress(b"hello"), 5) == b"hello"
    assert gunzip(gzip.compress(b"hel") + gzip.compress(b"lo"), 5) == b"hello"
    assert gunzip(gzip.compress(b"hello") + b"\0\0 trailing junk", 5) == b"hello"
    assert gunzip(gzip.compress(b""), 0) == b""


def test_output_is_bounded_before_it_is_held():
    bomb = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 300_000
    with pytest.raises(GunzipError) as caught:
        gunzip(bomb, 1024 * 1024)
    assert caught.value.reason == TOO_LARGE and caught.value.inflated == b""
    assert 0 < caught.value.consumed < 10_000  # a megabyte of zeros takes about a kilobyte: the bomb's ratio
    # the bound is on the whole stream, not per member
    with pytest.raises(GunzipError) as caught:
        gunzip(gzip.compress(b"abc") + gzip.compress(b"def"), 5)
    assert caught.value.reason == TOO_LARGE
    assert gunzip(gzip.compress(b"abc") + gzip.compress(b"de"), 5) == b"abcde"


def test_truncated_corrupt_and_not_gzip_keep_what_inflated():
    body = b"".join(b"<url><loc>https://a.cn/%d.html</loc></url>" % i for i in range(2000))
    packed = gzip.compress(body)
    with pytest.raises(GunzipError) as caught:
        gunzip(packed[: len(packed) // 2], len(body))
    assert caught.value.reason == TRUNCATED
    assert 0 < len(caught.value.inflated) < len(body) and body.startswith(caught.value.inflated)
    with pytest.raises(GunzipError) as caught:
        gunzip(packed[:-4], len(body))  # the length field of the trailer cut off
    assert caught.value.reason == TRUNCATED
    bad_crc = bytearray(packed)
    bad_crc[-8] ^= 0xFF
    with pytest.raises(GunzipError) as caught:
        gunzip(bytes(bad_crc), len(body))
    assert caught.value.reason == CORRUPT and body.startswith(caught.value.inflated)
    with pytest.raises(GunzipError) as caught:
        gunzip(b"\x1f\x8b" + b"garbage" * 10, 1000)
    assert caught.value.reason == CORRUPT and caught.value.inflated == b""
    with pytest.raises(GunzipError) as caught:
        gunzip(zlib.compress(body), len(body))
    assert caught.value.reason == NOT_GZIP
    assert isinstance(caught.value, DecodeError)  # a parser error like any other refused input
