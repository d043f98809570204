"""The exact bytes of each member of a JSON object or array, found without
re-serializing, so that a record cut out of an API page travels byte for byte
as it was received.

The input must already be known to be valid JSON (the callers parse it with
orjson first); these functions only find where the parts begin and end.
"""

from __future__ import annotations

import re
from collections.abc import Collection

import orjson

# A JSON string (escapes included) or one of the bytes that change the nesting
# or separate members; strings come first so brackets inside them are skipped.
_TOKENS = re.compile(rb'"(?:[^"\\]+|\\.)*"|[\[\]{},]', re.S)
_KEY = re.compile(rb'"(?:[^"\\]+|\\.)*"\s*:', re.S)
_WHITESPACE = b" \t\r\n"

Span = tuple[int, int]


def top_level_spans(document: bytes) -> list[Span]:
    """Where each element of a JSON array, or each ``"key": value`` member of
    a JSON object, begins and ends, surrounding whitespace left out.

    Args:
        document: one valid JSON object or array.

    Returns:
        ``(start, end)`` offsets into ``document``, in order; empty for ``[]``
        and ``{}``.
    """
    spans: list[Span] = []
    depth = 0
    begin = 0
    for match in _TOKENS.finditer(document):
        token = match.group()
        if token[0] == 0x22:  # a string
            continue
        if token in b"[{":
            depth += 1
            if depth == 1:
                begin = match.end()
        elif token in b"]}":
            depth -= 1
            if depth == 0:
                spans.append(_stripped(document, begin, match.start()))
                break
        elif depth == 1:
            spans.append(_stripped(document, begin, match.start()))
            begin = match.end()
    return [span for span in spans if span[0] < span[1]]


def member_key(document: bytes, span: Span) -> str:
    """The key of the object member at ``span``."""
    match = _KEY.match(document, span[0], span[1])
    if match is None:
        raise ValueError("not an object member")
    return orjson.loads(match.group()[:-1].rstrip(_WHITESPACE))


def member_value(document: bytes, span: Span) -> Span:
    """Where the value of the object member at ``span`` begins and ends."""
    match = _KEY.match(document, span[0], span[1])
    if match is None:
        raise ValueError("not an object member")
    return _stripped(document, match.end(), span[1])


def array_elements(document: bytes, key: str) -> list[bytes]:
    """The exact bytes of each element of the array under ``key`` in a JSON
    object, e.g. the records of an Oura API page under ``data``.

    Args:
        document: one valid JSON object whose ``key`` holds an array.
        key: the member to look in.

    Returns:
        Each element's bytes as they appear in ``document``.
    """
    for span in top_level_spans(document):
        if member_key(document, span) == key:
            start, end = member_value(document, span)
            array = document[start:end]
            return [array[s:e] for s, e in top_level_spans(array)]
    raise ValueError(f"no member {key!r}")


def without_members(document: bytes, keys: Collection[str]) -> bytes:
    """A JSON object's bytes with some members left out and every other byte,
    separators and whitespace included, kept as it was.

    Args:
        document: one valid JSON object.
        keys: the members to leave out.
    """
    spans = top_level_spans(document)
    kept = [i for i, span in enumerate(spans) if member_key(document, span) not in keys]
    if len(kept) == len(spans):
        return document
    if not kept:
        return b"{}"
    first = spans[kept[0]]
    pieces = [document[: spans[0][0]], document[first[0] : first[1]]]
    for index in kept[1:]:
        # The gap before a member holds its comma: keep it with the member.
        gap_start = spans[index - 1][1]
        pieces.append(document[gap_start : spans[index][1]])
    pieces.append(document[spans[-1][1] :])
    return b"".join(pieces)


def _stripped(document: bytes, start: int, end: int) -> Span:
    while start < end and document[start] in _WHITESPACE:
        start += 1
    while end > start and document[end - 1] in _WHITESPACE:
        end -= 1
    return start, end
