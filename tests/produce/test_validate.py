"""The quick checks never accept what ``model.parse_record`` refuses, and
the producer's verdict (with its reason) is always parse_record's."""

from __future__ import annotations

import orjson
import pytest

from ourastream import model
from ourastream.errors import RecordError
from ourastream.model import RawActivity, parse_record, plain_parts
from ourastream.produce.sources import expand
from ourastream.produce.validate import examine
from tests.conftest import CASES, REAL_EXPORT


def verdict(value: bytes) -> str:
    try:
        return f"ok {parse_record(value, 'me').day}"
    except RecordError as exc:
        return f"dead letter: {exc}"


def examined(value: bytes) -> str:
    try:
        return f"ok {examine(value, 'me').day}"
    except RecordError as exc:
        return f"dead letter: {exc}"


def all_inputs() -> list[bytes]:
    return [
        record.value
        for source in expand([str(CASES), str(REAL_EXPORT)])
        for record in source.records()
        if record.value.strip()
    ]


def test_the_quick_checks_cover_every_field_the_model_reads() -> None:
    quick = {*model._NUMBERS, "day", "timestamp", "class_5_min"}

    assert quick == set(RawActivity.model_fields)


def test_same_verdict_as_parse_record_on_every_case() -> None:
    values = all_inputs()

    assert len(values) > 300
    for value in values:
        assert examined(value) == verdict(value)


def mutations() -> list[dict]:
    good = orjson.loads(REAL_EXPORT.read_bytes().splitlines()[0])
    changes = [
        ("day", "2023-02-30"),
        ("day", "20230201"),
        ("day", "2023-02-01T00:00:00"),
        ("day", 20230201),
        ("timestamp", "2023-02-01"),
        ("timestamp", "2023-02-01T04:00:00+25:00"),
        ("timestamp", "2023-02-01 04:00:00-05:00"),
        ("timestamp", "2023-02-01T04:00:00.123Z"),
        ("timestamp", None),
        ("steps", True),
        ("steps", -1),
        ("steps", 1.5),
        ("steps", "12"),
        ("total_calories", 1e30),
        ("high_activity_time", 604_800),
        ("high_activity_time", 604_801),
        ("non_wear_time", 86_400.0),
        ("class_5_min", 5),
        ("class_5_min", "0000111"),
        ("contributors", None),
    ]
    mutated = []
    for field, value in changes:
        record = dict(good)
        record[field] = value
        mutated.append(record)
    missing = dict(good)
    del missing["day"]
    return [*mutated, missing]


@pytest.mark.parametrize("record", mutations())
def test_same_verdict_on_mutated_records(record: dict) -> None:
    value = orjson.dumps(record)

    assert examined(value) == verdict(value)
    if plain_parts(record) is not None:
        parse_record(record, "me")  # the quick checks passed it: it is usable


@pytest.mark.parametrize(
    "value",
    [
        b'{"day": "2024-01-01", "steps": 1e400}',
        b'{"day": "2024-01-01", "steps": 123456789012345678901234567890}',
        b'{"day": "2024-01-01", "steps": Infinity}',
        b'{"day": "2024-01-01"} trailing',
        b'{"day": "2024-01-01", "day": "nope"}',
        b"\xef\xbb\xbf" + b'{"day": "2024-01-01"}',
        b'{"day": "2024-01-01", "note": "\xc3\x28"}',
        b'  {"day": "2024-01-01"}  ',
    ],
)
def test_same_verdict_on_odd_bytes(value: bytes) -> None:
    assert examined(value) == verdict(value)


def test_person_field_is_the_key() -> None:
    value = REAL_EXPORT.read_bytes().splitlines()[0][:-1] + b', "person": "ada"}'

    assert examine(value, "me").person == "ada"
    assert examine(REAL_EXPORT.read_bytes().splitlines()[0], "me").person == "me"


@pytest.mark.parametrize("person", [b"42", b'""', b"null"])
def test_a_bad_person_field(person: bytes) -> None:
    value = b'{"day": "2024-01-01", "person": ' + person + b"}"

    if person == b"null":
        assert examine(value, "me").person == "me"
    else:
        with pytest.raises(RecordError, match="person"):
            examine(value, "me")
