"""Deciding whether a raw record is usable before it enters the raw topic, at
the speed of a backfill.

``model.parse_record`` is the judge, but it costs tens of microseconds a
record. A quick screen accepts the well-formed records that it would accept
for certain; anything the screen is unsure about goes to ``parse_record`` for
the verdict and, when it fails, the reason of its dead letter.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from types import NoneType
from typing import Any, NamedTuple

import orjson

from ourastream.errors import RecordError
from ourastream.model import (
    COUNTS,
    DURATIONS_S,
    MAX_READABLE_SECONDS,
    MAX_RECORD_BYTES,
    load_object,
    parse_record,
)

# The field of a record that names whose ring it is, for files that hold
# several people; records without it belong to the default person.
PERSON_FIELD = "person"

TEXTS = ("class_5_min",)
SCREENED_FIELDS = ("day", "timestamp", *COUNTS, *DURATIONS_S, *TEXTS)
_ABSENT = dict.fromkeys(SCREENED_FIELDS)
_NUMBERS_OF = itemgetter(*COUNTS, *DURATIONS_S)
_NUMBER_KINDS = {int, float, NoneType}

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})"
)


class Usable(NamedTuple):
    """What the producer needs from a usable record."""

    person: str
    day: str


def examine(value: bytes, default_person: str) -> Usable:
    """Judge one raw record.

    Args:
        value: the record's bytes as received.
        default_person: whose ring it is when the record has no ``person``.

    Returns:
        The record's person (its key) and its day (``YYYY-MM-DD``).

    Raises:
        RecordError: the record cannot be used; the message says why.
    """
    record = _decode(value)
    person = _person(record, default_person)
    if _screen(record):
        return Usable(person, record["day"])
    return Usable(person, parse_record(record, person).day.isoformat())


def _decode(value: bytes) -> dict[str, Any]:
    if len(value) > MAX_RECORD_BYTES:
        return load_object(value)  # raises with the size
    try:
        record = orjson.loads(value)
    except orjson.JSONDecodeError:
        return load_object(value)  # raises with the reason
    if type(record) is not dict:
        return load_object(value)
    return record


def _person(record: dict[str, Any], default_person: str) -> str:
    person = record.get(PERSON_FIELD)
    if person is None:
        return default_person
    if type(person) is not str or not person.strip():
        raise RecordError(f"{PERSON_FIELD}={person!r}: should be a non-empty name")
    return person


def _screen(record: dict[str, Any]) -> bool:
    """True when ``parse_record`` would surely accept the record.

    The record comes from orjson, which never yields NaN or infinity, so
    numbers need only their type and bounds checked.
    """
    known = _ABSENT | record
    numbers = _NUMBERS_OF(known)
    kinds = set(map(type, numbers))
    if not kinds <= _NUMBER_KINDS:
        return False  # bool, text, lists...: parse_record gives the reason
    if NoneType in kinds:
        numbers = tuple(0 if n is None else n for n in numbers)
    if min(numbers) < 0 or max(numbers[len(COUNTS) :]) > MAX_READABLE_SECONDS:
        return False
    if not _is_day(known["day"]) or not _is_timestamp(known["timestamp"]):
        return False
    return all(type(known[field]) in (str, NoneType) for field in TEXTS)


@lru_cache(maxsize=65_536)
def _is_day(value: Any) -> bool:
    if type(value) is not str or not _DAY.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=65_536)
def _is_timestamp(value: Any) -> bool:
    if value is None:
        return True
    if type(value) is not str or not _TIMESTAMP.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True
