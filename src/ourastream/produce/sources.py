"""Reading the inputs people actually have: JSON records one a line, Oura API
v2 pages (one a line, or one pretty-printed document), folders of them,
gzip-compressed files and standard input.

Every record comes out as the exact bytes it was received as, with its
source (the path, ``-`` or ``oura-api``) and its position in it (``line 12``
or ``page 2 record 3``). Nothing is judged here: the producer decides what
is usable.
"""

from __future__ import annotations

import gzip
import io
import logging
import sys
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import BinaryIO, Literal, NamedTuple

import orjson

from ourastream.errors import SourceError
from ourastream.produce.spans import array_elements

log = logging.getLogger(__name__)

Format = Literal["auto", "records", "pages"]
FORMATS = ("auto", "records", "pages")
STDIN = "-"
# Suffixes read from a folder; anything else there (a README...) is left alone.
FOLDER_SUFFIXES = (".json", ".jsonl", ".ndjson", ".gz")
# A file whose first line is not JSON is tried as one pretty-printed page when
# it is no larger than this; a larger one is read line by line.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"


class Record(NamedTuple):
    """One input as received, and where it came from.

    ``problem`` is set when the input is not even a record (a line that
    should have been an API page but is not one): it becomes a dead letter.
    """

    value: bytes
    source: str
    position: str
    problem: str | None = None


class Input:
    """One file or standard input, opened lazily, with how far it was read."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._raw: BinaryIO | None = None
        self._finished = False

    @property
    def size(self) -> int | None:
        """Bytes in the file as stored (compressed), None for standard input."""
        return None if self.path == STDIN else Path(self.path).stat().st_size

    @property
    def bytes_read(self) -> int:
        """Bytes of the stored file read so far, for progress."""
        if self.path == STDIN or self._raw is None:
            return 0
        if self._finished or self._raw.closed:
            return self.size or 0
        return self._raw.tell()

    def records(self, forced: Format = "auto") -> Iterator[Record]:
        """Every record of this input, in order.

        Raises:
            SourceError: the input cannot be read (missing, unreadable, a
                broken gzip stream).
        """
        try:
            with self._open() as stream:
                yield from _records(stream, self.path, forced)
        except (OSError, EOFError) as exc:
            raise SourceError(f"Cannot read {self.path}: {_reason(exc)}.") from exc
        finally:
            self._finished = True
            if self._raw is not None and self.path != STDIN:
                self._raw.close()

    def _open(self) -> BinaryIO:
        raw = sys.stdin.buffer if self.path == STDIN else open(self.path, "rb")  # noqa: SIM115
        self._raw = raw
        if raw.peek(2)[:2] == GZIP_MAGIC:
            return gzip.GzipFile(fileobj=raw, mode="rb")
        return io.BufferedReader(_Unclosed(raw)) if self.path == STDIN else raw


class _Unclosed(io.RawIOBase):
    """Standard input, read through but never closed by a ``with`` block."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read1(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def expand(paths: Iterable[str]) -> list[Input]:
    """The inputs named on the command line, folders opened up, in order.

    Raises:
        SourceError: a path does not exist or cannot be read, before anything
            is sent.
    """
    inputs = []
    for path in paths:
        if path == STDIN:
            inputs.append(Input(STDIN))
            continue
        inputs.extend(Input(str(found)) for found in _files(Path(path)))
    return inputs


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(
            p
            for p in path.rglob("*")
            if p.is_file()
            and p.suffix in FOLDER_SUFFIXES
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        if not found:
            raise SourceError(
                f"{path} holds no {', '.join(FOLDER_SUFFIXES)} files. "
                "Give the export files themselves, or another folder."
            )
        return found
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise SourceError(
            f"Cannot read {path}: {_reason(exc)}. Check the path and its permissions."
        ) from exc
    return [path]


def _records(stream: BinaryIO, source: str, forced: Format) -> Iterator[Record]:
    head = _head(stream)
    if not head:
        return
    first = _line_value(head[-1])
    shape = _shape_of_line(first) if forced == "auto" else forced
    if shape != "records" and not _parses(first):
        yield from _document_records(head, stream, source, forced)
    elif shape == "pages":
        yield from _lines_as_pages(chain(head, stream), source)
    else:
        yield from _lines_as_records(chain(head, stream), source)


def _head(stream: BinaryIO) -> list[bytes]:
    """The lines up to the first one that is not blank, that one included."""
    head = []
    for line in stream:
        head.append(line)
        if line.strip():
            break
    return head


def _document_records(
    head: list[bytes], stream: BinaryIO, source: str, forced: Format
) -> Iterator[Record]:
    """A first line that is no JSON: the input is one pretty-printed page, or
    (unless pages were asked for) lines of records starting with a bad one."""
    if forced == "pages":
        yield from page_records(b"".join(head) + stream.read(), source, None)
        return
    document = b"".join(head) + stream.read(MAX_DOCUMENT_BYTES)
    if _is_page(document):
        yield from page_records(document, source, None)
        return
    yield from _lines_as_records(_rejoin(document, stream), source)


def _shape_of_line(line: bytes) -> str:
    """``pages`` or ``records`` from an input's first line; ``unknown`` when
    the line is no JSON at all (a pretty-printed document, or a bad line)."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return "unknown"
    return "pages" if _looks_like_page(value) else "records"


def _looks_like_page(value: object) -> bool:
    return isinstance(value, dict) and isinstance(value.get("data"), list)


def _is_page(document: bytes) -> bool:
    try:
        return _looks_like_page(orjson.loads(document))
    except orjson.JSONDecodeError:
        return False


def _parses(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def _lines_as_records(lines: Iterable[bytes], source: str) -> Iterator[Record]:
    for number, line in enumerate(lines, 1):
        if line[-1:] == b"\n":
            line = line[:-2] if line[-2:-1] == b"\r" else line[:-1]
        yield Record(line, source, f"line {number}")


def _lines_as_pages(lines: Iterable[bytes], source: str) -> Iterator[Record]:
    page = 0
    for number, line in enumerate(lines, 1):
        value = _line_value(line)
        if not value.strip():
            continue
        page += 1
        yield from page_records(value, source, page, f"line {number}")


def page_records(
    page: bytes, source: str, number: int | None, where: str | None = None
) -> Iterator[Record]:
    """The records of one Oura API v2 page, each as its exact bytes.

    Args:
        page: the page's bytes, ``{"data": [...], "next_token": ...}``.
        source: where the page came from.
        number: the page's number in its source, None for a file that is one
            page.
        where: the page's own position (``line 4``) when it differs.

    Returns:
        An iterator of records; an unreadable page is one record with a
        problem, and an empty page gives none.
    """
    prefix = f"page {number} " if number is not None else ""
    try:
        records = array_elements(page, "data") if _is_page(page) else None
    except ValueError:
        records = None
    if records is None:
        position = where or (prefix.strip() or "document")
        yield Record(page, source, position, _page_problem(page))
        return
    for index, record in enumerate(records, 1):
        yield Record(record, source, f"{prefix}record {index}")


def _page_problem(page: bytes) -> str:
    try:
        orjson.loads(page)
    except orjson.JSONDecodeError as exc:
        return f"not an Oura API page: not valid JSON ({str(exc).split(':')[0]})"
    return 'not an Oura API page: no "data" list'


def _line_value(line: bytes) -> bytes:
    """A line without its line ending: the record as received."""
    if line.endswith(b"\n"):
        line = line[:-1]
    if line.endswith(b"\r"):
        line = line[:-1]
    return line


def _rejoin(document: bytes, stream: BinaryIO) -> Iterator[bytes]:
    """The lines of a prefix read ahead, then the rest of the stream, with the
    line cut at the end of the prefix made whole again."""
    for line in io.BytesIO(document):
        if not line.endswith(b"\n"):
            line += stream.readline()
        yield line
    yield from stream


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
