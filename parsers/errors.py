"""One exception hierarchy for everything the parsers refuse. Each carries the pipeline stage."""


class ParseError(Exception):
    """A page could not be turned into a record. `stage` names where it failed."""

    stage = "parse"


class EmptyInputError(ParseError):
    stage = "decode"


class BinaryInputError(ParseError):
    """Bytes that are not text (images, archives, executables served as text/html)."""

    stage = "decode"


class DecodeError(ParseError):
    stage = "decode"


class LimitExceededError(ParseError):
    """A page past a size, depth or time limit."""

    stage = "parse"
