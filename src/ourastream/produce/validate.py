"""Deciding whether a raw record is usable before it enters the raw topic, at
the speed of a backfill.

``model.parse_record`` is the judge, but building the normalized day costs
more than the producer needs. ``model.plain_parts`` (the checks of the
processor's own quick path) accepts the well-formed records for certain;
anything it is unsure about goes to ``parse_record`` for the verdict and,
when it fails, the reason of its dead letter.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import orjson

from ourastream.errors import RecordError
from ourastream.model import MAX_RECORD_BYTES, load_object, parse_record, plain_parts

# The field of a record that names whose ring it is, for files that hold
# several people; records without it belong to the default person.
PERSON_FIELD = "person"


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
    if plain_parts(record) is not None:
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
