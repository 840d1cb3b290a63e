"""Bytes → article records. Pure functions: no network, no database, no Prefect."""

from parsers.decode import decode_bytes
from parsers.errors import BinaryInputError, DecodeError, EmptyInputError, LimitExceededError, ParseError
from parsers.extract import extract_article, warm_up
from parsers.records import PARSER_VERSION, ArticleRecord, Author, Block, Image, Link, SubArticle

__all__ = [
    "extract_article", "decode_bytes", "warm_up",
    "ArticleRecord", "Author", "Block", "Image", "Link", "SubArticle", "PARSER_VERSION",
    "ParseError", "EmptyInputError", "BinaryInputError", "DecodeError", "LimitExceededError",
]
