"""A seeded generator of realistic Oura ``daily_activity`` records for any
number of people over any span of days: the default demo input and the load
of the benchmarks.

Each person has a body (basal burn, weight, stride), habits (usual steps,
workout days) and a time zone whose daylight-saving offsets show in the
``timestamp``. Days follow a weekly rhythm; some are missing, some barely
worn, some first sent as a partial sync and revised after the next day, some
sent twice, and a few hold a long workout with too little burn (an anomaly
the processor should find). The same seed always gives the same bytes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import BinaryIO
from zoneinfo import ZoneInfo

import orjson

from ourastream.produce.validate import PERSON_FIELD

DEFAULT_START = date(2024, 1, 1)
SECONDS_PER_DAY = 86_400
HOUR_S = 3_600

ZONES = (
    "America/Chicago",
    "Europe/Berlin",
    "America/New_York",
    "Europe/London",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "Europe/Madrid",
    "Pacific/Auckland",
    "America/Denver",
)
NAMES = (
    "ada", "ben", "chloe", "dev", "emma", "farid", "grace", "hugo", "iris",
    "jonas", "kira", "liam", "maya", "noah", "olga", "pablo", "quinn", "rosa",
    "sami", "tara", "uma", "victor", "wen", "yusuf",
)  # fmt: skip
# Monday first: a little more on Thursday, most on Saturday, least on Sunday.
WEEKDAY_FACTOR = (1.0, 1.02, 0.98, 1.05, 0.95, 1.2, 0.8)

# How often a person's day is each of the special kinds.
MISSING = 0.03
BARELY_WORN = 0.03
NO_BURN_WORKOUT = 0.015
REVISED = 0.06
SENT_TWICE = 0.03

# MET of each activity level, as the Oura API's *_met_minutes imply.
HIGH_MET, MEDIUM_MET, LOW_MET, SEDENTARY_MET = 8.0, 3.5, 0.58, 0.02


@dataclass(frozen=True, slots=True)
class Person:
    """One ring wearer's body, habits and time zone."""

    name: str
    zone: str
    basal_kcal: int
    weight_kg: float
    usual_steps: int
    stride_m: float
    workout_days: frozenset[int]
    target_calories: int
    target_meters: int


def person_name(index: int) -> str:
    """The name of the ``index``-th person: ``ada``, ``ben``... then ``ada-2``."""
    name = NAMES[index % len(NAMES)]
    round_ = index // len(NAMES)
    return name if round_ == 0 else f"{name}-{round_ + 1}"


def make_person(index: int, rng: random.Random) -> Person:
    """A plausible person, drawn from ``rng``."""
    weight_kg = round(rng.uniform(52, 105), 1)
    return Person(
        name=person_name(index),
        zone=ZONES[index % len(ZONES)],
        basal_kcal=int(weight_kg * rng.uniform(22, 27)),
        weight_kg=weight_kg,
        usual_steps=rng.randint(4_000, 12_000),
        stride_m=round(rng.uniform(0.62, 0.85), 2),
        workout_days=frozenset(rng.sample(range(7), rng.randint(0, 4))),
        target_calories=rng.randrange(350, 700, 50),
        target_meters=rng.randrange(7_000, 13_000, 1_000),
    )


def sample_records(
    people: int, days: int, start: date = DEFAULT_START, seed: int = 0
) -> Iterator[bytes]:
    """The sample, one JSON record's bytes at a time, in the order a live
    stream of these people would deliver them (day by day).

    Args:
        people: how many ring wearers.
        days: how many calendar days from ``start``.
        start: the first day.
        seed: the same seed gives the same records.
    """
    wearers = [_Wearer(i, seed) for i in range(people)]
    for offset in range(days):
        day = start + timedelta(days=offset)
        for wearer in wearers:
            yield from wearer.records_of(day)
    for wearer in wearers:
        yield from wearer.held_back()


def write_sample(
    out: BinaryIO,
    people: int,
    days: int,
    start: date = DEFAULT_START,
    seed: int = 0,
) -> int:
    """Write the sample as JSON lines.

    Returns:
        How many records were written.
    """
    count = 0
    batch: list[bytes] = []
    for record in sample_records(people, days, start, seed):
        batch.append(record)
        if len(batch) == 4096:
            out.write(b"\n".join(batch) + b"\n")
            count += len(batch)
            batch.clear()
    if batch:
        out.write(b"\n".join(batch) + b"\n")
        count += len(batch)
    return count


class _Wearer:
    """One person's stream of days, with the copy held back for later (a
    revision or a repeat) that the next day's sync delivers."""

    def __init__(self, index: int, seed: int) -> None:
        self.rng = random.Random(f"ourastream-sample/{seed}/{index}")
        self.person = make_person(index, self.rng)
        self.held: bytes | None = None

    def records_of(self, day: date) -> list[bytes]:
        earlier, self.held = self.held, None
        roll = self.rng.random()
        records = [] if roll < MISSING else self._day(day, roll - MISSING)
        if earlier is not None:
            records.append(earlier)
        return records

    def held_back(self) -> list[bytes]:
        return [self.held] if self.held is not None else []

    def _day(self, day: date, roll: float) -> list[bytes]:
        if roll < BARELY_WORN:
            activity = _barely_worn(self.person, self.rng)
        elif roll < BARELY_WORN + NO_BURN_WORKOUT:
            activity = _workout_without_burn(self.person, self.rng)
        else:
            activity = _usual_day(self.person, self.rng, day)
        final = _record(self.person, day, activity)
        kind = self.rng.random()
        if kind < REVISED:
            self.held = final
            partial = _partial(self.person, activity, self.rng.uniform(0.4, 0.85))
            return [_record(self.person, day, partial)]
        if kind < REVISED + SENT_TWICE:
            self.held = final
        return [final]


@dataclass(frozen=True, slots=True)
class _Activity:
    """The primary quantities of a day; every other field derives from them."""

    steps: int
    high_s: int
    medium_s: int
    low_s: int
    resting_s: int
    non_wear_s: int
    sedentary_s: int
    active_kcal: int
    total_kcal: int
    recovery: int
    training: int


def _whole(rng: random.Random, lowest: int, highest: int) -> int:
    """A whole number from ``lowest`` to ``highest``, both included (faster than
    ``randint``, which matters at hundreds of thousands of days a second)."""
    return lowest + int(rng.random() * (highest - lowest + 1))


def _usual_day(person: Person, rng: random.Random, day: date) -> _Activity:
    mood = rng.lognormvariate(0, 0.25) * WEEKDAY_FACTOR[day.weekday()]
    steps = int(person.usual_steps * mood)
    if day.weekday() in person.workout_days and rng.random() < 0.75:
        high_s = _whole(rng, 20, 80) * 60
    else:
        high_s = _whole(rng, 1, 9) * 60 if rng.random() < 0.2 else 0
    non_wear_s = _whole(rng, 600, 2 * HOUR_S) if rng.random() < 0.3 else 0
    return _balanced(person, rng, steps, high_s, non_wear_s)


def _barely_worn(person: Person, rng: random.Random) -> _Activity:
    steps = int(person.usual_steps * rng.uniform(0.0, 0.15))
    non_wear_s = _whole(rng, 14 * HOUR_S, 22 * HOUR_S)
    return _balanced(person, rng, steps, 0, non_wear_s)


def _workout_without_burn(person: Person, rng: random.Random) -> _Activity:
    """A long high-activity time with a burn under the basal: the ring credited
    a workout that the calories do not show."""
    steps = int(person.usual_steps * rng.uniform(0.6, 1.0))
    worked = _balanced(person, rng, steps, _whole(rng, 45, 110) * 60, 0)
    active_kcal = int(worked.active_kcal * rng.uniform(0.1, 0.3))
    total_kcal = int(person.basal_kcal * rng.uniform(0.78, 0.9)) + active_kcal
    return _replace(worked, active_kcal=active_kcal, total=total_kcal)


def _balanced(
    person: Person, rng: random.Random, steps: int, high_s: int, non_wear_s: int
) -> _Activity:
    """Times that add up to at most a day, and the burn they imply."""
    worn_s = SECONDS_PER_DAY - non_wear_s
    medium_s = int(steps * rng.uniform(0.05, 0.12))
    low_s = min(int(steps * rng.uniform(2.2, 3.2)), 8 * HOUR_S)
    resting_s = min(_whole(rng, 3 * HOUR_S, 8 * HOUR_S), worn_s // 3)
    unclassified_s = _whole(rng, 0, 3 * HOUR_S)
    busy_s = high_s + medium_s + low_s + resting_s + unclassified_s
    if busy_s > worn_s:
        scale = worn_s / busy_s
        medium_s, low_s = int(medium_s * scale), int(low_s * scale)
        busy_s = high_s + medium_s + low_s + resting_s + unclassified_s
    active_kcal = _active_kcal(person, high_s, medium_s, low_s)
    sedentary_s = worn_s - busy_s if worn_s > busy_s else 0
    recovery = 70 + int(rng.random() * 31)
    training = 60 + int(rng.random() * 41)
    return _Activity(
        steps, high_s, medium_s, low_s, resting_s, non_wear_s, sedentary_s,
        active_kcal, person.basal_kcal + active_kcal, recovery, training,
    )  # fmt: skip


def _active_kcal(person: Person, high_s: int, medium_s: int, low_s: int) -> int:
    met_seconds = high_s * (HIGH_MET - 1) + medium_s * (MEDIUM_MET - 1) + low_s * 1.2
    return int(person.weight_kg * met_seconds / HOUR_S * 0.9)


def _partial(person: Person, final: _Activity, share: float) -> _Activity:
    """The same day as an earlier sync saw it: ``share`` of the movement."""
    active_kcal = int(final.active_kcal * share)
    return _replace(
        final,
        steps=int(final.steps * share),
        high_s=int(final.high_s * share),
        medium_s=int(final.medium_s * share),
        low_s=int(final.low_s * share),
        active_kcal=active_kcal,
        total=int(person.basal_kcal * share) + active_kcal,
    )


def _replace(activity: _Activity, total: int, **changes: int) -> _Activity:
    fields = {name: getattr(activity, name) for name in _Activity.__slots__}
    fields.update(changes, total_kcal=total)
    return _Activity(**fields)


def _record(person: Person, day: date, a: _Activity) -> bytes:
    """The day in the Oura API v2 ``daily_activity`` shape, plus ``person``."""
    distance_m = int(a.steps * person.stride_m + a.high_s * 0.2)
    sedentary_h = a.sedentary_s / HOUR_S
    alerts = min(5, max(0, int((sedentary_h - 7) / 1.5)))
    targets_met = min(100, int(100 * a.active_kcal / person.target_calories))
    return orjson.dumps(
        {
            "score": min(100, max(20, 55 + targets_met * 35 // 100 + a.recovery // 20)),
            "active_calories": a.active_kcal,
            "average_met_minutes": round(1.3 * a.total_kcal / person.basal_kcal, 5),
            "contributors": {
                "meet_daily_targets": max(1, targets_met),
                "move_every_hour": 100 - 15 * alerts,
                "recovery_time": a.recovery,
                "stay_active": max(1, min(100, int(100 - 4 * sedentary_h))),
                "training_frequency": a.training,
                "training_volume": max(1, a.training - 3),
            },
            "equivalent_walking_distance": distance_m,
            "high_activity_met_minutes": round(a.high_s / 60 * HIGH_MET),
            "high_activity_time": a.high_s,
            "inactivity_alerts": alerts,
            "low_activity_met_minutes": round(a.low_s / 60 * LOW_MET),
            "low_activity_time": a.low_s,
            "medium_activity_met_minutes": round(a.medium_s / 60 * MEDIUM_MET),
            "medium_activity_time": a.medium_s,
            "meters_to_target": max(
                0, round((person.target_calories - a.active_kcal) * 16.5, -2)
            ),
            "non_wear_time": a.non_wear_s,
            "resting_time": a.resting_s,
            "sedentary_met_minutes": round(a.sedentary_s / 60 * SEDENTARY_MET),
            "sedentary_time": a.sedentary_s,
            "steps": a.steps,
            "target_calories": person.target_calories,
            "target_meters": person.target_meters,
            "total_calories": a.total_kcal,
            "day": day.isoformat(),
            "timestamp": day_start(person.zone, day),
            PERSON_FIELD: person.name,
        }
    )


@cache
def day_start(zone: str, day: date) -> str:
    """When an Oura day begins (4 a.m. local), with that day's UTC offset."""
    start = datetime(day.year, day.month, day.day, 4, tzinfo=ZoneInfo(zone))
    return start.isoformat()
