"""The normalized daily record, the anomaly, and the parsing of one raw Oura
``daily_activity`` record into them. Pure code: no I/O, no Kafka.

Oura reports ``*_time`` fields in seconds; they become minutes here, once, and
every name says its unit from then on.
"""

from __future__ import annotations

import math
import re
import sys
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any, NamedTuple

import orjson
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt
from pydantic import ValidationError as PydanticValidationError

from ourastream.errors import RecordError

SECONDS_PER_DAY = 86_400
MINUTES_PER_DAY = 1_440
# Kafka's default largest message is 1 MiB; a record bigger than this cannot
# travel and becomes a dead letter with its payload cut to fit.
MAX_RECORD_BYTES = 1_000_000
# A duration longer than a week in one day is a broken record, not a day that
# disagrees with itself (that one, up to a week, is judged by the rules).
MAX_READABLE_SECONDS = 7 * SECONDS_PER_DAY

DURATIONS_S = (
    "high_activity_time",
    "medium_activity_time",
    "low_activity_time",
    "sedentary_time",
    "resting_time",
    "non_wear_time",
)

COUNTS = (
    "score",
    "total_calories",
    "active_calories",
    "target_calories",
    "steps",
    "equivalent_walking_distance",
)
# The shapes of day and timestamp that the quick path reads itself; anything
# else goes to pydantic for the verdict and the reason.
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)

# A count must also fit a double, as the daily record holds it.
Count = Annotated[
    StrictInt | StrictFloat, Field(ge=0, le=sys.float_info.max, allow_inf_nan=False)
]
Seconds = Annotated[
    StrictInt | StrictFloat, Field(ge=0, le=MAX_READABLE_SECONDS, allow_inf_nan=False)
]


class RawActivity(BaseModel):
    """The fields of an Oura API v2 ``daily_activity`` record that we use.

    Other fields (``contributors``, ``met``, ``id``...) are allowed and kept in
    the raw topic, but not read.
    """

    model_config = ConfigDict(extra="ignore")

    day: date
    timestamp: datetime | None = None
    score: Count | None = None
    total_calories: Count | None = None
    active_calories: Count | None = None
    target_calories: Count | None = None
    steps: Count | None = None
    equivalent_walking_distance: Count | None = None
    high_activity_time: Seconds | None = None
    medium_activity_time: Seconds | None = None
    low_activity_time: Seconds | None = None
    sedentary_time: Seconds | None = None
    resting_time: Seconds | None = None
    non_wear_time: Seconds | None = None
    class_5_min: str | None = None


class DailyRecord(BaseModel):
    """One person's day, normalized: the value of the daily topic."""

    model_config = ConfigDict(frozen=True)

    person: str
    day: date
    timestamp: str | None = None
    utc_offset_minutes: int | None = None
    score: float | None = None
    total_calories: float | None = None
    active_calories: float | None = None
    target_calories: float | None = None
    steps: float | None = None
    walking_distance_m: float | None = None
    high_activity_minutes: float | None = None
    medium_activity_minutes: float | None = None
    low_activity_minutes: float | None = None
    sedentary_minutes: float | None = None
    resting_minutes: float | None = None
    non_wear_minutes: float | None = None
    wear_ratio: float = Field(description="share of the day the ring was worn, 0..1")
    worn: bool = Field(description="worn enough to be judged and used in baselines")

    @classmethod
    def of_checked(cls, fields: dict[str, Any]) -> DailyRecord:
        """The record of values already checked and of the field types (floats
        as floats), every field given in order, without validating them again:
        what ``model_construct`` does, without its per-field loop, which costs
        more than the validation it skips. The parser's tests check that it
        equals the validated record for every record they read."""
        record = cls.__new__(cls)
        _set = object.__setattr__
        _set(record, "__dict__", fields)
        _set(record, "__pydantic_fields_set__", set(_DAILY_FIELDS))
        _set(record, "__pydantic_extra__", None)
        _set(record, "__pydantic_private__", None)
        return record

    @property
    def key(self) -> str:
        """The Kafka key of this day: ``person/day``."""
        return day_key(self.person, self.day)

    def to_json(self) -> bytes:
        # The fields are plain values (orjson writes the day as YYYY-MM-DD), so
        # this is model_dump(mode="json") without its cost.
        return orjson.dumps(self.__dict__)


_DAILY_FIELDS = frozenset(DailyRecord.model_fields)


class Anomaly(BaseModel):
    """A rule a day broke, in words a person can read, with the numbers."""

    model_config = ConfigDict(frozen=True)

    rule: str
    severity: str = Field(description="info, warning or critical")
    reason: str
    values: dict[str, Any] = Field(default_factory=dict)


class DayAnomalies(BaseModel):
    """All anomalies of one person's day: the value of the anomalies topic.

    An empty list withdraws what an earlier revision of the day raised.
    """

    model_config = ConfigDict(frozen=True)

    person: str
    day: date
    anomalies: list[Anomaly] = Field(default_factory=list)

    @property
    def key(self) -> str:
        return day_key(self.person, self.day)

    def to_json(self) -> bytes:
        return orjson.dumps(self.model_dump(mode="json"))


def day_key(person: str, day: date | str) -> str:
    """The key of a person's day in the daily and anomalies topics."""
    return f"{person}/{day}"


def load_object(payload: bytes) -> dict[str, Any]:
    """Decode one raw record into a JSON object.

    Raises:
        RecordError: the bytes are too large, not UTF-8, not JSON, or not an
            object.
    """
    if len(payload) <= MAX_RECORD_BYTES:
        try:
            value = orjson.loads(payload)  # checks UTF-8 itself
        except orjson.JSONDecodeError:
            value = None  # the checks below give the reason
        if type(value) is dict:
            return value
    if len(payload) > MAX_RECORD_BYTES:
        raise RecordError(
            f"record of {len(payload):,} bytes is larger than the "
            f"{MAX_RECORD_BYTES:,} bytes a message may carry"
        )
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = payload[exc.start]
        raise RecordError(f"not UTF-8: byte {exc.start} is {bad:#x}") from None
    if not text.strip():
        raise RecordError("empty line")
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        hint = " (NaN and Infinity are not JSON)" if "NaN" in text else ""
        raise RecordError(f"not valid JSON: {_json_message(exc)}{hint}") from None
    if not isinstance(value, dict):
        raise RecordError(f"not a JSON object but {type(value).__name__}: {text[:40]}")
    return value


def parse_record(
    payload: bytes | dict[str, Any], person: str, min_wear_ratio: float = 0.6
) -> DailyRecord:
    """Validate one raw record and normalize it.

    Args:
        payload: the record's bytes as received, or an already decoded object.
        person: whose ring it is (the raw topic's key).
        min_wear_ratio: the share of the day the ring must be worn for the day
            to be judged and used in baselines.

    Returns:
        The normalized day, durations in minutes.

    Raises:
        RecordError: with a reason a person can read.
    """
    obj = payload if isinstance(payload, dict) else load_object(payload)
    parts = plain_parts(obj) or _validated_parts(obj)
    return _normalized(parts, person, min_wear_ratio)


class Plain(NamedTuple):
    """The parts of a plainly valid record, checked: see ``plain_parts``."""

    numbers: list[Any]  # COUNTS then DURATIONS_S, each a number or None
    day: date
    timestamp: str | None  # as the daily record writes it
    utc_offset_minutes: int | None
    classes: str | None  # class_5_min


def plain_parts(obj: dict[str, Any]) -> Plain | None:
    """The parts of a record that ``RawActivity`` would surely accept, checked
    without it (several times faster); None when anything about the record is
    unusual, and then ``RawActivity`` decides and gives the reason when it
    refuses. The producer's check before the raw topic, and the processor's
    quick path."""
    get = obj.get
    numbers = list(map(get, _NUMBERS))
    for value in numbers:
        # NaN and infinity fail the comparison; booleans are not numbers, as
        # in ``RawActivity``.
        if value is not None and (
            type(value) not in _NUMBER_KINDS or not 0 <= value <= _LARGEST
        ):
            return None
    for value in numbers[_FIRST_DURATION:]:
        if value is not None and value > MAX_READABLE_SECONDS:
            return None
    day, timestamp, classes = get("day"), get("timestamp"), get("class_5_min")
    if type(day) is not str:
        return None
    if type(timestamp) not in _TEXT_KINDS or type(classes) not in _TEXT_KINDS:
        return None
    day = _plain_day(day)
    moment = _plain_timestamp(timestamp) if timestamp is not None else (None, None)
    if day is None or moment is None:
        return None
    return Plain(numbers, day, moment[0], moment[1], classes)


def _validated_parts(obj: dict[str, Any]) -> Plain:
    """The parts of any record ``RawActivity`` accepts, read through it.

    Raises:
        RecordError: the reason it refuses the record.
    """
    try:
        raw = RawActivity.model_validate(obj)
    except PydanticValidationError as exc:
        raise RecordError(_validation_reason(exc)) from None
    offset = raw.timestamp.utcoffset() if raw.timestamp else None
    return Plain(
        numbers=[getattr(raw, name) for name in _NUMBERS],
        day=raw.day,
        timestamp=raw.timestamp.isoformat() if raw.timestamp else None,
        utc_offset_minutes=int(offset.total_seconds() // 60) if offset else None,
        classes=raw.class_5_min,
    )


def _normalized(parts: Plain, person: str, min_wear_ratio: float) -> DailyRecord:
    """The normalized day of a record's checked parts: durations in minutes,
    and the share of the day worn, from the 5-minute classes when present
    (class 0 is non-wear), else from ``non_wear_time`` over a 24-hour day."""
    numbers, classes = parts.numbers, parts.classes
    if classes:
        wear_ratio = round((len(classes) - classes.count("0")) / len(classes), 3)
    else:
        wear_ratio = round(max(0.0, 1 - (numbers[-1] or 0) / SECONDS_PER_DAY), 3)
    counts = [None if n is None else float(n) for n in numbers[:_FIRST_DURATION]]
    minutes = [_minutes(s) for s in numbers[_FIRST_DURATION:]]
    score, total, active, target, steps, distance = counts
    high, medium, low, sedentary, resting, non_wear = minutes
    return DailyRecord.of_checked(
        {
            "person": person,
            "day": parts.day,
            "timestamp": parts.timestamp,
            "utc_offset_minutes": parts.utc_offset_minutes,
            "score": score,
            "total_calories": total,
            "active_calories": active,
            "target_calories": target,
            "steps": steps,
            "walking_distance_m": distance,
            "high_activity_minutes": high,
            "medium_activity_minutes": medium,
            "low_activity_minutes": low,
            "sedentary_minutes": sedentary,
            "resting_minutes": resting,
            "non_wear_minutes": non_wear,
            "wear_ratio": wear_ratio,
            "worn": wear_ratio >= min_wear_ratio,
        }
    )


# What the quick path reads, counts then durations, and its bounds.
_NUMBERS = COUNTS + DURATIONS_S
_FIRST_DURATION = len(COUNTS)
_LARGEST = sys.float_info.max
_NUMBER_KINDS = frozenset((int, float))
_TEXT_KINDS = frozenset((str, type(None)))


@lru_cache(maxsize=4096)
def _plain_day(value: str) -> date | None:
    """The day of a ``YYYY-MM-DD`` text; memoized, as many records share a day."""
    if not _DAY.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _plain_timestamp(value: str) -> tuple[str, int | None] | None:
    """The timestamp as the daily record writes it, and its UTC offset in
    minutes (None for UTC, as in the validated path); None when unusual."""
    if not _TIMESTAMP.fullmatch(value):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    offset = moment.utcoffset()
    return moment.isoformat(), int(offset.total_seconds() // 60) if offset else None


def _minutes(seconds: float | None) -> float | None:
    """Seconds as minutes rounded to 2 decimals. Whole seconds take a quicker
    road to the same value: ``round(s * 5 / 3) / 100`` equals
    ``round(s / 60, 2)`` for every whole second up to a week (a test checks
    each one), and is twice as fast."""
    if type(seconds) is int:
        return round(seconds * 5 / 3) / 100
    return None if seconds is None else round(seconds / 60, 2)


def _validation_reason(exc: PydanticValidationError) -> str:
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error["loc"] else "record"
    if error["type"] == "missing":
        return f"{field} is missing"
    shown = error.get("input")
    if isinstance(shown, float) and not math.isfinite(shown):
        shown = str(shown)
    message = error["msg"]
    if error["type"] in ("int_type", "float_type", "int_parsing", "float_parsing"):
        message = "Input should be a number"
    return f"{field}={shown!r}: {message}"


def _json_message(exc: orjson.JSONDecodeError) -> str:
    return str(exc).split(":")[0]
