"""The quick reading of plainly valid records gives exactly what pydantic's
validation gives: the same day, the same bytes in the daily topic, and for a
refused record the same reason, on the real export, every case and the odd
values around the edges."""

from __future__ import annotations

import math
from pathlib import Path

import orjson
import pytest

from ourastream import model
from ourastream.errors import RecordError
from ourastream.model import parse_record

from ..conftest import CASES, REAL_EXPORT
from .conftest import records_of

ORDINARY = orjson.loads(REAL_EXPORT.read_bytes().splitlines()[5])
ODD_VALUES = [
    ("day", "2022-02-30"),
    ("day", "20220128"),
    ("day", "2022-01-28T00:00:00"),
    ("day", "２０２２-01-28"),
    ("day", 20220128),
    ("day", None),
    ("timestamp", "2022-01-28T04:00:00Z"),
    ("timestamp", "2022-01-28T04:00:00+00:00"),
    ("timestamp", "2022-01-28T04:00:00.25-05:30"),
    ("timestamp", "2022-01-28T04:00:00"),
    ("timestamp", "2022-01-28T25:00:00+01:00"),
    ("timestamp", "2022-01-28T04:00:00+24:00"),
    ("timestamp", "2022-01-28 04:00:00+01:00"),
    ("timestamp", 1643342400),
    ("timestamp", None),
    ("total_calories", True),
    ("total_calories", -1),
    ("total_calories", -0.0),
    ("total_calories", math.nan),
    ("total_calories", math.inf),
    ("total_calories", "2900"),
    ("total_calories", 2900.5),
    ("total_calories", 10**30),
    ("total_calories", 10**400),
    ("steps", [1]),
    ("high_activity_time", 7 * 86_400),
    ("high_activity_time", 7 * 86_400 + 1),
    ("high_activity_time", 7 * 86_400 + 0.5),
    ("non_wear_time", 90_000),
    ("non_wear_time", 0.0),
    ("class_5_min", ""),
    ("class_5_min", "0000111122223333"),
    ("class_5_min", 1234),
    ("class_5_min", None),
]


def validated(payload, person: str = "me"):
    """What parse_record gives through pydantic alone: the record, or the
    reason it is refused."""
    original = model.plain_parts
    model.plain_parts = lambda _obj: None
    try:
        return _outcome(payload, person)
    finally:
        model.plain_parts = original


def _outcome(payload, person: str = "me"):
    try:
        record = parse_record(payload, person)
    except RecordError as exc:
        return "refused", str(exc)
    return record.__dict__, record.to_json()


def case_records() -> list[bytes]:
    files = [REAL_EXPORT, *sorted(Path(CASES).glob("*.json*"))]
    return [value for path in files for _, value in records_of(path)]


def test_every_record_of_the_export_and_the_cases_reads_the_same() -> None:
    records = case_records()

    for value in records:
        assert _outcome(value) == validated(value), value[:120]
    assert len(records) > 250


@pytest.mark.parametrize(("field", "value"), ODD_VALUES)
def test_odd_values_read_the_same(field, value) -> None:
    record = {**ORDINARY, field: value}

    assert _outcome(record) == validated(record)


@pytest.mark.parametrize("field", ["day", "timestamp", "steps", "class_5_min"])
def test_a_missing_field_reads_the_same(field) -> None:
    record = {k: v for k, v in ORDINARY.items() if k != field}

    assert _outcome(record) == validated(record)


def test_the_daily_bytes_are_the_model_dump() -> None:
    record = parse_record(orjson.dumps(ORDINARY), "me")

    assert record.to_json() == orjson.dumps(record.model_dump(mode="json"))
    assert record == model.DailyRecord(**record.model_dump())


def usable(payload) -> bool:
    try:
        parse_record(payload, "me")
    except RecordError:
        return False
    return True


@pytest.mark.parametrize(
    "payload",
    [
        p
        for p in case_records() + [{**ORDINARY, f: v} for f, v in ODD_VALUES]
        if usable(p)
    ],
)
def test_the_record_built_without_validation_is_the_validated_one(payload) -> None:
    record = parse_record(payload, "me")

    validated = model.DailyRecord.model_validate(dict(record.__dict__))

    assert record.to_json() == validated.to_json()
    assert list(map(type, record.__dict__.values())) == list(
        map(type, validated.__dict__.values())
    )
    assert record.model_fields_set == validated.model_fields_set
    assert record == validated


def test_a_parsed_record_is_copied_with_changes_like_any_other() -> None:
    record = parse_record(orjson.dumps(ORDINARY), "me")

    copy = record.model_copy(update={"steps": 1.0})

    assert copy.steps == 1.0
    assert record.steps != 1.0
    assert copy.model_fields_set == record.model_fields_set


def test_a_count_no_double_holds_is_refused_with_its_reason() -> None:
    with pytest.raises(RecordError, match="total_calories=.*less than or equal"):
        parse_record({**ORDINARY, "total_calories": 10**400}, "me")


def test_the_quick_reading_takes_every_record_of_the_export() -> None:
    lines = REAL_EXPORT.read_bytes().splitlines()

    quick = [model.plain_parts(orjson.loads(line)) for line in lines]

    assert None not in quick


def reference_load(payload: bytes):
    """What load_object gave before it tried orjson on the bytes first."""
    if len(payload) > model.MAX_RECORD_BYTES:
        return "too large"
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8: byte {exc.start} is {payload[exc.start]:#x}"
    if not text.strip():
        return "empty line"
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        hint = " (NaN and Infinity are not JSON)" if "NaN" in text else ""
        return f"not valid JSON: {str(exc).split(':')[0]}{hint}"
    if not isinstance(value, dict):
        return f"not a JSON object but {type(value).__name__}: {text[:40]}"
    return value


ODD_BYTES = [
    b"",
    b"  \n",
    b"\xef\xbb\xbf{}",
    b'{"day": "\xed\xa0\x80"}',
    b'{"day": "\xff"}',
    b'{"day": NaN}',
    b"[1, 2]",
    b'"text"',
    b"{} {}",
    b'{"a": 1}  ',
    b'  {"a": 1}',
    b'{"a": "\\ud800"}',
    b'{"a": 1e400}',
    b"{" + b'"a": 1, ' * 10 + b'"b": 2}',
]


@pytest.mark.parametrize("payload", ODD_BYTES + case_records())
def test_odd_bytes_load_the_same(payload) -> None:
    try:
        outcome = model.load_object(payload)
    except RecordError as exc:
        outcome = str(exc)

    assert outcome == reference_load(payload)


def test_whole_seconds_become_the_minutes_round_gives() -> None:
    whole = range(model.MAX_READABLE_SECONDS + 1)

    differing = [s for s in whole if model._minutes(s) != round(s / 60, 2)]

    assert differing == []
    assert model._minutes(90.5) == round(90.5 / 60, 2)
    assert model._minutes(None) is None
